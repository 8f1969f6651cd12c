/* lv: see lv.h.
 *
 * The embedded driver (qemu:///embed) runs libvirt's QEMU driver inside
 * this process.  As root, libvirt 9.0 resolves the libvirt-qemu user and
 * group before reading its config (make deps creates them), and without
 * stdio_handler = "file" it wants virtlogd; so leanboot writes the
 * root's qemu.conf itself. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <unistd.h>

#include <libvirt/virterror.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "common/err.h"
#include "backend/jail.h"
#include "backend/lv.h"
#include "common/util.h"
#include "common/xmlsafe.h"

/* QEMU runs as the user who runs leanboot, or run as root, as JAIL_USER
 * (jail.h), as it does through the direct backend.  libvirt relabels
 * nothing and must not: with dynamic_ownership on, its DAC driver chowns
 * every disk, backing file, kernel and initrd to QEMU's user and leaves
 * them so.  The user's disks come as descriptors instead (diskfd.h), and
 * the run directory's files QEMU writes are handed to its user
 * (libvirt.c).  Without the security drivers libvirt also stops forking
 * helpers that remember file owners in xattrs (and warn on our stderr
 * about them).  As root the user must be named (libvirt's default is
 * libvirt-qemu); as anyone else it must not be, since libvirt would
 * chown its own state directories to it and an ordinary user may not
 * chown. */
static const char qemu_conf_common[] =
	"stdio_handler = \"file\"\n"
	"security_driver = \"none\"\n"
	"dynamic_ownership = 0\n"
	"remember_owner = 0\n";

/* libvirt prints every error to stderr by default; we report our own. */
static void lv_quiet(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

const char *lv_error(void)
{
	const char *m = virGetLastErrorMessage();

	return m ? m : "unknown libvirt error";
}

static int write_if_changed(const char *path, const char *text)
{
	char have[512];
	size_t n = 0;
	FILE *f = fopen(path, "re");

	if (f) {
		n = fread(have, 1, sizeof have - 1, f);
		have[n] = '\0';
		fclose(f);
		if (!strcmp(have, text))
			return 0;
	}
	return util_write_file(path, text);
}

/* Give a new root the QEMU capabilities slot 0 has already probed, so
 * that its first launch does not probe QEMU again (seconds, and it tries
 * KVM).  libvirt checks them against the binary and the host as usual. */
static void seed_capabilities(const char *cache, const char *root)
{
	char *from = util_printf("%s/libvirt/cache/qemu/capabilities", cache);
	char *to = util_printf("%s/cache/qemu/capabilities", root);
	struct dirent *e;
	DIR *d;

	if (!from || !to || access(to, F_OK) == 0 || !(d = opendir(from)))
		goto out;
	if (util_mkdirs(to) == 0)
		while ((e = readdir(d))) {
			char *src, *dst;

			if (e->d_name[0] == '.')
				continue;
			src = util_printf("%s/%s", from, e->d_name);
			dst = util_printf("%s/%s", to, e->d_name);
			if (src && dst)
				(void)util_copy_file(src, dst, 0600);
			free(src);
			free(dst);
		}
	closedir(d);
out:
	free(from);
	free(to);
}

/* ROOT/etc/qemu.conf, which the embedded driver reads.  Without it the
 * capability probe runs as libvirt-qemu, which cannot open /dev/kvm, and
 * every open throws the cached capabilities away and re-probes QEMU for
 * tens of seconds.  OURS: a root of our cache, whose file we keep as we
 * write it; a root the user named keeps a qemu.conf it already has. */
static int prepare_root(const char *root, int ours)
{
	char *etc = util_printf("%s/etc", root);
	char *conf = etc ? util_printf("%s/qemu.conf", etc) : NULL;
	char user[160] = "";
	char *text;
	int r = -1;

	if (geteuid() == 0) {
		const struct passwd *pw = jail_root_user(NULL, 0);
		const struct group *gr = pw ? getgrgid(pw->pw_gid) : NULL;

		if (!pw || !gr) {
			free(etc);
			free(conf);
			if (pw)
				err_set(LB_EXIT_VM, "no group %u for QEMU's user %s", (unsigned)pw->pw_gid, pw->pw_name);
			return -1;
		}
		snprintf(user, sizeof user, "user = \"%.60s\"\ngroup = \"%.60s\"\n", pw->pw_name, gr->gr_name);
	}
	text = util_printf("# Written by leanboot for its embedded libvirt root.\n%s%s", user, qemu_conf_common);

	if (!conf || !text)
		goto out;
	if (!ours && access(conf, F_OK) == 0) {
		r = 0;
		goto out;
	}
	/* Traversable, for QEMU's own user to reach what libvirt gives it
	 * under lib/ (its master key, its monitor's socket), which libvirt
	 * makes that user's. */
	r = util_mkdirs(etc) < 0 || (geteuid() == 0 && chmod(root, 0711) < 0) || write_if_changed(conf, text) < 0 ? -1 : 0;
out:
	free(etc);
	free(conf);
	free(text);
	return r;
}

char *lv_default_uri(const char *cache, unsigned slot)
{
	char *root = slot ? util_printf("%s/libvirt-%u", cache, slot)
			  : util_printf("%s/libvirt", cache);
	char *uri = NULL;

	if (!root || prepare_root(root, 1) < 0)
		goto out;
	if (slot)
		seed_capabilities(cache, root);
	uri = util_printf("qemu:///embed?root=%s", root);
out:
	free(root);
	return uri;
}

/* The root of an embedded driver's URI ("qemu:///embed?root=DIR"), or
 * NULL for any other URI. */
static char *embed_root(const char *uri)
{
	static const char prefix[] = "qemu:///embed?root=";

	if (!uri || strncmp(uri, prefix, sizeof prefix - 1))
		return NULL;
	uri += sizeof prefix - 1;
	return strndup(uri, strcspn(uri, "&"));
}

void lv_init(const char *cache, int verbose)
{
	static char *outputs;

	/* The embedded driver logs to our stderr (its version banner, a
	 * "tainted" warning for root); keep its warnings in the cache instead,
	 * and on stderr as well only with -v, unless the user chose where they
	 * go.  (A child libvirt forks, such as a security helper, logs its
	 * warnings to stderr whatever is set here: libvirt resets a child's
	 * outputs.  Nothing leanboot asks of libvirt forks one.) */
	if (outputs || getenv("LIBVIRT_LOG_OUTPUTS"))
		return;
	outputs = util_printf("3:file:%s/libvirt.log%s", cache, verbose ? " 3:stderr" : "");
	if (outputs && util_mkdirs(cache) == 0)
		setenv("LIBVIRT_LOG_OUTPUTS", outputs, 0);
}

/* One connection per URI for the life of the process: every open of the
 * embedded driver registers the QEMU driver again, and libvirt 9.0 refuses
 * after a handful ("Too many drivers, cannot register QEMU"), which a
 * benchmark of many launches reaches.  Closing it also costs over a second
 * of driver shutdown that a throwaway launch need not wait for. */
static virConnectPtr lv_cached;
static char *lv_cached_uri;

/* The first embedded root no other leanboot process holds: its lock,
 * CACHE/libvirt.lock or CACHE/libvirt-N.lock, stays held (the descriptor
 * is never closed) until this process exits. */
static int claim_slot(const char *cache)
{
	for (unsigned slot = 0; slot < LV_EMBED_SLOTS; slot++) {
		char *path = slot ? util_printf("%s/libvirt-%u.lock", cache, slot)
				  : util_printf("%s/libvirt.lock", cache);
		int fd = path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;

		free(path);
		if (fd < 0) {
			err_set(LB_EXIT_VM, "%s: %s", cache, strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return (int)slot;
		close(fd);
	}
	err_set(LB_EXIT_VM, "all %d embedded libvirt roots in %s are in use", LV_EMBED_SLOTS, cache);
	return -1;
}

void lv_forget(virConnectPtr conn)
{
	if (conn && conn == lv_cached) {
		virConnectClose(lv_cached);
		lv_cached = NULL;
		free(lv_cached_uri);
		lv_cached_uri = NULL;
	}
}

/* An embedded root serves one process at a time (libvirt locks it), so
 * a leanboot domain found in it on opening is a launch's that was
 * killed.  libvirt reloads it and, in a thread of its own, reconnects:
 * it removes the domain when QEMU is dead (the watchdog killed it), and
 * keeps it when QEMU lives on.  A clone restored under the same name
 * meanwhile would fail ("already being removed", or "already exists")
 * and cost the template, so the reconnect is waited for, and a domain
 * it kept (its monitor answers and no job holds it) is destroyed.  A
 * domain being reconnected is not: libvirt's destroy would signal the
 * pid it recorded before checking that QEMU is still that pid. */
static void settle_root(virConnectPtr c)
{
	double end = util_now() + 10;
	virDomainPtr *defined = NULL;
	int m = virConnectListAllDomains(c, &defined, VIR_CONNECT_LIST_DOMAINS_PERSISTENT |
					 VIR_CONNECT_LIST_DOMAINS_INACTIVE);

	/* A launch killed between defining its domain and starting it
	 * (libvirt.c gives disks by descriptor so) left the definition. */
	for (int i = 0; i < m; i++) {
		const char *name = virDomainGetName(defined[i]);

		if (name && !strncmp(name, "leanboot-", 9))
			virDomainUndefine(defined[i]);
		virDomainFree(defined[i]);
	}
	free(defined);

	for (;;) {
		virDomainPtr *doms = NULL;
		int n = virConnectListAllDomains(c, &doms, VIR_CONNECT_LIST_DOMAINS_TRANSIENT), left = 0;

		for (int i = 0; i < n; i++) {
			const char *name = virDomainGetName(doms[i]);
			virDomainControlInfo ci;

			if (name && !strncmp(name, "leanboot-", 9)) {
				left++;
				if (virDomainGetControlInfo(doms[i], &ci, 0) == 0 &&
				    ci.state == VIR_DOMAIN_CONTROL_OK)
					virDomainDestroy(doms[i]);
			}
			virDomainFree(doms[i]);
		}
		free(doms);
		if (left == 0 || util_now() >= end)
			return;
		usleep(20000);
	}
}

/* Open URI, or reuse this process's connection to it. */
static virConnectPtr open_cached(const char *uri)
{
	virConnectPtr c;
	char *root;

	if (lv_cached && !strcmp(lv_cached_uri, uri)) {
		virConnectRef(lv_cached);
		return lv_cached;
	}
	c = virConnectOpen(uri);
	if (c && (root = embed_root(uri))) {
		settle_root(c);
		free(root);
	}
	if (c && !lv_cached && (lv_cached_uri = strdup(uri))) {
		lv_cached = c;
		virConnectRef(c);   /* the cache's own reference, never dropped */
	}
	return c;
}

virConnectPtr lv_open(const char *uri, const char *cache, int verbose)
{
	virConnectPtr c = NULL;

	static int loop_registered;

	lv_init(cache, verbose);
	virSetErrorFunc(NULL, lv_quiet);
	/* The embedded driver refuses to open without an event loop; launches
	 * also need it for lifecycle events.  Registered once per process. */
	if (!loop_registered) {
		if (virEventRegisterDefaultImpl() < 0) {
			err_set(LB_EXIT_VM, "cannot start libvirt's event loop: %s", lv_error());
			return NULL;
		}
		loop_registered = 1;
	}
	if (!uri || !*uri)
		uri = getenv("LEANBOOT_CONNECT");
	if (uri && *uri) {
		char *root = embed_root(uri);

		if (root && prepare_root(root, 0) < 0) {
			free(root);
			return NULL;
		}
		free(root);
		if (!(c = open_cached(uri)))
			err_set(LB_EXIT_USAGE, "cannot connect to %s: %s", uri, lv_error());
		return c;
	}
	/* An embedded driver's root serves one process at a time (libvirt
	 * locks ROOT/run/qemu/driver.pid), and a process whose open failed
	 * on that lock cannot open another root.  So concurrent launches
	 * first claim a root of a small pool with a lock of our own, held
	 * until the process ends, and open only the one they hold. */
	{
		static int slot = -1;
		char *def;

		if (slot < 0 && (slot = claim_slot(cache)) < 0)
			return NULL;
		if (!(def = lv_default_uri(cache, (unsigned)slot)))
			return NULL;
		if (!(c = open_cached(def)))
			err_set(LB_EXIT_USAGE, "cannot connect to %s: %s", def, lv_error());
		free(def);
	}
	return c;
}

/* A name no user domain has: leanboot-expand-PID-RANDOM. */
static void fresh_name(char *buf, size_t len)
{
	unsigned r = 0;

	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
		r = (unsigned)getpid() * 2654435761u;
	snprintf(buf, len, "leanboot-expand-%d-%08x", (int)getpid(), r);
}

char *lv_expand(virConnectPtr conn, const char *xml)
{
	char name[64], *renamed = NULL, *out = NULL;
	virDomainPtr dom;

	fresh_name(name, sizeof name);
	renamed = xmlsafe_rename_domain(xml, name);
	if (!renamed)
		return NULL;
	dom = virDomainDefineXMLFlags(conn, renamed, VIR_DOMAIN_DEFINE_VALIDATE);
	if (!dom) {
		err_set(LB_EXIT_USAGE, "libvirt refused the domain: %s", lv_error());
		goto out;
	}
	out = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	if (!out)
		err_set(LB_EXIT_VM, "cannot read back the domain: %s", lv_error());
	if (virDomainUndefine(dom) < 0 && out) {
		err_set(LB_EXIT_VM, "cannot undefine %s: %s", name, lv_error());
		free(out);
		out = NULL;
	}
	virDomainFree(dom);
out:
	free(renamed);
	return out;
}

int lv_has_dac(virConnectPtr conn)
{
	char *caps = virConnectGetCapabilities(conn);
	xmlDocPtr doc = caps ? xmlsafe_parse(caps, strlen(caps), "capabilities", "libvirt's capabilities")
			     : NULL;
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr o = ctx ? xmlXPathEvalExpression(
		BAD_CAST "count(/capabilities/host/secmodel[model='dac'])", ctx) : NULL;
	int r = o && o->type == XPATH_NUMBER && o->floatval > 0;

	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(caps);
	return r;
}

int lv_kept_qemu_args(virDomainPtr dom, char *const *args, size_t n)
{
	char *xml = virDomainGetXMLDesc(dom, 0);
	xmlDocPtr doc = xml ? xmlsafe_parse(xml, strlen(xml), "domain", "the domain's XML") : NULL;
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr o = NULL;
	int r = -1;

	if (ctx && xmlXPathRegisterNs(ctx, BAD_CAST "q", BAD_CAST LV_QEMU_NS) == 0)
		o = xmlXPathEvalExpression(BAD_CAST "/domain/q:commandline/q:arg/@value", ctx);
	if (o && o->type == XPATH_NODESET) {
		size_t have = o->nodesetval ? (size_t)o->nodesetval->nodeNr : 0;

		/* domxml writes exactly ARGS there, so they must come back as
		 * they went. */
		r = have == n;
		for (size_t i = 0; r && i < n; i++) {
			xmlChar *v = xmlNodeGetContent(o->nodesetval->nodeTab[i]);

			r = v && !strcmp((const char *)v, args[i]);
			xmlFree(v);
		}
	}
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(xml);
	return r;
}

char *lv_qemu_pidfile(virConnectPtr conn, const char *name, int *embedded)
{
	char *uri = virConnectGetURI(conn), *root = embed_root(uri), *path = NULL;

	/* libvirt 9.0 keeps it at ROOT/run/qemu/NAME.pid in an embedded
	 * root, and the system daemon at /run/libvirt/qemu/NAME.pid, which
	 * only root can read. */
	if (root)
		path = util_printf("%s/run/qemu/%s.pid", root, name);
	else if (uri && !strcmp(uri, "qemu:///system"))
		path = util_printf("/run/libvirt/qemu/%s.pid", name);
	if (embedded)
		*embedded = root != NULL;
	free(uri);
	free(root);
	return path;
}

pid_t lv_read_pidfile(const char *path)
{
	long pid = 0;
	FILE *f = path ? fopen(path, "re") : NULL;

	if (f) {
		if (fscanf(f, "%ld", &pid) != 1 || pid <= 1 || pid > INT32_MAX)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}
