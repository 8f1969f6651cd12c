/* pool: the appliance and disks as volumes of a storage pool on a remote
 * libvirt host (pool.h).  Every transfer goes through libvirt's own API,
 * so the remote host needs nothing but libvirt and QEMU. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/xpath.h>

#include "plan/disk.h"
#include "common/err.h"
#include "backend/lv.h"
#include "backend/pool.h"
#include "backend/volxml.h"
#include "common/util.h"
#include "common/xmlsafe.h"

/* The text of the first node XPATH selects in DOC (libvirt's answer),
 * malloc'd, or NULL. */
static char *xpath_text(const char *xml, const char *root, const char *xpath)
{
	xmlDocPtr doc = xml ? xmlsafe_parse(xml, strlen(xml), root, "libvirt's answer") : NULL;
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr o = ctx ? xmlXPathEvalExpression(BAD_CAST xpath, ctx) : NULL;
	char *out = NULL;

	if (o && o->type == XPATH_STRING && o->stringval[0])
		out = strdup((const char *)o->stringval);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return out;
}

/* libvirt's default image location on CONN: the "default" pool's
 * directory, else the system daemon's own.  NULL after err_set(). */
static char *default_dir(virConnectPtr conn)
{
	virStoragePoolPtr def = virStoragePoolLookupByName(conn, "default");
	char *xml = def ? virStoragePoolGetXMLDesc(def, 0) : NULL;
	char *dir = xpath_text(xml, "pool", "string(/pool/target/path)");
	char *uri = virConnectGetURI(conn);
	char *out = NULL;

	if (dir)
		out = util_printf("%s/" POOL_DEFAULT, dir);
	else if (uri && strstr(uri, "/system"))
		out = strdup("/var/lib/libvirt/images/" POOL_DEFAULT);
	else
		err_set(LB_EXIT_USAGE, "no storage pool '" POOL_DEFAULT "' and no default pool to put it "
			"beside; make one (virsh pool-define-as " POOL_DEFAULT " dir --target DIR) or name "
			"one with --pool");
	if (def)
		virStoragePoolFree(def);
	free(xml);
	free(dir);
	free(uri);
	return out;
}

/* Define, build and start the default pool; another launch may have done
 * it meanwhile, which is as good. */
static virStoragePoolPtr make_pool(virConnectPtr conn)
{
	char *dir = default_dir(conn), *xml = NULL;
	virStoragePoolPtr p = NULL;

	if (!dir)
		return NULL;
	if (!(xml = volxml_render_pool(POOL_DEFAULT, dir)))
		goto out;
	p = virStoragePoolDefineXML(conn, xml, 0);
	if (!p) {
		if ((p = virStoragePoolLookupByName(conn, POOL_DEFAULT)))
			goto out;
		err_set(LB_EXIT_VM, "cannot make the storage pool " POOL_DEFAULT " in %s: %s", dir, lv_error());
		goto out;
	}
	/* The directory may be there already: starting says if it is not. */
	(void)virStoragePoolBuild(p, 0);
	(void)virStoragePoolSetAutostart(p, 1);
out:
	free(dir);
	free(xml);
	return p;
}

/* Whether OWNER (HOST-PID, LEN bytes) is a launch from this host whose
 * process is gone. */
static int stale(const struct pool *p, const char *owner, size_t len)
{
	const char *dash = strrchr(p->owner, '-');
	size_t hlen = (size_t)(dash - p->owner) + 1;   /* "HOST-" */
	char pid[16], *end;
	long v;

	if (len <= hlen || len - hlen >= sizeof pid || strncmp(owner, p->owner, hlen))
		return 0;
	memcpy(pid, owner + hlen, len - hlen);
	pid[len - hlen] = '\0';
	v = strtol(pid, &end, 10);
	return !*end && v > 1 && v != getpid() && kill((pid_t)v, 0) < 0 && errno == ESRCH;
}

/* A volume's owner: NAME.OWNER.WHAT. */
static int stale_volume(const struct pool *p, const char *name)
{
	const char *a = strchr(name, '.'), *b = a ? strchr(a + 1, '.') : NULL;

	return b && stale(p, a + 1, (size_t)(b - a - 1));
}

/* A domain's owner: its <description>. */
static int stale_domain(const struct pool *p, virDomainPtr d)
{
	const char *name = virDomainGetName(d);
	char *owner;
	int r = 0;

	if (!name || strncmp(name, "leanboot-", 9))
		return 0;
	owner = virDomainGetMetadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, 0);
	if (owner)
		r = stale(p, owner, strlen(owner));
	free(owner);
	return r;
}

/* Destroy what launches from this host that are gone left running (a
 * daemon killed under a launch keeps its QEMU, and a restarted one takes
 * it back), then delete their volumes. */
static void sweep(struct pool *p)
{
	virDomainPtr *doms = NULL;
	virStorageVolPtr *vols = NULL;
	int n = virConnectListAllDomains(p->conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);

	for (int i = 0; i < n; i++) {
		if (stale_domain(p, doms[i]))
			virDomainDestroy(doms[i]);
		virDomainFree(doms[i]);
	}
	free(doms);
	n = virStoragePoolListAllVolumes(p->pool, &vols, 0);
	for (int i = 0; i < n; i++) {
		const char *name = virStorageVolGetName(vols[i]);

		if (name && stale_volume(p, name))
			virStorageVolDelete(vols[i], 0);
		virStorageVolFree(vols[i]);
	}
	free(vols);
}

int pool_open(struct pool *p, virConnectPtr conn, const char *name)
{
	char host[64] = "host";

	memset(p, 0, sizeof *p);
	p->conn = conn;
	gethostname(host, sizeof host - 1);
	/* The name goes into volume names: letters, digits and '_' only. */
	for (char *c = host; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') && !(*c >= '0' && *c <= '9'))
			*c = '_';
	snprintf(p->owner, sizeof p->owner, "%s-%d", host, (int)getpid());
	p->pool = virStoragePoolLookupByName(conn, name ? name : POOL_DEFAULT);
	if (!p->pool && name) {
		err_set(LB_EXIT_USAGE, "no storage pool '%s' on that host", name);
		return -1;
	}
	if (!p->pool && !(p->pool = make_pool(conn)))
		return -1;
	/* An inactive pool may have lost its directory: built, it starts. */
	if (virStoragePoolIsActive(p->pool) == 0 && virStoragePoolCreate(p->pool, 0) < 0 &&
	    (virStoragePoolBuild(p->pool, 0) < 0 || virStoragePoolCreate(p->pool, 0) < 0)) {
		err_set(LB_EXIT_VM, "cannot start the storage pool %s: %s",
			virStoragePoolGetName(p->pool), lv_error());
		return -1;
	}
	{
		char *xml = virStoragePoolGetXMLDesc(p->pool, 0);

		p->dir = xpath_text(xml, "pool", "string(/pool/target/path)");
		free(xml);
		if (!p->dir) {
			err_set(LB_EXIT_VM, "the storage pool %s has no directory", virStoragePoolGetName(p->pool));
			return -1;
		}
	}
	sweep(p);
	return 0;
}

/* An upload's source: a local file read data section by data section,
 * so that its holes travel as holes. */
struct src {
	int fd;
	off_t size;
	size_t sent;
};

static int src_read(virStreamPtr st, char *buf, size_t n, void *opaque)
{
	struct src *s = opaque;
	ssize_t r;

	(void)st;
	do
		r = read(s->fd, buf, n);
	while (r < 0 && errno == EINTR);
	/* A fault test's stop: the volume made and the first bytes read. */
	if (!s->sent && r > 0)
		util_checkpoint("upload");
	s->sent += r > 0 ? (size_t)r : 0;
	return (int)r;
}

static int src_hole(virStreamPtr st, int *in_data, long long *len, void *opaque)
{
	struct src *s = opaque;
	off_t cur = lseek(s->fd, 0, SEEK_CUR), data, hole;

	(void)st;
	if (cur < 0)
		return -1;
	if (cur >= s->size) {
		/* The end: libvirt reads nothing more and stops. */
		*in_data = 0;
		*len = 0;
		return 0;
	}
	data = lseek(s->fd, cur, SEEK_DATA);
	if (data < 0 && errno != ENXIO)
		return -1;
	if (data < 0)
		data = s->size;   /* a hole to the end */
	if (data > cur) {
		*in_data = 0;
		*len = data - cur;
	} else {
		hole = lseek(s->fd, cur, SEEK_HOLE);
		if (hole < 0)
			return -1;
		*in_data = 1;
		*len = hole - cur;
	}
	return lseek(s->fd, cur, SEEK_SET) < 0 ? -1 : 0;
}

static int src_skip(virStreamPtr st, long long len, void *opaque)
{
	struct src *s = opaque;

	(void)st;
	return lseek(s->fd, (off_t)len, SEEK_CUR) < 0 ? -1 : 0;
}

/* A volume NAME of SIZE bytes in FORMAT, backed by BACKING or not. */
static virStorageVolPtr make_volume(struct pool *p, const char *name, unsigned long long size,
				    int format, const char *backing)
{
	char *xml = volxml_render_volume(name, size, format, backing, DISK_RAW);
	virStorageVolPtr v = xml ? virStorageVolCreateXML(p->pool, xml, 0) : NULL;

	if (xml && !v)
		err_set(LB_EXIT_VM, "cannot make the volume %s: %s", name, lv_error());
	free(xml);
	return v;
}

/* PATH's bytes into a new volume NAME (this launch's, deleted on
 * close).  Returns it, or NULL after err_set(). */
static virStorageVolPtr upload(struct pool *p, const char *name, const char *path)
{
	struct src s = { open(path, O_RDONLY | O_CLOEXEC), 0, 0 };
	struct stat st;
	virStorageVolPtr v = NULL;
	virStreamPtr stream = NULL;
	double t0 = util_now();

	if (s.fd < 0 || fstat(s.fd, &st) < 0) {
		err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		goto out;
	}
	s.size = st.st_size;
	if (!(v = make_volume(p, name, (unsigned long long)s.size, DISK_RAW, NULL)) ||
	    strv_add(&p->made, name) < 0)
		goto fail;
	if (!(stream = virStreamNew(p->conn, 0)) ||
	    virStorageVolUpload(v, stream, 0, (unsigned long long)s.size,
				VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) < 0 ||
	    virStreamSparseSendAll(stream, src_read, src_hole, src_skip, &s) < 0 ||
	    virStreamFinish(stream) < 0) {
		err_set(LB_EXIT_VM, "cannot upload %s: %s", path, lv_error());
		if (stream)
			virStreamAbort(stream);
		goto fail;
	}
	p->uploaded += s.sent;
	p->apparent += (unsigned long long)s.size;
	p->upload_s += util_now() - t0;
	goto out;
fail:
	if (v) {
		virStorageVolDelete(v, 0);
		virStorageVolFree(v);
		v = NULL;
	}
out:
	if (stream)
		virStreamFree(stream);
	if (s.fd >= 0)
		close(s.fd);
	return v;
}

/* Forget NAME among this launch's volumes: it is deleted, or kept. */
static void unmade(struct pool *p, const char *name)
{
	for (size_t i = 0; i < p->made.n; i++)
		if (!strcmp(p->made.v[i], name))
			p->made.v[i][0] = '\0';
}

static char *vol_path(virStorageVolPtr v)
{
	char *path = virStorageVolGetPath(v);

	if (!path)
		err_set(LB_EXIT_VM, "cannot read a volume's path: %s", lv_error());
	return path;
}

char *pool_appliance_file(struct pool *p, const char *key, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *name = util_printf("leanboot-%.16s-%s", key, base);
	char *part = name ? util_printf("%s.%s.part", name, p->owner) : NULL;
	char *xml = NULL, *out = NULL;
	virStorageVolPtr v = NULL, tmp = NULL;

	if (!part)
		goto out;
	if ((v = virStorageVolLookupByName(p->pool, name)))
		goto found;
	/* Whole under a name of this launch's first, then copied to its
	 * final name by the remote host itself: a volume under the final
	 * name is always whole. */
	if (!(tmp = upload(p, part, path)))
		goto out;
	if (!(xml = volxml_render_volume(name, 0, DISK_RAW, NULL, DISK_RAW)))
		goto out;
	v = virStorageVolCreateXMLFrom(p->pool, xml, tmp, 0);
	/* Another launch may have put it there meanwhile. */
	if (!v && !(v = virStorageVolLookupByName(p->pool, name))) {
		err_set(LB_EXIT_VM, "cannot make the volume %s: %s", name, lv_error());
		goto out;
	}
found:
	out = vol_path(v);
out:
	if (tmp) {
		virStorageVolDelete(tmp, 0);
		virStorageVolFree(tmp);
		unmade(p, part);
	}
	if (v)
		virStorageVolFree(v);
	free(xml);
	free(part);
	free(name);
	return out;
}

/* A qcow2 volume VNAME over BACKING (in BFMT), its size BACKING's. */
static char *overlay(struct pool *p, const char *vname, const char *backing, int bfmt)
{
	virStorageVolPtr b = virStorageVolLookupByPath(p->conn, backing), v = NULL;
	virStorageVolInfo info;
	char *xml = NULL, *out = NULL;

	if (!b || virStorageVolGetInfo(b, &info) < 0) {
		err_set(LB_EXIT_VM, "cannot find the volume of %s: %s", backing, lv_error());
		goto out;
	}
	if (!(xml = volxml_render_volume(vname, info.capacity, DISK_QCOW2, backing, bfmt)))
		goto out;
	if (!(v = virStorageVolCreateXML(p->pool, xml, 0))) {
		err_set(LB_EXIT_VM, "cannot make the volume %s: %s", vname, lv_error());
		goto out;
	}
	out = vol_path(v);
out:
	if (b)
		virStorageVolFree(b);
	if (v)
		virStorageVolFree(v);
	free(xml);
	return out;
}

char *pool_overlay(struct pool *p, const char *name, const char *backing, int backing_format)
{
	char *vname = util_printf("%s.%s.root.qcow2", name, p->owner), *out = NULL;

	/* Listed first: a volume made and not listed would outlive us. */
	if (vname && strv_add(&p->made, vname) == 0)
		out = overlay(p, vname, backing, backing_format);
	free(vname);
	return out;
}

/* A template's files are named by its domain, which its key names, and
 * by no launch: they stay for the clones. */
#define TPL_ROOT "%s.template-root.qcow2"
#define TPL_IMAGE "%s/%s.template-state"

char *pool_template_root(struct pool *p, const char *name, const char *backing)
{
	char *vname = util_printf(TPL_ROOT, name), *out = NULL;
	virStorageVolPtr old = vname ? virStorageVolLookupByName(p->pool, vname) : NULL;

	/* One a failed build left, or an older template's. */
	if (old) {
		virStorageVolDelete(old, 0);
		virStorageVolFree(old);
	}
	if (vname)
		out = overlay(p, vname, backing, DISK_RAW);
	free(vname);
	return out;
}

char *pool_template_root_path(struct pool *p, const char *name)
{
	char *vname = util_printf(TPL_ROOT, name), *out = NULL;
	virStorageVolPtr v = vname ? virStorageVolLookupByName(p->pool, vname) : NULL;

	if (v) {
		out = vol_path(v);
		virStorageVolFree(v);
	} else if (vname) {
		err_set(LB_EXIT_VM, "the template's root %s is not on that host: %s", vname, lv_error());
	}
	free(vname);
	return out;
}

char *pool_template_image(struct pool *p, const char *name)
{
	return util_printf(TPL_IMAGE, p->dir, name);
}

char *pool_upload_disk(struct pool *p, const char *name, unsigned n, const char *path)
{
	char *vname = util_printf("%s.%s.disk%u", name, p->owner, n), *out = NULL;
	virStorageVolPtr v = vname ? upload(p, vname, path) : NULL;

	if (v) {
		out = vol_path(v);
		virStorageVolFree(v);
	}
	free(vname);
	return out;
}

char *pool_volume_path(virConnectPtr conn, const char *spec, int *format)
{
	const char *slash = strchr(spec, '/');
	char pname[256], *xml = NULL, *fmt = NULL, *out = NULL;
	virStoragePoolPtr pool = NULL;
	virStorageVolPtr v = NULL;

	if (!slash || slash == spec || !slash[1] || (size_t)(slash - spec) >= sizeof pname) {
		err_set(LB_EXIT_USAGE, "vol:%s: not POOL/VOLUME", spec);
		return NULL;
	}
	snprintf(pname, sizeof pname, "%.*s", (int)(slash - spec), spec);
	if (!(pool = virStoragePoolLookupByName(conn, pname)) ||
	    !(v = virStorageVolLookupByName(pool, slash + 1))) {
		err_set(LB_EXIT_USAGE, "vol:%s: %s", spec, lv_error());
		goto out;
	}
	xml = virStorageVolGetXMLDesc(v, 0);
	fmt = xpath_text(xml, "volume", "string(/volume/target/format/@type)");
	*format = fmt ? disk_parse_format(fmt) : -1;
	out = vol_path(v);
out:
	if (v)
		virStorageVolFree(v);
	if (pool)
		virStoragePoolFree(pool);
	free(xml);
	free(fmt);
	return out;
}

void pool_close(struct pool *p)
{
	if (!p->pool)
		return;
	for (size_t i = p->made.n; i-- > 0;) {
		virStorageVolPtr v = p->made.v[i][0] ? virStorageVolLookupByName(p->pool, p->made.v[i]) : NULL;

		if (v) {
			virStorageVolDelete(v, 0);
			virStorageVolFree(v);
		}
	}
	strv_free(&p->made);
	free(p->dir);
	p->dir = NULL;
	virStoragePoolFree(p->pool);
	p->pool = NULL;
}
