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
 * Contents that live in a page cache zcopy may read straight from: tmpfs
 * keeps them there, and a local filesystem on a block device reads them in
 * with ->read_folio and keeps them coherent by itself.  Network and
 * cluster filesystems (NFS, CIFS, Ceph, 9p, FUSE) check or bypass their
 * cache in ->read_iter (revalidation, leases, direct_io), which a lookup
 * of the cache would skip: their reads go through the file.  Pseudo
 * filesystems (procfs, sysfs, debugfs) make contents up on each read.
 */
static bool zcopy_mapping_caches(struct address_space *mapping)
{
	struct super_block *sb = mapping->host->i_sb;

	if (shmem_mapping(mapping))
		return true;
	return (sb->s_type->fs_flags & FS_REQUIRES_DEV) &&
	       mapping->a_ops->read_folio;
}

/* i_size bounds the content: anything but a pseudo file. */
static bool zcopy_inode_sized(struct inode *inode)
{
	return shmem_mapping(inode->i_mapping) ||
	       inode->i_sb->s_bdi != &noop_backing_dev_info;
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
	src->sized = zcopy_inode_sized(real);
}
EXPORT_SYMBOL_IF_KUNIT(zcopy_source_init);
