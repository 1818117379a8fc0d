// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cgroup.h"
#include "u64map.h"

#define CG_DEFAULT_CGROUPS	4096
#define CG_DEFAULT_PIDS		65536

struct cg_entry {
	uint64_t id;
	bool named;		/* the resolver was asked */
	char *path;		/* NULL: the root, or could not be named */
};

struct cgroups {
	struct u64map by_id;	/* id -> entry + 1 */
	struct u64map by_pid;	/* pid -> entry + 1 */
	struct cg_entry *e;
	size_t n, max;
	cg_resolve_fn resolve;
	void *ctx;
};

struct cgroups *cg_new(size_t max_cgroups, size_t max_pids, cg_resolve_fn resolve, void *ctx)
{
	struct cgroups *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->max = max_cgroups ? max_cgroups : CG_DEFAULT_CGROUPS;
	c->e = calloc(c->max, sizeof(*c->e));
	c->resolve = resolve;
	c->ctx = ctx;
	if (!c->e || u64map_init(&c->by_id, c->max) ||
	    u64map_init(&c->by_pid, max_pids ? max_pids : CG_DEFAULT_PIDS)) {
		cg_free(c);
		return NULL;
	}
	return c;
}

void cg_free(struct cgroups *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		free(c->e[i].path);
	free(c->e);
	u64map_fini(&c->by_id);
	u64map_fini(&c->by_pid);
	free(c);
}

/* The entry of id, made if new; 0 when the table is full. */
static uint32_t entry_of(struct cgroups *c, uint64_t id)
{
	uint32_t v = u64map_get(&c->by_id, id);

	if (v || c->n == c->max)
		return v;
	c->e[c->n].id = id;
	if (u64map_put(&c->by_id, id, c->n + 1))
		return 0;
	return ++c->n;
}

void cg_note(struct cgroups *c, uint32_t pid, uint64_t id)
{
	uint32_t v;

	if (!id)
		return;
	v = entry_of(c, id);
	if (v)
		u64map_put(&c->by_pid, pid, v);	/* full: that pid is not named */
	else
		u64map_del(&c->by_pid, pid);	/* never an older cgroup's name */
}

void cg_handle(struct cgroups *c, const struct ll_hdr *rec)
{
	const struct ll_fork *f = (const void *)rec;

	cg_note(c, rec->tgid, rec->cgroup_id);
	/* A child starts where its parent is (clone3's CLONE_INTO_CGROUP aside, which its own
	 * first record corrects). */
	if (rec->type == LL_REC_FORK && rec->size >= sizeof(*f))
		cg_note(c, f->pid, rec->cgroup_id);
}

void cg_forget(struct cgroups *c, uint32_t pid)
{
	u64map_del(&c->by_pid, pid);
}

static const char *entry_path(struct cgroups *c, uint32_t v)
{
	struct cg_entry *e = &c->e[v - 1];
	char buf[CG_PATH_MAX];

	if (!e->named) {
		e->named = true;
		if (e->id != CG_ROOT_ID && c->resolve && !c->resolve(c->ctx, e->id, buf, sizeof(buf))
		    && strcmp(buf, "/"))
			e->path = strdup(buf);
	}
	return e->path;
}

const char *cg_path(struct cgroups *c, uint64_t id)
{
	uint32_t v = id ? u64map_get(&c->by_id, id) : 0;

	if (!v && id)
		v = entry_of(c, id);
	return v ? entry_path(c, v) : NULL;
}

const char *cg_path_of_pid(struct cgroups *c, uint32_t pid)
{
	uint32_t v = u64map_get(&c->by_pid, pid);

	return v ? entry_path(c, v) : NULL;
}

bool cg_path_under(const char *path, const char *sel)
{
	size_t n = strlen(sel);

	while (n > 1 && sel[n - 1] == '/')
		n--;
	if (n == 1 && sel[0] == '/')
		return true;
	return !strncmp(path, sel, n) && (path[n] == '/' || !path[n]);
}

const char *cg_short_name(const char *path)
{
	const char *slash;

	if (!path)
		return NULL;
	slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

/* Copies s[0..len) into out; -ENAMETOOLONG if it does not fit with its NUL. */
static int copy_n(char *out, size_t n, const char *s, size_t len)
{
	if (len >= n)
		return -ENAMETOOLONG;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/*
 * A mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE SOURCE SUPER".
 * Mount points escape space, tab, newline and backslash as octal (\040); those are decoded.
 */
static int mountinfo_line(const char *line, const char *end, char *out, size_t n)
{
	const char *p = line, *mp, *sep;
	size_t i, len = 0;
	int field;

	for (field = 0; field < 4; field++) {
		p = memchr(p, ' ', end - p);
		if (!p)
			return -ENOENT;
		p++;
	}
	mp = p;
	sep = NULL;
	for (p = mp; p + 3 <= end; p++)
		if (p[0] == ' ' && p[1] == '-' && p[2] == ' ') {
			sep = p + 3;
			break;
		}
	if (!sep || (size_t)(end - sep) < 8 || memcmp(sep, "cgroup2 ", 8))
		return -ENOENT;
	for (i = 0; mp + i < end && mp[i] != ' '; i++) {
		char ch = mp[i];

		if (ch == '\\' && mp + i + 3 < end && mp[i + 1] >= '0' && mp[i + 1] <= '3') {
			ch = (char)((mp[i + 1] - '0') * 64 + (mp[i + 2] - '0') * 8 + (mp[i + 3] - '0'));
			i += 3;
		}
		if (len + 1 >= n)
			return -ENAMETOOLONG;
		out[len++] = ch;
	}
	out[len] = '\0';
	return len ? 0 : -ENOENT;
}

int cg_parse_mountinfo(const char *text, char *out, size_t n)
{
	const char *line = text, *end;
	int ret;

	while (line && *line) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		ret = mountinfo_line(line, end, out, n);
		if (ret != -ENOENT)
			return ret;
		line = *end ? end + 1 : end;
	}
	return -ENOENT;
}

static bool has_dotdot(const char *p)
{
	const char *q;

	for (q = p; (q = strstr(q, "..")); q += 2)
		if ((q == p || q[-1] == '/') && (q[2] == '/' || !q[2]))
			return true;
	return false;
}

int cg_filter_path(const char *mount, const char *arg, char *out, size_t n)
{
	size_t ml = strlen(mount), al;
	int ret;

	if (!arg[0] || has_dotdot(arg))
		return -EINVAL;
	while (ml > 1 && mount[ml - 1] == '/')
		ml--;
	if (arg[0] == '/' && !strncmp(arg, mount, ml) && (arg[ml] == '/' || !arg[ml]))
		ret = copy_n(out, n, arg, strlen(arg));
	else if ((size_t)snprintf(out, n, "%.*s%s%s", (int)ml, mount, arg[0] == '/' ? "" : "/",
				  arg) >= n)
		ret = -ENAMETOOLONG;
	else
		ret = 0;
	if (ret)
		return ret;
	for (al = strlen(out); al > 1 && out[al - 1] == '/'; al--)
		out[al - 1] = '\0';
	return 0;
}
