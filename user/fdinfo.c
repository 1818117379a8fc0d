// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Parsing of /proc/PID/fdinfo for epoll fds. The kernel (fs/eventpoll.c, ep_show_fdinfo) prints
 * the common header and then one line per watched fd:
 *
 *	pos:	0
 *	flags:	02
 *	mnt_id:	15
 *	ino:	1057
 *	tfd:        5 events:       19 data:                5  pos:0 ino:3c sdev:8
 *
 * where events is the registered event mask in hex, EPOLLET included.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fdinfo.h"

#define FDINFO_ET_BIT		0x80000000u	/* EPOLLET, without <sys/epoll.h> */
#define FDINFO_MAX_BYTES	(64u << 20)	/* ~800k watched fds: more is not sane */

static const char *fdinfo_skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* True when the line starts with key (which includes its colon). */
static bool fdinfo_has_key(const char *line, const char *key)
{
	return !strncmp(line, key, strlen(key));
}

/* "tfd: N events: HEX ...": 0 and the event mask, or -EINVAL. */
static int fdinfo_parse_tfd(const char *line, unsigned int *events)
{
	const char *p = line + strlen("tfd:");
	unsigned long v;
	char *end;
	long fd;

	errno = 0;
	fd = strtol(p, &end, 10);
	if (end == p || errno || fd < 0)
		return -EINVAL;
	p = fdinfo_skip_blanks(end);
	if (!fdinfo_has_key(p, "events:"))
		return -EINVAL;
	p = fdinfo_skip_blanks(p + strlen("events:"));
	v = strtoul(p, &end, 16);
	if (end == p || errno || v > 0xffffffffUL)
		return -EINVAL;
	*events = (unsigned int)v;
	return 0;
}

/* The header every fdinfo has; an epoll fdinfo adds only tfd lines to it. */
static bool fdinfo_is_common_key(const char *line)
{
	return fdinfo_has_key(line, "pos:") || fdinfo_has_key(line, "flags:") ||
	       fdinfo_has_key(line, "mnt_id:") || fdinfo_has_key(line, "ino:");
}

int fdinfo_epoll_parse(const char *text, int *et, int *lt)
{
	bool foreign = false, has_flags = false;
	int n_et = 0, n_lt = 0;
	const char *line, *nl;

	if (!text)
		return -EINVAL;
	for (line = text; *line; line = nl ? nl + 1 : line + strlen(line)) {
		unsigned int events;

		nl = strchr(line, '\n');
		if (line == nl)
			continue;
		if (fdinfo_has_key(line, "tfd:")) {
			if (fdinfo_parse_tfd(line, &events))
				return -EINVAL;
			if (events & FDINFO_ET_BIT)
				n_et++;
			else
				n_lt++;
		} else if (fdinfo_is_common_key(line)) {
			has_flags |= fdinfo_has_key(line, "flags:");
		} else {
			/* eventfd-count:, sigmask:, inotify, lock:, ...: another kind of fd,
			 * unless tfd lines say otherwise (a newer kernel's extra key). */
			foreign = true;
		}
	}
	if (!has_flags || (foreign && !(n_et + n_lt)))
		return -EINVAL;
	if (et)
		*et = n_et;
	if (lt)
		*lt = n_lt;
	return n_et + n_lt;
}

/* The fdinfo text of one fd, NUL-terminated, in a malloc'ed buffer. */
static int fdinfo_slurp(const char *path, char **out)
{
	size_t cap = 4096, len = 0;
	char *buf = NULL, *nbuf;
	int fd, err;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (!buf || len + 1 >= cap) {
			if (buf)
				cap *= 2;
			if (cap > FDINFO_MAX_BYTES) {
				err = -EFBIG;
				goto fail;
			}
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				err = -ENOMEM;
				goto fail;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto fail;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return 0;
fail:
	free(buf);
	close(fd);
	return err;
}

/* The header of an empty epoll fdinfo looks like a plain file's: ask what the fd is. */
static int fdinfo_check_epoll(int pid, int epfd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, epfd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	return strcmp(target, "anon_inode:[eventpoll]") ? -EINVAL : 0;
}

int fdinfo_epoll_read(int pid, int epfd, int *et, int *lt)
{
	char path[64], *text = NULL;
	int err;

	if (pid <= 0 || epfd < 0)
		return -EINVAL;
	err = fdinfo_check_epoll(pid, epfd);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, epfd);
	err = fdinfo_slurp(path, &text);
	if (err)
		return err;
	err = fdinfo_epoll_parse(text, et, lt);
	free(text);
	return err;
}
