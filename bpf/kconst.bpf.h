/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Kernel constants the BPF programs need that vmlinux.h cannot give: BTF carries types and
 * enums, not #defines, so these are copied here, once, each with the header it comes from.
 * Whatever vmlinux.h has as an enum (TCP_ESTABLISHED, TRACE_SIGNAL_*, BPF_*) is used from there.
 * The values are the generic ones (x86, arm64, riscv...); a few old architectures (alpha, mips,
 * parisc, sparc) number signals and flags differently and are not supported.
 */
#ifndef LL_KCONST_BPF_H
#define LL_KCONST_BPF_H

/* include/uapi/asm-generic/signal.h */
#define SIGCHLD			17
/* include/uapi/asm-generic/signal-defs.h: SA_NOCLDWAIT, and SIG_IGN as the handler's value */
#define SA_NOCLDWAIT		0x00000002
#define SIG_IGN			1UL

/* include/uapi/linux/wait.h */
#define WUNTRACED		0x00000002
#define WCONTINUED		0x00000008
#define WNOWAIT			0x01000000

/* include/uapi/linux/sched.h: clone flags */
#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_VFORK		0x00004000

/* include/uapi/asm-generic/siginfo.h: si_code of SIGCHLD */
#define CLD_EXITED		1
#define CLD_KILLED		2
#define CLD_DUMPED		3

/* include/linux/socket.h */
#define AF_INET			2
#define AF_INET6		10

/* include/linux/sched.h: task_struct.__state (sched_switch's prev_state) */
#define TASK_RUNNING		0x00000000
/* include/linux/sched.h: task_struct.flags */
#define PF_EXITING		0x00000004

/* include/linux/errno.h: restart codes no syscall returns to user space */
#define ERESTARTSYS		512
#define ERESTART_RESTARTBLOCK	516
/* include/linux/sched/signal.h: signal_struct.flags */
#define SIGNAL_GROUP_EXIT	0x00000004

/* The ABI names the signal_generate results after the kernel's enum: keep them equal. */
_Static_assert(LL_SIG_DELIVERED == TRACE_SIGNAL_DELIVERED, "TRACE_SIGNAL_DELIVERED");
_Static_assert(LL_SIG_IGNORED == TRACE_SIGNAL_IGNORED, "TRACE_SIGNAL_IGNORED");
_Static_assert(LL_SIG_ALREADY_PENDING == TRACE_SIGNAL_ALREADY_PENDING,
	       "TRACE_SIGNAL_ALREADY_PENDING");

#endif
