/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Tiny unit-test harness in the kernel selftests' style: ASSERT_* report the failing expression
 * with both values and return false, so a test can stop at the first failure with
 * `if (!ASSERT_EQ(a, b, "what")) return;`. Each test prints one line the runner counts:
 *   PASS <file>/<test>      or      FAIL <file>/<test>: <why>
 */
#ifndef LL_TEST_H
#define LL_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int test_failed_now;
static int test_pass, test_fail;

#define ASSERT_TRUE(cond, what) ({						\
	bool ___ok = (cond);							\
	if (!___ok) {								\
		fprintf(stderr, "  %s:%d: %s: expected true: %s\n", __FILE__,	\
			__LINE__, what, #cond);					\
		test_failed_now = 1;						\
	}									\
	___ok; })

#define ASSERT_FALSE(cond, what) ASSERT_TRUE(!(cond), what)

#define ASSERT_CMP(a, op, b, what) ({						\
	long long ___a = (long long)(a), ___b = (long long)(b);			\
	bool ___ok = ___a op ___b;						\
	if (!___ok) {								\
		fprintf(stderr, "  %s:%d: %s: expected %s %s %s, got %lld vs %lld\n", \
			__FILE__, __LINE__, what, #a, #op, #b, ___a, ___b);	\
		test_failed_now = 1;						\
	}									\
	___ok; })

#define ASSERT_EQ(a, b, what) ASSERT_CMP(a, ==, b, what)
#define ASSERT_NEQ(a, b, what) ASSERT_CMP(a, !=, b, what)
#define ASSERT_LT(a, b, what) ASSERT_CMP(a, <, b, what)
#define ASSERT_LE(a, b, what) ASSERT_CMP(a, <=, b, what)
#define ASSERT_GT(a, b, what) ASSERT_CMP(a, >, b, what)
#define ASSERT_GE(a, b, what) ASSERT_CMP(a, >=, b, what)

#define ASSERT_STREQ(a, b, what) ({						\
	const char *___a = (a), *___b = (b);					\
	bool ___ok = ___a && ___b && !strcmp(___a, ___b);			\
	if (!___ok) {								\
		fprintf(stderr, "  %s:%d: %s: expected \"%s\", got \"%s\"\n",	\
			__FILE__, __LINE__, what, ___b ? ___b : "(null)",	\
			___a ? ___a : "(null)");				\
		test_failed_now = 1;						\
	}									\
	___ok; })

#define RUN_TEST(fn) do {							\
	test_failed_now = 0;							\
	fn();									\
	if (test_failed_now) {							\
		test_fail++;							\
		printf("FAIL %s/%s: see messages above\n", __FILE__, #fn);	\
	} else {								\
		test_pass++;							\
		printf("PASS %s/%s\n", __FILE__, #fn);				\
	}									\
	fflush(stdout);								\
} while (0)

#define TEST_MAIN_END() ({ printf("# %d passed, %d failed\n", test_pass, test_fail); \
	test_fail ? 1 : 0; })

#endif
