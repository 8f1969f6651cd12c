/* volxml: the storage XML a remote launch defines through libvirt
 * (pool.c): the dir pool that holds a launch's files on that host, and
 * the volumes in it, written as domxml.c writes a domain. */
#ifndef LB_VOLXML_H
#define LB_VOLXML_H

/* A dir storage pool NAME in DIR, for virStoragePoolDefineXML.  Returns
 * it malloc'd, or NULL after err_set(). */
char *volxml_render_pool(const char *name, const char *dir);
/* A storage volume: NAME of CAPACITY bytes in FORMAT (a disk_format),
 * backed by BACKING in BACKING_FORMAT when that is not NULL; for
 * virStorageVolCreateXML.  Returns it malloc'd, or NULL after err_set(). */
char *volxml_render_volume(const char *name, unsigned long long capacity, int format,
			   const char *backing, int backing_format);

#endif
