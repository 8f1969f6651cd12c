/* inspect: the appliance's side of `leanboot inspect`.  It runs as the
 * job of a launch, looks at the user's disks (/dev/disk/leanboot/N, all
 * attached read-only by the host) and prints what it finds as records
 * (inspect.h).  KIND is disk, part, lv, fs or os.  ID is the disk's index
 * N, N.P for its partition P, or VG/LV; an os record's ID is its root's,
 * with #SUBVOLID when the root is a btrfs subvolume.  The host
 * (launcher/inspect/report.c) trusts none of it: the disks belong to
 * whoever made the image.
 *
 * The steps: the disks' partition tables, then what blkid finds on each
 * device, then LVM's volumes (on the physical volumes found), then each
 * filesystem mounted and an OS looked for on it.  Every filesystem all
 * this finds is known before any OS is read, so an OS's /usr or /boot on
 * another one is found wherever it is. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <blkid/blkid.h>

#include "inspect.h"

/* --- disks and partitions -------------------------------------------- */

/* The partition table and its entries.  The filesystems are looked for
 * on the partitions the kernel made devices of. */
static void inspect_disk(int n)
{
	char link[64], dev[64], id[16];
	blkid_probe pr;
	blkid_partlist pl;
	blkid_parttable pt;
	uint64_t size = 0;
	ssize_t len;
	int fd, nparts;
	char sig[16] = "";
	const char *s;

	snprintf(link, sizeof link, "/dev/disk/leanboot/%d", n);
	len = readlink(link, dev, sizeof dev - 1);
	if (len <= 0)
		return;
	dev[len] = '\0';
	snprintf(id, sizeof id, "%d", n);
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ioctl(fd, BLKGETSIZE64, &size);
		close(fd);
	}
	insp_recf(IK_DISK_SIZE, id, "%llu", (unsigned long long)size);

	pr = blkid_new_probe_from_filename(dev);
	if (!pr) {
		insp_rec(IK_DISK_PARTITION_TABLE, id, "none");
		return;
	}
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	blkid_probe_enable_superblocks(pr, 0);
	pl = blkid_probe_get_partitions(pr);
	pt = pl ? blkid_partlist_get_table(pl) : NULL;
	if (!pt) {
		blkid_free_probe(pr);
		insp_rec(IK_DISK_PARTITION_TABLE, id, "none");
		insp_new_fs(id, dev);
		return;
	}
	insp_rec(IK_DISK_PARTITION_TABLE, id, blkid_parttable_get_type(pt));
	/* An MBR disk's signature names its partitions in Windows'
	 * MountedDevices. */
	if (!strcmp(blkid_parttable_get_type(pt), "dos") && (s = blkid_parttable_get_id(pt)))
		snprintf(sig, sizeof sig, "%s%s", strncmp(s, "0x", 2) ? "0x" : "", s);
	nparts = blkid_partlist_numof_partitions(pl);
	if (nparts > INSP_MAX_PARTS) {
		insp_recf(IK_DISK_PARTITIONS_OMITTED, id, "%d", nparts - INSP_MAX_PARTS);
		nparts = INSP_MAX_PARTS;
	}
	for (int i = 0; i < nparts; i++) {
		blkid_partition p = blkid_partlist_get_partition(pl, i);
		int no = blkid_partition_get_partno(p);
		char pdev[80];
		struct insp_fs *f;

		if (no < 1)
			continue;
		snprintf(id, sizeof id, "%d.%d", n, no);
		insp_recf(IK_PART_START, id, "%llu", (unsigned long long)blkid_partition_get_start(p) * 512);
		insp_recf(IK_PART_SIZE, id, "%llu", (unsigned long long)blkid_partition_get_size(p) * 512);
		if ((s = blkid_partition_get_type_string(p)))
			insp_rec(IK_PART_TYPE, id, s);
		else
			insp_recf(IK_PART_TYPE, id, "0x%02x", blkid_partition_get_type(p));
		if ((s = blkid_partition_get_name(p)) && *s)
			insp_rec(IK_PART_NAME, id, s);
		if ((s = blkid_partition_get_uuid(p)) && *s)
			insp_rec(IK_PART_UUID, id, s);
		/* An extended partition holds the logical ones, nothing else. */
		if (blkid_partition_is_extended(p))
			continue;
		snprintf(pdev, sizeof pdev, "%s%d", dev, no);
		if (access(pdev, F_OK) != 0)
			continue;
		f = insp_new_fs(id, pdev);
		if (!f)
			break;
		if ((s = blkid_partition_get_uuid(p)))
			snprintf(f->partuuid, sizeof f->partuuid, "%s", s);
		if ((s = blkid_partition_get_name(p)))
			snprintf(f->partlabel, sizeof f->partlabel, "%s", s);
		f->start = (uint64_t)blkid_partition_get_start(p) * 512;
		snprintf(f->disk_sig, sizeof f->disk_sig, "%s", sig);
	}
	blkid_free_probe(pr);
}

/* --- LVM ------------------------------------------------------------- */

/* Activate the volume groups on the disks read-only and add each
 * logical volume to the devices, as a partition is.  lvm itself is told to keep no
 * backups or caches and to do without udev; the activation is read-only
 * (read_only_volume_list), over devices that are read-only anyway. */
/* Whether the LV ID was reported already, and if not, that it now is;
 * also 1 past the report's limit of volumes, which holds across the
 * rounds. */
static int lv_seen(const char *id)
{
	static char seen[WIRE_MAX_LVS][256];
	static int n;

	for (int i = 0; i < n; i++)
		if (!strcmp(seen[i], id))
			return 1;
	if (n >= WIRE_MAX_LVS)
		return 1;
	snprintf(seen[n++], sizeof seen[0], "%s", id);
	return 0;
}

static void inspect_lvm(void)
{
	static const char *const lvm_paths[] = { "/usr/sbin/lvm", "/sbin/lvm" };
	static char out[64 << 10], cfg[16 << 10];
	const char *lvm = NULL;
	int have_pv = 0;
	size_t o;

	for (int i = 0; i < insp_nfs; i++)
		have_pv |= !strcmp(insp_fss[i].type, "LVM2_member");
	for (size_t i = 0; i < sizeof lvm_paths / sizeof lvm_paths[0] && !lvm; i++)
		if (access(lvm_paths[i], X_OK) == 0)
			lvm = lvm_paths[i];
	if (!have_pv || !lvm)
		return;
	insp_modprobe("dm_mod");
	o = (size_t)snprintf(cfg, sizeof cfg,
			     "backup { backup = 0 archive = 0 } "
			     "devices { obtain_device_list_from_udev = 0 write_cache_state = 0 scan_lvs = 0 } "
			     "activation { udev_sync = 0 udev_rules = 0 monitoring = 0");
	{
		char *const vgs[] = { (char *)lvm, "vgs", "--noheadings", "-o", "vg_name",
				      "--config", cfg, NULL };
		char *save = NULL;
		int n = 0;

		/* The base configuration, to list the VGs by name. */
		snprintf(cfg + o, sizeof cfg - o, " }");
		if (insp_run(vgs, out, sizeof out) != 0)
			return;
		o += (size_t)snprintf(cfg + o, sizeof cfg - o, " read_only_volume_list = [");
		for (char *t = strtok_r(out, " \n", &save); t && n < WIRE_MAX_LVS; t = strtok_r(NULL, " \n", &save))
			if (wire_lvm_name_ok(t, strlen(t)) && o + strlen(t) + 8 < sizeof cfg)
				o += (size_t)snprintf(cfg + o, sizeof cfg - o, "%s\"%s\"", n++ ? ", " : " ", t);
		if (!n)
			return;
		snprintf(cfg + o, sizeof cfg - o, " ] }");
	}
	{
		char *const act[] = { (char *)lvm, "vgchange", "-ay", "--noudevsync", "--config", cfg, NULL };
		char *const lvs[] = { (char *)lvm, "lvs", "--noheadings", "--separator", "/", "--units", "b",
				      "--nosuffix", "-o", "vg_name,lv_name,lv_size", "--config", cfg, NULL };
		char *save = NULL;

		insp_run(act, out, sizeof out);
		if (insp_run(lvs, out, sizeof out) != 0)
			return;
		for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char *vg = l + strspn(l, " "), *lv, *size, id[256], dev[300], *d;

			if (!(lv = strchr(vg, '/')) || !(size = strchr(lv + 1, '/')))
				continue;
			*lv++ = '\0';
			*size++ = '\0';
			if (!wire_lvm_name_ok(vg, strlen(vg)) || !wire_lvm_name_ok(lv, strlen(lv)) || strspn(size, "0123456789") != strlen(size))
				continue;
			snprintf(id, sizeof id, "%s/%s", vg, lv);
			/* Reported in an earlier round, active or not. */
			if (lv_seen(id))
				continue;
			insp_rec(IK_LV_SIZE, id, size);
			/* Device-mapper's name: VG-LV with each '-' doubled,
			 * 12 + 2 * 255 bytes at the most. */
			d = dev + snprintf(dev, sizeof dev, "/dev/mapper/");
			for (const char *s = id; *s && d < dev + sizeof dev - 3; s++) {
				if (*s == '-')
					*d++ = '-';
				*d++ = *s == '/' ? '-' : *s;
			}
			*d = '\0';
			if (access(dev, F_OK) != 0) {
				insp_rec(IK_LV_INACTIVE, id, "1");
				continue;
			}
			insp_new_fs(id, dev);
		}
	}
}

/* --- filesystems and the systems on them ----------------------------- */

static void inspect_fs(struct insp_fs *f)
{
	int btrfs = !strcmp(f->type, "btrfs"), root, oss;
	struct statvfs sv;
	char mp[64];

	if (!f->type[0] || !insp_mountable(f->type))
		return;
	/* btrfs: its top level, where every subvolume is found. */
	root = insp_mount(f, btrfs ? "subvolid=5" : NULL, mp, sizeof mp);
	if (root < 0)
		return;
	if (fstatvfs(root, &sv) == 0) {
		insp_recf(IK_FS_SIZE, f->id, "%llu", (unsigned long long)sv.f_blocks * sv.f_frsize);
		insp_recf(IK_FS_USED, f->id, "%llu",
			  (unsigned long long)(sv.f_blocks - sv.f_bfree) * sv.f_frsize);
	}
	oss = insp_os_at(f, f->id, root);
	if (btrfs)
		oss += insp_btrfs(f, root);
	/* Nothing missed in silence: what is there instead. */
	if (!oss) {
		char names[512];

		insp_top_names(root, names, sizeof names);
		insp_recf(IK_FS_NOTE, f->id, "no operating system found; top level: %s", names);
	}
	insp_unmount(mp, root);
}

static void probe_from(int first)
{
	for (int i = first; i < insp_nfs; i++)
		insp_probe(&insp_fss[i]);
}

int main(void)
{
	int from = 0;

	/* Records go out in whole lines; a full buffer flushes on its own. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	insp_keys_read();
	for (int n = 0; n < WIRE_MAX_DISKS; n++)
		inspect_disk(n);
	probe_from(0);
	/* md arrays and LUKS volumes, then LVM on what they hold; again
	 * over what that added (LUKS on LVM), a few rounds at most. */
	for (int round = 0; round < 4; round++) {
		int start = insp_nfs, mid;

		insp_md(from);
		insp_luks(from);
		probe_from(start);
		mid = insp_nfs;
		inspect_lvm();
		probe_from(mid);
		if (insp_nfs == start)
			break;
		from = start;
	}
	/* No key stays for the readers of hives and databases. */
	insp_keys_forget();
	for (int i = 0; i < insp_nfs; i++)
		inspect_fs(&insp_fss[i]);
	fflush(stdout);
	return 0;
}
