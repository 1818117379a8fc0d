// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Event loop threads asleep in their wait at attach, from /proc (see loop_seed.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "loop_seed.h"

void loop_epoll_nrs(long nrs[3])
{
	nrs[0] = nrs[1] = -1;
#ifdef SYS_epoll_wait
	nrs[0] = SYS_epoll_wait;
#endif
#ifdef SYS_epoll_pwait
	nrs[1] = SYS_epoll_pwait;
#endif
#ifdef SYS_epoll_pwait2
	nrs[2] = SYS_epoll_pwait2;
#else
	nrs[2] = 441;	/* the same on every arch; older headers lack it */
#endif
}

static bool is_epoll_nr(long nr)
{
	long nrs[3];

	loop_epoll_nrs(nrs);
	return nr >= 0 && (nr == nrs[0] || nr == nrs[1] || nr == nrs[2]);
}

/* One number and the space after it; base 0 takes the arguments' 0x. */
static int parse_field(const char **p, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(*p, &end, 0);
	if (errno || end == *p || (*end != ' ' && *end != '\n' && *end))
		return -EINVAL;
	*p = end;
	return 0;
}

int loop_parse_syscall(const char *text, long *nr, long *arg1, long *arg3)
{
	long arg2;

	if (parse_field(&text, nr) || *nr < 0 || parse_field(&text, arg1) ||
	    parse_field(&text, &arg2) || parse_field(&text, arg3))
		return -EINVAL;
	return 0;
}

int loop_parse_schedstat(const char *text, uint64_t *cpu_ns)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end != ' ' || text[0] == '-')
		return -EINVAL;
	*cpu_ns = v;
	return 0;
}

/* /proc/PID/task/TID/NAME into buf, NUL-terminated: its length or -errno. */
static int read_task_file(uint32_t pid, uint32_t tid, const char *name, char *buf, size_t len)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/%s", pid, tid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

/* The thread if it sleeps in an epoll wait now: 0, else -errno. */
static int seed_thread(uint32_t pid, uint32_t tid, struct loop_seed *s)
{
	long nr, epfd, maxevents;
	char buf[256];
	int n;

	if (read_task_file(pid, tid, "syscall", buf, sizeof(buf)) <= 0 ||
	    loop_parse_syscall(buf, &nr, &epfd, &maxevents) || !is_epoll_nr(nr))
		return -ENOENT;
	if (read_task_file(pid, tid, "schedstat", buf, sizeof(buf)) <= 0 ||
	    loop_parse_schedstat(buf, &s->cpu_ns))
		return -ENOENT;
	n = read_task_file(pid, tid, "comm", buf, sizeof(buf));
	if (n <= 0)
		return -ENOENT;
	n = (int)strcspn(buf, "\n");
	if (n > LL_COMM_LEN - 1)
		n = LL_COMM_LEN - 1;
	memset(s->comm, 0, sizeof(s->comm));
	memcpy(s->comm, buf, n);
	s->tgid = pid;
	s->tid = tid;
	s->maxevents = maxevents > 0 && maxevents < (1L << 30) ? (int)maxevents : 0;
	return 0;
}

size_t loop_seed_find(uint32_t pid, struct loop_seed *out, size_t max)
{
	struct dirent *de;
	char path[64], *end;
	unsigned long tid;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while (n < max && (de = readdir(d))) {
		errno = 0;
		tid = strtoul(de->d_name, &end, 10);
		if (errno || end == de->d_name || *end || !tid || tid > UINT32_MAX)
			continue;
		if (!seed_thread(pid, (uint32_t)tid, &out[n]))
			n++;
	}
	closedir(d);
	return n;
}
