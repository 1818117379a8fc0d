#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# make test-kernels: lifeline's end-to-end suite on Debian 12's kernels, each booted under qemu.
#
#   scripts/test-kernels.sh [LINE...]     kernel lines, default "6.1 6.12" (make KERNELS="...")
#
# For each line: the newest bookworm linux-image package of it is fetched (apt-get download,
# unpacked with dpkg -x, never installed) into build/kernels/, an initramfs is built from
# busybox-static and that kernel's own virtio/9p/overlay modules, and the kernel boots under
# qemu with this machine's root shared read-only (a tmpfs overlay on top). Inside,
# scripts/guest-init.sh runs tests/run.sh e2e against the build tree. No network device, no
# TCP port on the host; every guest is killed on any exit path, and after LL_GUEST_TIMEOUT
# seconds (default 1200), which counts as a failure. The guests run LL_GUEST_JOBS at a time
# (default: one per host CPU, as single-threaded TCG keeps each guest on one CPU; ~1.1 GiB of
# host memory each); each measures its own slowdown, so running side by side is accounted for.
#
# Prints each kernel's "N passed, N failed, N skipped", then the overall line; exit 1 if any
# failed, 2 for an unknown kernel line. LL_BUILD_DIR: the build tree (default build).
# LL_ACCEL=kvm|tcg skips the accelerator probe; LL_GUEST_TESTS=tests/e2e/test_x.py,... runs
# only those files in the guests (for debugging).
set -u
cd "$(dirname "$0")/.."
REPO=$(pwd)
B=$(realpath -m "${LL_BUILD_DIR:-build}")
CACHE=$B/kernels
LIMIT=${LL_GUEST_TIMEOUT:-1200}
lines=("$@")
[ ${#lines[@]} -eq 0 ] && lines=(6.1 6.12)

JOBS=${LL_GUEST_JOBS:-$(nproc)}
[[ $JOBS =~ ^[1-9][0-9]?$ ]] || { echo "test-kernels: LL_GUEST_JOBS=$JOBS: not 1..99" >&2; exit 2; }

declare -A qpids=()		# the guests running, by slot: each is its timeout wrapper's pid
tmp=$(mktemp -d /tmp/lifeline-kernels.XXXXXX)
cleanup() {
	local p

	# The guests are ours: each timeout wrapper passes the TERM on to its qemu.
	for p in "${qpids[@]}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

die() {				# status, message
	echo "test-kernels: $2" >&2
	exit "$1"
}

# A kernel line names Debian 12 packages one of two ways: 6.1.0-ABI-amd64 (bookworm's own
# kernel) or 6.12.N+deb12-amd64 (the newer line built for bookworm).
package_of() {			# line -> the newest image package of that line
	local l=${1//./\\.}

	apt-cache pkgnames linux-image- 2>/dev/null |
		grep -E "^linux-image-($l\.0-[0-9]+|$l\.[0-9]+\+deb12)-amd64$" | sort -V | tail -n 1
}

fetch() {			# package -> its unpacked tree in the cache
	local pkg=$1 dir=$CACHE/$1

	[ -f "$dir/.unpacked" ] && return 0
	mkdir -p "$CACHE/debs"
	rm -rf "$dir"
	(cd "$CACHE/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg" \
		>"$tmp/apt.log" 2>&1) ||
		die 1 "cannot fetch $pkg: $(grep -m1 -E '^(E|W):' "$tmp/apt.log")"
	dpkg -x "$CACHE/debs/${pkg}_"*.deb "$dir" || die 1 "cannot unpack $pkg"
	depmod -b "$dir" "$(ls "$dir/lib/modules")" || die 1 "depmod failed for $pkg"
	touch "$dir/.unpacked"
}

# busybox, this script's sibling as /init, and the modules the guest needs, in load order.
initramfs() {			# package -> path of its initramfs
	local pkg=$1 dir=$CACHE/$1 img=$CACHE/$1.initramfs.gz root=$tmp/initramfs ver m n
	local want=(virtio_pci 9pnet_virtio 9p overlay)

	if [ "$img" -nt scripts/guest-init.sh ] && [ "$img" -nt /bin/busybox ]; then
		echo "$img"
		return 0
	fi
	ver=$(ls "$dir/lib/modules")
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,etc,modules}
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp scripts/guest-init.sh "$root/init"
	: > "$root/modules/order"
	n=0
	for m in $(modprobe -d "$dir" -S "$ver" --show-depends -a "${want[@]}" |
		   awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++'); do
		n=$((n + 1))
		case "$m" in
		*.xz) xz -dc "$m" > "$root/modules/$n.ko" ;;
		*.zst) zstd -qdc "$m" > "$root/modules/$n.ko" ;;
		*) cp "$m" "$root/modules/$n.ko" ;;
		esac
		echo "$n.ko" >> "$root/modules/order"
	done
	(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$img.tmp" &&
		mv "$img.tmp" "$img"
	echo "$img"
}

# qemu for one guest, in the background (qpids[slot]); its stderr goes to $tmp/qemu-SLOT.err.
boot() {			# slot, package, accel, console log, out dir, extra command line
	local slot=$1 pkg=$2 accel=$3 log=$4 out=$5 extra=$6 cpu=()

	[ "$accel" = kvm ] && cpu=(-cpu host)
	# Single-threaded TCG: with MTTCG the guest kernel broke as lifeline's programs attached
	# (an int3 oops in __schedule, a soft lockup), which looks like a cross-modifying-code bug.
	[ "$accel" = tcg ] && accel=tcg,thread=single
	timeout -k 5 "$LIMIT" qemu-system-x86_64 -accel "$accel" "${cpu[@]}" -m 1G -smp 2 \
		-nodefaults -no-reboot -display none -monitor none -nic none \
		-serial "file:$log" \
		-kernel "$CACHE/$pkg/boot/vmlinuz-${pkg#linux-image-}" \
		-initrd "$CACHE/$pkg.initramfs.gz" \
		-append "console=ttyS0 panic=-1 quiet ll.repo=$REPO ll.build=$B ll.out=$out $extra" \
		-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap" \
		-device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
		-fsdev "local,id=out,path=$out,security_model=none" \
		-device virtio-9p-pci,fsdev=out,mount_tag=hostout \
		>"$tmp/qemu-$slot.err" 2>&1 &
	qpids[$slot]=$!
}

finish_boot() {			# slot -> qemu's status
	local rc

	wait "${qpids[$1]}" 2>/dev/null	# a failed KVM probe aborts qemu: said by detect_accel
	rc=$?
	qpids[$1]=
	return $rc
}

# KVM where the hardware really virtualizes; here /dev/kvm is itself emulated and qemu's KVM
# fails ("failed to set MSR 0x10a", then an emulation failure), so a short boot decides.
detect_accel() {		# package -> ACCEL (kvm or tcg), said once
	local pkg=$1 log=$tmp/probe.log

	if [ -n "${LL_ACCEL:-}" ]; then
		ACCEL=$LL_ACCEL
		echo "  accel: ${ACCEL^^} (LL_ACCEL)"
		return
	fi
	ACCEL=tcg
	if [ ! -w /dev/kvm ]; then
		echo "  accel: TCG, single-threaded (no usable /dev/kvm)"
		return
	fi
	mkdir -p "$tmp/probe"
	LIMIT=60 boot probe "$pkg" kvm "$log" "$tmp/probe" ll.probe
	finish_boot probe
	if grep -q LL-PROBE-OK "$log" 2>/dev/null; then
		ACCEL=kvm
		echo "  accel: KVM"
	else
		echo "  accel: TCG, single-threaded (KVM failed: $(grep -m1 -iE 'error|fail' \
			"$tmp/qemu-probe.err" | cut -c1-100))"
	fi
}

total_pass=0 total_fail=0 total_skip=0
count() {			# file, prefix -> how many lines start with it (0 without the file)
	local n

	n=$(grep -c "^$2 " "$1" 2>/dev/null)
	echo "${n:-0}"
}

out_of() {			# package -> the result directory of its guest
	echo "$CACHE/run-$1"
}

start_kernel() {		# slot, package, accel, host rate, host latencies (ll.host_*=US)
	local slot=$1 pkg=$2 accel=$3 out cmdline

	out=$(out_of "$pkg")
	rm -rf "$out"
	mkdir -p "$out"
	echo "  BOOT     $pkg (${accel^^}, up to $LIMIT s)"
	date +%s > "$tmp/start-$slot"
	# The tests' own limit leaves the guest time to say so before its qemu is killed.
	cmdline="ll.host_rate=$4$5 ll.timeout=$((LIMIT - 60))"
	boot "$slot" "$pkg" "$accel" "$out/console.log" "$out" \
		"$cmdline${LL_GUEST_TESTS:+ ll.tests=$LL_GUEST_TESTS}"
}

finish_kernel() {		# slot, line, package, accel
	local slot=$1 line=$2 pkg=$3 accel=$4 out p f s why secs rc st

	out=$(out_of "$pkg")
	finish_boot "$slot"
	st=$?
	why=
	case $st in
	0) ;;
	124|137) why="guest did not finish within $LIMIT s and was killed" ;;
	*) why="qemu failed: $(head -c 200 "$tmp/qemu-$slot.err" | tr '\n' ' ')" ;;
	esac
	[ -z "$why" ] && [ ! -f "$out/rc" ] &&
		why="guest ended without a result: $(grep -m1 -E 'LL-GUEST-ERROR|Kernel panic|Oops|BUG:' \
			"$out/console.log" | cut -c1-160)"
	rc=$(cat "$out/rc" 2>/dev/null)
	[ -z "$why" ] && [ "$rc" = 124 ] &&
		why="the tests did not finish within $((LIMIT - 60)) s inside the guest"
	# From its start to its console's last line: the guests may end in any order.
	secs=$(($(stat -c %Y "$out/console.log" 2>/dev/null || date +%s) - $(cat "$tmp/start-$slot")))
	p=$(count "$out/log" PASS) f=$(count "$out/log" FAIL) s=$(count "$out/log" SKIP)
	[ -z "$why" ] && [ "$rc" != 0 ] && [ "$f" -eq 0 ] &&
		why="the tests exited $rc without reporting a failure"
	if [ -n "$why" ]; then
		echo "FAIL $pkg: $why (console: $out/console.log)" >> "$out/log"
		f=$((f + 1))
	fi
	sed -n 's/^slowdown /  slowdown: /p; s/^added_us /  added to a delay (us): /p
		s/^start_us /  added per process start (us): /p
		s/^tests_s /  tests in the guest (s): /p
		s/^perf_event_paranoid /  perf_event_paranoid: /p' "$out/guest-info" 2>/dev/null
	grep -E '^(FAIL|SKIP) ' "$out/log" | sed 's/^/  /'
	echo "$line ($pkg, ${accel^^}, ${secs} s): $p passed, $f failed, $s skipped"
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
}

main() {
	local line pkg rate probe lat i j pkgs=()

	for line in "${lines[@]}"; do
		[[ $line =~ ^[0-9]+\.[0-9]+$ ]] ||
			die 2 "unknown kernel '$line': give a kernel line such as 6.1 or 6.12"
	done
	[ -x "$B/lifeline" ] && [ -x "$B/forkstorm" ] || die 1 "no build in $B: run make first"
	scripts/deps.sh qemu-system-x86 busybox-static kmod xz-utils || exit 1
	apt-get update -qq >/dev/null 2>&1 ||
		echo "test-kernels: apt-get update failed; using the package lists there are" >&2
	for line in "${lines[@]}"; do
		pkg=$(package_of "$line")
		[ -n "$pkg" ] || die 2 "unknown kernel '$line': Debian 12 has no linux-image package$(
			) of that line (6.1 and 6.12 are known)"
		pkgs+=("$pkg")
	done
	for pkg in "${pkgs[@]}"; do
		fetch "$pkg"
		initramfs "$pkg" >/dev/null || die 1 "cannot build the initramfs for $pkg"
	done
	detect_accel "${pkgs[0]}"
	# The host's fork rate at the highest priority, so that other load on a
	# shared machine takes less from it (1405 to 4860 forks/s seen at normal priority).
	rate=$(nice -n -20 scripts/guest-init.sh rate "$B")
	echo "  host: $rate fork+exit+wait per second (the slowdown's reference)"
	probe=$(scripts/latency-probe.py) || die 1 "scripts/latency-probe.py failed"
	lat=$(awk '{ printf " ll.host_%s=%s", $1, $2 }' <<< "$probe")
	echo "  host: round trips beyond a 50 ms delay, at best: $(awk '{ printf("%s%s %s us",
		(NR > 1 ? ", " : ""), $1, $2) }' <<< "$probe") (the added latency's reference)"
	# Up to JOBS guests side by side; each batch is reported in order once it has ended.
	for ((i = 0; i < ${#pkgs[@]}; i += JOBS)); do
		for ((j = i; j < i + JOBS && j < ${#pkgs[@]}; j++)); do
			start_kernel "$j" "${pkgs[$j]}" "$ACCEL" "$rate" "$lat"
		done
		for ((j = i; j < i + JOBS && j < ${#pkgs[@]}; j++)); do
			finish_kernel "$j" "${lines[$j]}" "${pkgs[$j]}" "$ACCEL"
		done
	done
	echo
	echo "$total_pass passed, $total_fail failed, $total_skip skipped (kernels: ${lines[*]})"
	[ "$total_fail" -eq 0 ]
}

main
