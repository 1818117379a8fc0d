// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include "test.h"
#include "cgroup.h"
#include "forkfail.h"

/* ---- where cgroup2 is mounted --------------------------------------------------------------- */

static const char mountinfo_hybrid[] =
	"22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
	"30 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
	"31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid shared:9 - cgroup2 cgroup2 rw\n"
	"40 30 0:35 / /sys/fs/cgroup/pids rw,nosuid shared:20 - cgroup cgroup rw,pids\n";

static void test_mountinfo(void)
{
	char out[64];

	ASSERT_EQ(cg_parse_mountinfo(mountinfo_hybrid, out, sizeof(out)), 0, "hybrid");
	ASSERT_STREQ(out, "/sys/fs/cgroup/unified", "v1 controllers plus cgroup2");
	ASSERT_EQ(cg_parse_mountinfo("29 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", out,
				     sizeof(out)), 0, "pure v2");
	ASSERT_STREQ(out, "/sys/fs/cgroup", "pure v2, no optional fields");
	ASSERT_EQ(cg_parse_mountinfo("1 0 0:1 / /a\\040b rw - cgroup2 none rw", out, sizeof(out)),
		  0, "escaped");
	ASSERT_STREQ(out, "/a b", "\\040 is a space");
	ASSERT_EQ(cg_parse_mountinfo("40 30 0:35 / /sys/fs/cgroup/pids rw - cgroup cgroup rw\n",
				     out, sizeof(out)), -ENOENT, "v1 only: none");
	ASSERT_EQ(cg_parse_mountinfo("", out, sizeof(out)), -ENOENT, "empty");
	ASSERT_EQ(cg_parse_mountinfo("garbage\n1 2\n", out, sizeof(out)), -ENOENT, "garbage");
	ASSERT_EQ(cg_parse_mountinfo(mountinfo_hybrid, out, 8), -ENAMETOOLONG, "too long");
}

/* ---- --cgroup paths ------------------------------------------------------------------------- */

static void test_filter_path(void)
{
	const char *m = "/sys/fs/cgroup/unified";
	char out[128];

	ASSERT_EQ(cg_filter_path(m, "/sys/fs/cgroup/unified/a/b/", out, sizeof(out)), 0, "abs");
	ASSERT_STREQ(out, "/sys/fs/cgroup/unified/a/b", "under the mount, trailing / dropped");
	ASSERT_EQ(cg_filter_path(m, "/system.slice", out, sizeof(out)), 0, "cgroup path");
	ASSERT_STREQ(out, "/sys/fs/cgroup/unified/system.slice", "as in /proc/PID/cgroup");
	ASSERT_EQ(cg_filter_path(m, "a/b", out, sizeof(out)), 0, "relative");
	ASSERT_STREQ(out, "/sys/fs/cgroup/unified/a/b", "relative to the mount");
	ASSERT_EQ(cg_filter_path(m, "/sys/fs/cgroup/unifiedx", out, sizeof(out)), 0, "prefix");
	ASSERT_STREQ(out, "/sys/fs/cgroup/unified/sys/fs/cgroup/unifiedx", "not a path prefix");
	ASSERT_EQ(cg_filter_path(m, "a/../../etc", out, sizeof(out)), -EINVAL, "..");
	ASSERT_EQ(cg_filter_path(m, "", out, sizeof(out)), -EINVAL, "empty");
	ASSERT_EQ(cg_filter_path(m, "a", out, 10), -ENAMETOOLONG, "too long");
	ASSERT_EQ(cg_filter_path(m, "a..b", out, sizeof(out)), 0, "dots inside a name are fine");
}

static void test_path_under(void)
{
	ASSERT_TRUE(cg_path_under("/a/b", "/a"), "child");
	ASSERT_TRUE(cg_path_under("/a", "/a"), "itself");
	ASSERT_TRUE(cg_path_under("/a", "/a/"), "trailing slash");
	ASSERT_TRUE(cg_path_under("/x", "/"), "everything is under the root");
	ASSERT_FALSE(cg_path_under("/ab", "/a"), "a sibling with a longer name");
	ASSERT_FALSE(cg_path_under("/", "/a"), "the root is not under /a");
	ASSERT_STREQ(cg_short_name("/kubepods/pod1/abc"), "abc", "last component");
	ASSERT_STREQ(cg_short_name("/"), "/", "the root");
	ASSERT_TRUE(cg_short_name(NULL) == NULL, "none");
}

/* ---- the id -> path cache ------------------------------------------------------------------- */

struct fake_fs {
	int calls;
};

static int fake_resolve(void *ctx, uint64_t id, char *buf, size_t n)
{
	struct fake_fs *fs = ctx;

	fs->calls++;
	if (id == 99)
		return -ESTALE;	/* removed since */
	snprintf(buf, n, "/box/c%llu", (unsigned long long)id);
	return 0;
}

static struct ll_hdr hdr(uint16_t type, uint16_t size, uint32_t tgid, uint64_t cgid)
{
	return (struct ll_hdr){ .type = type, .size = size, .tgid = tgid, .tid = tgid,
				.cgroup_id = cgid };
}

static void test_cache(void)
{
	struct fake_fs fs = { 0 };
	struct cgroups *c = cg_new(4, 16, fake_resolve, &fs);
	struct ll_fork fork = { .hdr = hdr(LL_REC_FORK, sizeof(fork), 100, 7), .pid = 101 };
	struct ll_hdr exec = hdr(LL_REC_EXEC, sizeof(struct ll_exec), 101, 8);

	if (!ASSERT_TRUE(c != NULL, "cg_new"))
		return;
	cg_handle(c, &fork.hdr);
	ASSERT_STREQ(cg_path_of_pid(c, 100), "/box/c7", "the forking parent");
	ASSERT_STREQ(cg_path_of_pid(c, 101), "/box/c7", "the child starts where its parent is");
	ASSERT_STREQ(cg_path_of_pid(c, 100), "/box/c7", "again");
	ASSERT_EQ(fs.calls, 1, "one cgroup named once");
	cg_handle(c, &exec);
	ASSERT_STREQ(cg_path_of_pid(c, 101), "/box/c8", "moved: its latest record wins");
	ASSERT_EQ(fs.calls, 2, "a second cgroup");
	cg_note(c, 102, CG_ROOT_ID);
	ASSERT_TRUE(cg_path_of_pid(c, 102) == NULL, "the root cgroup is not named");
	cg_note(c, 103, 99);
	ASSERT_TRUE(cg_path_of_pid(c, 103) == NULL, "cannot be named");
	ASSERT_TRUE(cg_path_of_pid(c, 103) == NULL, "still not");
	ASSERT_EQ(fs.calls, 3, "a failure is not retried");
	cg_note(c, 104, 0);
	ASSERT_TRUE(cg_path_of_pid(c, 104) == NULL, "id 0: unknown");
	cg_note(c, 105, 50);	/* the fifth cgroup in a table of four */
	ASSERT_TRUE(cg_path_of_pid(c, 105) == NULL, "full: not named, never wrong");
	cg_note(c, 101, 50);
	ASSERT_TRUE(cg_path_of_pid(c, 101) == NULL, "full: an older name is dropped");
	cg_forget(c, 100);
	ASSERT_TRUE(cg_path_of_pid(c, 100) == NULL, "reaped: forgotten");
	ASSERT_STREQ(cg_path(c, 7), "/box/c7", "by id");
	cg_free(c);
}

/* ---- fork failures -------------------------------------------------------------------------- */

struct seen {
	int n;
	struct ll_event last;
};

static void on_ev(void *ctx, const struct ll_event *ev)
{
	struct seen *s = ctx;

	s->n++;
	s->last = *ev;
}

static struct ll_fork_failed failed(uint32_t pid, const char *comm, int err, int64_t max)
{
	struct ll_fork_failed r = { .hdr = hdr(LL_REC_FORK_FAILED, sizeof(r), pid, 7),
				    .err = err, .call = LL_FORK_CALL_CLONE,
				    .pids_current = max, .pids_max = max };

	strncpy(r.comm, comm, sizeof(r.comm) - 1);
	return r;
}

static void test_forkfail(void)
{
	struct seen seen = { 0 };
	struct ff_config cfg = { .max_rows = 2, .emit = on_ev, .ctx = &seen };
	struct forkfails *ff = ff_new(&cfg);
	struct ll_forkfail_view v[4];
	struct ll_fork_failed r;
	int i;

	if (!ASSERT_TRUE(ff != NULL, "ff_new"))
		return;
	for (i = 0; i < 13; i++) {
		r = failed(200, "python3", EAGAIN, 8);
		ff_handle(ff, &r);
	}
	r = failed(300, "git", ENOMEM, -1);
	ff_handle(ff, &r);
	r = failed(400, "sh", EAGAIN, 8);	/* a third row in a table of two */
	ff_handle(ff, &r);
	ASSERT_EQ(ff_total(ff), 15, "every failure counts in the total");
	ASSERT_EQ(seen.n, 15, "an event per failure");
	ASSERT_EQ(seen.last.kind, EV_FORK_FAILED, "kind");
	ASSERT_EQ(seen.last.pid, 400, "pid");
	ASSERT_EQ(seen.last.fork_failed.err, EAGAIN, "errno");
	ASSERT_EQ(seen.last.fork_failed.pids_max, 8, "pids_max");
	ASSERT_EQ(ff_views(ff, v, 4), 2, "rows held");
	ASSERT_EQ(v[0].pid, 200, "most failures first");
	ASSERT_EQ(v[0].count, 13, "count");
	ASSERT_STREQ(v[0].comm, "python3", "comm");
	ASSERT_EQ(v[0].pids_max, 8, "limit");
	ASSERT_EQ(v[1].pid, 300, "then the next");
	ASSERT_EQ(v[1].pids_max, -1, "no limit known");
	ASSERT_EQ(ff_views(ff, v, 1), 1, "room for one");
	ASSERT_EQ(v[0].pid, 200, "the top one");
	ff_free(ff);
}

int main(void)
{
	RUN_TEST(test_mountinfo);
	RUN_TEST(test_filter_path);
	RUN_TEST(test_path_under);
	RUN_TEST(test_cache);
	RUN_TEST(test_forkfail);
	return TEST_MAIN_END();
}
