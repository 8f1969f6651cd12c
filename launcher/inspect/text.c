/* inspect text: the report `leanboot inspect` prints without --json, a
 * line or a few per disk, partition, volume and system, read from the
 * same JSON document --json prints (report.h). */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "inspect/text.h"
#include "inspect-vocab.h"

static const char *text_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static int text_num(struct json_object *o, const char *key, long long *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	*out = (long long)json_object_get_int64(v);
	return 1;
}

static void text_human(long long b, char *buf, size_t len)
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
		if (inspect_vocab[*keys].print == INSPECT_PRINT_BYTES && json_object_is_type(v, json_type_int) &&
		    text_num(o, key, &n)) {
			text_human(n, h, sizeof h);
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
	if ((m = text_str(fs, IJ(FS, MOUNT))) && strcmp(m, "ok"))
		printf("%s%s\n", in, m);
	if ((m = text_str(fs, IJ(FS, OPENED))))
		printf("%sencrypted, opened read-only as %s\n", in, m);
	else if (json_object_object_get_ex(fs, IJ(FS, ENCRYPTED), NULL))
		printf("%sencrypted, not opened\n", in);
	if ((m = text_str(fs, IJ(FS, MEMBER_OF))))
		printf("%sa member of %s, assembled read-only\n", in, m);
	if (json_object_object_get_ex(fs, IJ(FS, SUBVOLUME), &subs))
		for (size_t k = 0; k < json_object_array_length(subs); k++) {
			struct json_object *e = json_object_array_get_idx(subs, k);

			printf("%ssubvolume %s: %s\n", in, text_str(e, INSPECT_JSON_SUBVOL_ID),
			       text_str(e, INSPECT_JSON_SUBVOL_PATH));
		}
	text_list(fs, IJ(FS, NOTE), in, "note: ");
}

/* "application NAME [EPOCH:]VERSION[-RELEASE] ARCH", as rpm -q and
 * dpkg -l show them; Windows' by their display names. */
static void text_app(struct json_object *a)
{
	const char *name = text_str(a, inspect_app_names[INSPECT_APP_DISPLAY_NAME]), *epoch, *rel, *arch;

	if (!name)
		name = text_str(a, inspect_app_names[INSPECT_APP_NAME]);
	printf("  application %s", name);
	if (text_str(a, inspect_app_names[INSPECT_APP_VERSION])) {
		epoch = text_str(a, inspect_app_names[INSPECT_APP_EPOCH]);
		rel = text_str(a, inspect_app_names[INSPECT_APP_RELEASE]);
		printf(" %s%s%s%s%s", epoch ? epoch : "", epoch ? ":" : "", text_str(a, inspect_app_names[INSPECT_APP_VERSION]),
		       rel ? "-" : "", rel ? rel : "");
	}
	if ((arch = text_str(a, inspect_app_names[INSPECT_APP_ARCH])))
		printf(" %s", arch);
	putchar('\n');
}

void inspect_text_print(struct json_object *report)
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

		printf("disk %zu: %s\n", i, text_str(d, IJ(DISK, PATH)));
		text_fields(d, disk_keys, "  ");
		if (json_object_object_get_ex(d, IJ(DISK, BACKING_CHAIN), &chain))
			for (size_t k = 0; k < json_object_array_length(chain); k++)
				printf("  backing file: %s\n", json_object_get_string(json_object_array_get_idx(chain, k)));
		text_fs(d, "");
		if (!json_object_object_get_ex(d, INSPECT_JSON_PARTS, &parts))
			continue;
		for (size_t k = 0; k < json_object_array_length(parts); k++) {
			struct json_object *p = json_object_array_get_idx(parts, k);

			printf("  partition %s:\n", text_str(p, INSPECT_JSON_PART_NUMBER));
			text_fields(p, part_keys, "    ");
			text_fs(p, "  ");
		}
	}
	for (size_t t = 0; t < sizeof vols / sizeof vols[0]; t++) {
		if (!json_object_object_get_ex(report, vols[t].list, &lvs))
			continue;
		for (size_t i = 0; i < json_object_array_length(lvs); i++) {
			struct json_object *v = json_object_array_get_idx(lvs, i);

			printf("%s %s:\n", vols[t].what, text_str(v, INSPECT_JSON_VOL_NAME));
			text_fields(v, lv_keys, "  ");
			text_fs(v, "");
		}
	}
	if (!json_object_object_get_ex(report, INSPECT_JSON_OSES, &oss))
		return;
	for (size_t i = 0; i < json_object_array_length(oss); i++) {
		struct json_object *s = json_object_array_get_idx(oss, i), *l;
		long long part = 0;

		text_num(s, INSPECT_JSON_OS_PART, &part);
		if (text_str(s, INSPECT_JSON_OS_LV))
			printf("os on logical volume %s:\n", text_str(s, INSPECT_JSON_OS_LV));
		else if (text_str(s, INSPECT_JSON_OS_LUKS))
			printf("os on LUKS volume %s:\n", text_str(s, INSPECT_JSON_OS_LUKS));
		else if (text_str(s, INSPECT_JSON_OS_MD))
			printf("os on md array %s:\n", text_str(s, INSPECT_JSON_OS_MD));
		else if (part)
			printf("os on disk %s partition %lld:\n", text_str(s, INSPECT_JSON_OS_DISK), part);
		else
			printf("os on disk %s:\n", text_str(s, INSPECT_JSON_OS_DISK));
		if (text_str(s, IJ(OS, SUBVOLUME)))
			printf("  in btrfs subvolume %s (%s)\n", text_str(s, IJ(OS, SUBVOLUME)),
			       text_str(s, INSPECT_JSON_OS_SUBVOL_ID));
		text_fields(s, os_keys, "  ");
		if (text_str(s, IJ(OS, USR)))
			printf("  /usr on %s\n", text_str(s, IJ(OS, USR)));
		text_list(s, IJ(OS, KERNEL), "  ", "kernel ");
		if (json_object_object_get_ex(s, IJ(OS, MOUNTPOINT), &l))
			for (size_t k = 0; k < json_object_array_length(l); k++) {
				struct json_object *e = json_object_array_get_idx(l, k);

				printf("  mountpoint %s: %s\n", text_str(e, INSPECT_JSON_MOUNTPOINT),
				       text_str(e, INSPECT_JSON_FS_ID));
			}
		if (json_object_object_get_ex(s, IJ(OS, DRIVE), &l))
			for (size_t k = 0; k < json_object_array_length(l); k++) {
				struct json_object *e = json_object_array_get_idx(l, k);

				printf("  drive %s: on %s\n", text_str(e, INSPECT_JSON_DRIVE_LETTER),
				       text_str(e, INSPECT_JSON_FS_ID));
			}
		if (json_object_object_get_ex(s, IJ(OS, FSTAB), &l))
			for (size_t k = 0; k < json_object_array_length(l); k++) {
				struct json_object *e = json_object_array_get_idx(l, k);

				/* Its values in the order of the line in fstab. */
				printf("  fstab");
				for (int f = 0; f < INSPECT_FSTAB_NFIELDS; f++)
					printf(" %s", text_str(e, inspect_fstab_names[f]));
				putchar('\n');
			}
		if (json_object_object_get_ex(s, IJ(OS, APPLICATION), &l))
			for (size_t k = 0; k < json_object_array_length(l); k++)
				text_app(json_object_array_get_idx(l, k));
		text_list(s, IJ(OS, NOTE), "  ", "note: ");
	}
}
