// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy_method_check: zcopy_check_method(), which method and flag
 * combinations a request may ask for, every one of them.  Pure: no file.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/build_bug.h>

#include "zcopy.h"

#define ZK_KNOWN_FLAGS	(ZCOPY_F_NODISKIO | ZCOPY_F_MORE | ZCOPY_F_NOSIGNAL | \
			 ZCOPY_F_NOTIFY_RELEASE)

/**
 * struct zk_method_case - a method, and the known flags it is refused with
 * @method: ZCOPY_METHOD_*
 * @refused: any of these flags refuses it (-EINVAL); any other combination
 *	of known flags is accepted
 * @name: the method's name
 */
struct zk_method_case {
	u32 method;
	u32 refused;
	const char *name;
};

static const struct zk_method_case zk_method_cases[] = {
	{ ZCOPY_METHOD_AUTO, 0, "AUTO" },
	{ ZCOPY_METHOD_COPY, 0, "COPY" },
	{ ZCOPY_METHOD_MMAP, 0, "MMAP" },
	/* Its socket path raises SIGPIPE itself. */
	{ ZCOPY_METHOD_SPLICE, ZCOPY_F_NOSIGNAL, "SPLICE" },
	{ ZCOPY_METHOD_PAGES, 0, "PAGES" },
	/* It always reads storage. */
	{ ZCOPY_METHOD_DIRECT, ZCOPY_F_NODISKIO, "DIRECT" },
};

/* A new method needs its row here. */
static_assert(ARRAY_SIZE(zk_method_cases) == ZCOPY_METHOD_COUNT);
/* The known flags are the low bits: counting to them visits every mix. */
static_assert(!(ZK_KNOWN_FLAGS & (ZK_KNOWN_FLAGS + 1)));

static void zk_method_desc(const struct zk_method_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zk_method, zk_method_cases, zk_method_desc);

/* Every combination of known flags: refused exactly where the row says. */
static void zcopy_check_method_test_known_flags(struct kunit *test)
{
	const struct zk_method_case *c = test->param_value;
	u32 flags;

	for (flags = 0; flags <= ZK_KNOWN_FLAGS; flags++)
		KUNIT_EXPECT_EQ_MSG(test, zcopy_check_method(c->method, flags),
				    flags & c->refused ? -EINVAL : 0,
				    "%s with flags %#x", c->name, flags);
}

/* Any unknown flag refuses the request, whatever comes with it. */
static void zcopy_check_method_test_unknown_flags(struct kunit *test)
{
	const struct zk_method_case *c = test->param_value;
	u32 bit;

	for (bit = 0; bit < 32; bit++) {
		if (BIT(bit) & ZK_KNOWN_FLAGS)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, zcopy_check_method(c->method,
							     BIT(bit)),
				    -EINVAL, "%s with flag bit %u", c->name,
				    bit);
		KUNIT_EXPECT_EQ_MSG(test,
				    zcopy_check_method(c->method,
						       BIT(bit) | ZCOPY_F_MORE),
				    -EINVAL, "%s with MORE and flag bit %u",
				    c->name, bit);
	}
	KUNIT_EXPECT_EQ(test, zcopy_check_method(c->method, ~ZK_KNOWN_FLAGS),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zcopy_check_method(c->method, ~0U), -EINVAL);
}

/**
 * struct zk_bad_method_case - a method number no build has
 * @method: the number
 * @name: what it is
 */
struct zk_bad_method_case {
	u32 method;
	const char *name;
};

static const struct zk_bad_method_case zk_bad_method_cases[] = {
	{ ZCOPY_METHOD_COUNT, "ZCOPY_METHOD_COUNT" },
	{ ZCOPY_METHOD_COUNT + 1, "ZCOPY_METHOD_COUNT + 1" },
	{ BIT(31), "bit 31" },
	{ ~0U, "~0" },
};

static void zk_bad_method_desc(const struct zk_bad_method_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zk_bad_method, zk_bad_method_cases, zk_bad_method_desc);

/* An unknown method is refused with any flags, known or not. */
static void zcopy_check_method_test_unknown_method(struct kunit *test)
{
	const struct zk_bad_method_case *c = test->param_value;
	u32 flags;

	for (flags = 0; flags <= ZK_KNOWN_FLAGS; flags++)
		KUNIT_EXPECT_EQ_MSG(test, zcopy_check_method(c->method, flags),
				    -EINVAL, "flags %#x", flags);
	KUNIT_EXPECT_EQ(test, zcopy_check_method(c->method, ~0U), -EINVAL);
}

static struct kunit_case zcopy_method_check_cases[] = {
	KUNIT_CASE_PARAM(zcopy_check_method_test_known_flags,
			 zk_method_gen_params),
	KUNIT_CASE_PARAM(zcopy_check_method_test_unknown_flags,
			 zk_method_gen_params),
	KUNIT_CASE_PARAM(zcopy_check_method_test_unknown_method,
			 zk_bad_method_gen_params),
	{}
};

static struct kunit_suite zcopy_method_check_suite = {
	.name = "zcopy_method_check",
	.test_cases = zcopy_method_check_cases,
};

kunit_test_suite(zcopy_method_check_suite);
