/* inspect-derive: what follows from the facts the inspector found, in
 * the names virt-inspector gives them, so that a user of either reads
 * the other's report.  The distribution stays os-release's ID as written;
 * an ID leanboot does not know is reported as given, with a note.  The
 * osinfo IDs are libosinfo's short IDs, made by the rules libguestfs
 * uses, and only where a rule applies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect-derive.h"
#include "inspect-report.h"

/* How an OS's osinfo ID is made from its name and version. */
enum osinfo_rule {
	OSINFO_NONE,         /* known, but no ID is made */
	OSINFO_NAME,         /* the name alone: rolling releases */
	OSINFO_MAJOR,        /* name + major */
	OSINFO_MAJOR_FROM_8, /* name + major, from 8 on (RHEL's rebuilds) */
	OSINFO_MAJOR_MINOR,  /* name + major.minor */
	OSINFO_UBUNTU,       /* name + major.minor, minor in two digits */
	OSINFO_CENTOS,       /* 8 on: major; 7: 7.0; 6: 6.minor */
	OSINFO_SLES,         /* sle(s) + major, then sp + minor if any */
};

/* The os-release IDs leanboot knows, and their osinfo names. */
static const struct distro {
	const char *id, *osinfo;
	enum osinfo_rule rule;
} distros[] = {
	{ "alpine", "alpinelinux", OSINFO_MAJOR_MINOR },
	{ "almalinux", "almalinux", OSINFO_MAJOR_FROM_8 },
	{ "altlinux", "altlinux", OSINFO_MAJOR_MINOR },
	{ "amzn", "amzn", OSINFO_NONE },
	{ "arch", "archlinux", OSINFO_NAME },
	{ "centos", "centos", OSINFO_CENTOS },
	{ "circle", "circle", OSINFO_MAJOR_FROM_8 },
	{ "coreos", "coreos", OSINFO_MAJOR_MINOR },
	{ "debian", "debian", OSINFO_MAJOR },
	{ "fedora", "fedora", OSINFO_MAJOR },
	{ "frugalware", "frugalware", OSINFO_MAJOR_MINOR },
	{ "gentoo", "gentoo", OSINFO_NAME },
	{ "kali", "kalilinux", OSINFO_MAJOR_MINOR },
	{ "kylin", "kylin", OSINFO_MAJOR_MINOR },
	{ "linuxmint", "linuxmint", OSINFO_MAJOR_MINOR },
	{ "mageia", "mageia", OSINFO_MAJOR },
	{ "neokylin", "neokylin", OSINFO_MAJOR_MINOR },
	{ "ol", "ol", OSINFO_MAJOR_MINOR },
	{ "openEuler", "openeuler", OSINFO_MAJOR_MINOR },
	{ "opencloudos", "opencloudos", OSINFO_MAJOR_MINOR },
	{ "openmandriva", "openmandriva", OSINFO_MAJOR_MINOR },
	{ "opensuse", "opensuse", OSINFO_MAJOR_MINOR },
	{ "opensuse-leap", "opensuse", OSINFO_MAJOR_MINOR },
	{ "opensuse-tumbleweed", "opensusetumbleweed", OSINFO_NAME },
	{ "pardus", "pardus", OSINFO_MAJOR_MINOR },
	{ "pld", "pldlinux", OSINFO_MAJOR_MINOR },
	{ "rhel", "rhel", OSINFO_MAJOR_MINOR },
	{ "rocky", "rocky", OSINFO_MAJOR_FROM_8 },
	{ "sled", "sled", OSINFO_SLES },
	{ "sles", "sles", OSINFO_SLES },
	{ "tencentos", "tencentos", OSINFO_MAJOR_MINOR },
	{ "ubuntu", "ubuntu", OSINFO_UBUNTU },
	{ "void", "voidlinux", OSINFO_NAME },
};

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

static long num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int)
		       ? (long)json_object_get_int64(v) : -1;
}

static void set(struct json_object *o, const char *key, const char *value)
{
	if (value && !json_object_object_get_ex(o, key, NULL))
		json_object_object_add(o, key, json_object_new_string(value));
}

static void note(struct json_object *o, const char *text)
{
	struct json_object *a;

	if (!json_object_object_get_ex(o, "notes", &a)) {
		a = json_object_new_array();
		json_object_object_add(o, "notes", a);
	}
	/* TEXT is made of values the reader has cleaned already. */
	if (json_object_array_length(a) < INSPECT_MAX_LIST)
		json_object_array_add(a, json_object_new_string(text));
}

static const struct distro *distro_find(const char *id)
{
	for (size_t i = 0; i < sizeof distros / sizeof distros[0]; i++)
		if (!strcmp(distros[i].id, id))
			return &distros[i];
	return NULL;
}

static void osinfo_linux(const struct distro *d, long major, long minor, char *out, size_t len)
{
	switch (d->rule) {
	case OSINFO_NONE:
		break;
	case OSINFO_NAME:
		snprintf(out, len, "%s", d->osinfo);
		break;
	case OSINFO_MAJOR:
		snprintf(out, len, "%s%ld", d->osinfo, major);
		break;
	case OSINFO_MAJOR_FROM_8:
		if (major >= 8)
			snprintf(out, len, "%s%ld", d->osinfo, major);
		break;
	case OSINFO_MAJOR_MINOR:
		snprintf(out, len, "%s%ld.%ld", d->osinfo, major, minor);
		break;
	case OSINFO_UBUNTU:
		snprintf(out, len, "%s%ld.%02ld", d->osinfo, major, minor);
		break;
	case OSINFO_CENTOS:
		if (major >= 8)
			snprintf(out, len, "%s%ld", d->osinfo, major);
		else if (major == 7)
			snprintf(out, len, "%s7.0", d->osinfo);
		else if (major == 6)
			snprintf(out, len, "%s6.%ld", d->osinfo, minor);
		break;
	case OSINFO_SLES:
		snprintf(out, len, minor ? "%s%ldsp%ld" : "%s%ld", major >= 15 ? "sle" : "sles", major, minor);
		break;
	}
}

/* Windows by version, as libosinfo names them; a server or not by its
 * installation type; 10.0 by product name (servers) or build. */
static void osinfo_windows(struct json_object *os, long major, long minor, char *out, size_t len)
{
	const char *name = str(os, "product_name"), *variant = str(os, "product_variant"),
		   *build = str(os, "build_id");
	int server;

	if (!name || !variant)
		return;
	server = strstr(variant, "Server") != NULL;
	if (major == 5 && minor == 1)
		snprintf(out, len, "winxp");
	else if (major == 5 && minor == 2)
		snprintf(out, len, "%s", strstr(name, "XP") ? "winxp" : strstr(name, "R2") ? "win2k3r2" : "win2k3");
	else if (major == 6 && minor <= 3) {
		static const char *const client[] = { "winvista", "win7", "win8", "win8.1" };
		static const char *const srv[] = { "win2k8", "win2k8r2", "win2k12", "win2k12r2" };

		snprintf(out, len, "%s", server ? srv[minor] : client[minor]);
	} else if (major == 10 && minor == 0 && server)
		snprintf(out, len, "%s", strstr(name, "2025") ? "win2k25" : strstr(name, "2022") ? "win2k22" :
				       strstr(name, "2019") ? "win2k19" : "win2k16");
	else if (major == 10 && minor == 0 && build && build[0] >= '0' && build[0] <= '9')
		snprintf(out, len, "%s", strtol(build, NULL, 10) >= 22000 ? "win11" : "win10");
}

static void derive_os(struct json_object *os)
{
	const char *type = str(os, "type"), *distro;
	long major = num(os, "major_version"), minor = num(os, "minor_version");
	char osinfo[64] = "";

	if (type && !strcmp(type, "windows")) {
		set(os, "distro", "windows");
		set(os, "family", "windows");
		if (major >= 0 && minor >= 0)
			osinfo_windows(os, major, minor, osinfo, sizeof osinfo);
	} else if ((distro = str(os, "distro"))) {
		const struct distro *d = distro_find(distro);

		/* os-release's PRETTY_NAME is what virt-inspector calls the
		 * product's name. */
		set(os, "product_name", str(os, "pretty_name"));
		set(os, "family", str(os, "id_like") ? str(os, "id_like") : distro);
		if (!d) {
			char text[WIRE_VALUE_MAX + 64];

			snprintf(text, sizeof text, "os-release ID '%.1024s' not known: distro reported as given",
				 distro);
			note(os, text);
		} else if (major >= 0 && minor >= 0) {
			osinfo_linux(d, major, minor, osinfo, sizeof osinfo);
		} else if (d->rule == OSINFO_NAME) {
			osinfo_linux(d, 0, 0, osinfo, sizeof osinfo);
		}
	}
	if (osinfo[0])
		set(os, "osinfo", osinfo);
}

void inspect_derive(struct json_object *report)
{
	struct json_object *oss;

	if (!json_object_object_get_ex(report, "operating_systems", &oss) ||
	    !json_object_is_type(oss, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(oss); i++)
		derive_os(json_object_array_get_idx(oss, i));
}
