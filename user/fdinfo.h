/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The interest list of an epoll fd, from /proc/PID/fdinfo/EPFD: how many fds it watches and how
 * many of them are edge- vs level-triggered. */
#ifndef LL_FDINFO_H
#define LL_FDINFO_H

/*
 * Parse the text of an epoll fd's fdinfo. Counts its "tfd:" lines into *et (EPOLLET set) and *lt
 * (either may be NULL). Returns the number of fds, or -EINVAL when the text is not an epoll
 * fdinfo (a malformed tfd line, or no tfd line and keys other epoll never prints).
 *
 * An epoll fd that watches nothing prints only the common header (pos, flags, mnt_id, ino), the
 * same as a regular file without locks: such text parses as an empty interest list. Callers that
 * are not sure the fd is an epoll fd use fdinfo_epoll_read(), which checks the fd itself.
 */
int fdinfo_epoll_parse(const char *text, int *et, int *lt);

/* Read /proc/PID/fdinfo/EPFD and parse it. Returns the number of fds, -EINVAL if EPFD is not an
 * epoll fd, or -errno (-ENOENT: the process or the fd is gone; -EACCES, ...). */
int fdinfo_epoll_read(int pid, int epfd, int *et, int *lt);

#endif
