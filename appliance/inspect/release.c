/* release: which distribution a Linux root is, and which
 * version.  os-release says it where there is one; the host maps its ID
 * to virt-inspector's names (launcher/inspect/derive.c).  Systems before
 * os-release say it in lsb-release or in a release file of their own;
 * those are tried in virt-inspector's order, and what they say is sent
 * already in virt-inspector's vocabulary (centos, rhel, opensuse...),
 * with the file it came from. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

/* One KEY=VALUE line, VALUE maybe in single or double quotes, with
 * backslash escapes inside double quotes (os-release, lsb-release and
 * Red Hat's sysconfig files all write them so). */
int insp_shell_value(const char *line, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key), o = 0;
	const char *p = line;
	char q = 0;

	if (strncmp(p, key, kl) || p[kl] != '=')
		return 0;
	p += kl + 1;
	if (*p == '"' || *p == '\'')
		q = *p++;
	for (; *p && *p != '\n' && o + 1 < len; p++) {
		if (q && *p == q)
			break;
		if (q == '"' && *p == '\\' && p[1] && p[1] != '\n')
			p++;
		out[o++] = *p;
	}
	out[o] = '\0';
	return 1;
}

char *insp_next_line(char *line)
{
	char *nl = strchr(line, '\n');

	return nl ? nl + 1 : NULL;
}

/* "12", "24.04", "3.19.1", "7.9.2009": the first two numbers, or 0 if
 * S does not start with one. */
static int parse_version(const char *s, unsigned long *major, unsigned long *minor, int *has_minor)
{
	char *end;

	if (*s < '0' || *s > '9')
		return 0;
	*major = strtoul(s, &end, 10);
	*has_minor = 0;
	*minor = 0;
	if (*end == '.' && end[1] >= '0' && end[1] <= '9') {
		*minor = strtoul(end + 1, NULL, 10);
		*has_minor = 1;
	}
	return *major < 1000000000 && *minor < 1000000000;
}

/* The first version number in S, anywhere in it. */
static int find_version(const char *s, unsigned long *major, unsigned long *minor, int *has_minor)
{
	for (; *s; s++)
		if (*s >= '0' && *s <= '9')
			return parse_version(s, major, minor, has_minor);
	return 0;
}

static void send_version(const struct insp_os *os, unsigned long major, unsigned long minor)
{
	insp_recf(IK_OS_MAJOR_VERSION, os->id, "%lu", major);
	insp_recf(IK_OS_MINOR_VERSION, os->id, "%lu", minor);
}

/* Where a distribution keeps its full version when os-release gives only
 * the major one, and the word before it there. */
static const struct minor_file {
	const char *id, *path, *after;
} minor_files[] = {
	{ "debian", "etc/debian_version", "" },
	{ "centos", "etc/centos-release", "release " },
	{ "rocky", "etc/rocky-release", "release " },
	{ "rhel", "etc/redhat-release", "release " },
	{ "almalinux", "etc/almalinux-release", "release " },
};

static void os_release_version(const struct insp_os *os, const char *id, const char *version_id)
{
	static char buf[4096];
	unsigned long major, minor, m2, n2;
	int has_minor, h2;

	if (!version_id[0] || !parse_version(version_id, &major, &minor, &has_minor))
		return;
	for (size_t i = 0; !has_minor && i < sizeof minor_files / sizeof minor_files[0]; i++) {
		const struct minor_file *r = &minor_files[i];
		const char *p;

		if (strcmp(r->id, id) || insp_os_read(os, r->path, buf, sizeof buf) < 0)
			continue;
		p = r->after[0] ? strstr(buf, r->after) : buf;
		if (p && parse_version(p + strlen(r->after), &m2, &n2, &h2) && m2 == major && h2) {
			minor = n2;
			has_minor = 1;
		}
	}
	send_version(os, major, minor);
}

/* os-release's facts; 0 if it has no ID, so that older files may name
 * the distribution instead. */
static int os_release(const struct insp_os *os)
{
	static const struct { const char *name; enum inspect_key key; } keys[] = {
		{ "ID", IK_OS_OS_RELEASE_ID }, { "VERSION_ID", IK_OS_VERSION_ID }, { "NAME", IK_OS_NAME },
		{ "PRETTY_NAME", IK_OS_PRETTY_NAME }, { "VERSION_CODENAME", IK_OS_CODENAME },
		{ "ID_LIKE", IK_OS_ID_LIKE }, { "BUILD_ID", IK_OS_BUILD_ID }, { "VARIANT_ID", IK_OS_VARIANT_ID },
	};
	static char buf[INSP_SMALL_FILE];
	char val[WIRE_VALUE_MAX], id[WIRE_VALUE_MAX] = "", version_id[WIRE_VALUE_MAX] = "";
	const char *file = "etc/os-release";
	unsigned said = 0;            /* the keys sent: the first of each wins */

	if (insp_os_read(os, file, buf, sizeof buf) < 0 &&
	    insp_os_read(os, (file = "usr/lib/os-release"), buf, sizeof buf) < 0)
		return 0;
	for (char *line = buf; line && *line; line = insp_next_line(line))
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if (!(said & 1u << k) && insp_shell_value(line, keys[k].name, val, sizeof val) && val[0]) {
				said |= 1u << k;
				insp_rec(keys[k].key, os->id, val);
				if (keys[k].key == IK_OS_OS_RELEASE_ID)
					snprintf(id, sizeof id, "%s", val);
				else if (keys[k].key == IK_OS_VERSION_ID)
					snprintf(version_id, sizeof version_id, "%s", val);
			}
	if (!id[0])
		return 0;
	insp_rec(IK_OS_RELEASE_FILE, os->id, file);
	os_release_version(os, id, version_id);
	return 1;
}

/* lsb-release, as Ubuntu and Mint wrote it before os-release: only
 * the distributions virt-inspector knows by it. */
static int lsb_release(const struct insp_os *os)
{
	static const char *const ids[][2] = {
		{ "Ubuntu", "ubuntu" }, { "LinuxMint", "linuxmint" }, { "Mageia", "mageia" },
		{ "CoreOS", "coreos" }, { "Kali", "kalilinux" },
	};
	static char buf[INSP_SMALL_FILE];
	char id[WIRE_VALUE_MAX] = "", rel[WIRE_VALUE_MAX] = "", desc[WIRE_VALUE_MAX] = "";
	const char *distro = NULL;
	unsigned long major, minor;
	int has_minor;

	if (insp_os_read(os, "etc/lsb-release", buf, sizeof buf) < 0)
		return 0;
	for (char *line = buf; line && *line; line = insp_next_line(line)) {
		insp_shell_value(line, "DISTRIB_ID", id, sizeof id);
		insp_shell_value(line, "DISTRIB_RELEASE", rel, sizeof rel);
		insp_shell_value(line, "DISTRIB_DESCRIPTION", desc, sizeof desc);
	}
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		if (!strcmp(id, ids[i][0]))
			distro = ids[i][1];
	if (!distro)
		return 0;
	insp_rec(IK_OS_RELEASE_DISTRO, os->id, distro);
	insp_rec(IK_OS_RELEASE_FILE, os->id, "etc/lsb-release");
	if (desc[0])
		insp_rec(IK_OS_PRODUCT_NAME, os->id, desc);
	if (parse_version(rel, &major, &minor, &has_minor))
		send_version(os, major, minor);
	return 1;
}

/* Red Hat's family all write redhat-release; its first line says which,
 * and any other first line is a system "based on" Red Hat's. */
static const char *const redhat_names[][2] = {
	{ "Fedora", "fedora" }, { "Red Hat", "rhel" }, { "CentOS", "centos" },
	{ "Circle Linux", "circle" }, { "Rocky Linux", "rocky" }, { "Scientific Linux", "scientificlinux" },
	{ "AlmaLinux", "almalinux" }, { "Oracle Linux", "oraclelinux" }, { "", "redhat-based" },
};

/* The release files virt-inspector reads, in its order.  DISTRO NULL:
 * the file's text names it (redhat_names, or SuSE's parser). */
static const struct release_file {
	const char *path, *distro;
	int versioned;            /* 0: a rolling release, whose file holds no version */
} release_files[] = {
	{ "etc/openmandriva-release", "openmandriva", 1 },
	{ "etc/opencloudos-release", "opencloudos", 1 },
	{ "etc/tencentos-release", "tencentos", 1 },
	{ "etc/oracle-release", "oraclelinux", 1 },
	{ "etc/centos-release", "centos", 1 },
	{ "etc/circle-release", "circle", 1 },
	{ "etc/rocky-release", "rocky", 1 },
	{ "etc/almalinux-release", "almalinux", 1 },
	{ "etc/altlinux-release", "altlinux", 1 },
	{ "etc/redhat-release", NULL, 1 },
	{ "etc/debian_version", "debian", 1 },
	{ "etc/pardus-release", "pardus", 1 },
	{ "etc/arch-release", "archlinux", 0 },
	{ "etc/gentoo-release", "gentoo", 1 },
	{ "etc/meego-release", "meego", 1 },
	{ "etc/slackware-version", "slackware", 1 },
	{ "etc/ttylinux-target", "ttylinux", 1 },
	{ "etc/SuSE-release", NULL, 1 },
	{ "etc/alpine-release", "alpinelinux", 1 },
	{ "etc/frugalware-release", "frugalware", 1 },
	{ "etc/pld-release", "pldlinux", 1 },
};

/* SuSE-release: its first line names the product; VERSION and
 * PATCHLEVEL lines give the version. */
static const char *suse(char *buf, unsigned long *major, unsigned long *minor)
{
	const char *distro = strstr(buf, "openSUSE") ? "opensuse" :
			     strstr(buf, "Enterprise Desktop") ? "sled" :
			     strstr(buf, "Enterprise Server") || strstr(buf, "SUSE Linux Enterprise") ? "sles" : NULL;
	char val[64];

	for (char *line = buf; line && *line; line = insp_next_line(line)) {
		/* "VERSION = 11" and "PATCHLEVEL = 2", spaced. */
		char *eq = strchr(line, '=');

		if (!eq || eq > line + strcspn(line, "\n"))
			continue;
		snprintf(val, sizeof val, "%.*s", (int)strcspn(eq + 1, "\n"), eq + 1 + strspn(eq + 1, " "));
		if (!strncmp(line, "VERSION", 7) && strchr(" =", line[7]))
			*major = strtoul(val, NULL, 10);
		else if (!strncmp(line, "PATCHLEVEL", 10))
			*minor = strtoul(val, NULL, 10);
	}
	return distro;
}

static int release_file(const struct insp_os *os, const struct release_file *r)
{
	static char buf[INSP_SMALL_FILE];
	unsigned long major = 0, minor = 0;
	const char *distro = r->distro;
	int has_minor, versioned = 0;
	size_t first;

	if (insp_os_read(os, r->path, buf, sizeof buf) < 0)
		return 0;
	first = strcspn(buf, "\n");
	if (!strcmp(r->path, "etc/SuSE-release")) {
		if (!(distro = suse(buf, &major, &minor)))
			return 0;
		versioned = major > 0;
	} else {
		/* Only the first line names the product and its version. */
		buf[first] = '\0';
		if (!distro)
			for (size_t i = 0; i < sizeof redhat_names / sizeof redhat_names[0] && !distro; i++)
				if (strstr(buf, redhat_names[i][0]))
					distro = redhat_names[i][1];
		/* An empty file says nothing but that it is there, except
		 * Arch's, which is empty. */
		if (!buf[0] && r->versioned)
			return 0;
		/* "CentOS release 6.10 (Final)", "7.9.2009 (Core)", "5.0.1". */
		versioned = r->versioned && find_version(buf, &major, &minor, &has_minor);
	}
	buf[first] = '\0';
	insp_rec(IK_OS_RELEASE_DISTRO, os->id, distro);
	insp_rec(IK_OS_RELEASE_FILE, os->id, r->path);
	if (buf[0])
		insp_rec(IK_OS_PRODUCT_NAME, os->id, buf);
	if (versioned)
		send_version(os, major, minor);
	return 1;
}

int insp_release_from(const struct insp_os *os, const char *path, const char *distro)
{
	const struct release_file r = { path, distro, 1 };

	return release_file(os, &r);
}

void insp_release(const struct insp_os *os)
{
	if (os_release(os) || lsb_release(os))
		return;
	for (size_t i = 0; i < sizeof release_files / sizeof release_files[0]; i++)
		if (release_file(os, &release_files[i]))
			return;
	insp_rec(IK_OS_NOTE, os->id,
		 "no os-release, lsb-release or release file that leanboot knows: the distribution is not named");
}
