// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "test.h"
#include "fdinfo.h"

/* What a 6.x kernel prints for an epoll fd watching a pipe (LT), a socket (ET) and one more. */
static const char fixture_mixed[] =
	"pos:\t0\n"
	"flags:\t02000002\n"
	"mnt_id:\t15\n"
	"ino:\t1057\n"
	"tfd:        5 events:       19 data:                5  pos:0 ino:3c sdev:8\n"
	"tfd:        7 events: 80000019 data:                7  pos:0 ino:4d1a sdev:9\n"
	"tfd:       12 events: 8000201d data:     7f00deadbeef  pos:0 ino:4d1b sdev:9\n";

static void test_parse_mixed(void)
{
	int et = -1, lt = -1;

	if (!ASSERT_EQ(fdinfo_epoll_parse(fixture_mixed, &et, &lt), 3, "fds"))
		return;
	ASSERT_EQ(et, 2, "edge-triggered");
	ASSERT_EQ(lt, 1, "level-triggered");
}

static void test_parse_empty_interest_list(void)
{
	int et = -1, lt = -1;

	ASSERT_EQ(fdinfo_epoll_parse("pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1057\n", &et, &lt), 0,
		  "no fds");
	ASSERT_EQ(et, 0, "et");
	ASSERT_EQ(lt, 0, "lt");
}

static void test_parse_no_trailing_newline_and_null_outs(void)
{
	ASSERT_EQ(fdinfo_epoll_parse("flags:\t02\ntfd:        3 events:       1 data: 0", NULL,
				     NULL), 1, "last line without newline");
}

static void test_parse_not_epoll(void)
{
	int et = 7, lt = 7;

	ASSERT_EQ(fdinfo_epoll_parse("pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t9\neventfd-count:"
				     "                0\neventfd-id: 3\n", &et, &lt), -EINVAL,
		  "eventfd");
	ASSERT_EQ(fdinfo_epoll_parse("pos:\t0\nflags:\t02004002\nmnt_id:\t15\nino:\t9\n"
				     "sigmask:\t0000000000004000\n", &et, &lt), -EINVAL,
		  "signalfd");
	ASSERT_EQ(fdinfo_epoll_parse("", &et, &lt), -EINVAL, "empty text");
	ASSERT_EQ(fdinfo_epoll_parse("hello world\n", &et, &lt), -EINVAL, "garbage");
	ASSERT_EQ(fdinfo_epoll_parse(NULL, &et, &lt), -EINVAL, "NULL");
	ASSERT_EQ(fdinfo_epoll_parse("flags:\t02\ntfd: x events: 19\n", &et, &lt), -EINVAL,
		  "bad tfd");
	ASSERT_EQ(fdinfo_epoll_parse("flags:\t02\ntfd: 4 data: 19\n", &et, &lt), -EINVAL,
		  "tfd without events");
	ASSERT_EQ(fdinfo_epoll_parse("flags:\t02\ntfd: 4 events: 1ffffffff\n", &et, &lt), -EINVAL,
		  "events wider than 32 bits");
	ASSERT_EQ(et, 7, "et untouched on error");
	ASSERT_EQ(lt, 7, "lt untouched on error");
}

/* Tomorrow's kernel may print one more key: tfd lines still say it is an epoll fd. */
static void test_parse_tolerates_new_keys(void)
{
	int et, lt;

	ASSERT_EQ(fdinfo_epoll_parse("flags:\t02\nfuture:\t1\ntfd: 4 events: 80000001 data: 0\n",
				     &et, &lt), 1, "count");
	ASSERT_EQ(et, 1, "et");
}

static int add_pipe(int ep, unsigned int events, int fds[2])
{
	struct epoll_event ev = { .events = events };

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	ev.data.fd = fds[0];
	return epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev) ? -errno : 0;
}

static void test_read_real_epoll_fd(void)
{
	int ep, p1[2] = { -1, -1 }, p2[2] = { -1, -1 }, p3[2] = { -1, -1 }, et = -1, lt = -1;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!ASSERT_GE(ep, 0, "epoll_create1"))
		return;
	if (!ASSERT_EQ(fdinfo_epoll_read(getpid(), ep, &et, &lt), 0, "empty epoll"))
		goto out;
	ASSERT_EQ(et + lt, 0, "empty counts");
	if (!ASSERT_EQ(add_pipe(ep, EPOLLIN, p1), 0, "add LT") ||
	    !ASSERT_EQ(add_pipe(ep, EPOLLIN | EPOLLET, p2), 0, "add ET") ||
	    !ASSERT_EQ(add_pipe(ep, EPOLLIN | EPOLLOUT | EPOLLET, p3), 0, "add ET 2"))
		goto out;
	if (!ASSERT_EQ(fdinfo_epoll_read(getpid(), ep, &et, &lt), 3, "three fds"))
		goto out;
	ASSERT_EQ(et, 2, "edge-triggered");
	ASSERT_EQ(lt, 1, "level-triggered");
out:
	close(ep);
	for (int i = 0; i < 2; i++) {
		if (p1[i] >= 0)
			close(p1[i]);
		if (p2[i] >= 0)
			close(p2[i]);
		if (p3[i] >= 0)
			close(p3[i]);
	}
}

static void test_read_errors(void)
{
	int efd, et, lt, bad;

	efd = eventfd(0, EFD_CLOEXEC);
	if (!ASSERT_GE(efd, 0, "eventfd"))
		return;
	ASSERT_EQ(fdinfo_epoll_read(getpid(), efd, &et, &lt), -EINVAL, "eventfd is not epoll");
	ASSERT_LT(fdinfo_epoll_read(getpid(), STDIN_FILENO, &et, &lt), 0, "stdin is not epoll");
	bad = efd;
	close(efd);
	ASSERT_EQ(fdinfo_epoll_read(getpid(), bad, &et, &lt), -ENOENT, "closed fd");
	ASSERT_EQ(fdinfo_epoll_read(0x3fffffff, 3, &et, &lt), -ENOENT, "no such process");
	ASSERT_EQ(fdinfo_epoll_read(getpid(), -1, &et, &lt), -EINVAL, "negative fd");
}

int main(void)
{
	RUN_TEST(test_parse_mixed);
	RUN_TEST(test_parse_empty_interest_list);
	RUN_TEST(test_parse_no_trailing_newline_and_null_outs);
	RUN_TEST(test_parse_not_epoll);
	RUN_TEST(test_parse_tolerates_new_keys);
	RUN_TEST(test_read_real_epoll_fd);
	RUN_TEST(test_read_errors);
	return TEST_MAIN_END();
}
