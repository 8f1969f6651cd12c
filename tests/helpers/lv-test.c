/* lv-test: lv_kept_qemu_args against two real libvirt drivers, as TAP.
 * The test driver has no QEMU namespace and drops <qemu:commandline>
 * without a word, which is what a host that cannot take --clock icount
 * does; an embedded QEMU driver in a scratch root keeps it.  Both only
 * define the domain: no QEMU runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "backend/lv.h"
#include "tap.h"

static void quiet(void *data, virErrorPtr e)
{
	(void)data;
	(void)e;
}

/* Define a domain of TYPE carrying -icount in QEMU's namespace on URI. */
static virDomainPtr define(virConnectPtr *conn, const char *uri, const char *type)
{
	char xml[1024];

	snprintf(xml, sizeof xml,
		 "<domain type='%s' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
		 "<name>lv-test</name><memory unit='MiB'>64</memory><os><type>hvm</type></os>"
		 "<qemu:commandline><qemu:arg value='-icount'/><qemu:arg value='shift=0,sleep=off'/>"
		 "</qemu:commandline></domain>", type);
	*conn = virConnectOpen(uri);
	return *conn ? virDomainDefineXML(*conn, xml) : NULL;
}

int main(int argc, char **argv)
{
	char *icount[] = { "-icount", "shift=0,sleep=off" }, *other[] = { "-icount", "shift=7" };
	virConnectPtr conn;
	virDomainPtr dom;
	char uri[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: lv-test SCRATCH-DIR\n");
		return 2;
	}
	virSetErrorFunc(NULL, quiet);
	/* The embedded driver will not open without an event loop. */
	if (virEventRegisterDefaultImpl() < 0)
		return 2;
	tap_plan(4);
	dom = define(&conn, "test:///default", "test");
	tap_ok(dom && lv_kept_qemu_args(dom, icount, 2) == 0, "the test driver drops the namespace: seen as dropped");
	if (dom)
		virDomainFree(dom);
	if (conn)
		virConnectClose(conn);

	snprintf(uri, sizeof uri, "qemu:///embed?root=%s", argv[1]);
	dom = define(&conn, uri, "qemu");
	tap_ok(dom != NULL, "the embedded QEMU driver defines the domain");
	if (!dom)
		tap_diag("%s", virGetLastErrorMessage());
	tap_ok(dom && lv_kept_qemu_args(dom, icount, 2) == 1, "the QEMU driver keeps the namespace: seen as kept");
	tap_ok(dom && lv_kept_qemu_args(dom, other, 2) == 0, "other arguments than the plan's: seen as dropped");
	if (dom) {
		virDomainUndefine(dom);
		virDomainFree(dom);
	}
	if (conn)
		virConnectClose(conn);
	return tap_status();
}
