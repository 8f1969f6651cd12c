/* lv: see lv.h.
 *
 * The embedded driver (qemu:///embed) runs libvirt's QEMU driver inside
 * this process.  As root, libvirt 9.0 resolves the libvirt-qemu user and
 * group before reading its config (make deps creates them), and without
 * stdio_handler = "file" it wants virtlogd; so leanboot writes the
 * root's qemu.conf itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "err.h"
#include "lv.h"
#include "util.h"
#include "xmlsafe.h"

/* QEMU runs as the user who runs leanboot, so there is nothing to relabel:
 * without the security drivers libvirt also stops forking helpers that
 * remember file owners in xattrs (and warn on our stderr about them). */
static const char qemu_conf[] =
	"# Written by leanboot for its embedded libvirt root.\n"
	"user = \"root\"\n"
	"group = \"root\"\n"
	"stdio_handler = \"file\"\n"
	"security_driver = \"none\"\n"
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
	f = fopen(path, "we");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

char *lv_default_uri(const char *cache)
{
	char *root = util_printf("%s/libvirt", cache);
	/* The embedded driver reads ROOT/etc/qemu.conf.  Without it the
	 * capability probe runs as libvirt-qemu, which cannot open /dev/kvm,
	 * and every open throws the cached capabilities away and re-probes
	 * QEMU for tens of seconds. */
	char *etc = root ? util_printf("%s/etc", root) : NULL;
	char *conf = etc ? util_printf("%s/qemu.conf", etc) : NULL;
	char *uri = NULL;

	if (!conf)
		goto out;
	if (util_mkdirs(etc) < 0 || write_if_changed(conf, qemu_conf) < 0)
		goto out;
	uri = util_printf("qemu:///embed?root=%s", root);
out:
	free(root);
	free(etc);
	free(conf);
	return uri;
}

void lv_init(const char *cache)
{
	static char *outputs;

	/* The embedded driver logs to our stderr (its version banner, a
	 * "tainted" warning for root); keep its warnings in the cache instead,
	 * unless the user chose where they go. */
	if (outputs || getenv("LIBVIRT_LOG_OUTPUTS"))
		return;
	outputs = util_printf("3:file:%s/libvirt.log", cache);
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

virConnectPtr lv_open(const char *uri, const char *cache)
{
	char *def = NULL;
	virConnectPtr c;

	static int loop_registered;

	lv_init(cache);
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
	if (!uri || !*uri) {
		def = lv_default_uri(cache);
		if (!def)
			return NULL;
		uri = def;
	}
	if (lv_cached && !strcmp(lv_cached_uri, uri)) {
		virConnectRef(lv_cached);
		free(def);
		return lv_cached;
	}
	c = virConnectOpen(uri);
	if (!c) {
		err_set(LB_EXIT_USAGE, "cannot connect to %s: %s", uri, lv_error());
	} else if (!lv_cached && (lv_cached_uri = strdup(uri))) {
		lv_cached = c;
		virConnectRef(c);   /* the cache's own reference, never dropped */
	}
	free(def);
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
	renamed = xs_rename_domain(xml, name);
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

pid_t lv_embed_qemu_pid(virConnectPtr conn, const char *name)
{
	static const char prefix[] = "qemu:///embed?root=";
	char *uri = virConnectGetURI(conn), *path = NULL;
	long pid = 0;
	FILE *f;

	if (!uri || strncmp(uri, prefix, sizeof prefix - 1))
		goto out;
	/* libvirt 9.0 keeps it at ROOT/run/qemu/NAME.pid. */
	path = util_printf("%s/run/qemu/%s.pid", uri + sizeof prefix - 1, name);
	if (path && (f = fopen(path, "re"))) {
		if (fscanf(f, "%ld", &pid) != 1 || pid <= 1 || pid > INT32_MAX)
			pid = 0;
		fclose(f);
	}
out:
	free(uri);
	free(path);
	return (pid_t)pid;
}
