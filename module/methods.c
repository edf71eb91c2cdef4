// SPDX-License-Identifier: GPL-2.0
/* The methods this build has, and AUTO's choice among them. */
#include <linux/fs.h>
#include <kunit/visibility.h>

#include "zcopy.h"

#define ZCOPY_F_ALL	(ZCOPY_F_NODISKIO | ZCOPY_F_MORE | ZCOPY_F_NOSIGNAL | \
			 ZCOPY_F_NOTIFY_RELEASE)

static const struct zcopy_method *const zcopy_methods[ZCOPY_METHOD_COUNT] = {
	[ZCOPY_METHOD_COPY] = &zcopy_method_copy,
	[ZCOPY_METHOD_MMAP] = &zcopy_method_mmap,
	[ZCOPY_METHOD_SPLICE] = &zcopy_method_splice,
	[ZCOPY_METHOD_PAGES] = &zcopy_method_pages,
	[ZCOPY_METHOD_DIRECT] = &zcopy_method_direct,
};

/**
 * zcopy_method_get() - the implementation of a method number
 * @method: ZCOPY_METHOD_* other than AUTO
 *
 * Return: the method, or NULL if this build does not have it.
 */
const struct zcopy_method *zcopy_method_get(u32 method)
{
	return method < ZCOPY_METHOD_COUNT ? zcopy_methods[method] : NULL;
}

/**
 * zcopy_methods_mask() - methods this build implements, AUTO included
 *
 * Return: a bitmask of (1 << ZCOPY_METHOD_*).
 */
u32 zcopy_methods_mask(void)
{
	u32 mask = BIT(ZCOPY_METHOD_AUTO);
	u32 m;

	for (m = 0; m < ZCOPY_METHOD_COUNT; m++)
		if (zcopy_methods[m])
			mask |= BIT(m);
	return mask;
}

/**
 * zcopy_check_method() - whether a method and flags go together
 * @method: ZCOPY_METHOD_* as asked (AUTO included)
 * @flags: ZCOPY_F_*
 *
 * AUTO never picks what is refused here: DIRECT with NODISKIO, SPLICE with
 * NOSIGNAL.
 *
 * Return: 0, or -EINVAL for an unknown flag, a method this build lacks,
 * ZCOPY_F_NODISKIO with DIRECT (it always reads storage) or
 * ZCOPY_F_NOSIGNAL with SPLICE (its socket path raises SIGPIPE itself).
 */
int zcopy_check_method(u32 method, u32 flags)
{
	if (flags & ~ZCOPY_F_ALL)
		return -EINVAL;
	if (method != ZCOPY_METHOD_AUTO && !zcopy_method_get(method))
		return -EINVAL;
	if (((flags & ZCOPY_F_NODISKIO) && method == ZCOPY_METHOD_DIRECT) ||
	    ((flags & ZCOPY_F_NOSIGNAL) && method == ZCOPY_METHOD_SPLICE))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zcopy_check_method);

/**
 * zcopy_auto_method() - the method AUTO picks for a file
 * @in: the first file of the call, or NULL
 * @flags: ZCOPY_F_* of the call
 *
 * A file opened with O_DIRECT asks to bypass the page cache: DIRECT honours
 * that where the filesystem can (and where the caller does not forbid
 * waiting for storage).  Otherwise PAGES does the least work of the methods
 * (no copy, no pipe) where the file's own page cache can be lent; SPLICE
 * serves the rest (DAX, overlayfs, pseudo files) as sendfile(2) would, or
 * COPY where SIGPIPE must not be raised.
 *
 * Return: a ZCOPY_METHOD_* other than AUTO.
 */
u32 zcopy_auto_method(struct file *in, u32 flags)
{
	struct zcopy_source src;

	/* Not a regular file: the checks refuse it whatever is picked. */
	if (!in || !S_ISREG(file_inode(in)->i_mode))
		return ZCOPY_METHOD_PAGES;
	if ((in->f_flags & O_DIRECT) && (in->f_mode & FMODE_CAN_ODIRECT) &&
	    !(flags & ZCOPY_F_NODISKIO))
		return ZCOPY_METHOD_DIRECT;
	zcopy_source_init(&src, in);
	if (src.lendable)
		return ZCOPY_METHOD_PAGES;
	/* SPLICE's socket path raises SIGPIPE itself: COPY can keep quiet. */
	return flags & ZCOPY_F_NOSIGNAL ? ZCOPY_METHOD_COPY : ZCOPY_METHOD_SPLICE;
}
EXPORT_SYMBOL_IF_KUNIT(zcopy_auto_method);
