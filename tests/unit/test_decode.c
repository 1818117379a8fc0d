// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The record validator: a record is read only when its type is known, its header's size and
 * the ring buffer's size agree with the type's, and its strings are terminated.
 */
#include <errno.h>
#include "decode.h"
#include "records.h"
#include "test.h"

#define DECODES_AS(rec, type, what) ASSERT_EQ(ll_decode(&(rec), sizeof(rec)), type, what)

/* Every builder of records.h makes a record the validator takes, of its own type. */
static void test_every_type(void)
{
	struct ll_loop_stats st = { .tgid = 1, .tid = 2 };
	struct ll_fork f = mkrec_fork(1, 10, 11, "sh");
	struct ll_exec e = mkrec_exec(2, 11, 10, 1, "ls", "/bin/ls");
	struct ll_exit x = mkrec_exit(3, 11, 10, 1, 0, 0, "ls", "sh");
	struct ll_reap r = mkrec_reap(4, 10, 11, LL_HOW_WAIT4);
	struct ll_sigchld c = mkrec_sigchld(4, 11, 10, LL_SIG_DELIVERED);
	struct ll_accept a = mkrec_accept(5, 20, 20, 80, 4, 1000);
	struct ll_loop_new n = mkrec_loop_new(6, 1, 2, 3);
	struct ll_stall s = mkrec_stall(1, 2, 6, 100, true);
	struct ll_wakeup w = mkrec_wakeup(7, 1, 2, 1, 3, 10, 10);
	struct ll_loop_exit le = mkrec_loop_exit(8, &st);

	mkrec_exec_args(&e, "ls\0-l", 6);
	DECODES_AS(f, LL_REC_FORK, "fork");
	DECODES_AS(e, LL_REC_EXEC, "exec");
	DECODES_AS(x, LL_REC_EXIT, "exit");
	DECODES_AS(r, LL_REC_REAP, "reap");
	DECODES_AS(c, LL_REC_SIGCHLD, "sigchld");
	DECODES_AS(a, LL_REC_ACCEPT, "accept");
	DECODES_AS(n, LL_REC_LOOP_NEW, "loop_new");
	DECODES_AS(s, LL_REC_STALL, "stall");
	DECODES_AS(w, LL_REC_WAKEUP, "wakeup");
	DECODES_AS(le, LL_REC_LOOP_EXIT, "loop_exit");
}

static void test_bad_header(void)
{
	struct ll_reap r = mkrec_reap(4, 10, 11, LL_HOW_WAIT4);
	struct ll_fork f = mkrec_fork(1, 10, 11, "sh");

	ASSERT_EQ(ll_decode(NULL, sizeof(r)), -EINVAL, "NULL");
	ASSERT_EQ(ll_decode(&r, sizeof(struct ll_hdr) - 1), -EINVAL, "shorter than a header");
	r.hdr.type = 0;
	DECODES_AS(r, -EINVAL, "type 0");
	r.hdr.type = LL_REC_MAX;
	DECODES_AS(r, -EINVAL, "type past the last");
	r.hdr.type = LL_REC_FORK;
	DECODES_AS(r, -EINVAL, "a reap's size is not a fork's");
	r.hdr.type = LL_REC_REAP;
	r.hdr.size = sizeof(r) - 1;
	DECODES_AS(r, -EINVAL, "header size disagrees with the ring buffer's");
	r.hdr.size = sizeof(r);
	ASSERT_EQ(ll_decode(&r, sizeof(r) - 1), -EINVAL, "ring buffer size disagrees");
	f.hdr.size = sizeof(f) + 8;
	ASSERT_EQ(ll_decode(&f, sizeof(f) + 8), -EINVAL, "longer than the type's");
}

static void test_exec_strings(void)
{
	struct ll_exec e = mkrec_exec(2, 11, 10, 1, "ls", "/bin/ls");

	e.args_len = LL_ARGS_LEN;
	DECODES_AS(e, LL_REC_EXEC, "args filling the buffer");
	e.args_len = LL_ARGS_LEN + 1;
	DECODES_AS(e, -EINVAL, "args past the buffer");
	e.args_len = 0;
	e.filename_len = LL_FILENAME_LEN - 1;
	memset(e.filename, 'a', LL_FILENAME_LEN - 1);
	e.filename[LL_FILENAME_LEN - 1] = 0;
	DECODES_AS(e, LL_REC_EXEC, "the longest filename");
	e.filename_len = LL_FILENAME_LEN;
	DECODES_AS(e, -EINVAL, "filename_len past the buffer");
	e.filename_len = 7;
	e.filename[LL_FILENAME_LEN - 1] = 'a';
	DECODES_AS(e, -EINVAL, "filename not terminated");
}

static void test_names(void)
{
	ASSERT_STREQ(ll_rec_name(LL_REC_FORK), "fork", "fork");
	ASSERT_STREQ(ll_rec_name(LL_REC_LOOP_EXIT), "loop_exit", "loop_exit");
	ASSERT_STREQ(ll_rec_name(0), "?", "0");
	ASSERT_STREQ(ll_rec_name(LL_REC_MAX), "?", "max");
}

int main(void)
{
	RUN_TEST(test_every_type);
	RUN_TEST(test_bad_header);
	RUN_TEST(test_exec_strings);
	RUN_TEST(test_names);
	return TEST_MAIN_END();
}
