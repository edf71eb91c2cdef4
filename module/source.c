// SPDX-License-Identifier: GPL-2.0
/*
 * What a source file is, decided once per file before anything is sent:
 * which page cache serves its reads, whether that cache is the file's own
 * (so its folios can be lent), and whether its size bounds its content.
 * The methods and their statistics follow from this one decision.
 */
#include <linux/backing-dev.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/shmem_fs.h>
#include <kunit/visibility.h>

#include "zcopy.h"

/*
 * Contents that live in a page cache: tmpfs keeps them there, disk and
 * network filesystems read them in with ->read_folio.  Pseudo filesystems
 * (procfs, sysfs, debugfs) make them up on each read and have no backing
 * device; kernfs gives its inodes ->read_folio all the same.
 */
static bool zcopy_mapping_caches(struct address_space *mapping)
{
	struct inode *host = mapping->host;

	if (shmem_mapping(mapping))
		return true;
	return mapping->a_ops->read_folio &&
	       host->i_sb->s_bdi != &noop_backing_dev_info;
}

/**
 * zcopy_source_init() - decide how @in's reads are served
 * @src: out: the decision
 * @in: the source file (a regular file: checked before)
 *
 * A DAX file's mapping holds DAX entries, never folios: reads copy from the
 * device.  A file of a stacked filesystem reads through the file holding
 * its data (d_real_inode(), as fsnotify and file locks find it), whose
 * page cache the module cannot lend from: the stacked file's own mapping
 * stays empty.
 */
void zcopy_source_init(struct zcopy_source *src, struct file *in)
{
	struct inode *inode = file_inode(in);
	struct inode *real = d_real_inode(file_dentry(in));
	bool caches = !IS_DAX(real) && zcopy_mapping_caches(real->i_mapping);

	src->cache = caches ? real->i_mapping : NULL;
	src->lendable = caches && real == inode &&
			real->i_mapping == in->f_mapping;
	src->sized = caches || IS_DAX(real);
}
EXPORT_SYMBOL_IF_KUNIT(zcopy_source_init);
