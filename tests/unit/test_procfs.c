// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include "test.h"
#include "procfs.h"

static void test_parse_stat_plain(void)
{
	struct procfs_stat st;

	if (!ASSERT_EQ(procfs_parse_stat("4211 (fork_echo) Z 4200 4200 1 0 -1", &st), 0, "parse"))
		return;
	ASSERT_EQ(st.pid, 4211, "pid");
	ASSERT_EQ(st.ppid, 4200, "ppid");
	ASSERT_EQ(st.state, 'Z', "state");
	ASSERT_STREQ(st.comm, "fork_echo", "comm");
}

static void test_parse_stat_hostile_comm(void)
{
	struct procfs_stat st;

	/* A comm may hold spaces and parentheses: only the last ')' ends it. */
	if (!ASSERT_EQ(procfs_parse_stat("77 (a) b (c) S 1 77 77 0", &st), 0, "parse"))
		return;
	ASSERT_STREQ(st.comm, "a) b (c", "comm");
	ASSERT_EQ(st.ppid, 1, "ppid");
}

static void test_parse_stat_garbage(void)
{
	struct procfs_stat st;

	ASSERT_EQ(procfs_parse_stat("", &st), -22, "empty");
	ASSERT_EQ(procfs_parse_stat("12 (x", &st), -22, "no close");
	ASSERT_EQ(procfs_parse_stat("x (y) S 1", &st), -22, "pid not a number");
	ASSERT_EQ(procfs_parse_stat("12 (y) S", &st), -22, "no ppid");
	ASSERT_EQ(procfs_parse_stat("12 (y) S 1x 3", &st), -22, "ppid trailing garbage");
}

static void test_zombie_and_descendants(void)
{
	uint32_t kids[16];
	pid_t child, grandchild;
	int up[2], down[2], i;	/* child -> test, test -> child */
	size_t n;

	if (!ASSERT_EQ(pipe(up), 0, "pipe") || !ASSERT_EQ(pipe(down), 0, "pipe"))
		return;
	child = fork();
	if (child == 0) {	/* child: one zombie grandchild, then wait for the test */
		char c;

		grandchild = fork();
		if (grandchild == 0)
			_exit(0);
		if (write(up[1], &grandchild, sizeof(grandchild)) < 0)
			_exit(1);
		if (read(down[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	if (!ASSERT_EQ(read(up[0], &grandchild, sizeof(grandchild)), (int)sizeof(grandchild), "read"))
		return;
	for (i = 0; i < 1000 && !procfs_is_zombie(grandchild); i++)
		usleep(1000);
	ASSERT_TRUE(procfs_is_zombie(grandchild), "grandchild is a zombie");
	ASSERT_FALSE(procfs_is_zombie(child), "child is alive");
	n = procfs_descendants(getpid(), kids, 16);
	ASSERT_EQ(n, 2, "two descendants");
	ASSERT_TRUE(n == 2 && ((kids[0] == (uint32_t)child && kids[1] == (uint32_t)grandchild)),
		    "child first, then grandchild");
	if (write(down[1], "x", 1) < 0)
		return;
	waitpid(child, NULL, 0);
	for (i = 0; i < 2; i++) {
		close(up[i]);
		close(down[i]);
	}
}

int main(void)
{
	RUN_TEST(test_parse_stat_plain);
	RUN_TEST(test_parse_stat_hostile_comm);
	RUN_TEST(test_parse_stat_garbage);
	RUN_TEST(test_zombie_and_descendants);
	return TEST_MAIN_END();
}
