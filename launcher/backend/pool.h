/* pool: files on a remote libvirt host, as volumes of a storage pool.
 *
 * A remote host has none of our cache, so the appliance travels through
 * libvirt itself: its kernel, initrd and root are uploaded once per
 * appliance key (virStorageVolUpload, holes sent as holes), each launch's
 * root overlay is a qcow2 volume backed by the root, and a user's disk is
 * a volume, a path on that host, or a copy uploaded for one launch.
 *
 * A volume made for one launch is named after the launch, this host and
 * this process (NAME.HOST-PID.WHAT), and an upload goes to such a name
 * first and is copied to its final name only when whole.  So what a
 * killed launch leaves can be told from what a live one uses, and the
 * next launch from this host deletes it. */
#ifndef LB_POOL_H
#define LB_POOL_H

#include <libvirt/libvirt.h>

#include "common/strv.h"

/* The pool leanboot makes when none is named: a dir pool in libvirt's
 * default image location. */
#define POOL_DEFAULT "leanboot"

struct pool {
	virConnectPtr conn;       /* borrowed */
	virStoragePoolPtr pool;
	char *dir;                /* the pool's directory on that host */
	char owner[96];           /* HOST-PID, in every name of a launch's volumes */
	struct strv made;         /* names of this launch's volumes, deleted by pool_close */
	double upload_s;          /* time spent uploading, for -v */
	unsigned long long uploaded;   /* bytes of data sent (holes travel as holes) */
	unsigned long long apparent;   /* the files' sizes */
};

/* Find pool NAME (NULL: POOL_DEFAULT) on CONN, making and starting the
 * default one if it is not there, and delete what launches of this host
 * that are gone left in it.  Returns -1 after err_set(). */
int pool_open(struct pool *p, virConnectPtr conn, const char *name);
/* The remote path of local file PATH as volume KEY-BASENAME, uploaded
 * unless it is there.  Returns a malloc'd path, or NULL after err_set(). */
char *pool_appliance_file(struct pool *p, const char *key, const char *path);
/* A qcow2 overlay for launch NAME backed by BACKING (a remote file in
 * BACKING_FORMAT, a disk_format), deleted on close.  Returns its
 * malloc'd path, or NULL after err_set(). */
char *pool_overlay(struct pool *p, const char *name, const char *backing, int backing_format);
/* A template's files there, for a template's domain NAME: its root
 * overlay (made anew, backed by the raw BACKING, and kept), and where
 * its save image goes (the pool's directory).  Both malloc'd, or NULL
 * after err_set(). */
char *pool_template_root(struct pool *p, const char *name, const char *backing);
char *pool_template_image(struct pool *p, const char *name);
/* The path the template's root overlay has, to back a clone's. */
char *pool_template_root_path(struct pool *p, const char *name);
/* Local file PATH uploaded as launch NAME's disk N; its format is kept.
 * Returns the malloc'd remote path, or NULL after err_set(). */
char *pool_upload_disk(struct pool *p, const char *name, unsigned n, const char *path);
/* SPEC "POOL/VOLUME" into the volume's path and format (a disk_format,
 * -1 when libvirt does not know it).  NULL after err_set(). */
char *pool_volume_path(virConnectPtr conn, const char *spec, int *format);
/* Delete this launch's volumes and release the pool. */
void pool_close(struct pool *p);

#endif
