/* volumes: what must be opened before a filesystem shows: md
 * arrays, assembled read-only by mdadm, and LUKS volumes, opened
 * read-only by cryptsetup with the keys the user gave.  Each becomes a
 * device the rest of the inspector treats as a partition (md:NAME,
 * luks:NAME), so LVM on either, or LUKS on LVM, is found by running
 * these passes again over what the last one added.
 *
 * The keys come on the job's stdin, never on a command line or the
 * kernel's: a line "SELECTOR TAB HEX" a key, SELECTOR empty for a key to
 * try on every volume.  Each key reaches cryptsetup on a pipe. */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "inspect.h"

#define MAX_KEYS 64
#define KEY_MAX 8192             /* bytes of one key */
#define KEYS_INPUT (64u << 10)   /* bytes of stdin read for keys */

static struct key {
	char selector[256];
	unsigned char key[KEY_MAX];
	size_t len;
} keys[MAX_KEYS];
static int nkeys;

const char *insp_which(const char *const *paths)
{
	for (; *paths; paths++)
		if (access(*paths, X_OK) == 0)
			return *paths;
	return NULL;
}

static int hex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void insp_keys_read(void)
{
	static char in[KEYS_INPUT + 1];
	size_t got = 0;
	ssize_t n;

	while (got < KEYS_INPUT && (n = read(0, in + got, KEYS_INPUT - got)) > 0)
		got += (size_t)n;
	in[got] = '\0';
	for (char *l = in, *next; *l && nkeys < MAX_KEYS; l = next) {
		char *tab = strchr(l, '\t'), *nl = strchr(l, '\n');
		struct key *k = &keys[nkeys];
		size_t hl;

		if (!nl)
			break;
		*nl = '\0';
		next = nl + 1;
		if (!tab || (size_t)(tab - l) >= sizeof k->selector)
			continue;
		hl = strlen(tab + 1);
		if (hl % 2 || hl / 2 > KEY_MAX)
			continue;
		memcpy(k->selector, l, (size_t)(tab - l));
		k->selector[tab - l] = '\0';
		k->len = 0;
		for (const char *h = tab + 1; *h; h += 2) {
			int hi = hex(h[0]), lo = hex(h[1]);

			if (hi < 0 || lo < 0)
				break;
			k->key[k->len++] = (unsigned char)(hi << 4 | lo);
		}
		if (k->len * 2 == hl)
			nkeys++;
	}
	explicit_bzero(in, got);
}

/* Whether SEL names F: "" or "all" every volume, else its ID, its LUKS
 * UUID, or the guest's name for its device. */
static int selects(const char *sel, const struct insp_fs *f)
{
	return !sel[0] || !strcmp(sel, "all") || !strcmp(sel, f->id) ||
	       (f->uuid[0] && !strcasecmp(sel, f->uuid)) ||
	       (!strncmp(sel, "/dev/", 5) && insp_find_spec(sel) == f);
}

int insp_luks(int from)
{
	static int nluks;
	static const char *const paths[] = { "/usr/sbin/cryptsetup", "/sbin/cryptsetup", NULL };
	const char *cs = insp_which(paths);
	int added = 0, loaded = 0, end = insp_nfs;

	for (int i = from; i < end; i++) {
		struct insp_fs *f = &insp_fss[i];
		char name[96], dev[128], id[128];
		int tried = 0, opened = 0;

		if (strcmp(f->type, "crypto_LUKS"))
			continue;
		if (!cs) {
			insp_rec(IK_FS_NOTE, f->id, "LUKS volume not opened: the appliance has no cryptsetup");
			continue;
		}
		/* Device-mapper's name: libguestfs's luks-UUID. */
		snprintf(name, sizeof name, "luks-%.60s", f->uuid[0] ? f->uuid : "");
		for (char *c = name + 5; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '-')
				*c = '_';
		if (!f->uuid[0])
			snprintf(name + 5, sizeof name - 5, "%d", i);
		/* A cloned disk's volume has its twin's UUID: the name is
		 * made unique, or the open would fail as if the key had. */
		snprintf(dev, sizeof dev, "/dev/mapper/%s", name);
		if (access(dev, F_OK) == 0)
			snprintf(name + strlen(name), sizeof name - strlen(name), "-%d", i);
		if (nluks >= WIRE_MAX_LVS) {
			insp_rec(IK_FS_NOTE, f->id, "LUKS volume not opened: over the report's limit of volumes");
			continue;
		}
		if (!loaded++) {
			insp_modprobe("dm_mod");
			insp_modprobe("dm_crypt");
		}
		for (int k = 0; k < nkeys && !opened; k++) {
			char *const argv[] = { (char *)cs, "open", "--readonly", "--type", "luks", "--disable-locks",
					       "--key-file=-", f->dev, name, NULL };

			if (!selects(keys[k].selector, f))
				continue;
			tried++;
			opened = insp_run_input(argv, keys[k].key, keys[k].len, NULL, 0) == 0;
		}
		if (!opened) {
			insp_recf(IK_FS_NOTE, f->id, "LUKS volume not opened: %s (leanboot inspect --key %s:key:PASSPHRASE)",
				  tried ? "no key given opens it" : "no key given for it", f->id);
			continue;
		}
		snprintf(dev, sizeof dev, "/dev/mapper/%s", name);
		snprintf(id, sizeof id, "luks:%s", name);
		if (!insp_new_fs(id, dev))
			break;
		insp_rec(IK_FS_OPENED, f->id, id);
		added++;
		nluks++;
	}
	return added;
}

/* mdadm's view of what it assembled: ARRAY lines of `--detail --scan`,
 * each with the array's device and UUID. */
static void md_list(const char *mdadm)
{
	static int narrays;
	static char out[64 << 10];
	char *const argv[] = { (char *)mdadm, "--detail", "--scan", NULL };
	char *save = NULL;

	if (insp_run(argv, out, sizeof out) != 0)
		return;
	for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *dev = NULL, *uuid = NULL, *w, *s2 = NULL, id[128];
		const char *name;
		struct insp_fs *f;

		if (strncmp(l, "ARRAY ", 6))
			continue;
		for (w = strtok_r(l + 6, " ", &s2); w; w = strtok_r(NULL, " ", &s2))
			if (w[0] == '/')
				dev = w;
			else if (!strncmp(w, "UUID=", 5))
				uuid = w + 5;
		if (!dev || strncmp(dev, "/dev/md", 7))
			continue;
		/* /dev/md/NAME or /dev/mdN. */
		name = !strncmp(dev, "/dev/md/", 8) ? dev + 8 : dev + 5;
		if (!wire_lvm_name_ok(name, strlen(name)) || strlen(name) > 64)
			continue;
		snprintf(id, sizeof id, "md:%s", name);
		/* Assembled in an earlier round; the report's limit. */
		if (insp_find_id(id))
			continue;
		if (narrays >= WIRE_MAX_LVS || !(f = insp_new_fs(id, dev)))
			return;
		narrays++;
		if (uuid) {
			size_t o = 0;

			for (const char *c = uuid; *c && o + 1 < sizeof f->md_uuid; c++)
				if (isxdigit((unsigned char)*c))
					f->md_uuid[o++] = (char)tolower((unsigned char)*c);
			f->md_uuid[o] = '\0';
		}
	}
}

/* A writable face of the read-only member F: a snapshot whose changes
 * go to a loop device on a sparse file in the appliance's RAM, so that
 * md, which opens its members for writing even to assemble them
 * read-only, can take it while the disk stays untouched.  Its device
 * in OUT; 0, or -1. */
static int member_snapshot(const struct insp_fs *f, int n, char *out, size_t len)
{
	static const char *const dmsetup_paths[] = { "/usr/sbin/dmsetup", "/sbin/dmsetup", NULL };
	static const char *const losetup_paths[] = { "/usr/sbin/losetup", "/sbin/losetup", NULL };
	const char *dmsetup = insp_which(dmsetup_paths), *losetup = insp_which(losetup_paths);
	char cow[64], loopdev[64] = "", table[512], name[32];
	unsigned long long bytes = 0;
	int fd;

	if (!dmsetup || !losetup)
		return -1;
	fd = open(f->dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ioctl(fd, BLKGETSIZE64, &bytes);
	close(fd);
	mkdir("/tmp/md", 0700);
	snprintf(cow, sizeof cow, "/tmp/md/cow%d", n);
	/* Assembled read-only, an array writes nothing: a few MiB of
	 * room is for its superblock's bookkeeping at most. */
	fd = open(cow, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, 16 << 20) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	{
		char *const argv[] = { (char *)losetup, "-f", "--show", cow, NULL };

		if (insp_run(argv, loopdev, sizeof loopdev) != 0 || strncmp(loopdev, "/dev/loop", 9))
			return -1;
		loopdev[strcspn(loopdev, "\n")] = '\0';
	}
	snprintf(name, sizeof name, "lbmd%d", n);
	snprintf(table, sizeof table, "0 %llu snapshot %s %s N 8", bytes / 512, f->dev, loopdev);
	{
		char *const argv[] = { (char *)dmsetup, "create", "--noudevrules", "--noudevsync", name, "--table",
				       table, NULL };
		/* No udev here to make the device's node. */
		char *const mknodes[] = { (char *)dmsetup, "mknodes", name, NULL };

		if (insp_run(argv, NULL, 0) != 0 || insp_run(mknodes, NULL, 0) != 0)
			return -1;
	}
	snprintf(out, len, "/dev/mapper/%s", name);
	return 0;
}

void insp_keys_forget(void)
{
	explicit_bzero(keys, sizeof keys);
	nkeys = 0;
}

int insp_md(int from)
{
	static const char *const paths[] = { "/usr/sbin/mdadm", "/sbin/mdadm", NULL };
	static const char *const mods[] = { "dm_mod", "dm_snapshot", "loop", "md_mod", "raid1", "raid0", "raid10",
					    "raid456", "linear" };
	const char *mdadm = insp_which(paths);
	int members = 0, end = insp_nfs, before;

	for (int i = from; i < end; i++)
		members += !strcmp(insp_fss[i].type, "linux_raid_member");
	if (!members)
		return 0;
	if (!mdadm) {
		for (int i = from; i < end; i++)
			if (!strcmp(insp_fss[i].type, "linux_raid_member"))
				insp_rec(IK_FS_NOTE, insp_fss[i].id, "md array member: not assembled, the appliance has no mdadm");
		return 0;
	}
	for (size_t m = 0; m < sizeof mods / sizeof mods[0]; m++)
		insp_modprobe(mods[m]);
	for (int i = from; i < end; i++) {
		struct insp_fs *f = &insp_fss[i];

		if (!strcmp(f->type, "linux_raid_member") &&
		    member_snapshot(f, i, f->md_face, sizeof f->md_face) < 0) {
			insp_rec(IK_FS_NOTE, f->id, "md array member: no writable snapshot of it could be made");
			f->md_face[0] = '\0';
		}
	}
	{
		/* Every array the snapshots make, read-only, under the names
		 * their superblocks give, whichever host made them; not the
		 * guest's configuration, which names its own devices. */
		char *const argv[] = { (char *)mdadm, "--assemble", "--scan", "--readonly", "--run",
				       "--config=/tmp/md/mdadm.conf", NULL };

		FILE *conf = fopen("/tmp/md/mdadm.conf", "we");

		if (conf) {
			fputs("DEVICE /dev/mapper/lbmd*\nHOMEHOST <ignore>\nAUTO +all\n", conf);
			if (fclose(conf) == 0)
				insp_run(argv, NULL, 0);
		}
	}
	before = insp_nfs;
	md_list(mdadm);
	/* Each member says which array it is in, or why it is in none. */
	for (int i = from; i < end; i++) {
		struct insp_fs *f = &insp_fss[i];
		char holders[300], dev[400];
		struct stat st;
		int found = 0;

		if (strcmp(f->type, "linux_raid_member"))
			continue;
		/* The kernel lists an array as its member's holder:
		 * /sys/dev/block/MAJ:MIN/holders/mdM, of the snapshot. */
		if (!f->md_face[0] || stat(f->md_face, &st) < 0)
			continue;
		snprintf(holders, sizeof holders, "/sys/dev/block/%u:%u/holders", major(st.st_rdev), minor(st.st_rdev));
		for (int a = before; a < insp_nfs && !found; a++) {
			char real[64];
			ssize_t n = readlink(insp_fss[a].dev, real, sizeof real - 1);
			const char *md = insp_fss[a].dev;

			if (n > 0) {
				real[n] = '\0';
				md = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
			} else if (strrchr(md, '/')) {
				md = strrchr(md, '/') + 1;
			}
			snprintf(dev, sizeof dev, "%s/%s", holders, md);
			if (access(dev, F_OK) == 0) {
				insp_rec(IK_FS_MEMBER_OF, f->id, insp_fss[a].id);
				found = 1;
			}
		}
		if (!found)
			insp_rec(IK_FS_NOTE, f->id, "md array member: its array could not be assembled read-only");
	}
	return insp_nfs - before;
}
