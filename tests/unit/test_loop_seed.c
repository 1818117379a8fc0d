// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Parsing the /proc files that tell which threads sleep in an epoll wait at attach. */
#include <errno.h>
#include <unistd.h>
#include "loop_seed.h"
#include "test.h"

static void test_syscall_line(void)
{
	long nr, a1, a3;

	ASSERT_CMP(loop_parse_syscall("232 0x4 0x7ffd5e0 0x400 0xffffffff 0x0 0x7ffd 0x7f12\n",
				      &nr, &a1, &a3), ==, 0, "an epoll_wait line");
	ASSERT_CMP(nr, ==, 232, "the number is decimal");
	ASSERT_CMP(a1, ==, 4, "the epoll fd, hex");
	ASSERT_CMP(a3, ==, 1024, "maxevents, hex");
	ASSERT_CMP(loop_parse_syscall("running\n", &nr, &a1, &a3), ==, -EINVAL, "on CPU");
	ASSERT_CMP(loop_parse_syscall("-1 0x7ffd 0x7f12\n", &nr, &a1, &a3), ==, -EINVAL,
		   "not in a syscall");
	ASSERT_CMP(loop_parse_syscall("232 0x4\n", &nr, &a1, &a3), ==, -EINVAL, "cut short");
	ASSERT_CMP(loop_parse_syscall("232 0x4z 0x1 0x2\n", &nr, &a1, &a3), ==, -EINVAL,
		   "junk in a number");
	ASSERT_CMP(loop_parse_syscall("", &nr, &a1, &a3), ==, -EINVAL, "empty");
}

static void test_schedstat_line(void)
{
	uint64_t ns = 0;

	ASSERT_CMP(loop_parse_schedstat("123456789 2000 17\n", &ns), ==, 0, "three fields");
	ASSERT_U64_EQ(ns, 123456789, "the first is ns on CPU");
	ASSERT_CMP(loop_parse_schedstat("-5 1 1\n", &ns), ==, -EINVAL, "negative");
	ASSERT_CMP(loop_parse_schedstat("12x 1 1\n", &ns), ==, -EINVAL, "junk");
	ASSERT_CMP(loop_parse_schedstat("99999999999999999999999 1 1\n", &ns), ==, -EINVAL,
		   "out of range");
	ASSERT_CMP(loop_parse_schedstat("", &ns), ==, -EINVAL, "empty");
}

static void test_epoll_numbers(void)
{
	long nrs[3];

	loop_epoll_nrs(nrs);
	ASSERT_CMP(nrs[2], ==, 441, "epoll_pwait2 is 441 everywhere");
	ASSERT_TRUE(nrs[1] >= 0, "epoll_pwait exists on every arch");
}

static void test_own_threads_not_in_epoll(void)
{
	struct loop_seed s[4];

	/* this test never waits in epoll: none of its threads is a loop */
	ASSERT_CMP(loop_seed_find((uint32_t)getpid(), s, 4), ==, 0, "no seed for a non-loop");
	ASSERT_CMP(loop_seed_find(0, s, 4), ==, 0, "no such process");
}

int main(void)
{
	RUN_TEST(test_syscall_line);
	RUN_TEST(test_schedstat_line);
	RUN_TEST(test_epoll_numbers);
	RUN_TEST(test_own_threads_not_in_epoll);
	return TEST_MAIN_END();
}
