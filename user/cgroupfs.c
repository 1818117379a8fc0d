// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "cgroup.h"
#include "cgroupfs.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#define FILEID_KERNFS	0xfe	/* the file handle type of kernfs: the 64-bit node id */

static char *read_small_file(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *nb;
	ssize_t r;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += r;
		if (cap - n > 1)
			continue;
		if (cap >= (1u << 24))
			break;
		nb = realloc(buf, cap * 2);
		if (!nb)
			break;
		buf = nb;
		cap *= 2;
	}
	close(fd);
	if (r < 0)
		goto fail;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	free(buf);
	return NULL;
}

void cgroupfs_open(struct cgroupfs *fs)
{
	char *text = read_small_file("/proc/self/mountinfo", NULL);

	fs->mount[0] = '\0';
	fs->mount_fd = -1;
	if (text && !cg_parse_mountinfo(text, fs->mount, sizeof(fs->mount)))
		fs->mount_fd = open(fs->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->mount_fd < 0)
		fs->mount[0] = '\0';
	free(text);
}

void cgroupfs_close(struct cgroupfs *fs)
{
	if (fs->mount_fd >= 0)
		close(fs->mount_fd);
	fs->mount_fd = -1;
}

/* The kernel names a cgroup by its id through a kernfs file handle: no tree walk. */
int cgroupfs_path_of_id(void *ctx, uint64_t id, char *buf, size_t n)
{
	const struct cgroupfs *fs = ctx;
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh = { .handle_bytes = sizeof(uint64_t), .handle_type = FILEID_KERNFS } };
	char link[64], target[CG_PATH_MAX + 256];
	size_t ml = strlen(fs->mount);
	ssize_t len;
	int fd;

	if (fs->mount_fd < 0)
		return -ENOENT;
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(fs->mount_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, target, sizeof(target) - 1);
	close(fd);
	if (len < 0)
		return -errno;
	target[len] = '\0';
	if (strncmp(target, fs->mount, ml) || (target[ml] && target[ml] != '/'))
		return -ENOENT;	/* outside our view of the mount (another namespace's) */
	if ((size_t)snprintf(buf, n, "%s", target[ml] ? target + ml : "/") >= n)
		return -ENAMETOOLONG;
	return 0;
}

uint64_t cgroupfs_id_of_pid(const struct cgroupfs *fs, uint32_t pid)
{
	char path[64], *text, *line, full[CG_PATH_MAX + 256], *nl;
	struct stat st;
	uint64_t id = 0;

	if (fs->mount_fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	text = read_small_file(path, NULL);
	if (!text)
		return 0;
	/* The v2 line is "0::/path"; v1 lines have a controller list between the colons. */
	for (line = text; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, "0::/", 4))
			continue;
		if ((size_t)snprintf(full, sizeof(full), "%s%s", fs->mount, line + 3) < sizeof(full)
		    && !stat(full, &st))
			id = st.st_ino;	/* a cgroup2 directory's inode number is its id */
		break;
	}
	free(text);
	return id;
}

int cgroupfs_open_filter(const struct cgroupfs *fs, const char *arg, char *err, size_t errlen)
{
	char path[CG_PATH_MAX + 256];
	struct statfs sfs;
	struct stat st;
	int fd, ret;

	if (!fs->mount[0]) {
		snprintf(err, errlen, "--cgroup needs cgroup v2, and none is mounted (mount it with "
			 "'mount -t cgroup2 none /sys/fs/cgroup/unified')");
		return -ENOENT;
	}
	ret = cg_filter_path(fs->mount, arg, path, sizeof(path));
	if (ret) {
		snprintf(err, errlen, "--cgroup '%s': %s", arg, ret == -EINVAL ?
			 "expected a cgroup v2 path without '..'" : strerror(-ret));
		return ret;
	}
	if (stat(path, &st)) {
		ret = -errno;
		snprintf(err, errlen, "--cgroup '%s': no such cgroup (%s: %s)", arg, path,
			 strerror(errno));
		return ret;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--cgroup '%s': %s is not a directory, so not a cgroup", arg,
			 path);
		return -ENOTDIR;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "--cgroup '%s': cannot open %s: %s", arg, path,
			 strerror(errno));
		return ret;
	}
	if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		close(fd);
		snprintf(err, errlen, "--cgroup '%s': %s is not in the cgroup v2 hierarchy (%s)",
			 arg, path, fs->mount);
		return -EINVAL;
	}
	return fd;
}
