/* inspect-report: see inspect-report.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "inspect-report.h"
#include "text.h"
#include "util.h"

enum ir_kind { IR_DISK, IR_PART, IR_LV, IR_FS, IR_OS };
enum ir_type {
	IR_U64,      /* a decimal number */
	IR_FLAG,     /* "1": true */
	IR_STR,      /* one string */
	IR_LIST,     /* a string, repeatable: added to an array */
	IR_FSTAB,    /* four strings, repeatable: an fstab entry */
};

/* Every record the inspector may send, and where it goes. */
static const struct ir_key {
	enum ir_kind kind;
	const char *key;      /* as the inspector sends it */
	const char *json;     /* the report's key (docs/leanboot.1) */
	enum ir_type type;
} ir_keys[] = {
	{ IR_DISK, "size", "size", IR_U64 },
	{ IR_DISK, "partition_table", "partition_table", IR_STR },
	{ IR_DISK, "partitions_omitted", "partitions_omitted", IR_U64 },
	{ IR_PART, "start", "start", IR_U64 },
	{ IR_PART, "size", "size", IR_U64 },
	{ IR_PART, "type", "type", IR_STR },
	{ IR_PART, "name", "name", IR_STR },
	{ IR_PART, "uuid", "uuid", IR_STR },
	{ IR_LV, "size", "size", IR_U64 },
	{ IR_LV, "inactive", "inactive", IR_FLAG },
	{ IR_FS, "type", "type", IR_STR },
	{ IR_FS, "usage", "usage", IR_STR },
	{ IR_FS, "uuid", "uuid", IR_STR },
	{ IR_FS, "label", "label", IR_STR },
	{ IR_FS, "version", "version", IR_STR },
	{ IR_FS, "encrypted", "encrypted", IR_FLAG },
	{ IR_FS, "mount", "mount", IR_STR },
	{ IR_FS, "size", "size", IR_U64 },
	{ IR_FS, "used", "used", IR_U64 },
	{ IR_OS, "root", NULL, IR_STR },
	{ IR_OS, "id", "distro", IR_STR },
	{ IR_OS, "version_id", "version", IR_STR },
	{ IR_OS, "name", "name", IR_STR },
	{ IR_OS, "pretty_name", "pretty_name", IR_STR },
	{ IR_OS, "codename", "codename", IR_STR },
	{ IR_OS, "id_like", "id_like", IR_STR },
	{ IR_OS, "hostname", "hostname", IR_STR },
	{ IR_OS, "arch", "arch", IR_STR },
	{ IR_OS, "package_format", "package_format", IR_STR },
	{ IR_OS, "packages", "packages", IR_U64 },
	{ IR_OS, "kernel", "kernels", IR_LIST },
	{ IR_OS, "fstab", "fstab", IR_FSTAB },
};

static const char *const ir_kinds[] = {
	[IR_DISK] = "disk", [IR_PART] = "part", [IR_LV] = "lv", [IR_FS] = "fs", [IR_OS] = "os",
};
static const char *const fstab_keys[] = { "spec", "mountpoint", "type", "options" };

/* --- strings -------------------------------------------------------- */

struct json_object *ir_string(const char *s)
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
static int ir_unescape(char *s)
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

/* N (a disk), N.P (its partition P) or VG/LV (a logical volume). */
struct ir_id {
	long disk, part;      /* part 0: the whole disk */
	char lv[256];         /* "": not a logical volume */
};

static int ir_parse_id(const char *s, size_t ndisks, struct ir_id *id)
{
	const char *slash = strchr(s, '/');
	char buf[32];
	char *dot;

	id->lv[0] = '\0';
	id->disk = id->part = -1;
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
static struct json_object *ir_array(struct json_object *obj, const char *key)
{
	struct json_object *a;

	if (json_object_object_get_ex(obj, key, &a))
		return a;
	a = json_object_new_array();
	json_object_object_add(obj, key, a);
	return a;
}

static struct json_object *ir_object(struct json_object *obj, const char *key)
{
	struct json_object *o;

	if (json_object_object_get_ex(obj, key, &o) && json_object_is_type(o, json_type_object))
		return o;
	o = json_object_new_object();
	json_object_object_add(obj, key, o);
	return o;
}

static long ir_int(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(obj, key, &v) ? (long)json_object_get_int64(v) : -1;
}

/* The object of array LIST in PARENT whose KEY equals ID, added (up to MAX
 * of them) in the order first seen.  Takes ID. */
static struct json_object *ir_entry(struct json_object *parent, const char *list, const char *key,
				    struct json_object *id, size_t max)
{
	struct json_object *arr = ir_array(parent, list), *e;
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

static struct json_object *ir_partition(struct json_object *disk, long part)
{
	return ir_entry(disk, "partitions", "number", json_object_new_int64(part), IR_MAX_PARTS);
}

static struct json_object *ir_lv(struct json_object *report, const char *name)
{
	return ir_entry(report, "logical_volumes", "name", json_object_new_string(name), WIRE_MAX_LVS);
}

static const char *ir_str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(obj, key, &v) ? json_object_get_string(v) : "";
}

/* The OS whose root is at ID. */
static struct json_object *ir_os(struct json_object *report, const struct ir_id *id)
{
	struct json_object *oss = ir_array(report, "operating_systems"), *o;
	size_t n = json_object_array_length(oss);

	for (size_t i = 0; i < n; i++) {
		o = json_object_array_get_idx(oss, i);
		if (id->lv[0] ? !strcmp(ir_str(o, "logical_volume"), id->lv)
			      : ir_int(o, "disk") == id->disk && ir_int(o, "partition") == id->part)
			return o;
	}
	if (n >= IR_MAX_OS)
		return NULL;
	o = json_object_new_object();
	if (id->lv[0]) {
		json_object_object_add(o, "logical_volume", json_object_new_string(id->lv));
	} else {
		json_object_object_add(o, "disk", json_object_new_int64(id->disk));
		json_object_object_add(o, "partition", json_object_new_int64(id->part));
	}
	json_object_array_add(oss, o);
	return o;
}

static const struct ir_key *ir_find(const char *kind, const char *key)
{
	for (size_t i = 0; i < sizeof ir_keys / sizeof ir_keys[0]; i++)
		if (!strcmp(ir_kinds[ir_keys[i].kind], kind) && !strcmp(ir_keys[i].key, key))
			return &ir_keys[i];
	return NULL;
}

/* One record, split at its tabs into F[0..NF-1]. */
static const char *ir_record(char **f, int nf, struct json_object *report)
{
	struct json_object *disks, *target;
	const struct ir_key *k;
	struct ir_id id;

	if (nf < 4)
		return "a record has fewer than four fields";
	if (!(k = ir_find(f[0], f[2])))
		return "an unknown kind or key";
	if (nf != (k->type == IR_FSTAB ? 7 : 4))
		return "the wrong number of values";
	disks = json_object_object_get(report, "disks");
	if (ir_parse_id(f[1], json_object_array_length(disks), &id) < 0)
		return "an ID that names no attached disk";
	if ((k->kind == IR_DISK && (id.part || id.lv[0])) || (k->kind == IR_PART && (!id.part || id.lv[0])) ||
	    (k->kind == IR_LV && !id.lv[0]))
		return "an ID of the wrong form for its kind";
	for (int i = 3; i < nf; i++)
		if (ir_unescape(f[i]) < 0)
			return "a bad escape or an over-long value";

	target = id.lv[0] ? NULL : json_object_array_get_idx(disks, (size_t)id.disk);
	switch (k->kind) {
	case IR_DISK:
		break;
	case IR_PART:
		target = ir_partition(target, id.part);
		break;
	case IR_LV:
		target = ir_lv(report, id.lv);
		break;
	case IR_FS:
		if (id.lv[0])
			target = ir_lv(report, id.lv);
		else if (id.part)
			target = ir_partition(target, id.part);
		if (target)
			target = ir_object(target, "filesystem");
		break;
	case IR_OS:
		target = ir_os(report, &id);
		break;
	}
	if (!target)
		return "more partitions, volumes or systems than a report may hold";
	if (!k->json)
		return NULL;

	switch (k->type) {
	case IR_U64: {
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
	case IR_FLAG:
		if (strcmp(f[3], "1"))
			return "a flag that is not 1";
		if (json_object_object_get_ex(target, k->json, NULL))
			return "a value given twice";
		json_object_object_add(target, k->json, json_object_new_boolean(1));
		return NULL;
	case IR_STR:
		if (json_object_object_get_ex(target, k->json, NULL))
			return "a value given twice";
		json_object_object_add(target, k->json, ir_string(f[3]));
		return NULL;
	case IR_LIST: {
		struct json_object *a = ir_array(target, k->json);

		if (json_object_array_length(a) >= IR_MAX_LIST)
			return "a list over its limit";
		json_object_array_add(a, ir_string(f[3]));
		return NULL;
	}
	case IR_FSTAB: {
		struct json_object *a = ir_array(target, k->json), *e;

		if (json_object_array_length(a) >= IR_MAX_LIST)
			return "a list over its limit";
		e = json_object_new_object();
		for (int i = 0; i < 4; i++)
			json_object_object_add(e, fstab_keys[i], ir_string(f[3 + i]));
		json_object_array_add(a, e);
		return NULL;
	}
	}
	return NULL;
}

int ir_read(const char *text, size_t len, struct json_object *report)
{
	char *buf, *line, *next;
	unsigned lineno = 0;

	if (len > IR_MAX_REPORT) {
		err_set(LB_EXIT_VM, "the inspector's report is over %u bytes", IR_MAX_REPORT);
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
		why = nf == 8 ? "too many fields" : ir_record(f, nf, report);
		if (why) {
			err_set(LB_EXIT_VM, "the inspector's report, line %u: %s", lineno, why);
			free(buf);
			return -1;
		}
	}
	free(buf);
	return 0;
}
