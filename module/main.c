// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy: send page-cache file ranges to TCP sockets from inside the kernel,
 * by several methods, and report what each transfer really cost.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "zcopy.h"

static int zcopy_open(struct inode *inode, struct file *file)
{
	struct zcopy_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	file->private_data = ctx;
	return nonseekable_open(inode, file);
}

static int zcopy_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations zcopy_fops = {
	.owner = THIS_MODULE,
	.open = zcopy_open,
	.release = zcopy_release,
	.unlocked_ioctl = zcopy_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice zcopy_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "zcopy",
	.fops = &zcopy_fops,
	.groups = zcopy_device_groups,
};

/* The counters' sysfs groups come and go with the device. */
module_misc_device(zcopy_misc);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Zero-copy file-to-socket transfers with honest accounting");
MODULE_VERSION(ZCOPY_VERSION);
