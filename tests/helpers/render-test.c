/* render-test: everything the backends are given for one topology, from
 * plans made without a host: for a cold launch, a template and a clone
 * (one raw block device read-only, one qcow2 file writable), the domain
 * XML and the qemu argv, and for the clone each disk's hot-add, as
 * libvirt's <disk> (with and without the DAC relabel) and as the QMP
 * arguments of the direct backend.  Compared with tests/golden/render-*.
 *
 * Usage: render-test [TOPOLOGY [MACHINE [kvm]]]: MACHINE's own firmware
 * and kernel format (virt: none, image), under TCG unless kvm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/direct-attach.h"
#include "backend/domxml.h"
#include "backend/qemuargv.h"
#include "common/err.h"
#include "plan/machine.h"
#include "plan/plan.h"
#include "plan/topology.h"

static const char *const rt_starts[] = { "cold", "template", "clone" };

static void rt_fail(const char *what)
{
	fprintf(stderr, "render-test: %s: %s\n", what, err_msg());
	exit(1);
}

static void rt_plan(const struct plan_input *in, const char *start)
{
	struct plan p;
	struct strv av = { 0 };
	char *xml;

	if (plan_make(in, &p) < 0)
		rt_fail(start);
	if (!(xml = domxml_render(&p, NULL)))
		rt_fail("domxml_render");
	printf("== %s: xml\n%s", start, xml);
	free(xml);
	if (qemuargv_render(&p, &av) < 0)
		rt_fail("qemuargv_render");
	printf("== %s: argv\n", start);
	for (size_t i = 0; i < av.n; i++)
		puts(av.v[i]);
	strv_free(&av);
	plan_free(&p);
}

/* What a clone is given after its restore, disk by disk: the hot-added
 * disks of the clone's plan IN makes. */
static void rt_attach(const struct plan_input *in)
{
	struct plan p;

	if (plan_make(in, &p) < 0)
		rt_fail("plan_make");
	for (size_t i = 0; i < p.nhot; i++) {
		json_object *node, *dev;

		for (int norelabel = 0; norelabel <= 1; norelabel++) {
			char *xml = domxml_render_hot(&p, i, norelabel, 0);

			if (!xml)
				rt_fail("domxml_render_hot");
			printf("== clone: lun %zu xml%s\n%s", i, norelabel ? ", norelabel" : "", xml);
			free(xml);
		}
		if (direct_attach_args(&p, i, &node, &dev) < 0)
			rt_fail("direct_attach_args");
		printf("== clone: lun %zu qmp\nblockdev-add %s\n", i,
		       json_object_to_json_string_ext(node, JSON_C_TO_STRING_PLAIN));
		printf("device_add %s\n", json_object_to_json_string_ext(dev, JSON_C_TO_STRING_PLAIN));
		json_object_put(node);
		json_object_put(dev);
	}
	plan_free(&p);
}

int main(int argc, char **argv)
{
	struct plan_input in = PLAN_INPUT_INIT, clone = PLAN_INPUT_INIT;

	in.topology = argc > 1 ? argv[1] : "minimal";
	if (!(in.topo = topo_find(in.topology, &in.topo_arg)))
		rt_fail(in.topology);
	/* As the resolver leaves them, with paths that are nobody's. */
	in.firmware = PLAN_FW_QBOOT;
	in.kernel_format = 0;
	if (argc > 2) {
		in.machine = names_parse(machine_names, argv[2]);
		if (in.machine < 0)
			rt_fail(argv[2]);
		in.firmware = (int)machine_of((enum plan_machine)in.machine)->firmware;
		in.kernel_format = __builtin_ctz(machine_of((enum plan_machine)in.machine)->kernel_formats);
	}
	in.shape = PLAN_SHAPE_EXT2;
	in.kernel = "/appliance/kernel";
	in.initrd = "/appliance/initrd";
	in.root = "/appliance/root";
	in.accel = argc > 3 && !strcmp(argv[3], "kvm") ? PLAN_ACCEL_KVM : PLAN_ACCEL_TCG;
	in.tsc_khz = 2000000;
	in.disks[0] = (struct plan_disk_in){ .path = "/dev/disk-raw", .format = DISK_RAW,
					     .is_block = 1, .probed = 1 };
	in.disks[1] = (struct plan_disk_in){ .path = "/disks/data.qcow2", .rw = 1,
					     .format = DISK_QCOW2, .probed = 1 };
	in.ndisks = 2;

	for (int s = PLAN_START_COLD; s <= PLAN_START_CLONE; s++) {
		struct plan_input sin = in;

		sin.start = (enum plan_start)s;
		sin.rundir = s == PLAN_START_TEMPLATE ? "/cache/template/leanboot-built" :
			     "/tmp/leanboot-run";
		/* A template is made without the user's disks, and its RAM
		 * file goes into it (launch/warm.c, launch/one.c); a clone
		 * maps the template's and has its disks hot-added. */
		if (s == PLAN_START_TEMPLATE)
			sin.template_dir = sin.rundir;
		if (s == PLAN_START_CLONE)
			sin.template_dir = "/cache/template/key";
		if (s == PLAN_START_TEMPLATE)
			sin.ndisks = 0;
		if (s == PLAN_START_CLONE) {
			sin.uuid = "01234567-89ab-cdef-0123-456789abcdef";
			sin.name = "leanboot-warm-0123456789ab";
			clone = sin;
		}
		rt_plan(&sin, rt_starts[s]);
	}
	rt_attach(&clone);
	return 0;
}
