// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Accept: who accepts which connection, and how long it waited in the accept queue. */
#include "common.bpf.h"

/* Handshake completed (SYN_RECV -> ESTABLISHED), child sock -> time; the accept that returns the
 * sock takes it. LRU: connections that are never accepted must not fill it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} established SEC(".maps");

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ll_sock_state, const struct sock *sk, const int oldstate, const int newstate)
{
	__u64 key = (__u64)sk, now;

	if (newstate != TCP_ESTABLISHED || oldstate != TCP_SYN_RECV)
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&established, &key, &now, BPF_ANY);
	return 0;
}

#define S_IFMT_M	00170000
#define S_IFSOCK_M	0140000

/*
 * current's fd -> its struct sock. Bounded by the table's size and checked to be a socket (its
 * inode's mode: socket_file_ops cannot be compared from here), since a racing close or dup2 can
 * leave any file, or none, at that index; NULL when it is not a socket.
 */
static __always_inline struct sock *fd_to_sock(int fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct file **fds, *f = NULL;
	struct fdtable *fdt;
	struct socket *s;
	__u16 mode;

	if (fd < 0)
		return NULL;
	fdt = BPF_CORE_READ(t, files, fdt);
	if (!fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return NULL;
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT_M) != S_IFSOCK_M)
		return NULL;
	s = BPF_CORE_READ(f, private_data);
	return s ? BPF_CORE_READ(s, sk) : NULL;
}

/*
 * The listening socket's queue at this accept's return: the accept has already dequeued its
 * connection (sk_acceptq_removed), so the depth it found is sk_ack_backlog + 1. Connections that
 * complete their handshake meanwhile, or other accepters on the same socket, move it by the few
 * that raced with us.
 */
static __always_inline void fill_backlog(struct ll_accept *r, int lfd)
{
	struct sock *lsk = fd_to_sock(lfd);

	if (!lsk)
		return;
	r->backlog = BPF_CORE_READ(lsk, sk_ack_backlog) + 1;
	r->backlog_limit = BPF_CORE_READ(lsk, sk_max_ack_backlog);
}

static __always_inline void fill_addrs(struct ll_accept *r, struct sock *sk)
{
	r->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	r->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	r->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (r->family == AF_INET) {
		BPF_CORE_READ_INTO((__u32 *)r->laddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)r->raddr, sk, __sk_common.skc_daddr);
	} else if (r->family == AF_INET6) {
		BPF_CORE_READ_INTO(&r->laddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&r->raddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	} else {
		r->family = 0;
	}
}

static __always_inline void exit_accept(long ret)
{
	struct ll_accept *r;
	struct sock *sk;
	__s32 lfd;
	__u64 key, *est;

	if (!ll_current_traced())
		return;
	lfd = PT_REGS_PARM1_SYSCALL(ll_syscall_regs());	/* accept(fd, addr, addrlen) */
	r = ll_reserve(sizeof(*r), LL_REC_ACCEPT);
	if (!r)
		return;
	__builtin_memset(&r->family, 0, sizeof(*r) - __builtin_offsetof(struct ll_accept, family));
	r->fd = ret;
	r->listen_fd = lfd;
	/* A failed accept's fd may not be a socket at all (EBADF, ENOTSOCK): not walked; user
	 * space finds its listener by the listen fd. */
	if (ret < 0)
		goto out;
	fill_backlog(r, lfd);
	sk = fd_to_sock(ret);
	if (sk) {
		fill_addrs(r, sk);
		key = (__u64)sk;
		est = bpf_map_lookup_elem(&established, &key);
		if (est) {
			r->queue_ns = r->hdr.ts_ns > *est ? r->hdr.ts_ns - *est : 0;
			bpf_map_delete_elem(&established, &key);
		}
	}
out:
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	ll_submit(r, LL_REC_ACCEPT);
}

SEC("tp/syscalls/sys_exit_accept")
int ll_exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	exit_accept(ctx->ret);
	return 0;
}

SEC("tp/syscalls/sys_exit_accept4")
int ll_exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	exit_accept(ctx->ret);
	return 0;
}
