/* inspect/report: see report.h. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "inspect/report.h"
#include "common/text.h"
#include "common/util.h"

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

/* The same for text of several lines (a package's description): each
 * line cleaned, the newlines kept. */
static struct json_object *inspect_text(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *buf = malloc(4 * n + 1);
	struct json_object *j;

	if (!buf)
		return NULL;
	for (;;) {
		size_t line = strcspn(s, "\n");

		text_clean((const unsigned char *)s, line, buf + o);
		o += strlen(buf + o);
		if (!s[line])
			break;
		buf[o++] = '\n';
		s += line + 1;
	}
	buf[o] = '\0';
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

/* N (a disk), N.P (its partition P), VG/LV (a logical volume),
 * luks:NAME (a LUKS volume the inspector opened) or md:NAME (an md
 * array it assembled), and for an OS, #S after it: the btrfs subvolume
 * whose ID is S. */
enum inspect_vol { VOL_NONE, VOL_LV, VOL_LUKS, VOL_MD };

/* Where each kind of volume goes in the report: its list, and the key
 * that names it in an OS. */
static const struct {
	const char *prefix, *list, *os_key;
} inspect_vols[] = {
	[VOL_LV] = { "", INSPECT_JSON_LVS, INSPECT_JSON_OS_LV },
	[VOL_LUKS] = { "luks:", INSPECT_JSON_LUKS, INSPECT_JSON_OS_LUKS },
	[VOL_MD] = { "md:", INSPECT_JSON_MDS, INSPECT_JSON_OS_MD },
};

struct inspect_id {
	long disk, part;      /* part 0: the whole disk */
	enum inspect_vol vol; /* VOL_NONE: a disk or partition */
	char name[256];       /* the volume's name */
	long subvol;          /* 0: not a subvolume */
};

static int inspect_parse_id(const char *id_s, size_t ndisks, struct inspect_id *id)
{
	const char *slash, *hash = strchr(id_s, '#');
	char buf[32], s[256];
	char *dot;

	id->name[0] = '\0';
	id->vol = VOL_NONE;
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
	for (int v = VOL_LUKS; v <= VOL_MD; v++) {
		size_t pl = strlen(inspect_vols[v].prefix);

		if (strncmp(s, inspect_vols[v].prefix, pl))
			continue;
		if (!wire_lvm_name_ok(s + pl, strlen(s + pl)))
			return -1;
		id->vol = (enum inspect_vol)v;
		snprintf(id->name, sizeof id->name, "%s", s + pl);
		return 0;
	}
	slash = strchr(s, '/');
	if (slash) {
		if (!wire_lvm_name_ok(s, (size_t)(slash - s)) || !wire_lvm_name_ok(slash + 1, strlen(slash + 1)))
			return -1;
		id->vol = VOL_LV;
		snprintf(id->name, sizeof id->name, "%s", s);
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
	return inspect_entry(disk, INSPECT_JSON_PARTS, INSPECT_JSON_PART_NUMBER, json_object_new_int64(part),
			     INSPECT_MAX_PARTS);
}

static struct json_object *inspect_vol(struct json_object *report, const struct inspect_id *id)
{
	return inspect_entry(report, inspect_vols[id->vol].list, INSPECT_JSON_VOL_NAME,
			     json_object_new_string(id->name), WIRE_MAX_LVS);
}

static const char *inspect_str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(obj, key, &v) ? json_object_get_string(v) : "";
}

/* The OS whose root is at ID. */
static struct json_object *inspect_os(struct json_object *report, const struct inspect_id *id)
{
	struct json_object *oss = inspect_array(report, INSPECT_JSON_OSES), *o;
	size_t n = json_object_array_length(oss);

	for (size_t i = 0; i < n; i++) {
		o = json_object_array_get_idx(oss, i);
		if ((id->vol ? !strcmp(inspect_str(o, inspect_vols[id->vol].os_key), id->name)
			       : inspect_int(o, INSPECT_JSON_OS_DISK) == id->disk &&
				 inspect_int(o, INSPECT_JSON_OS_PART) == id->part) &&
		    inspect_int(o, INSPECT_JSON_OS_SUBVOL_ID) == (id->subvol ? id->subvol : -1))
			return o;
	}
	if (n >= INSPECT_MAX_OS)
		return NULL;
	o = json_object_new_object();
	if (id->vol) {
		json_object_object_add(o, inspect_vols[id->vol].os_key, json_object_new_string(id->name));
	} else {
		json_object_object_add(o, INSPECT_JSON_OS_DISK, json_object_new_int64(id->disk));
		json_object_object_add(o, INSPECT_JSON_OS_PART, json_object_new_int64(id->part));
	}
	if (id->subvol)
		json_object_object_add(o, INSPECT_JSON_OS_SUBVOL_ID, json_object_new_int64(id->subvol));
	json_object_array_add(oss, o);
	return o;
}

/* The vocabulary's entry for a record of KIND and KEY; derived keys are
 * never sent, so never found. */
static const struct inspect_vocab *inspect_find(const char *kind, const char *key)
{
	for (size_t i = 0; i < INSPECT_NKEYS; i++)
		if (inspect_vocab[i].wire && !strcmp(inspect_kind_names[inspect_vocab[i].kind], kind) &&
		    !strcmp(inspect_vocab[i].wire, key))
			return &inspect_vocab[i];
	return NULL;
}

/* A subvolume (its ID, then its path), a drive (its letter, then the
 * ID of the filesystem it names) or a mountpoint (its path, then that
 * ID), added to K's list in TARGET. */
static const char *inspect_pair(const struct inspect_vocab *k, char **f, struct json_object *target)
{
	struct json_object *a = inspect_array(target, k->json), *e;

	if (json_object_array_length(a) >= INSPECT_MAX_LIST)
		return "a list over its limit";
	e = json_object_new_object();
	switch (k->type) {
	case INSPECT_SUBVOL: {
		long v;

		if (util_parse_long(f[3], 5, LONG_MAX, &v) < 0) {
			json_object_put(e);
			return "a subvolume ID that is not one";
		}
		json_object_object_add(e, INSPECT_JSON_SUBVOL_ID, json_object_new_int64(v));
		json_object_object_add(e, INSPECT_JSON_SUBVOL_PATH, inspect_string(f[4]));
		break;
	}
	case INSPECT_DRIVE:
		if (strlen(f[3]) != 1 || f[3][0] < 'A' || f[3][0] > 'Z') {
			json_object_put(e);
			return "a drive letter that is not one";
		}
		json_object_object_add(e, INSPECT_JSON_DRIVE_LETTER, json_object_new_string(f[3]));
		json_object_object_add(e, INSPECT_JSON_FS_ID, inspect_string(f[4]));
		break;
	default:
		if (f[3][0] != '/') {
			json_object_put(e);
			return "a mountpoint that is not an absolute path";
		}
		json_object_object_add(e, INSPECT_JSON_MOUNTPOINT, inspect_string(f[3]));
		json_object_object_add(e, INSPECT_JSON_FS_ID, inspect_string(f[4]));
		break;
	}
	json_object_array_add(a, e);
	return NULL;
}

/* An application: its name, then the fields inspect-vocab.h lists, empty
 * ones left out; the epoch a number. */
static const char *inspect_app(const struct inspect_vocab *k, char **f, struct json_object *target)
{
	struct json_object *a = inspect_array(target, k->json), *e;

	if (json_object_array_length(a) >= INSPECT_MAX_APPS)
		return "more applications than a report may hold";
	if (!f[3 + INSPECT_APP_NAME][0])
		return "an application with no name";
	e = json_object_new_object();
	for (int i = 0; i < INSPECT_APP_NFIELDS; i++) {
		const char *v = f[3 + i];

		if (!v[0])
			continue;
		if (i == INSPECT_APP_EPOCH) {
			long n;

			if (util_parse_long(v, 0, INT32_MAX, &n) < 0) {
				json_object_put(e);
				return "an epoch that is not a number";
			}
			json_object_object_add(e, inspect_app_names[i], json_object_new_int64(n));
		} else {
			json_object_object_add(e, inspect_app_names[i],
					       i == INSPECT_APP_DESCRIPTION ? inspect_text(v) : inspect_string(v));
		}
	}
	json_object_array_add(a, e);
	return NULL;
}

/* One record, split at its tabs into F[0..NF-1]. */
static const char *inspect_record(char **f, int nf, struct json_object *report)
{
	struct json_object *disks, *target;
	const struct inspect_vocab *k;
	struct inspect_id id;

	if (nf < 4)
		return "a record has fewer than four fields";
	if (!(k = inspect_find(f[0], f[2])))
		return "an unknown kind or key";
	if (nf != 3 + inspect_type_values[k->type])
		return "the wrong number of values";
	disks = json_object_object_get(report, INSPECT_JSON_DISKS);
	if (inspect_parse_id(f[1], json_object_array_length(disks), &id) < 0)
		return "an ID that names no attached disk";
	if ((k->kind == INSPECT_DISK && (id.part || id.vol)) ||
	    (k->kind == INSPECT_PART && (!id.part || id.vol)) ||
	    (k->kind == INSPECT_LV && id.vol != VOL_LV) ||
	    (k->kind != INSPECT_OS && id.subvol))
		return "an ID of the wrong form for its kind";
	for (int i = 3; i < nf; i++)
		if (inspect_unescape(f[i]) < 0)
			return "a bad escape or an over-long value";

	target = id.vol ? NULL : json_object_array_get_idx(disks, (size_t)id.disk);
	switch (k->kind) {
	case INSPECT_DISK:
		break;
	case INSPECT_PART:
		target = inspect_partition(target, id.part);
		break;
	case INSPECT_LV:
		target = inspect_vol(report, &id);
		break;
	case INSPECT_FS:
		if (id.vol)
			target = inspect_vol(report, &id);
		else if (id.part)
			target = inspect_partition(target, id.part);
		if (target)
			target = inspect_object(target, INSPECT_JSON_FS);
		break;
	case INSPECT_OS:
		target = inspect_os(report, &id);
		break;
	case INSPECT_NKINDS:
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
		for (int i = 0; i < INSPECT_FSTAB_NFIELDS; i++)
			json_object_object_add(e, inspect_fstab_names[i], inspect_string(f[3 + i]));
		json_object_array_add(a, e);
		return NULL;
	}
	case INSPECT_SUBVOL:
	case INSPECT_DRIVE:
	case INSPECT_MOUNTPOINT:
		return inspect_pair(k, f, target);
	case INSPECT_APP:
		return inspect_app(k, f, target);
	case INSPECT_DERIVED:
	case INSPECT_NTYPES:
		break;
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
		char *f[INSPECT_MAX_FIELDS + 1];
		int nf = 0;
		const char *why;

		next = strchr(line, '\n');
		*next++ = '\0';
		lineno++;
		for (char *s = line; s && nf <= INSPECT_MAX_FIELDS; ) {
			f[nf++] = s;
			s = strchr(s, '\t');
			if (s)
				*s++ = '\0';
		}
		why = nf > INSPECT_MAX_FIELDS ? "too many fields" : inspect_record(f, nf, report);
		if (why) {
			err_set(LB_EXIT_VM, "the inspector's report, line %u: %s", lineno, why);
			free(buf);
			return -1;
		}
	}
	free(buf);
	return 0;
}
