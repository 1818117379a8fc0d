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

/*
 * Integers of any type, compared by value: a uint64_t above INT64_MAX (LL_UNKNOWN) stays above
 * every int, and -1 stays below every unsigned value, as if both were mathematical integers.
 * Floating-point operands are truncated toward zero (use ASSERT_NEAR for them).
 */
struct test_num {
	bool neg;
	uint64_t mag;
};

static inline struct test_num test_num_s(long long v)
{
	return (struct test_num){ .neg = v < 0, .mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v };
}

static inline struct test_num test_num_u(unsigned long long v)
{
	return (struct test_num){ .neg = false, .mag = v };
}

static inline struct test_num test_num_f(long double v)
{
	return test_num_s((long long)v);
}

/* Pointers compare as addresses (ASSERT_EQ(p, NULL) keeps working); the pointee is not read. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 10
__attribute__((access(none, 1)))
#endif
static inline struct test_num test_num_p(const volatile void *p)
{
	return test_num_u((uintptr_t)p);
}

/* Enums match the integer type they are compatible with. */
#define TEST_NUM(x) _Generic((x),						\
	char: test_num_s, signed char: test_num_s, short: test_num_s, int: test_num_s,	\
	long: test_num_s, long long: test_num_s,					\
	_Bool: test_num_u, unsigned char: test_num_u, unsigned short: test_num_u,	\
	unsigned int: test_num_u, unsigned long: test_num_u,			\
	unsigned long long: test_num_u,						\
	float: test_num_f, double: test_num_f, long double: test_num_f,		\
	default: test_num_p)(x)

static inline int test_num_cmp(struct test_num a, struct test_num b)
{
	if (a.neg != b.neg)
		return a.neg ? -1 : 1;
	if (a.mag == b.mag)
		return 0;
	return (a.mag < b.mag) != a.neg ? -1 : 1;
}

static inline const char *test_num_str(char buf[24], struct test_num n)
{
	snprintf(buf, 24, "%s%" PRIu64, n.neg ? "-" : "", n.mag);
	return buf;
}

#define ASSERT_CMP(a, op, b, what) ({						\
	struct test_num ___a = TEST_NUM(a), ___b = TEST_NUM(b);			\
	bool ___ok = test_num_cmp(___a, ___b) op 0;				\
	if (!___ok) {								\
		char ___sa[24], ___sb[24];					\
		fprintf(stderr, "  %s:%d: %s: expected %s %s %s, got %s vs %s\n",	\
			__FILE__, __LINE__, what, #a, #op, #b,			\
			test_num_str(___sa, ___a), test_num_str(___sb, ___b));	\
		test_failed_now = 1;						\
	}									\
	___ok; })

/* The same with both sides converted to one fixed type first (an unsigned wrap is intended). */
#define ASSERT_TYPED_CMP(type, fmt, a, op, b, what) ({				\
	type ___a = (type)(a), ___b = (type)(b);				\
	bool ___ok = ___a op ___b;						\
	if (!___ok) {								\
		fprintf(stderr, "  %s:%d: %s: expected %s %s %s, got %" fmt " vs %" fmt "\n", \
			__FILE__, __LINE__, what, #a, #op, #b, ___a, ___b);	\
		test_failed_now = 1;						\
	}									\
	___ok; })

#define ASSERT_U64_EQ(a, b, what) ASSERT_TYPED_CMP(uint64_t, PRIu64, a, ==, b, what)
#define ASSERT_U64_NE(a, b, what) ASSERT_TYPED_CMP(uint64_t, PRIu64, a, !=, b, what)
#define ASSERT_U64_LT(a, b, what) ASSERT_TYPED_CMP(uint64_t, PRIu64, a, <, b, what)
#define ASSERT_U64_LE(a, b, what) ASSERT_TYPED_CMP(uint64_t, PRIu64, a, <=, b, what)
#define ASSERT_U64_GT(a, b, what) ASSERT_TYPED_CMP(uint64_t, PRIu64, a, >, b, what)
#define ASSERT_U64_GE(a, b, what) ASSERT_TYPED_CMP(uint64_t, PRIu64, a, >=, b, what)
#define ASSERT_S64_EQ(a, b, what) ASSERT_TYPED_CMP(int64_t, PRId64, a, ==, b, what)
#define ASSERT_S64_NE(a, b, what) ASSERT_TYPED_CMP(int64_t, PRId64, a, !=, b, what)
#define ASSERT_S64_LT(a, b, what) ASSERT_TYPED_CMP(int64_t, PRId64, a, <, b, what)
#define ASSERT_S64_LE(a, b, what) ASSERT_TYPED_CMP(int64_t, PRId64, a, <=, b, what)
#define ASSERT_S64_GT(a, b, what) ASSERT_TYPED_CMP(int64_t, PRId64, a, >, b, what)
#define ASSERT_S64_GE(a, b, what) ASSERT_TYPED_CMP(int64_t, PRId64, a, >=, b, what)

/* |a - b| <= tol, in double: for rates, percentages, and quantiles within a stated error. */
#define ASSERT_NEAR(a, b, tol, what) ({						\
	double ___a = (double)(a), ___b = (double)(b), ___t = (double)(tol);	\
	bool ___ok = ___a - ___b <= ___t && ___b - ___a <= ___t;		\
	if (!___ok) {								\
		fprintf(stderr, "  %s:%d: %s: expected %s within %g of %s, got %.17g vs %.17g\n", \
			__FILE__, __LINE__, what, #a, ___t, #b, ___a, ___b);	\
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
