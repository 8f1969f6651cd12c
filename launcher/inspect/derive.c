/* inspect/derive: what follows from the facts the inspector found, in
 * the names virt-inspector gives them, so that a user of either reads
 * the other's report.  The distribution is virt-inspector's name for
 * it: a release file's, as the inspector sent it, or os-release's ID
 * mapped here; the ID itself stays in os_release_id.  An ID leanboot
 * does not know is reported as given, with a note.  The package format
 * and manager follow from the distribution, as virt-inspector derives
 * them.  The osinfo IDs are libosinfo's short IDs, made by the rules
 * libguestfs uses, and only where a rule applies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/derive.h"
#include "inspect/report.h"

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

/* How a distribution manages its packages: by its major version where
 * it changed (Fedora 22 and RHEL 8 moved from yum to dnf). */
enum pm_rule { PM_FIXED, PM_DNF_FROM_22, PM_DNF_FROM_8 };

/* The distributions leanboot knows: the os-release ID that names each
 * (NULL: known only by a release file), virt-inspector's name, the
 * osinfo name, the package format and manager. */
static const struct distro {
	const char *id, *distro, *osinfo;
	enum osinfo_rule rule;
	const char *format, *pm;
	enum pm_rule pm_rule;
} distros[] = {
	{ "alpine", "alpinelinux", "alpinelinux", OSINFO_MAJOR_MINOR, "apk", "apk", PM_FIXED },
	{ "almalinux", "almalinux", "almalinux", OSINFO_MAJOR_FROM_8, "rpm", "yum", PM_DNF_FROM_8 },
	{ "altlinux", "altlinux", "altlinux", OSINFO_MAJOR_MINOR, "rpm", "apt", PM_FIXED },
	{ "amzn", "amazonlinux", "amzn", OSINFO_NONE, "rpm", "yum", PM_FIXED },
	{ "arch", "archlinux", "archlinux", OSINFO_NAME, "pacman", "pacman", PM_FIXED },
	{ "centos", "centos", "centos", OSINFO_CENTOS, "rpm", "yum", PM_DNF_FROM_8 },
	{ "circle", "circle", "circle", OSINFO_MAJOR_FROM_8, "rpm", "yum", PM_DNF_FROM_8 },
	{ "coreos", "coreos", "coreos", OSINFO_MAJOR_MINOR, NULL, NULL, PM_FIXED },
	{ "debian", "debian", "debian", OSINFO_MAJOR, "deb", "apt", PM_FIXED },
	{ "fedora", "fedora", "fedora", OSINFO_MAJOR, "rpm", "yum", PM_DNF_FROM_22 },
	/* The BSDs: named by the inspector, not by os-release. */
	{ NULL, "freebsd", "freebsd", OSINFO_MAJOR_MINOR, NULL, NULL, PM_FIXED },
	{ "frugalware", "frugalware", "frugalware", OSINFO_MAJOR_MINOR, NULL, NULL, PM_FIXED },
	{ "gentoo", "gentoo", "gentoo", OSINFO_NAME, "ebuild", "portage", PM_FIXED },
	{ "kali", "kalilinux", "kalilinux", OSINFO_MAJOR_MINOR, "deb", "apt", PM_FIXED },
	{ "kylin", "kylin", "kylin", OSINFO_MAJOR_MINOR, "rpm", "dnf", PM_FIXED },
	{ "linuxmint", "linuxmint", "linuxmint", OSINFO_MAJOR_MINOR, "deb", "apt", PM_FIXED },
	{ "mageia", "mageia", "mageia", OSINFO_MAJOR, "rpm", "urpmi", PM_FIXED },
	{ NULL, "mandriva", "mandriva", OSINFO_MAJOR_MINOR, "rpm", "urpmi", PM_FIXED },
	{ NULL, "netbsd", "netbsd", OSINFO_MAJOR_MINOR, NULL, NULL, PM_FIXED },
	{ "neokylin", "neokylin", "neokylin", OSINFO_MAJOR_MINOR, "rpm", "yum", PM_FIXED },
	{ "ol", "oraclelinux", "ol", OSINFO_MAJOR_MINOR, "rpm", "yum", PM_DNF_FROM_8 },
	{ NULL, "openbsd", "openbsd", OSINFO_MAJOR_MINOR, NULL, NULL, PM_FIXED },
	{ "openEuler", "openeuler", "openeuler", OSINFO_MAJOR_MINOR, "rpm", "dnf", PM_FIXED },
	{ "opencloudos", "opencloudos", "opencloudos", OSINFO_MAJOR_MINOR, "rpm", "dnf", PM_FIXED },
	{ "openmandriva", "openmandriva", "openmandriva", OSINFO_MAJOR_MINOR, "rpm", "dnf", PM_FIXED },
	{ "opensuse", "opensuse", "opensuse", OSINFO_MAJOR_MINOR, "rpm", "zypper", PM_FIXED },
	{ "opensuse-leap", "opensuse", "opensuse", OSINFO_MAJOR_MINOR, "rpm", "zypper", PM_FIXED },
	{ "opensuse-tumbleweed", "opensuse", "opensusetumbleweed", OSINFO_NAME, "rpm", "zypper", PM_FIXED },
	{ "pardus", "pardus", "pardus", OSINFO_MAJOR_MINOR, "pisi", "pisi", PM_FIXED },
	{ "pld", "pldlinux", "pldlinux", OSINFO_MAJOR_MINOR, "rpm", "poldek", PM_FIXED },
	{ NULL, "redhat-based", NULL, OSINFO_NONE, "rpm", "yum", PM_DNF_FROM_8 },
	{ "rhel", "rhel", "rhel", OSINFO_MAJOR_MINOR, "rpm", "yum", PM_DNF_FROM_8 },
	{ "rocky", "rocky", "rocky", OSINFO_MAJOR_FROM_8, "rpm", "yum", PM_DNF_FROM_8 },
	{ NULL, "scientificlinux", "scientificlinux", OSINFO_MAJOR_MINOR, "rpm", "yum", PM_FIXED },
	{ NULL, "slackware", "slackware", OSINFO_MAJOR_MINOR, NULL, NULL, PM_FIXED },
	{ "sled", "sled", "sled", OSINFO_SLES, "rpm", "zypper", PM_FIXED },
	{ "sles", "sles", "sles", OSINFO_SLES, "rpm", "zypper", PM_FIXED },
	{ "tencentos", "tencentos", "tencentos", OSINFO_MAJOR_MINOR, "rpm", "dnf", PM_FIXED },
	{ "ubuntu", "ubuntu", "ubuntu", OSINFO_UBUNTU, "deb", "apt", PM_FIXED },
	{ "void", "voidlinux", "voidlinux", OSINFO_NAME, "xbps", "xbps", PM_FIXED },
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

	if (!json_object_object_get_ex(o, IJ(OS, NOTE), &a)) {
		a = json_object_new_array();
		json_object_object_add(o, IJ(OS, NOTE), a);
	}
	/* TEXT is made of values the reader has cleaned already. */
	if (json_object_array_length(a) < INSPECT_MAX_LIST)
		json_object_array_add(a, json_object_new_string(text));
}

/* By virt-inspector's name (DISTRO set) or by os-release's ID. */
static const struct distro *distro_find(const char *distro, const char *id)
{
	for (size_t i = 0; i < sizeof distros / sizeof distros[0]; i++)
		if (distro ? !strcmp(distros[i].distro, distro) : distros[i].id && !strcmp(distros[i].id, id))
			return &distros[i];
	return NULL;
}

static const char *package_management(const struct distro *d, long major)
{
	switch (d->pm_rule) {
	case PM_DNF_FROM_22:
		return major >= 22 ? "dnf" : d->pm;
	case PM_DNF_FROM_8:
		return major >= 8 ? "dnf" : d->pm;
	case PM_FIXED:
		break;
	}
	return d->pm;
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
	const char *name = str(os, IJ(OS, PRODUCT_NAME)), *variant = str(os, IJ(OS, PRODUCT_VARIANT)),
		   *build = str(os, IJ(OS, BUILD_ID));
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
	const char *type = str(os, IJ(OS, TYPE)), *release = str(os, IJ(OS, RELEASE_DISTRO)),
		   *id = str(os, IJ(OS, OS_RELEASE_ID));
	long major = num(os, IJ(OS, MAJOR_VERSION)), minor = num(os, IJ(OS, MINOR_VERSION));
	const struct distro *d;
	char osinfo[64] = "";

	if (type && !strcmp(type, "windows")) {
		set(os, IJ(OS, DISTRO), "windows");
		set(os, IJ(OS, FAMILY), "windows");
		if (major >= 0 && minor >= 0)
			osinfo_windows(os, major, minor, osinfo, sizeof osinfo);
	} else if (release || id) {
		d = distro_find(release, id);
		/* os-release's PRETTY_NAME is what virt-inspector calls the
		 * product's name. */
		set(os, IJ(OS, PRODUCT_NAME), str(os, IJ(OS, PRETTY_NAME)));
		if (!d) {
			char text[WIRE_VALUE_MAX + 64];

			set(os, IJ(OS, DISTRO), release ? release : id);
			set(os, IJ(OS, FAMILY), str(os, IJ(OS, ID_LIKE)) ? str(os, IJ(OS, ID_LIKE)) : id);
			if (!release) {
				snprintf(text, sizeof text,
					 "os-release ID '%.1024s' not known: distro reported as given", id);
				note(os, text);
			}
		} else {
			set(os, IJ(OS, DISTRO), d->distro);
			set(os, IJ(OS, FAMILY), str(os, IJ(OS, ID_LIKE)) ? str(os, IJ(OS, ID_LIKE)) : d->distro);
			set(os, IJ(OS, PACKAGE_FORMAT), d->format);
			set(os, IJ(OS, PACKAGE_MANAGEMENT), package_management(d, major));
			if (major >= 0 && minor >= 0)
				osinfo_linux(d, major, minor, osinfo, sizeof osinfo);
			else if (d->rule == OSINFO_NAME)
				osinfo_linux(d, 0, 0, osinfo, sizeof osinfo);
		}
	}
	if (osinfo[0])
		set(os, IJ(OS, OSINFO), osinfo);
}

/* virt-inspector's order of mountpoints: the shorter path first, then
 * by bytes, so / comes before /boot before /boot/efi. */
static int mountpoint_cmp(const void *a, const void *b)
{
	const char *x = str(*(struct json_object *const *)a, INSPECT_JSON_MOUNTPOINT),
		   *y = str(*(struct json_object *const *)b, INSPECT_JSON_MOUNTPOINT);
	size_t lx = x ? strlen(x) : 0, ly = y ? strlen(y) : 0;

	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x ? x : "", y ? y : "");
}

void inspect_derive(struct json_object *report)
{
	struct json_object *oss;

	if (!json_object_object_get_ex(report, INSPECT_JSON_OSES, &oss) ||
	    !json_object_is_type(oss, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(oss); i++) {
		struct json_object *os = json_object_array_get_idx(oss, i), *mps;

		derive_os(os);
		if (json_object_object_get_ex(os, IJ(OS, MOUNTPOINT), &mps))
			json_object_array_sort(mps, mountpoint_cmp);
	}
}
