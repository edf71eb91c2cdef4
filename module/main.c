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

	ctx = zcopy_ctx_alloc();
	if (!ctx)
		return -ENOMEM;
	file->private_data = ctx;
	return nonseekable_open(inode, file);
}

static int zcopy_release(struct inode *inode, struct file *file)
{
	zcopy_ctx_release(file->private_data);
	return 0;
}

static const struct file_operations zcopy_fops = {
	.owner = THIS_MODULE,
	.open = zcopy_open,
	.release = zcopy_release,
	.read = zcopy_read,
	.poll = zcopy_poll,
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
static int __init zcopy_init(void)
{
	int err = zcopy_async_init();

	if (err)
		return err;
	err = misc_register(&zcopy_misc);
	if (err)
		zcopy_async_exit();
	return err;
}

static void __exit zcopy_exit(void)
{
	misc_deregister(&zcopy_misc);
	zcopy_async_exit();
}

module_init(zcopy_init);
module_exit(zcopy_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Zero-copy file-to-socket transfers with honest accounting");
MODULE_VERSION(ZCOPY_VERSION);
