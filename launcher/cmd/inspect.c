/* leanboot inspect: what is on disk images, found by the appliance's
 * inspector (appliance/inspect.c) with every disk attached read-only.
 * The host decides each image's format and checks its backing chain
 * (disk.c); the guest's records are read strictly (inspect-report.c) and
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

/* --- text ------------------------------------------------------------ */

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static int jnum(struct json_object *o, const char *key, long long *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	*out = (long long)json_object_get_int64(v);
	return 1;
}

static void human(long long b, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)b;
	int u = 0;

	while (v >= 1024 && u < 6)
		v /= 1024, u++;
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/* "key value" pairs that are present, on one line; KEYS ends with
 * INSPECT_NKEYS. */
static void text_fields(struct json_object *o, const enum inspect_key *keys, const char *indent)
{
	int first = 1;

	for (; *keys != INSPECT_NKEYS; keys++) {
		const char *key = inspect_vocab[*keys].json;
		struct json_object *v;
		long long n;
		char h[32];

		if (!json_object_object_get_ex(o, key, &v))
			continue;
		printf("%s%s", first ? indent : ", ", key);
		if (json_object_is_type(v, json_type_int) && jnum(o, key, &n) &&
		    (strstr(key, "size") || !strcmp(key, "used") || !strcmp(key, "start"))) {
			human(n, h, sizeof h);
			printf(" %s", h);
		} else {
			printf(" %s", json_object_get_string(v));
		}
		first = 0;
	}
	if (!first)
		putchar('\n');
}

/* Each string of the array KEY of O on a line of its own, after WHAT. */
static void text_list(struct json_object *o, const char *key, const char *indent, const char *what)
{
	struct json_object *l;

	if (json_object_object_get_ex(o, key, &l))
		for (size_t k = 0; k < json_object_array_length(l); k++)
			printf("%s%s%s\n", indent, what, json_object_get_string(json_object_array_get_idx(l, k)));
}

static void text_fs(struct json_object *parent, const char *indent)
{
	static const enum inspect_key keys[] = { IK_FS_TYPE, IK_FS_VERSION, IK_FS_UUID, IK_FS_LABEL, IK_FS_SIZE,
						 IK_FS_USED, INSPECT_NKEYS };
	struct json_object *fs, *subs;
	const char *m;
	char in[16];

	if (!json_object_object_get_ex(parent, INSPECT_JSON_FS, &fs))
		return;
	printf("%s  filesystem:\n", indent);
	snprintf(in, sizeof in, "%s    ", indent);
	text_fields(fs, keys, in);
	if ((m = jstr(fs, IJ(FS, MOUNT))) && strcmp(m, "ok"))
		printf("%s%s\n", in, m);
	if ((m = jstr(fs, IJ(FS, OPENED))))
		printf("%sencrypted, opened read-only as %s\n", in, m);
	else if (json_object_object_get_ex(fs, IJ(FS, ENCRYPTED), NULL))
		printf("%sencrypted, not opened\n", in);
	if ((m = jstr(fs, IJ(FS, MEMBER_OF))))
		printf("%sa member of %s, assembled read-only\n", in, m);
	if (json_object_object_get_ex(fs, IJ(FS, SUBVOLUME), &subs))
		for (size_t k = 0; k < json_object_array_length(subs); k++) {
			struct json_object *e = json_object_array_get_idx(subs, k);

			printf("%ssubvolume %s: %s\n", in, jstr(e, "id"), jstr(e, "path"));
		}
	text_list(fs, IJ(FS, NOTE), in, "note: ");
}

/* "application NAME [EPOCH:]VERSION[-RELEASE] ARCH", as rpm -q and
 * dpkg -l show them; Windows' by their display names. */
static void text_app(struct json_object *a)
{
	const char *name = jstr(a, inspect_app_names[INSPECT_APP_DISPLAY_NAME]), *epoch, *rel, *arch;

	if (!name)
		name = jstr(a, inspect_app_names[INSPECT_APP_NAME]);
	printf("  application %s", name);
	if (jstr(a, inspect_app_names[INSPECT_APP_VERSION])) {
		epoch = jstr(a, inspect_app_names[INSPECT_APP_EPOCH]);
		rel = jstr(a, inspect_app_names[INSPECT_APP_RELEASE]);
		printf(" %s%s%s%s%s", epoch ? epoch : "", epoch ? ":" : "", jstr(a, inspect_app_names[INSPECT_APP_VERSION]),
		       rel ? "-" : "", rel ? rel : "");
	}
	if ((arch = jstr(a, inspect_app_names[INSPECT_APP_ARCH])))
		printf(" %s", arch);
	putchar('\n');
}

static void text_print(struct json_object *report)
{
	static const enum inspect_key disk_keys[] = { IK_DISK_FORMAT, IK_DISK_SIZE, IK_DISK_FILE_SIZE,
						      IK_DISK_PARTITION_TABLE, IK_DISK_PARTITIONS_OMITTED,
						      INSPECT_NKEYS };
	static const enum inspect_key part_keys[] = { IK_PART_START, IK_PART_SIZE, IK_PART_TYPE, IK_PART_NAME,
						      IK_PART_UUID, INSPECT_NKEYS };
	static const enum inspect_key os_keys[] = { IK_OS_DISTRO, IK_OS_VERSION_ID, IK_OS_PRODUCT_NAME,
						    IK_OS_OSINFO, IK_OS_HOSTNAME, IK_OS_ARCH, IK_OS_PACKAGE_FORMAT,
						    IK_OS_PACKAGE_MANAGEMENT, IK_OS_PACKAGES, INSPECT_NKEYS };
	static const enum inspect_key lv_keys[] = { IK_LV_SIZE, IK_LV_INACTIVE, INSPECT_NKEYS };
	static const struct { const char *list, *what; } vols[] = {
		{ INSPECT_JSON_LVS, "logical volume" }, { INSPECT_JSON_LUKS, "LUKS volume" },
		{ INSPECT_JSON_MDS, "md array" },
	};
	struct json_object *disks = json_object_object_get(report, INSPECT_JSON_DISKS), *oss, *lvs;

	for (size_t i = 0; i < json_object_array_length(disks); i++) {
		struct json_object *d = json_object_array_get_idx(disks, i), *parts, *chain;

		printf("disk %zu: %s\n", i, jstr(d, IJ(DISK, PATH)));
		text_fields(d, disk_keys, "  ");
		if (json_object_object_get_ex(d, IJ(DISK, BACKING_CHAIN), &chain))
			for (size_t k = 0; k < json_object_array_length(chain); k++)
				printf("  backing file: %s\n", json_object_get_string(json_object_array_get_idx(chain, k)));
		text_fs(d, "");
		if (!json_object_object_get_ex(d, INSPECT_JSON_PARTS, &parts))
			continue;
		for (size_t k = 0; k < json_object_array_length(parts); k++) {
			struct json_object *p = json_object_array_get_idx(parts, k);

			printf("  partition %s:\n", jstr(p, "number"));
			text_fields(p, part_keys, "    ");
			text_fs(p, "  ");
		}
	}
	for (size_t t = 0; t < sizeof vols / sizeof vols[0]; t++) {
		if (!json_object_object_get_ex(report, vols[t].list, &lvs))
			continue;
		for (size_t i = 0; i < json_object_array_length(lvs); i++) {
			struct json_object *v = json_object_array_get_idx(lvs, i);

			printf("%s %s:\n", vols[t].what, jstr(v, "name"));
			text_fields(v, lv_keys, "  ");
			text_fs(v, "");
		}
	}
	if (!json_object_object_get_ex(report, INSPECT_JSON_OSES, &oss))
		return;
	for (size_t i = 0; i < json_object_array_length(oss); i++) {
		struct json_object *s = json_object_array_get_idx(oss, i), *l;
		long long part = 0;

		jnum(s, "partition", &part);
		if (jstr(s, "logical_volume"))
			printf("os on logical volume %s:\n", jstr(s, "logical_volume"));
		else if (jstr(s, "luks_volume"))
			printf("os on LUKS volume %s:\n", jstr(s, "luks_volume"));
		else if (jstr(s, "md_array"))
			printf("os on md array %s:\n", jstr(s, "md_array"));
		else if (part)
			printf("os on disk %s partition %lld:\n", jstr(s, "disk"), part);
		else
			printf("os on disk %s:\n", jstr(s, "disk"));
		if (jstr(s, IJ(OS, SUBVOLUME)))
			printf("  in btrfs subvolume %s (%s)\n", jstr(s, IJ(OS, SUBVOLUME)), jstr(s, "subvolume_id"));
		text_fields(s, os_keys, "  ");
		if (jstr(s, IJ(OS, USR)))
			printf("  /usr on %s\n", jstr(s, IJ(OS, USR)));
		text_list(s, IJ(OS, KERNEL), "  ", "kernel ");
		if (json_object_object_get_ex(s, IJ(OS, MOUNTPOINT), &l))
			for (size_t k = 0; k < json_object_array_length(l); k++) {
				struct json_object *e = json_object_array_get_idx(l, k);

				printf("  mountpoint %s: %s\n", jstr(e, "mountpoint"), jstr(e, "filesystem"));
			}
		if (json_object_object_get_ex(s, IJ(OS, DRIVE), &l))
			for (size_t k = 0; k < json_object_array_length(l); k++) {
				struct json_object *e = json_object_array_get_idx(l, k);

				printf("  drive %s: on %s\n", jstr(e, "letter"), jstr(e, "filesystem"));
			}
		if (json_object_object_get_ex(s, IJ(OS, FSTAB), &l))
			for (size_t k = 0; k < json_object_array_length(l); k++) {
				struct json_object *e = json_object_array_get_idx(l, k);

				printf("  fstab %s %s %s %s\n", jstr(e, "spec"), jstr(e, "mountpoint"),
				       jstr(e, "type"), jstr(e, "options"));
			}
		if (json_object_object_get_ex(s, IJ(OS, APPLICATION), &l))
			for (size_t k = 0; k < json_object_array_length(l); k++)
				text_app(json_object_array_get_idx(l, k));
		text_list(s, IJ(OS, NOTE), "  ", "note: ");
	}
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
		text_print(report);
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
