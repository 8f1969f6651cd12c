/* inspect-report: see inspect-report.h. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "inspect-report.h"
#include "text.h"
#include "util.h"

enum inspect_kind { INSPECT_DISK, INSPECT_PART, INSPECT_LV, INSPECT_FS, INSPECT_OS };
enum inspect_type {
	INSPECT_U64,    /* a decimal number */
	INSPECT_FLAG,   /* "1": true */
	INSPECT_STR,    /* one string */
	INSPECT_LIST,   /* a string, repeatable: added to an array */
	INSPECT_FSTAB,  /* four strings, repeatable: an fstab entry */
	INSPECT_SUBVOL, /* a number and a string, repeatable: a btrfs subvolume */
	INSPECT_DRIVE,  /* a letter and an ID, repeatable: a Windows drive */
};

/* Every record the inspector may send, and where it goes. */
static const struct inspect_key {
	enum inspect_kind kind;
	const char *key;      /* as the inspector sends it */
	const char *json;     /* the report's key (docs/leanboot.1) */
	enum inspect_type type;
} inspect_keys[] = {
	{ INSPECT_DISK, "size", "size", INSPECT_U64 },
	{ INSPECT_DISK, "partition_table", "partition_table", INSPECT_STR },
	{ INSPECT_DISK, "partitions_omitted", "partitions_omitted", INSPECT_U64 },
	{ INSPECT_PART, "start", "start", INSPECT_U64 },
	{ INSPECT_PART, "size", "size", INSPECT_U64 },
	{ INSPECT_PART, "type", "type", INSPECT_STR },
	{ INSPECT_PART, "name", "name", INSPECT_STR },
	{ INSPECT_PART, "uuid", "uuid", INSPECT_STR },
	{ INSPECT_LV, "size", "size", INSPECT_U64 },
	{ INSPECT_LV, "inactive", "inactive", INSPECT_FLAG },
	{ INSPECT_FS, "type", "type", INSPECT_STR },
	{ INSPECT_FS, "usage", "usage", INSPECT_STR },
	{ INSPECT_FS, "uuid", "uuid", INSPECT_STR },
	{ INSPECT_FS, "label", "label", INSPECT_STR },
	{ INSPECT_FS, "version", "version", INSPECT_STR },
	{ INSPECT_FS, "encrypted", "encrypted", INSPECT_FLAG },
	{ INSPECT_FS, "mount", "mount", INSPECT_STR },
	{ INSPECT_FS, "size", "size", INSPECT_U64 },
	{ INSPECT_FS, "used", "used", INSPECT_U64 },
	{ INSPECT_FS, "note", "notes", INSPECT_LIST },
	{ INSPECT_FS, "subvolume", "subvolumes", INSPECT_SUBVOL },
	{ INSPECT_OS, "root", NULL, INSPECT_STR },
	{ INSPECT_OS, "id", "distro", INSPECT_STR },
	{ INSPECT_OS, "version_id", "version", INSPECT_STR },
	{ INSPECT_OS, "name", "name", INSPECT_STR },
	{ INSPECT_OS, "pretty_name", "pretty_name", INSPECT_STR },
	{ INSPECT_OS, "codename", "codename", INSPECT_STR },
	{ INSPECT_OS, "id_like", "id_like", INSPECT_STR },
	{ INSPECT_OS, "hostname", "hostname", INSPECT_STR },
	{ INSPECT_OS, "arch", "arch", INSPECT_STR },
	{ INSPECT_OS, "package_format", "package_format", INSPECT_STR },
	{ INSPECT_OS, "packages", "packages", INSPECT_U64 },
	{ INSPECT_OS, "kernel", "kernels", INSPECT_LIST },
	{ INSPECT_OS, "fstab", "fstab", INSPECT_FSTAB },
	{ INSPECT_OS, "type", "type", INSPECT_STR },
	{ INSPECT_OS, "subvolume", "subvolume", INSPECT_STR },
	{ INSPECT_OS, "usr", "usr_filesystem", INSPECT_STR },
	{ INSPECT_OS, "major_version", "major_version", INSPECT_U64 },
	{ INSPECT_OS, "minor_version", "minor_version", INSPECT_U64 },
	{ INSPECT_OS, "build_id", "build_id", INSPECT_STR },
	{ INSPECT_OS, "variant_id", "variant_id", INSPECT_STR },
	{ INSPECT_OS, "product_name", "product_name", INSPECT_STR },
	{ INSPECT_OS, "product_variant", "product_variant", INSPECT_STR },
	{ INSPECT_OS, "edition", "edition", INSPECT_STR },
	{ INSPECT_OS, "package_database", "package_database", INSPECT_STR },
	{ INSPECT_OS, "applications", "applications", INSPECT_U64 },
	{ INSPECT_OS, "windows_systemroot", "windows_systemroot", INSPECT_STR },
	{ INSPECT_OS, "windows_current_control_set", "windows_current_control_set", INSPECT_STR },
	{ INSPECT_OS, "drive", "drive_mappings", INSPECT_DRIVE },
	{ INSPECT_OS, "note", "notes", INSPECT_LIST },
};

static const char *const inspect_kinds[] = {
	[INSPECT_DISK] = "disk", [INSPECT_PART] = "part", [INSPECT_LV] = "lv", [INSPECT_FS] = "fs",
	[INSPECT_OS] = "os",
};
static const char *const fstab_keys[] = { "spec", "mountpoint", "type", "options" };

/* --- strings -------------------------------------------------------- */

struct json_object *inspect_string(const char *s)
{
	size_t n = strlen(s);
	char *buf = malloc(4 * n + 1);
	struct json_object *j;

	if (!buf)
		return NULL;
	text_clean((const unsigned char *)s, n, buf);
	j = json_object_new_string(buf);
	free(buf);
	return j;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode the inspector's \xHH escapes in place; -1 on a bad escape or a
 * value over WIRE_VALUE_MAX. */
static int inspect_unescape(char *s)
{
	size_t o = 0;

	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '\\') {
			int hi, lo;

			/* hexval('\0') is -1, so a cut escape stops here. */
			if (s[i + 1] != 'x' || (hi = hexval(s[i + 2])) < 0 || (lo = hexval(s[i + 3])) < 0)
				return -1;
			s[o++] = (char)(hi << 4 | lo);
			i += 3;
		} else {
			s[o++] = s[i];
		}
		if (o > WIRE_VALUE_MAX)
			return -1;
	}
	s[o] = '\0';
	return 0;
}

/* --- records -------------------------------------------------------- */

/* N (a disk), N.P (its partition P) or VG/LV (a logical volume), and
 * for an OS, #S after it: the btrfs subvolume whose ID is S. */
struct inspect_id {
	long disk, part;      /* part 0: the whole disk */
	char lv[256];         /* "": not a logical volume */
	long subvol;          /* 0: not a subvolume */
};

static int inspect_parse_id(const char *id_s, size_t ndisks, struct inspect_id *id)
{
	const char *slash, *hash = strchr(id_s, '#');
	char buf[32], s[256];
	char *dot;

	id->lv[0] = '\0';
	id->disk = id->part = -1;
	id->subvol = 0;
	if (strlen(id_s) >= sizeof s)
		return -1;
	snprintf(s, sizeof s, "%s", id_s);
	/* btrfs's subvolume IDs: 5 is the top level, others above 255. */
	if (hash) {
		s[hash - id_s] = '\0';
		if (util_parse_long(hash + 1, 5, LONG_MAX, &id->subvol) < 0)
			return -1;
	}
	slash = strchr(s, '/');
	if (slash) {
		if (!wire_lvm_name_ok(s, (size_t)(slash - s)) || !wire_lvm_name_ok(slash + 1, strlen(slash + 1)))
			return -1;
		snprintf(id->lv, sizeof id->lv, "%s", s);
		return 0;
	}
	if (strlen(s) >= sizeof buf)
		return -1;
	strcpy(buf, s);
	dot = strchr(buf, '.');
	id->part = 0;
	if (dot) {
		*dot = '\0';
		if (util_parse_long(dot + 1, 1, 65535, &id->part) < 0)
			return -1;
	}
	return util_parse_long(buf, 0, (long)ndisks - 1, &id->disk);
}

/* The array KEY of OBJ, made if it is not there. */
static struct json_object *inspect_array(struct json_object *obj, const char *key)
{
	struct json_object *a;

	if (json_object_object_get_ex(obj, key, &a))
		return a;
	a = json_object_new_array();
	json_object_object_add(obj, key, a);
	return a;
}

static struct json_object *inspect_object(struct json_object *obj, const char *key)
{
	struct json_object *o;

	if (json_object_object_get_ex(obj, key, &o) && json_object_is_type(o, json_type_object))
		return o;
	o = json_object_new_object();
	json_object_object_add(obj, key, o);
	return o;
}

static long inspect_int(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(obj, key, &v) ? (long)json_object_get_int64(v) : -1;
}

/* The object of array LIST in PARENT whose KEY equals ID, added (up to MAX
 * of them) in the order first seen.  Takes ID. */
static struct json_object *inspect_entry(struct json_object *parent, const char *list, const char *key,
				    struct json_object *id, size_t max)
{
	struct json_object *arr = inspect_array(parent, list), *e;
	size_t n = json_object_array_length(arr);

	for (size_t i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		if (json_object_equal(json_object_object_get(e, key), id)) {
			json_object_put(id);
			return e;
		}
	}
	if (n >= max) {
		json_object_put(id);
		return NULL;
	}
	e = json_object_new_object();
	json_object_object_add(e, key, id);
	json_object_array_add(arr, e);
	return e;
}

static struct json_object *inspect_partition(struct json_object *disk, long part)
{
	return inspect_entry(disk, "partitions", "number", json_object_new_int64(part), INSPECT_MAX_PARTS);
}

static struct json_object *inspect_lv(struct json_object *report, const char *name)
{
	return inspect_entry(report, "logical_volumes", "name", json_object_new_string(name), WIRE_MAX_LVS);
}

static const char *inspect_str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(obj, key, &v) ? json_object_get_string(v) : "";
}

/* The OS whose root is at ID. */
static struct json_object *inspect_os(struct json_object *report, const struct inspect_id *id)
{
	struct json_object *oss = inspect_array(report, "operating_systems"), *o;
	size_t n = json_object_array_length(oss);

	for (size_t i = 0; i < n; i++) {
		o = json_object_array_get_idx(oss, i);
		if ((id->lv[0] ? !strcmp(inspect_str(o, "logical_volume"), id->lv)
			       : inspect_int(o, "disk") == id->disk && inspect_int(o, "partition") == id->part) &&
		    inspect_int(o, "subvolume_id") == (id->subvol ? id->subvol : -1))
			return o;
	}
	if (n >= INSPECT_MAX_OS)
		return NULL;
	o = json_object_new_object();
	if (id->lv[0]) {
		json_object_object_add(o, "logical_volume", json_object_new_string(id->lv));
	} else {
		json_object_object_add(o, "disk", json_object_new_int64(id->disk));
		json_object_object_add(o, "partition", json_object_new_int64(id->part));
	}
	if (id->subvol)
		json_object_object_add(o, "subvolume_id", json_object_new_int64(id->subvol));
	json_object_array_add(oss, o);
	return o;
}

static const struct inspect_key *inspect_find(const char *kind, const char *key)
{
	for (size_t i = 0; i < sizeof inspect_keys / sizeof inspect_keys[0]; i++)
		if (!strcmp(inspect_kinds[inspect_keys[i].kind], kind) && !strcmp(inspect_keys[i].key, key))
			return &inspect_keys[i];
	return NULL;
}

/* A subvolume (its ID, then its path) or a drive (its letter, then the
 * ID of the filesystem it names), added to K's list in TARGET. */
static const char *inspect_pair(const struct inspect_key *k, char **f, struct json_object *target)
{
	struct json_object *a = inspect_array(target, k->json), *e;

	if (json_object_array_length(a) >= INSPECT_MAX_LIST)
		return "a list over its limit";
	e = json_object_new_object();
	if (k->type == INSPECT_SUBVOL) {
		long v;

		if (util_parse_long(f[3], 5, LONG_MAX, &v) < 0) {
			json_object_put(e);
			return "a subvolume ID that is not one";
		}
		json_object_object_add(e, "id", json_object_new_int64(v));
		json_object_object_add(e, "path", inspect_string(f[4]));
	} else {
		if (strlen(f[3]) != 1 || f[3][0] < 'A' || f[3][0] > 'Z') {
			json_object_put(e);
			return "a drive letter that is not one";
		}
		json_object_object_add(e, "letter", json_object_new_string(f[3]));
		json_object_object_add(e, "filesystem", inspect_string(f[4]));
	}
	json_object_array_add(a, e);
	return NULL;
}

/* One record, split at its tabs into F[0..NF-1]. */
static const char *inspect_record(char **f, int nf, struct json_object *report)
{
	struct json_object *disks, *target;
	const struct inspect_key *k;
	struct inspect_id id;

	if (nf < 4)
		return "a record has fewer than four fields";
	if (!(k = inspect_find(f[0], f[2])))
		return "an unknown kind or key";
	if (nf != (k->type == INSPECT_FSTAB ? 7 : k->type == INSPECT_SUBVOL || k->type == INSPECT_DRIVE ? 5 : 4))
		return "the wrong number of values";
	disks = json_object_object_get(report, "disks");
	if (inspect_parse_id(f[1], json_object_array_length(disks), &id) < 0)
		return "an ID that names no attached disk";
	if ((k->kind == INSPECT_DISK && (id.part || id.lv[0])) ||
	    (k->kind == INSPECT_PART && (!id.part || id.lv[0])) ||
	    (k->kind == INSPECT_LV && !id.lv[0]) ||
	    (k->kind != INSPECT_OS && id.subvol))
		return "an ID of the wrong form for its kind";
	for (int i = 3; i < nf; i++)
		if (inspect_unescape(f[i]) < 0)
			return "a bad escape or an over-long value";

	target = id.lv[0] ? NULL : json_object_array_get_idx(disks, (size_t)id.disk);
	switch (k->kind) {
	case INSPECT_DISK:
		break;
	case INSPECT_PART:
		target = inspect_partition(target, id.part);
		break;
	case INSPECT_LV:
		target = inspect_lv(report, id.lv);
		break;
	case INSPECT_FS:
		if (id.lv[0])
			target = inspect_lv(report, id.lv);
		else if (id.part)
			target = inspect_partition(target, id.part);
		if (target)
			target = inspect_object(target, "filesystem");
		break;
	case INSPECT_OS:
		target = inspect_os(report, &id);
		break;
	}
	if (!target)
		return "more partitions, volumes or systems than a report may hold";
	if (!k->json)
		return NULL;

	switch (k->type) {
	case INSPECT_U64: {
		char *end;
		unsigned long long v;

		if (!*f[3] || strspn(f[3], "0123456789") != strlen(f[3]) || strlen(f[3]) > 19)
			return "a number that is not one";
		v = strtoull(f[3], &end, 10);
		if (v > INT64_MAX)
			return "a number out of range";
		if (json_object_object_get_ex(target, k->json, NULL))
			return "a value given twice";
		json_object_object_add(target, k->json, json_object_new_int64((int64_t)v));
		return NULL;
	}
	case INSPECT_FLAG:
		if (strcmp(f[3], "1"))
			return "a flag that is not 1";
		if (json_object_object_get_ex(target, k->json, NULL))
			return "a value given twice";
		json_object_object_add(target, k->json, json_object_new_boolean(1));
		return NULL;
	case INSPECT_STR:
		if (json_object_object_get_ex(target, k->json, NULL))
			return "a value given twice";
		json_object_object_add(target, k->json, inspect_string(f[3]));
		return NULL;
	case INSPECT_LIST: {
		struct json_object *a = inspect_array(target, k->json);

		if (json_object_array_length(a) >= INSPECT_MAX_LIST)
			return "a list over its limit";
		json_object_array_add(a, inspect_string(f[3]));
		return NULL;
	}
	case INSPECT_FSTAB: {
		struct json_object *a = inspect_array(target, k->json), *e;

		if (json_object_array_length(a) >= INSPECT_MAX_LIST)
			return "a list over its limit";
		e = json_object_new_object();
		for (int i = 0; i < 4; i++)
			json_object_object_add(e, fstab_keys[i], inspect_string(f[3 + i]));
		json_object_array_add(a, e);
		return NULL;
	}
	case INSPECT_SUBVOL:
	case INSPECT_DRIVE:
		return inspect_pair(k, f, target);
	}
	return NULL;
}

int inspect_read(const char *text, size_t len, struct json_object *report)
{
	char *buf, *line, *next;
	unsigned lineno = 0;

	if (len > INSPECT_MAX_REPORT) {
		err_set(LB_EXIT_VM, "the inspector's report is over %u bytes", INSPECT_MAX_REPORT);
		return -1;
	}
	if (memchr(text, '\0', len)) {
		err_set(LB_EXIT_VM, "the inspector's report holds a NUL byte");
		return -1;
	}
	if (len && text[len - 1] != '\n') {
		err_set(LB_EXIT_VM, "the inspector's report ends in the middle of a line");
		return -1;
	}
	buf = malloc(len + 1);
	if (!buf) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	for (line = buf; *line; line = next) {
		char *f[8];
		int nf = 0;
		const char *why;

		next = strchr(line, '\n');
		*next++ = '\0';
		lineno++;
		for (char *s = line; s && nf < 8; ) {
			f[nf++] = s;
			s = strchr(s, '\t');
			if (s)
				*s++ = '\0';
		}
		why = nf == 8 ? "too many fields" : inspect_record(f, nf, report);
		if (why) {
			err_set(LB_EXIT_VM, "the inspector's report, line %u: %s", lineno, why);
			free(buf);
			return -1;
		}
	}
	free(buf);
	return 0;
}
