// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The syscalls a thread commonly sleeps in, by name. Only these need names: a loop's off-CPU
 * time is by syscall, and one missing here still shows, as syscall_NNN.
 */
#include <stdio.h>
#include <sys/syscall.h>
#include <linux/types.h>
#include "../bpf/lifeline.h"
#include "syscalls.h"

#define SYS(name) { SYS_##name, #name }

static const struct {
	int nr;
	const char *name;
} ll_sys_names[] = {
#ifdef SYS_read
	SYS(read), SYS(write), SYS(readv), SYS(writev), SYS(pread64), SYS(pwrite64),
#endif
#ifdef SYS_poll
	SYS(poll), SYS(select),
#endif
#ifdef SYS_epoll_wait
	SYS(epoll_wait),
#endif
#ifdef SYS_pause
	SYS(pause),
#endif
	SYS(ppoll), SYS(pselect6), SYS(epoll_pwait), SYS(futex), SYS(nanosleep),
	SYS(clock_nanosleep), SYS(wait4), SYS(waitid), SYS(accept), SYS(accept4), SYS(connect),
	SYS(recvfrom), SYS(recvmsg), SYS(recvmmsg), SYS(sendto), SYS(sendmsg), SYS(sendmmsg),
	SYS(openat), SYS(close), SYS(fsync), SYS(fdatasync), SYS(sync_file_range), SYS(flock),
	SYS(fcntl), SYS(ioctl), SYS(mmap), SYS(munmap), SYS(mprotect), SYS(madvise), SYS(msync),
	SYS(brk), SYS(sched_yield), SYS(rt_sigtimedwait), SYS(rt_sigsuspend), SYS(io_getevents),
	SYS(io_uring_enter), SYS(exit_group), SYS(exit), SYS(clone), SYS(execve), SYS(getdents64),
	SYS(newfstatat), SYS(statx), SYS(unlinkat), SYS(renameat2), SYS(splice), SYS(sendfile),
	SYS(semop), SYS(msgrcv), SYS(mq_timedreceive),
};

const char *ll_syscall_name(int nr, char *buf, size_t n)
{
	size_t i;

	if (nr == LL_SYS_OTHER)
		return "other";
	if (nr == LL_SYS_NONE)
		return "fault";
	for (i = 0; i < sizeof(ll_sys_names) / sizeof(ll_sys_names[0]); i++)
		if (ll_sys_names[i].nr == nr)
			return ll_sys_names[i].name;
	snprintf(buf, n, "syscall_%d", nr);
	return buf;
}
