/* leanboot inspect: what is on disk images, found by the appliance's
 * inspector (appliance/inspect/) with every disk attached read-only.
 * The host decides each image's format and checks its backing chain
 * (disk.c); the guest's records are read strictly (inspect/report.c) and
 * printed as text or as one JSON document. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd/cmd.h"
#include "common/digest.h"
#include "plan/disk.h"
#include "common/err.h"
#include "inspect/derive.h"
#include "inspect/keys.h"
#include "inspect/report.h"
#include "inspect/sbom.h"
#include "inspect/text.h"
#include "launch/launch.h"
#include "common/strv.h"
#include "common/util.h"

struct inspect_opts {
	struct launch_opts lo;
	int json;
	int format;               /* a disk_format, or -1: detect */
	int keys_from_stdin;
	int sbom;                 /* an sbom_format: print those documents, not the report; -1: none */
	struct inspect_keys keys;
};

static int inspect_opt(int c, char *arg, void *ctx)
{
	struct inspect_opts *o = ctx;

	switch (c) {
	case OPT_JSON:
		o->json = 1;
		return 0;
	case OPT_FORMAT:   /* auto is -1: probe each image */
		return cmd_choice(&o->format, disk_format_choices, "--format", arg);
	case OPT_TIMEOUT:
		return cmd_timeout_opt(arg, &o->lo.timeout);
	case OPT_MEMORY:
	case OPT_ARCH:
		return cmd_plan_opt(c, arg, &o->lo.in, 0);
	case OPT_START:
		return cmd_start_opt(arg, &o->lo.start);
	case OPT_KEY:
		return inspect_keys_add(&o->keys, arg);
	case OPT_KEYS_FROM_STDIN:
		o->keys_from_stdin = 1;
		return 0;
	case OPT_SBOM:
		return cmd_choice(&o->sbom, cmd_sbom_names, "--sbom", arg);
	}
	return -2;
}

/* The host's facts about each disk, before any VM sees it. */
static struct json_object *host_disks(struct inspect_opts *o, char **paths, int n)
{
	struct json_object *disks = json_object_new_array();

	for (int i = 0; i < n; i++) {
		struct json_object *d = json_object_new_object(), *chain;
		struct strv backing = { 0 };
		struct disk_info info;

		json_object_array_add(disks, d);
		/* A disk on a remote host is found there, not probed here. */
		if (disk_is_remote(paths[i])) {
			json_object_object_add(d, IJ(DISK, INDEX), json_object_new_int(i));
			json_object_object_add(d, IJ(DISK, PATH), inspect_string(paths[i]));
			o->lo.in.disks[i] = (struct plan_disk_in){ .path = paths[i], .format = o->format };
			continue;
		}
		if (disk_probe(paths[i], o->format, &info, &backing) < 0) {
			strv_free(&backing);
			json_object_put(disks);
			return NULL;
		}
		json_object_object_add(d, IJ(DISK, INDEX), json_object_new_int(i));
		json_object_object_add(d, IJ(DISK, PATH), inspect_string(paths[i]));
		json_object_object_add(d, IJ(DISK, FORMAT), json_object_new_string(disk_format_name(info.format)));
		json_object_object_add(d, IJ(DISK, FILE_SIZE), json_object_new_int64((int64_t)info.size));
		chain = json_object_new_array();
		for (size_t k = 0; k < backing.n; k++)
			json_object_array_add(chain, inspect_string(backing.v[k]));
		json_object_object_add(d, IJ(DISK, BACKING_CHAIN), chain);
		strv_free(&backing);
		/* Probed here, with its chain: the resolver keeps it. */
		o->lo.in.disks[i] = (struct plan_disk_in){ .path = paths[i], .format = (int)info.format,
							   .is_block = info.is_block, .probed = 1 };
	}
	o->lo.in.ndisks = (size_t)n;
	return disks;
}

/* --- the bill of materials ------------------------------------------- */

/* One CycloneDX document per system, one after another: the images'
 * paths and SHA-256 as the system's properties. */
static int print_sboms(struct json_object *report, char **paths, int n)
{
	const char *p[PLAN_MAX_DISKS], *h[PLAN_MAX_DISKS];
	char hex[PLAN_MAX_DISKS][65];
	size_t count = sbom_os_count(report);

	if (!count) {
		err_set(LB_EXIT_SHORT, "no operating system found: no bill of materials to write");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		p[i] = paths[i];
		h[i] = NULL;
		/* A remote host's disk is not read from here. */
		if (!disk_is_remote(paths[i])) {
			if (digest_file_hex(paths[i], hex[i]) < 0)
				return -1;
			h[i] = hex[i];
		}
	}
	for (size_t i = 0; i < count; i++) {
		struct json_object *bom = sbom_cyclonedx(report, i, p, h, (size_t)n);

		if (!bom) {
			err_set(LB_EXIT_VM, "the bill of materials: %s", strerror(errno));
			return -1;
		}
		puts(json_object_to_json_string_ext(bom, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(bom);
	}
	return 0;
}

/* --- the command ---------------------------------------------------- */

/* The first line of the inspector's stderr, at most 200 bytes (err_set
 * makes it safe to print). */
static void first_line(const struct launch_capture *c, char *out, size_t len)
{
	int n = c->buf ? (int)strcspn(c->buf, "\n") : 0;

	snprintf(out, len, "%.*s", n < 200 ? n : 200, c->buf ? c->buf : "");
}


int cmd_inspect(int argc, char **argv)
{
	/* Static: the keys' buffer is large, and there is one inspection. */
	static struct inspect_opts o;
	struct launch_capture out = { .limit = INSPECT_MAX_REPORT }, errs = { .limit = 64 << 10 };
	static char *const job[] = { APPL_INSPECT, NULL };
	struct json_object *report = NULL, *disks;
	int r, ndisks, status = LB_EXIT_VM, keys_fd = -1;
	struct appl a;

	o = (struct inspect_opts){
		.lo = { .in = PLAN_INPUT_INIT, .timeout = 120, .start = LAUNCH_START_AUTO },
		.format = -1,
		.sbom = -1,
	};
	r = cmd_parse(CMD_INSPECT, argc, argv, inspect_opt, &o);
	if (r)
		return r > 0 ? 0 : LB_EXIT_USAGE;
	ndisks = argc - optind;
	if (ndisks < 1)
		return err_usage("inspect: give at least one disk image");
	if (ndisks > PLAN_MAX_DISKS)
		return err_usage("inspect: at most %d disks", PLAN_MAX_DISKS);
	if (o.json && o.sbom >= 0)
		return err_usage("inspect: --json and --sbom: give one");
	if (o.keys_from_stdin && inspect_keys_stdin(&o.keys) < 0)
		return LB_EXIT_USAGE;
	if (!(disks = host_disks(&o, argv + optind, ndisks)))
		return err_report("inspect");
	report = json_object_new_object();
	json_object_object_add(report, INSPECT_JSON_DISKS, disks);
	json_object_object_add(report, INSPECT_JSON_OSES, json_object_new_array());

	o.lo.cmd = job;
	cmd_launch_opts(&o.lo);
	o.lo.capture = &out;
	o.lo.capture_err = &errs;
	o.lo.appl = &a;
	if (cmd_resolve(&o.lo.in, &a, 1) < 0)
		goto fail;
	/* The keys reach the inspector as its stdin, on the channel. */
	if (o.keys.n) {
		if ((keys_fd = inspect_keys_fd(&o.keys)) < 0)
			goto fail;
		o.lo.stream_stdin = 1;
		o.lo.stdin_fd = keys_fd;
	}
	r = launch_run(&o.lo, NULL);
	if (r < 0)
		goto fail;
	if (r > 0) {
		char line[1024];

		first_line(&errs, line, sizeof line);
		err_set(LB_EXIT_VM, "the inspector failed with status %d%s%s", r, line[0] ? ": " : "", line);
		goto fail;
	}
	if (out.overflow) {
		err_set(LB_EXIT_VM, "the inspector's report is over %u bytes", INSPECT_MAX_REPORT);
		goto fail;
	}
	if (inspect_read(out.buf ? out.buf : "", out.len, report) < 0)
		goto fail;
	inspect_derive(report);
	if (o.sbom >= 0) {
		if (print_sboms(report, argv + optind, ndisks) < 0)
			goto fail;
	} else if (o.json)
		puts(json_object_to_json_string_ext(report, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		inspect_text_print(report);
	status = 0;
	goto out;
fail:
	status = err_report("inspect");
out:
	if (keys_fd >= 0)
		close(keys_fd);
	/* No key outlives the command in our memory either. */
	explicit_bzero(&o.keys, sizeof o.keys);
	cmd_resolve_free(&o.lo.in);
	json_object_put(report);
	free(out.buf);
	free(errs.buf);
	return status;
}
