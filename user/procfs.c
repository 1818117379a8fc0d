// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "procfs.h"

int procfs_parse_stat(const char *text, struct procfs_stat *st)
{
	const char *open, *close;
	unsigned long pid, ppid;
	size_t n;
	char *end;

	memset(st, 0, sizeof(*st));
	open = strchr(text, '(');
	close = strrchr(text, ')');
	if (!open || !close || close < open || close[1] != ' ' || !close[2])
		return -EINVAL;
	errno = 0;
	pid = strtoul(text, &end, 10);
	if (errno || end == text || *end != ' ' || pid == 0 || pid > UINT32_MAX)
		return -EINVAL;
	n = close - open - 1;
	if (n >= LL_COMM_LEN)
		n = LL_COMM_LEN - 1;
	memcpy(st->comm, open + 1, n);
	st->state = close[2];
	if (close[3] != ' ')
		return -EINVAL;
	errno = 0;
	ppid = strtoul(close + 4, &end, 10);
	if (errno || end == close + 4 || (*end != ' ' && *end) || ppid > UINT32_MAX)
		return -EINVAL;
	st->pid = pid;
	st->ppid = ppid;
	return 0;
}

int procfs_read_stat(uint32_t pid, struct procfs_stat *st)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ENOENT;
	buf[n] = 0;
	return procfs_parse_stat(buf, st);
}

int procfs_for_each(int (*fn)(const struct procfs_stat *st, void *ctx), void *ctx)
{
	struct procfs_stat st;
	struct dirent *de;
	int seen = 0;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (procfs_read_stat(strtoul(de->d_name, NULL, 10), &st))
			continue;	/* gone meanwhile */
		seen++;
		if (fn(&st, ctx))
			break;
	}
	closedir(d);
	return seen;
}

struct family {
	struct procfs_stat *all;
	size_t n, cap;
};

static int collect(const struct procfs_stat *st, void *ctx)
{
	struct family *f = ctx;
	struct procfs_stat *p;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 1024;
		p = realloc(f->all, f->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		f->all = p;
	}
	f->all[f->n++] = *st;
	return 0;
}

size_t procfs_descendants(uint32_t pid, uint32_t *out, size_t max)
{
	struct family f = {};
	size_t found = 0, scan = 0, i;

	procfs_for_each(collect, &f);
	/* Breadth-first over the snapshot: out doubles as the queue of parents to expand. */
	for (;;) {
		uint32_t parent = scan == 0 ? pid : out[scan - 1];

		for (i = 0; i < f.n && found < max; i++)
			if (f.all[i].ppid == parent && f.all[i].pid != pid)
				out[found++] = f.all[i].pid;
		if (scan >= found)
			break;
		scan++;
	}
	free(f.all);
	return found;
}

bool procfs_is_zombie(uint32_t pid)
{
	struct procfs_stat st;

	return !procfs_read_stat(pid, &st) && st.state == 'Z';
}

int64_t procfs_uid(uint32_t pid)
{
	char path[64], line[256];
	unsigned long uid;
	int64_t ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %lu", &uid) == 1) {
			ret = (int64_t)uid;
			break;
		}
	fclose(f);
	return ret;
}

uint32_t procfs_pidns(uint32_t pid)
{
	char path[64], link[64], *end;
	unsigned long ino;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/ns/pid", pid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0 || strncmp(link, "pid:[", 5))
		return 0;
	link[n] = '\0';
	errno = 0;
	ino = strtoul(link + 5, &end, 10);
	if (errno || end == link + 5 || *end != ']' || ino > UINT32_MAX)
		return 0;
	return ino;
}

uint32_t procfs_parse_nspid(const char *text)
{
	unsigned long v, last = 0;
	const char *p = text;
	char *end;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			break;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v > UINT32_MAX)
			return 0;
		last = v;
		p = end;
	}
	return (*p == '\n' || !*p) ? last : 0;
}

uint32_t procfs_ns_pid(uint32_t pid)
{
	char path[64], buf[4096], *line;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	line = strstr(buf, "\nNSpid:");
	return line ? procfs_parse_nspid(line + strlen("\nNSpid:")) : 0;
}
