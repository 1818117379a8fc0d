// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test.h itself: integers compare as the values they are, whatever their types. */
#include "test.h"

static void test_mixed_signs(void)
{
	uint64_t unknown = UINT64_MAX;
	int minus_one = -1;
	unsigned int zero = 0;

	ASSERT_GT(unknown, 1, "UINT64_MAX above 1 (a long long cast made it -1)");
	ASSERT_NEQ(unknown, -1, "UINT64_MAX is not -1");
	ASSERT_LT(minus_one, zero, "-1 below an unsigned 0");
	ASSERT_LT(minus_one, unknown, "-1 below UINT64_MAX");
	ASSERT_EQ((uint8_t)200, 200, "small unsigned types");
	ASSERT_EQ((int8_t)-56, -56, "small signed types");
	ASSERT_GE(INT64_MIN, INT64_MIN, "INT64_MIN");
	ASSERT_LT(INT64_MIN, 0, "INT64_MIN below 0");
	ASSERT_EQ(2.9, 2, "doubles truncate, as before");
	ASSERT_U64_EQ(unknown, UINT64_MAX, "U64");
	ASSERT_S64_LT(-5, 3, "S64");
	ASSERT_NEAR(0.1 + 0.2, 0.3, 1e-12, "NEAR");
	ASSERT_NEAR(100, 106, 6, "NEAR: the tolerance is inclusive");
}

static void test_pointers_and_enums(void)
{
	int x = 0;
	const int *p = &x;
	enum { ONE = 1 } e = ONE;

	ASSERT_EQ(p, &x, "pointers compare as addresses");
	ASSERT_NEQ(p, NULL, "and against NULL");
	ASSERT_EQ(e, 1, "enums as their integer type");
	ASSERT_EQ((bool)1, 1, "bool");
}

static void test_cmp_order(void)
{
	struct test_num m2 = test_num_s(-2), m1 = test_num_s(-1), z = test_num_u(0);
	struct test_num big = test_num_u(UINT64_MAX);
	char b[24];

	ASSERT_TRUE(test_num_cmp(m2, m1) < 0, "-2 < -1");
	ASSERT_TRUE(test_num_cmp(m1, m2) > 0, "-1 > -2");
	ASSERT_TRUE(test_num_cmp(m1, z) < 0, "-1 < 0");
	ASSERT_TRUE(test_num_cmp(z, big) < 0, "0 < max");
	ASSERT_TRUE(test_num_cmp(big, big) == 0, "max == max");
	ASSERT_TRUE(test_num_cmp(test_num_s(0), z) == 0, "signed 0 == unsigned 0");
	ASSERT_STREQ(test_num_str(b, big), "18446744073709551615", "prints unsigned");
	ASSERT_STREQ(test_num_str(b, test_num_s(INT64_MIN)), "-9223372036854775808", "prints signed");
}

int main(void)
{
	RUN_TEST(test_mixed_signs);
	RUN_TEST(test_cmp_order);
	RUN_TEST(test_pointers_and_enums);
	return TEST_MAIN_END();
}
