#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# The inside of a make test-kernels guest (POSIX sh: stage 1 runs under the initramfs' busybox).
#
#   stage 1, /init of the initramfs (PID 1): load the kernel's own virtio, 9p and overlay
#     modules, mount the host's root read-only (9p) under a tmpfs overlay and the result share,
#     then hand PID 1 to busybox init, so that orphans are reaped as on a real system;
#   rate BUILD: print this machine's fork+exit+wait rate (the host's, for the slowdown);
#   guest:  run by init, chrooted into the overlay: mount what lifeline and the tests need,
#     measure the slowdown, run the end-to-end suite against the host's build tree, power off.
#
# Its settings come on the kernel command line (scripts/test-kernels.sh writes them):
#   ll.repo=DIR ll.build=DIR ll.out=DIR ll.host_rate=FORKS_PER_S ll.host_delay=US
#   ll.host_start=US ll.timeout=S [ll.probe]
#   [ll.tests=FILE,...]
set -u

arg() {				# the value of ll.NAME= on the kernel command line
	for w in $(cat /proc/cmdline); do
		case "$w" in
		"ll.$1="*) echo "${w#*=}"; return 0 ;;
		esac
	done
	return 1
}

power_off() {
	sync
	echo o > /proc/sysrq-trigger
	sleep 30
}

stage1() {
	/bin/busybox --install -s /bin
	export PATH=/bin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	# In dependency order (modprobe --show-depends on the host); built-ins are not listed.
	while read -r m; do
		insmod "/modules/$m" 2>/dev/null
	done < /modules/order
	if grep -qw ll.probe /proc/cmdline; then
		echo "LL-PROBE-OK"
		power_off
	fi
	mkdir -p /lower /rw /newroot
	if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 \
			hostroot /lower; then
		echo "LL-GUEST-ERROR: cannot mount the host's root over 9p"
		power_off
	fi
	mount -t tmpfs -o mode=0755 tmpfs /rw
	mkdir -p /rw/upper /rw/work
	if ! mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work \
			overlay /newroot; then
		echo "LL-GUEST-ERROR: cannot mount the overlay over the host's root"
		power_off
	fi
	out=$(arg out)
	mkdir -p "/newroot$out"
	mount -t 9p -o trans=virtio,version=9p2000.L,cache=none hostout "/newroot$out"
	repo=$(arg repo)
	cat > /etc/inittab <<-EOF
	::once:/bin/sh -c 'chroot /newroot /bin/sh $repo/scripts/guest-init.sh guest; \
	sync; echo o > /proc/sysrq-trigger'
	EOF
	exec /bin/busybox init
}

mount_one() {			# type, where, [options]
	mkdir -p "$2"
	mountpoint -q "$2" || mount -t "$1" ${3:+-o "$3"} "$1" "$2"
}

# fork+exit+wait per second, by the same program on the host and in the guest (forkstorm):
# the best of three 1 s runs, since the host is shared and only ever slows it down.
fork_rate() {			# build dir
	for i in 1 2 3; do
		"$1/forkstorm" -d 1 --json 2>/dev/null
	done | sed -n 's/.*"processes_per_s":\([0-9.]*\).*/\1/p' | sort -n | tail -n 1
}

# What emulation adds to a probe's round trip: the guest's worst less the host's best, times
# a factor (below).
added_us() {			# probe (delay or start), the host's best, factor -> what it adds
	awk -v k="$1" -v h="$2" -v f="$3" \
		'$1 == k { a = f * ($3 - h); printf("%d\n", a > 0 ? a : 0) }' /run/latency
}

guest() {
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
	mount_one proc /proc
	mount_one sysfs /sys
	mount_one devtmpfs /dev
	mount_one devpts /dev/pts
	mount_one tmpfs /dev/shm
	mount_one tmpfs /run mode=0755
	# Not /tmp: the tree under test may live there, and the overlay already keeps writes apart.
	mount_one tracefs /sys/kernel/tracing
	mount_one debugfs /sys/kernel/debug
	mount_one bpf /sys/fs/bpf
	mount_one cgroup2 /sys/fs/cgroup
	ip link set lo up
	hostname ll-guest
	repo=$(arg repo) build=$(arg build) out=$(arg out)
	host_rate=$(arg host_rate) limit=$(arg timeout)
	rate=$(fork_rate "$build")
	# The guest is S times slower than the host at CPU work: process lifecycles, start-up.
	slow=$(awk -v h="$host_rate" -v g="$rate" \
		'BEGIN { s = (g > 0 && h > 0) ? h / g : 1; printf "%.1f", s < 1 ? 1 : s }')
	# A delay stays real time: what emulation adds to one is the round trip around it (by
	# scripts/latency-probe.py): around a delay alone, and per process start.
	python3 "$repo/scripts/latency-probe.py" -n 20 > /run/latency
	# The delay's twice: the probe holds one wake-up, a check up to two (a reap delay starts
	# when the parent is woken by the exit, then its timer wakes it); its worst of 100 stands
	# for the tail of the suite's hundreds. A start's once: the probe's is a fork of python,
	# far heavier than the shell's the tests time.
	added=$(added_us delay "$(arg host_delay)" 2)
	start=$(added_us start "$(arg host_start)" 1)
	{
		echo "kernel $(uname -r)"
		echo "perf_event_paranoid $(cat /proc/sys/kernel/perf_event_paranoid)"
		echo "forks_per_s host $host_rate guest $rate"
		echo "slowdown $slow"
		sed 's/^/round_trip_us guest /' /run/latency
		echo "added_us $added"
		echo "start_us $start"
	} > "$out/guest-info"
	cat "$out/guest-info"
	cd "$repo" || exit 1
	# The soak's storm for 20 s, not 40: at a guest's fork rate that is still thousands of
	# processes after its warm-up, so the steady-state RSS bound keeps its meaning.
	export LL_SOAK_MAX_S=20
	export LL_TEST_KERNELS=1 LL_SLOWDOWN=$slow LL_ADDED_US=$added LL_START_US=$start \
		LL_BUILD_DIR=$build
	t0=$(date +%s)
	# ll.tests=FILE,FILE (LL_GUEST_TESTS on the host): only those e2e files, for debugging.
	tests=$(arg tests | tr , ' ')
	if [ -n "$tests" ]; then
		for t in $tests; do
			s0=$(date +%s)
			timeout -k 10 "${limit:-1200}" python3 "$t"
			echo "  # $t: $(($(date +%s) - s0)) s"
		done
	else
		timeout -k 10 "${limit:-1200}" tests/run.sh e2e
	fi > "$out/log" 2>&1
	echo $? > "$out/rc"
	echo "tests_s $(($(date +%s) - t0))" >> "$out/guest-info"
	tail -n 3 "$out/log"
	sync
}

case "${1:-}" in
guest) guest ;;
rate) fork_rate "$2" ;;
*) stage1 ;;
esac
