/* fstab: a Unix root's fstab, each entry recorded and each
 * mountpoint resolved to a filesystem on the disks, as virt-inspector
 * resolves them: labels and UUIDs, the guest's own device names (Linux's
 * /dev/sda2 and /dev/VG/LV, an md device through mdadm.conf, and the
 * BSDs' names for partitions). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

#define MAX_FSTAB 128

void insp_mountpoint(const struct insp_os *os, const char *path, const char *id)
{
	insp_rec_start(IK_OS_MOUNTPOINT, os->id);
	insp_field(path);
	insp_field(id);
	insp_rec_end();
}

/* An md device the guest names (/dev/md0) as its mdadm.conf does: the
 * array with the UUID its ARRAY line gives. */
static struct insp_fs *md_conf(const struct insp_os *os, const char *spec)
{
	static const char *const files[] = { "etc/mdadm.conf", "etc/mdadm/mdadm.conf" };
	static char buf[INSP_SMALL_FILE];

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		if (insp_read(os->root, files[i], buf, sizeof buf) < 0)
			continue;
		for (char *l = buf; l && *l; l = insp_next_line(l)) {
			char uuid[40] = "", *u;
			size_t n = strlen(spec), o = 0;

			if (strncmp(l, "ARRAY ", 6) || strncmp(l + 6 + strspn(l + 6, " \t"), spec, n))
				continue;
			if (!strchr(" \t\n", l[6 + strspn(l + 6, " \t") + n]) || !(u = strstr(l, "UUID=")))
				continue;
			for (u += 5; *u && !strchr(" \t\n", *u) && o + 1 < sizeof uuid; u++)
				if ((*u >= '0' && *u <= '9') || (*u >= 'a' && *u <= 'f') || (*u >= 'A' && *u <= 'F'))
					uuid[o++] = (char)(*u | 0x20);
			uuid[o] = '\0';
			for (int f = 0; uuid[0] && f < insp_nfs; f++)
				if (!strcmp(insp_fss[f].md_uuid, uuid))
					return &insp_fss[f];
		}
	}
	return NULL;
}

/* S starts with one of the names in PREFIXES (longest first), then a
 * disk number: its length, and the number in *DISK; 0 if not. */
static size_t bsd_disk(const char *s, const char *const *prefixes, long *disk)
{
	for (; *prefixes; prefixes++) {
		size_t n = strlen(*prefixes), d;

		if (strncmp(s, *prefixes, n))
			continue;
		d = strspn(s + n, "0123456789");
		if (!d || d > 2)
			return 0;
		*disk = strtol(s + n, NULL, 10);
		return n + d;
	}
	return 0;
}

/* Partition LETTER (a to LAST) of a BSD disklabel as Linux numbers it,
 * into ID: from 5 on, without the SKIP letters from c on that stand for
 * the whole slice or disk.  0 if it is none of those. */
static int label_partition(long disk, char letter, char last, int skip, char *id, size_t len)
{
	int part = letter - 'a';

	if (letter < 'a' || letter > last || (part >= 2 && part < 2 + skip))
		return 0;
	snprintf(id, len, "%ld.%d", disk, (part >= 2 + skip ? part - skip : part) + 5);
	return 1;
}

/* A BSD's name for a partition, as the appliance's kernel numbers it,
 * into ID ("disk.partition"); 0 if SPEC is no such name.
 *  - FreeBSD's GPT partitions, ada0p2 or vtbd0p2, are the disk's own.
 *  - A disklabel's partitions inside the first MBR slice (FreeBSD's
 *    ada0s1a, NetBSD's sd0a, OpenBSD's sd0a or wd0a) follow
 *    label_partition: c stands for the slice or disk on FreeBSD and
 *    OpenBSD, c and d on NetBSD. */
static int bsd_partition(const char *type, const char *spec, char *id, size_t len)
{
	static const char *const freebsd[] = { "ada", "ad", "vtbd", NULL };
	static const char *const netbsd[] = { "ld", "sd", NULL };
	static const char *const openbsd[] = { "sd", "wd", NULL };
	const char *p = spec + 5;
	int net = !strcmp(type, "netbsd");
	long disk;
	size_t n;

	if ((n = bsd_disk(p, freebsd, &disk))) {
		p += n;
		if (*p == 'p' && p[1] && strspn(p + 1, "0123456789") == strlen(p + 1) && strlen(p + 1) <= 3) {
			snprintf(id, len, "%ld.%ld", disk, strtol(p + 1, NULL, 10));
			return 1;
		}
		/* Only the first slice: where the others' labels start is
		 * not known (nor to virt-inspector). */
		return p[0] == 's' && p[1] == '1' && p[2] && !p[3] && label_partition(disk, p[2], 'z', 1, id, len);
	}
	if (!net && strcmp(type, "openbsd"))
		return 0;
	n = bsd_disk(p, net ? netbsd : openbsd, &disk);
	return n && p[n] && !p[n + 1] && label_partition(disk, p[n], 'p', net ? 2 : 1, id, len);
}

struct insp_fs *insp_fstab_resolve(const struct insp_os *os, const char *spec)
{
	struct insp_fs *f;
	char id[32];

	if (strcmp(os->type, "linux") && !strncmp(spec, "/dev/", 5) &&
	    bsd_partition(os->type, spec, id, sizeof id))
		return insp_find_id(id);
	f = insp_find_spec(spec);
	return f || strncmp(spec, "/dev/md", 7) ? f : md_conf(os, spec);
}

/* What fstab mounts from F with OPTIONS: a btrfs subvolume that
 * subvol= names is one of its own ("0.2#257", as virt-inspector's
 * btrfsvol:), F itself otherwise. */
static const char *subvol_of(struct insp_fs *f, const char *options, char *id, size_t len)
{
	char path[WIRE_VALUE_MAX];
	const char *o;

	if (strcmp(f->type, "btrfs"))
		return f->id;
	for (o = options; o && *o; o = strchr(o, ',') ? strchr(o, ',') + 1 : NULL)
		if (!strncmp(o, "subvol=", 7)) {
			snprintf(path, sizeof path, "%.*s", (int)strcspn(o + 7, ","), o + 7);
			if (insp_btrfs_subvol_id(f, path, id, len) == 0)
				return id;
			break;
		}
	return f->id;
}

void insp_fstab(const struct insp_os *os, struct insp_fstab *sp)
{
	static char buf[INSP_SMALL_FILE];
	int n = 0, have_root = 0;

	memset(sp, 0, sizeof *sp);
	if (insp_read(os->root, "etc/fstab", buf, sizeof buf) < 0) {
		insp_mountpoint(os, "/", os->id);
		return;
	}
	for (char *l = strtok(buf, "\n"); l && n < MAX_FSTAB; l = strtok(NULL, "\n")) {
		struct insp_fs *f_fs;
		char *f[4], id[300];
		int nf = 0;

		l += strspn(l, " \t");
		if (*l == '#' || !*l)
			continue;
		for (char *s = l; nf < 4 && *s; ) {
			f[nf++] = s;
			s += strcspn(s, " \t");
			if (*s)
				*s++ = '\0';
			s += strspn(s, " \t");
		}
		if (nf < 3)
			continue;
		insp_rec_start(IK_OS_FSTAB, os->id);
		for (int i = 0; i < 4; i++)
			insp_field(i < nf ? f[i] : "");
		insp_rec_end();
		n++;
		if (!strcmp(f[1], "/") && !have_root) {
			insp_mountpoint(os, "/", os->id);
			have_root = 1;
		} else if (f[1][0] == '/' && strcmp(f[1], "/") && (f_fs = insp_fstab_resolve(os, f[0]))) {
			insp_mountpoint(os, f[1], subvol_of(f_fs, nf > 3 ? f[3] : "", id, sizeof id));
		}
		if (!strcmp(f[1], "/boot"))
			snprintf(sp->boot, sizeof sp->boot, "%s", f[0]);
		else if (!strcmp(f[1], "/usr"))
			snprintf(sp->usr, sizeof sp->usr, "%s", f[0]);
		else if (!strcmp(f[1], "/var"))
			snprintf(sp->var, sizeof sp->var, "%s", f[0]);
	}
	if (!have_root)
		insp_mountpoint(os, "/", os->id);
}

int insp_fstab_mount(const struct insp_os *os, const char *spec, const char *what, char *mp,
		     size_t mplen, struct insp_fs **found)
{
	struct insp_fs *f = insp_fstab_resolve(os, spec);

	*found = f;
	if (!f) {
		insp_recf(IK_OS_NOTE, os->id, "fstab mounts %s from %s, which is on none of the disks",
			  what, spec);
		return -1;
	}
	return insp_mount(f, NULL, mp, mplen);
}
