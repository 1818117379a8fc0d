#!/bin/bash
# Runs the test suites and ends with one line "N passed, N failed, N skipped" (exit 1 if any
# failed). Each test prints "PASS name", "FAIL name: why" or "SKIP name: why" (a check that
# cannot hold here, e.g. a timing under emulation; never a failure hidden); a suite that crashes
# or prints none of them for what it was meant to run is counted as a failure, never as a pass.
#   tests/run.sh [unit|e2e]...       (default: all)
# LL_BUILD_DIR (default build; make SANITIZE=1 test sets build-san) is what gets tested. Every
# ASan/UBSan/LSan report of any process, even one whose test ignored its status, is a failure.
set -u
cd "$(dirname "$0")/.."
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(unit e2e)
B=${LL_BUILD_DIR:-build}
export LL_BUILD_DIR=$(realpath -m "$B")
log=$(mktemp)
san=$(mktemp -d)
trap 'rm -rf "$log" "$san"' EXIT
export ASAN_OPTIONS="log_path=$san/asan:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$san/ubsan:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

run_one() {			# name, command...
	local name=$1 rc one
	shift
	printf '== %s\n' "$name"
	one=$(mktemp)
	"$@" 2>&1 | tee "$one"
	rc=${PIPESTATUS[0]}
	cat "$one" >> "$log"
	if ! grep -qE '^(PASS|FAIL|SKIP) ' "$one"; then
		echo "FAIL $name: ran no test (exit $rc)" | tee -a "$log"
	elif [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$one"; then
		echo "FAIL $name: exited $rc without reporting a failure" | tee -a "$log"
	fi
	rm -f "$one"
}

for s in "${suites[@]}"; do
	case "$s" in
	unit)
		for t in "$B"/tests/test_*; do
			[ -x "$t" ] && run_one "$t" "$t"
		done
		# A short fuzz run of the record decoder and the state machines (make fuzz: longer).
		# libFuzzer reports its own crashes into its log.
		run_one fuzz_records env -u ASAN_OPTIONS -u UBSAN_OPTIONS B="$B" bash -c \
			'"$B"/fuzz_records -max_total_time=${FUZZ_SECS:-10} \
			-print_final_stats=0 >/tmp/lifeline-fuzz.log 2>&1 \
			&& echo "PASS fuzz_records ($(grep -o "Done [0-9]* runs" /tmp/lifeline-fuzz.log))" \
			|| { tail -30 /tmp/lifeline-fuzz.log; echo "FAIL fuzz_records: crash or leak, see above"; }' ;;
	e2e)
		if [ "$(id -u)" != 0 ]; then
			echo "FAIL e2e: end-to-end tests need root (real BPF); run: sudo make test" | tee -a "$log"
			continue
		fi
		for t in tests/e2e/test_*.py; do
			[ -f "$t" ] && run_one "$t" timeout -k 10 600 python3 "$t"
		done ;;
	*)
		echo "FAIL $s: unknown suite" | tee -a "$log" ;;
	esac
done

for f in "$san"/*; do
	[ -f "$f" ] || continue
	sed -n '1,40p' "$f"
	what=$(grep -m1 -E 'ERROR|runtime error' "$f" | sed 's/^[=0-9]* *//')
	echo "FAIL sanitizer: $what (${f##*/})" | tee -a "$log"
done

pass=$(grep -c '^PASS ' "$log")
fail=$(grep -c '^FAIL ' "$log")
skip=$(grep -c '^SKIP ' "$log")
echo
grep -E '^(FAIL|SKIP) ' "$log" | sed 's/^/  /'
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
