# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# bash completion for lifeline(8)
_lifeline()
{
	local cur prev words cword
	_init_completion -s 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
	}
	local i
	# After --, complete the COMMAND and its arguments as the shell would.
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			if ((COMP_CWORD == i + 1)); then
				COMPREPLY=($(compgen -c -- "$cur"))
			else
				COMPREPLY=($(compgen -f -- "$cur"))
			fi
			return
		fi
	done
	case $prev in
	-p | --pid)
		COMPREPLY=($(compgen -W "$(ps -e -o pid= 2>/dev/null)" -- "$cur"))
		return ;;
	-c | --comm)
		COMPREPLY=($(compgen -W "$(ps -e -o comm= 2>/dev/null | sort -u)" -- "$cur"))
		return ;;
	-u | --uid)
		COMPREPLY=($(compgen -u -- "$cur"))
		return ;;
	-o | --output)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	-e | --events)
		COMPREPLY=($(compgen -W "proc sock loop loop-all all proc,sock" -- "$cur"))
		return ;;
	-d | --duration | -i | --interval | --stall-ms | --ringbuf-kb | --prometheus)
		return ;;
	esac
	COMPREPLY=($(compgen -W "-p --pid -c --comm -u --uid -e --events -j --json --explain
		-i --interval -d --duration -o --output -T --timestamp -x --failed --full
		--prometheus --stall-ms --ringbuf-kb -v --verbose -h --help --version --" -- "$cur"))
}
complete -F _lifeline lifeline
