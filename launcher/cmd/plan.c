/* cmd/plan: the one resolver from a command's options to a plan input.
 * Options fill a plan_input (cmd_plan_opt); cmd_resolve() then makes
 * every decision about this host that the input leaves open, once: the
 * appliance's paths, firmware, kernel image, initrd for the shape, the
 * TSC rate, the accelerator, where the VM runs (plan/conn.h), each
 * disk's format and absolute name, and the run directory's template.  plan_make() is a pure function of the
 * result, so `leanboot xml` prints what a launch runs, bar the run
 * directory's random part. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan/accel.h"
#include "plan/conn.h"
#include "cmd/cmd.h"
#include "plan/disk.h"
#include "common/err.h"
#include "plan/kernel.h"
#include "backend/backend.h"
#include "common/strv.h"
#include "plan/machine.h"
#include "plan/topology.h"
#include "common/util.h"

/* *FIELD = a copy of S that IN owns. */
static int own(struct plan_input *in, const char **field, const char *s)
{
	if (strv_add(&in->own, s) < 0)
		return -1;
	*field = in->own.v[in->own.n - 1];
	return 0;
}

int cmd_plan_opt(int c, char *arg, struct plan_input *in, int allow_rw)
{
	long v;

	switch (c) {
	case OPT_TOPOLOGY:
		in->topology = arg;
		return 0;
	case OPT_ARCH:
		return cmd_choice(&in->arch, arch_names, "--arch", arg);
	case OPT_MACHINE:
		return cmd_choice(&in->machine, machine_names, "--machine", arg);
	case OPT_FIRMWARE:
		return cmd_choice(&in->firmware, plan_firmware_names, "--firmware", arg);
	case OPT_KERNEL_FORMAT:
		return cmd_choice(&in->kernel_format, kern_format_names, "--kernel-format", arg);
	case OPT_APPEND:
		/* The kernel splits its command line at white space and takes
		 * quotes; a newline or control character would let an argument
		 * hide others. */
		for (const char *q = arg; *q; q++)
			if ((unsigned char)*q < 0x20 || *q == 0x7f)
				return err_usage_fail("--append: control characters are not allowed");
		in->append = *arg ? arg : NULL;
		return 0;
	case OPT_TB_CACHE:
		if (util_parse_long(arg, 0, 4096, &v) < 0)
			return err_usage_fail("--tb-cache: '%s' is not a size in MiB from 0 to 4096", arg);
		in->tb_cache_mib = (int)v;
		return 0;
	case OPT_SHAPE:
		return cmd_choice(&in->shape, plan_shape_names, "--shape", arg);
	case OPT_CLOCK:
		return cmd_choice(&in->clock, plan_clock_names, "--clock", arg);
	case OPT_TUNING:
		return cmd_choice(&in->tuning, names_on_off, "--tuning", arg);
	case OPT_CHANNEL:
		return cmd_choice(&in->channel, names_on_off, "--channel", arg);
	case OPT_MEMORY:
		if (util_parse_long(arg, 64, 16384, &v) < 0)
			return err_usage_fail("--memory: '%s' is not a size in MiB from 64 to 16384", arg);
		in->memory_mib = (unsigned)v;
		return 0;
	case OPT_DISK: {
		size_t len = strlen(arg);
		int rw = 0;

		if (in->ndisks >= PLAN_MAX_DISKS)
			return err_usage_fail("--disk: at most %d disks", PLAN_MAX_DISKS);
		if (allow_rw && len > 3 && !strcmp(arg + len - 3, ":rw")) {
			arg[len - 3] = '\0';
			rw = 1;
		}
		if (!*arg)
			return err_usage_fail("--disk: empty file name");
		in->disks[in->ndisks].path = arg;
		in->disks[in->ndisks].format = -1;
		in->disks[in->ndisks++].rw = rw;
		return 0;
	}
	}
	return -2;
}

/* The firmware, when none was asked for: qboot where the arch has it and
 * QEMU ships it, else SeaBIOS with one notice; on an arch without qboot,
 * the machine's own. */
static void cmd_default_firmware(struct plan_input *in)
{
	int arch = in->arch >= 0 ? in->arch : machine_host_arch();

	if (in->firmware >= 0)
		return;
	/* An arch none of whose machines boots qboot: the machine's own. */
	if (arch < 0 || !(machine_arch_firmwares((enum plan_arch)arch) & MACHINE_BIT(PLAN_FW_QBOOT))) {
		if (in->topo)
			in->firmware = (int)machine_of(plan_input_machine(in))->firmware;
		return;
	}
	if (access(PLAN_QBOOT_ROM, R_OK) == 0) {
		in->firmware = PLAN_FW_QBOOT;
		return;
	}
	in->firmware = PLAN_FW_SEABIOS;
	if (!cmd_global.quiet)
		fprintf(stderr, "leanboot: notice: %s is missing; booting through SeaBIOS\n",
			PLAN_QBOOT_ROM);
}

/* --kernel-format into the kernel image: PVH where the host kernel has
 * it, else the bzImage with one notice.  PREPARE (for a boot): extract
 * the vmlinux now and check it. */
static int pick_kernel(struct plan_input *in, struct appl *a, int prepare)
{
	const char *why;
	int got;

	if (in->kernel)
		return 0;
	/* An Image (arm64's) is booted as it is: nothing to pick. */
	if (machine_of(plan_input_machine(in))->kernel_formats & MACHINE_BIT(KERN_IMAGE)) {
		if (in->kernel_format < 0)
			in->kernel_format = KERN_IMAGE;
		return own(in, &in->kernel, a->kernel);
	}
	if (appl_boot_kernel(a, in->kernel_format, prepare, &got, &why) < 0)
		return -1;
	if (why && !cmd_global.quiet)
		fprintf(stderr, "leanboot: notice: %s; booting the bzImage\n", why);
	in->kernel_format = got;
	return own(in, &in->kernel, a->boot_kernel);
}

/* --accel into the plan's accelerator, probing KVM for auto, with a
 * notice on fallback when the probe runs (once per cache) or with -v. */
static int resolve_accel(struct appl *a, enum plan_accel *accel)
{
	const char *why;
	int fresh;

	if (appl_find_host_kernel(a) < 0 ||
	    acc_resolve((enum acc_mode)cmd_global.accel, a->cache, a->host_kernel, accel, &why, &fresh) < 0)
		return -1;
	/* Once per cache, when the probe runs: a script of a thousand
	 * launches gets one notice, and -v repeats it. */
	if (why && !cmd_global.quiet && (fresh || cmd_global.verbose))
		fprintf(stderr, "leanboot: notice: %s; using TCG\n", why);
	return 0;
}

/* Each disk probed once, and named absolutely: libvirt and QEMU do not
 * run in our directory (the embedded driver's QEMU is a daemon in /).
 * Backing names stay relative to the image's own directory, as QEMU
 * takes them.  A disk the caller probed already (inspect follows its
 * chain) keeps its format. */
static int resolve_disks(struct plan_input *in)
{
	int remote = in->conn == PLAN_CONN_REMOTE;

	for (size_t i = 0; i < in->ndisks; i++) {
		struct plan_disk_in *d = &in->disks[i];
		char *abs;
		int r;

		/* A disk on the remote host is the backend's to find there
		 * (pool.h); a host: path is raw unless a volume says better. */
		if (disk_is_remote(d->path)) {
			if (!remote) {
				err_set(LB_EXIT_USAGE, "%s: vol: and host: name disks on a remote host; "
					"give --connect with a remote URI", d->path);
				return -1;
			}
			if (d->format < 0)
				d->format = DISK_RAW;
			d->is_block = !strncmp(d->path, DISK_HOST_PREFIX "/dev/",
					       strlen(DISK_HOST_PREFIX "/dev/"));
			d->probed = 1;
			continue;
		}
		if (remote && !cmd_global.upload) {
			err_set(LB_EXIT_USAGE, "%s is a local file and the connection is to another host: "
				"give --upload to copy it there for the launch, or name a disk there with "
				"vol:POOL/NAME or host:PATH", d->path);
			return -1;
		}
		if (remote && d->rw) {
			err_set(LB_EXIT_USAGE, "%s:rw: --upload copies the disk, so a write would reach "
				"only the copy", d->path);
			return -1;
		}
		/* The backing chain too, for a direct QEMU that gets every link
		 * as a descriptor.  A caller's probe (inspect's) has refused a
		 * detected qcow2 with a backing file already, so a qcow2 it
		 * passes is followed as one. */
		if (!d->probed || d->format == DISK_QCOW2) {
			struct disk_info info;
			struct strv chain = { 0 };

			if (disk_probe(d->path, d->probed ? DISK_QCOW2 : d->format, &info, &chain) < 0) {
				strv_free(&chain);
				return -1;
			}
			d->format = (int)info.format;
			d->is_block = info.is_block;
			d->probed = 1;
			for (size_t k = 0; k < chain.n && k < DISK_MAX_CHAIN; k++) {
				if (own(in, &d->chain[k], chain.v[k]) < 0) {
					strv_free(&chain);
					return -1;
				}
				d->chain_fmt[k] = info.chain_fmt[k];
				d->nchain = k + 1;
			}
			strv_free(&chain);
		}
		if (!(abs = realpath(d->path, NULL))) {
			err_set(LB_EXIT_USAGE, "%s: %s", d->path, strerror(errno));
			return -1;
		}
		r = own(in, &d->path, abs);
		free(abs);
		if (r < 0)
			return -1;
	}
	return 0;
}

int cmd_resolve(struct plan_input *in, struct appl *a, int boot)
{
	return cmd_resolve_on(in, a, boot, cmd_global.backend, cmd_global.connect);
}

/* --arch, --machine and the topology into one arch, and choices it
 * has.  Without --arch: the named machine's; else the host's, unless the
 * topology has no machine of the host's (mmio: aarch64's), then its
 * machines'.  Errors name what the arch does have. */
static int resolve_arch(struct plan_input *in)
{
	char have[256];
	unsigned set;
	int host = machine_host_arch();

	if (in->arch < 0 && in->machine >= 0)
		in->arch = (int)machine_of((enum plan_machine)in->machine)->arch;
	else if (in->arch < 0 && host >= 0 && !(in->topo->machines & machine_arch_set((enum plan_arch)host)))
		in->arch = (int)machine_of(machine_first(in->topo->machines))->arch;
	else if (in->arch < 0)
		in->arch = host;
	if (in->arch < 0) {
		err_set(LB_EXIT_USAGE, "leanboot has no machine for this host's architecture: give --arch");
		return -1;
	}
	set = machine_arch_set((enum plan_arch)in->arch);
	have[0] = '\0';
	for (const struct names *n = machine_names; n->name; n++)
		if (set & MACHINE_BIT(n->value))
			snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s", have[0] ? ", " : "",
				 n->name);
	if (in->machine >= 0 && !(set & MACHINE_BIT(in->machine))) {
		err_set(LB_EXIT_USAGE, "--machine %s is not an %s machine (%s has: %s)",
			machine_name((enum plan_machine)in->machine), machine_arch_name((enum plan_arch)in->arch),
			machine_arch_name((enum plan_arch)in->arch), have);
		return -1;
	}
	if (!(in->topo->machines & set)) {
		err_set(LB_EXIT_USAGE, "topology %s has no %s machine (%s has: %s)", in->topo->name,
			machine_arch_name((enum plan_arch)in->arch), machine_arch_name((enum plan_arch)in->arch),
			have);
		return -1;
	}
	if (in->firmware >= 0 &&
	    !(machine_arch_firmwares((enum plan_arch)in->arch) & MACHINE_BIT(in->firmware))) {
		err_set(LB_EXIT_USAGE, "--firmware %s: no %s machine boots it",
			plan_firmware_name((enum plan_firmware)in->firmware),
			machine_arch_name((enum plan_arch)in->arch));
		return -1;
	}
	return 0;
}

int cmd_resolve_on(struct plan_input *in, struct appl *a, int boot, int backend, const char *connect)
{
	const char *tmp = getenv("TMPDIR");
	char rundir[4200];
	int needs_root;

	if (!(in->topo = topo_find(in->topology ? in->topology : "minimal", &in->topo_arg)) ||
	    resolve_arch(in) < 0 || appl_locate(a) < 0 || appl_set_arch(a, in->arch) < 0)
		return -1;
	cmd_default_firmware(in);
	if (pick_kernel(in, a, boot) < 0)
		return -1;
	if (in->shape < 0)
		in->shape = PLAN_SHAPE_DEFAULT;
	if (own(in, &in->initrd, appl_shape_initrd(a, in->shape, &needs_root)) < 0)
		return -1;
	in->root = NULL;
	if (needs_root && own(in, &in->root, a->root) < 0)
		return -1;
	in->tsc_khz = util_host_tsc_khz();
	/* The instruction-count clock is TCG's, and KVM runs the host's
	 * arch only: either takes TCG, and no probe.  Only a boot probes
	 * KVM; what is printed says what was asked. */
	if (in->clock == PLAN_CLOCK_ICOUNT || a->foreign) {
		if (cmd_global.accel == ACC_KVM && a->foreign) {
			err_set(LB_EXIT_USAGE, "--accel kvm runs %s guests only; an %s guest needs TCG",
				machine_arch_name((enum plan_arch)machine_host_arch()),
				machine_arch_name((enum plan_arch)in->arch));
			return -1;
		}
		if (cmd_global.accel == ACC_KVM) {
			err_set(LB_EXIT_USAGE, "--clock icount counts TCG's instructions; "
				"with --accel kvm there are none to count");
			return -1;
		}
		in->accel = PLAN_ACCEL_TCG;
	} else if (boot) {
		if (resolve_accel(a, &in->accel) < 0)
			return -1;
	} else {
		in->accel = cmd_global.accel == ACC_KVM ? PLAN_ACCEL_KVM : PLAN_ACCEL_TCG;
	}
	/* Decided here once: the launch, the backend and bench read it. */
	in->conn = backend == BACKEND_DIRECT ? PLAN_CONN_LOCAL : plan_conn_of(connect);
	if (resolve_disks(in) < 0)
		return -1;
	/* mkdtemp's template: the launch makes it, xml shows it as it is. */
	snprintf(rundir, sizeof rundir, "%.4000s/leanboot-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return own(in, &in->rundir, rundir);
}

void cmd_resolve_free(struct plan_input *in)
{
	strv_free(&in->own);
}
