/* windows: a Windows root, found by its %SystemRoot% directory,
 * and its facts from the registry, read with hivex.  The hives are the
 * image maker's files: each is opened read-only, refused over a size
 * limit, and read in a child (insp_isolated) so that a damaged or
 * hostile hive costs a note, never the inspection.  Only fixed paths are
 * looked up, so a cycle of keys cannot make a walk endless. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hivex.h>

#include "inspect.h"

#define HIVE_MAX (512ul << 20)     /* larger than any SOFTWARE hive seen in use */

/* hivex's functions, loaded in the child that reads a hive. */
#define HIVEX_FNS(X) X(open) X(close) X(root) X(node_children) X(node_get_child) X(node_name) X(node_get_value) \
	X(node_values) X(value_dword) X(value_key) X(value_string) X(value_type) X(value_value)
#define HIVEX_FIELD(f) __typeof__(hivex_##f) *f;
static struct { HIVEX_FNS(HIVEX_FIELD) } hx;

static int hivex_load(const char **why)
{
	void *h = insp_dlopen("libhivex.so.0", why);

#define HIVEX_LOAD(f) INSP_DLSYM(h, hx, "hivex_", f, why) &&
	return h && HIVEX_FNS(HIVEX_LOAD) 1 ? 0 : -1;
}

/* Where %SystemRoot% is, as libguestfs looks for it; a directory with
 * system32/config in it. */
static const char *const systemroots[] = { "windows", "winnt", "win32", "win", "reactos" };

/* NAME as it is spelled in the directory DIR, into OUT. */
static int spelled(int dir, const char *name, char *out, size_t len)
{
	int fd = insp_open(dir, ".", O_RDONLY | O_DIRECTORY), found = 0;
	struct dirent *e;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (!found && (e = readdir(d)))
		if (!strcasecmp(e->d_name, name)) {
			snprintf(out, len, "%s", e->d_name);
			found = 1;
		}
	closedir(d);
	return found;
}

int insp_windows_root(int root, char *sysroot, size_t len)
{
	for (size_t i = 0; i < sizeof systemroots / sizeof systemroots[0]; i++) {
		char path[64];
		int fd;

		snprintf(path, sizeof path, "%s/system32/config", systemroots[i]);
		fd = insp_open_nocase(root, path, O_PATH | O_DIRECTORY);
		if (fd < 0)
			continue;
		close(fd);
		if (spelled(root, systemroots[i], sysroot, len))
			return 1;
	}
	return 0;
}

/* The machine a PE executable was built for (its COFF header). */
static const char *pe_machine(int fd)
{
	unsigned char mz[64], pe[6];
	unsigned lfanew, mach;

	if (pread(fd, mz, sizeof mz, 0) != (ssize_t)sizeof mz || memcmp(mz, "MZ", 2))
		return NULL;
	lfanew = (unsigned)mz[0x3c] | (unsigned)mz[0x3d] << 8 | (unsigned)mz[0x3e] << 16 | (unsigned)mz[0x3f] << 24;
	if (lfanew > (1u << 20) || pread(fd, pe, sizeof pe, lfanew) != (ssize_t)sizeof pe ||
	    memcmp(pe, "PE\0\0", 4))
		return NULL;
	mach = (unsigned)pe[4] | (unsigned)pe[5] << 8;
	switch (mach) {
	case 0x14c: return "i386";
	case 0x8664: return "x86_64";
	case 0xaa64: return "aarch64";
	case 0x1c4: return "arm";
	case 0x200: return "ia64";
	}
	return "unknown";
}

static void arch(const struct insp_os *os, const char *sysroot)
{
	static const char *const exes[] = { "system32/cmd.exe", "system32/ntdll.dll", "system32/kernel32.dll" };

	for (size_t i = 0; i < sizeof exes / sizeof exes[0]; i++) {
		char path[300];
		const char *a;
		int fd;

		snprintf(path, sizeof path, "%s/%s", sysroot, exes[i]);
		fd = insp_open_nocase(os->root, path, O_RDONLY);
		if (fd < 0)
			continue;
		a = pe_machine(fd);
		close(fd);
		if (a) {
			insp_rec(IK_OS_ARCH, os->id, a);
			return;
		}
	}
}

/* --- the registry ----------------------------------------------------- */

struct hive_job {
	const struct insp_os *os;
	const char *sysroot, *name;   /* name: SOFTWARE or SYSTEM */
	void (*read)(hive_h *h, const char *id);
};

static hive_node_h node_at(hive_h *h, hive_node_h node, const char *const *path)
{
	for (; node && *path; path++)
		node = hx.node_get_child(h, node, *path);
	return node;
}

/* A value of NODE as a string (REG_SZ, REG_EXPAND_SZ), or NULL. */
static char *string_value(hive_h *h, hive_node_h node, const char *key)
{
	hive_value_h v = node ? hx.node_get_value(h, node, key) : 0;
	hive_type t;
	size_t len;

	if (!v || hx.value_type(h, v, &t, &len) < 0 || (t != hive_t_REG_SZ && t != hive_t_REG_EXPAND_SZ))
		return NULL;
	return hx.value_string(h, v);
}

static int dword_value(hive_h *h, hive_node_h node, const char *key, unsigned long *out)
{
	hive_value_h v = node ? hx.node_get_value(h, node, key) : 0;
	hive_type t;
	size_t len;

	if (!v || hx.value_type(h, v, &t, &len) < 0 || (t != hive_t_REG_DWORD && t != hive_t_REG_DWORD_BIG_ENDIAN))
		return 0;
	*out = (unsigned long)(uint32_t)hx.value_dword(h, v);
	return 1;
}

static void string_rec(hive_h *h, hive_node_h node, const char *key, const char *id, enum inspect_key rec)
{
	char *s = string_value(h, node, key);

	if (s && s[0])
		insp_rec(rec, id, s);
	free(s);
}

/* Uninstall's subkeys that name an application (DisplayName), each sent
 * as virt-inspector reports it: the key's name, then what its values
 * say.  Counted in *N, up to INSPECT_MAX_APPS. */
static void applications(hive_h *h, const char *const *path, const char *id, unsigned long *n)
{
	static const struct { const char *value; enum inspect_app_field field; } fields[] = {
		{ "DisplayName", INSPECT_APP_DISPLAY_NAME }, { "DisplayVersion", INSPECT_APP_VERSION },
		{ "Publisher", INSPECT_APP_PUBLISHER }, { "InstallLocation", INSPECT_APP_INSTALL_PATH },
		{ "URLInfoAbout", INSPECT_APP_URL }, { "Comments", INSPECT_APP_DESCRIPTION },
		{ "InstallDate", INSPECT_APP_INSTALL_DATE },
	};
	hive_node_h node = node_at(h, hx.root(h), path), *kids;

	if (!node || !(kids = hx.node_children(h, node)))
		return;
	for (size_t i = 0; kids[i] && *n < INSPECT_MAX_APPS; i++) {
		char *v[INSPECT_APP_NFIELDS] = { 0 };

		if (!(v[INSPECT_APP_DISPLAY_NAME] = string_value(h, kids[i], "DisplayName")))
			continue;
		/* A key with no name is no application virt-inspector lists. */
		if (!(v[INSPECT_APP_NAME] = hx.node_name(h, kids[i])) || !v[INSPECT_APP_NAME][0]) {
			free(v[INSPECT_APP_DISPLAY_NAME]);
			free(v[INSPECT_APP_NAME]);
			continue;
		}
		for (size_t k = 1; k < sizeof fields / sizeof fields[0]; k++)
			v[fields[k].field] = string_value(h, kids[i], fields[k].value);
		insp_rec_start(IK_OS_APPLICATION, id);
		for (int f = 0; f < INSPECT_APP_NFIELDS; f++)
			insp_field(v[f] ? v[f] : "");
		insp_rec_end();
		for (int f = 0; f < INSPECT_APP_NFIELDS; f++)
			free(v[f]);
		++*n;
	}
	free(kids);
}

static void software(hive_h *h, const char *id)
{
	static const char *const cv_path[] = { "Microsoft", "Windows NT", "CurrentVersion", NULL };
	static const char *const apps64[] = { "Microsoft", "Windows", "CurrentVersion", "Uninstall", NULL };
	static const char *const apps32[] = { "WOW6432Node", "Microsoft", "Windows", "CurrentVersion", "Uninstall", NULL };
	hive_node_h cv = node_at(h, hx.root(h), cv_path);
	unsigned long major, minor, napps = 0;
	char *s;

	if (!cv) {
		insp_rec(IK_OS_NOTE, id, "the SOFTWARE hive has no Microsoft/Windows NT/CurrentVersion key");
		return;
	}
	string_rec(h, cv, "ProductName", id, IK_OS_PRODUCT_NAME);
	string_rec(h, cv, "InstallationType", id, IK_OS_PRODUCT_VARIANT);
	string_rec(h, cv, "EditionID", id, IK_OS_EDITION);
	string_rec(h, cv, "CurrentBuildNumber", id, IK_OS_BUILD_ID);
	/* Windows 10 keeps "6.3" in CurrentVersion for old programs'
	 * sake; its real numbers are the DWORDs. */
	if (dword_value(h, cv, "CurrentMajorVersionNumber", &major) &&
	    dword_value(h, cv, "CurrentMinorVersionNumber", &minor)) {
		insp_recf(IK_OS_MAJOR_VERSION, id, "%lu", major);
		insp_recf(IK_OS_MINOR_VERSION, id, "%lu", minor);
	} else if ((s = string_value(h, cv, "CurrentVersion"))) {
		char *end;

		major = strtoul(s, &end, 10);
		if (end != s && *end == '.' && end[1] >= '0' && end[1] <= '9') {
			insp_recf(IK_OS_MAJOR_VERSION, id, "%lu", major);
			insp_recf(IK_OS_MINOR_VERSION, id, "%lu", strtoul(end + 1, NULL, 10));
		}
		free(s);
	}
	applications(h, apps64, id, &napps);
	applications(h, apps32, id, &napps);
	insp_recf(IK_OS_PACKAGES, id, "%lu", napps);
	if (napps >= INSPECT_MAX_APPS)
		insp_recf(IK_OS_NOTE, id, "applications listed up to %d; the rest left out", INSPECT_MAX_APPS);
}

/* HKLM\SYSTEM\MountedDevices: "\DosDevices\C:" and its partition, as an
 * MBR disk signature and byte offset, or GPT's partition GUID. */
static void drives(hive_h *h, const char *id)
{
	static const char *const path[] = { "MountedDevices", NULL };
	hive_node_h node = node_at(h, hx.root(h), path);
	hive_value_h *vals;

	if (!node || !(vals = hx.node_values(h, node)))
		return;
	for (size_t i = 0; vals[i] && i < 256; i++) {
		char *key = hx.value_key(h, vals[i]), *blob, target[40] = "";
		unsigned long long off = 0;
		hive_type t;
		size_t len;
		int gpt = 0;

		if (!key || strlen(key) != 14 || strncasecmp(key, "\\DosDevices\\", 12) || key[13] != ':' ||
		    !((key[12] >= 'A' && key[12] <= 'Z') || (key[12] >= 'a' && key[12] <= 'z'))) {
			free(key);
			continue;
		}
		blob = hx.value_value(h, vals[i], &t, &len);
		if (blob && t == hive_t_REG_BINARY && len == 12) {
			const unsigned char *b = (const unsigned char *)blob;

			snprintf(target, sizeof target, "0x%02x%02x%02x%02x", b[3], b[2], b[1], b[0]);
			for (int k = 7; k >= 0; k--)
				off = off << 8 | b[4 + k];
		} else if (blob && t == hive_t_REG_BINARY && len >= 24 && !memcmp(blob, "DMIO:ID:", 8)) {
			const unsigned char *g = (const unsigned char *)blob + 8;

			/* The GUID's first three fields are little-endian. */
			snprintf(target, sizeof target,
				 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
				 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
				 g[10], g[11], g[12], g[13], g[14], g[15]);
			gpt = 1;
		}
		for (int f = 0; target[0] && f < insp_nfs; f++) {
			const struct insp_fs *fs = &insp_fss[f];

			if (gpt ? !strcasecmp(fs->partuuid, target) : !strcmp(fs->disk_sig, target) && fs->start == off) {
				char letter[2] = { key[12] >= 'a' ? key[12] - 'a' + 'A' : key[12], '\0' };

				insp_rec_start(IK_OS_DRIVE, id);
				insp_field(letter);
				insp_field(fs->id);
				insp_rec_end();
				break;
			}
		}
		free(blob);
		free(key);
	}
	free(vals);
}

static void system_hive(hive_h *h, const char *id)
{
	static const char *const select[] = { "Select", NULL };
	hive_node_h root = hx.root(h), set;
	unsigned long current;
	char name[32];
	const char *cn_path[] = { name, "Control", "ComputerName", "ComputerName", NULL };
	const char *tcpip_path[] = { name, "Services", "Tcpip", "Parameters", NULL };
	char *host;

	drives(h, id);
	if (!dword_value(h, node_at(h, root, select), "Current", &current) || current > 999) {
		insp_rec(IK_OS_NOTE, id, "the SYSTEM hive has no Select/Current value");
		return;
	}
	snprintf(name, sizeof name, "ControlSet%03lu", current);
	set = hx.node_get_child(h, root, name);
	if (!set) {
		insp_recf(IK_OS_NOTE, id, "the SYSTEM hive has no %s", name);
		return;
	}
	insp_rec(IK_OS_WINDOWS_CURRENT_CONTROL_SET, id, name);
	host = string_value(h, node_at(h, root, cn_path), "ComputerName");
	if (!host || !host[0]) {
		free(host);
		host = string_value(h, node_at(h, root, tcpip_path), "Hostname");
	}
	if (host && host[0])
		insp_rec(IK_OS_HOSTNAME, id, host);
	free(host);
}

/* In the child: the hive opened inside the image and handed to hivex
 * as /proc/self/fd/N. */
static void read_hive(void *arg)
{
	const struct hive_job *j = arg;
	char path[300], via[64];
	const char *why = "";
	struct stat st;
	hive_h *h;
	int fd;

	snprintf(path, sizeof path, "%s/system32/config/%s", j->sysroot, j->name);
	fd = insp_open_nocase(j->os->root, path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		insp_recf(IK_OS_NOTE, j->os->id, "no %s hive", j->name);
		return;
	}
	if ((unsigned long long)st.st_size > HIVE_MAX) {
		insp_recf(IK_OS_NOTE, j->os->id, "the %s hive not read: %llu MiB, over the limit of %lu MiB",
			  j->name, (unsigned long long)st.st_size >> 20, HIVE_MAX >> 20);
		return;
	}
	if (hivex_load(&why) < 0) {
		insp_recf(IK_OS_NOTE, j->os->id, "the %s hive not read: %s", j->name, why);
		return;
	}
	snprintf(via, sizeof via, "/proc/self/fd/%d", fd);
	h = hx.open(via, 0);
	if (!h) {
		insp_recf(IK_OS_NOTE, j->os->id, "the %s hive not read: damaged, or not a hive (%s)", j->name,
			  strerror(errno));
		return;
	}
	j->read(h, j->os->id);
	hx.close(h);
	close(fd);
}

void insp_windows(const struct insp_os *os, const char *sysroot)
{
	struct hive_job soft = { os, sysroot, "SOFTWARE", software };
	struct hive_job sys = { os, sysroot, "SYSTEM", system_hive };
	char root[300];

	snprintf(root, sizeof root, "/%s", sysroot);
	insp_rec(IK_OS_TYPE, os->id, "windows");
	insp_rec(IK_OS_WINDOWS_SYSTEMROOT, os->id, root);
	/* No fstab: the root is all virt-inspector mounts. */
	insp_mountpoint(os, "/", os->id);
	arch(os, sysroot);
	insp_isolated(read_hive, &soft, IK_OS_NOTE, os->id, "the SOFTWARE hive");
	insp_isolated(read_hive, &sys, IK_OS_NOTE, os->id, "the SYSTEM hive");
}
