/* report-test: the host's reader of the inspector's records against
 * crafted reports: good ones, and each rule a hostile guest might break.
 * TAP output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "inspect/derive.h"
#include "inspect/report.h"
#include "tap.h"

/* A report with NDISKS attached disks, read from TEXT; the JSON made, or
 * NULL with the error in err_msg(). */
static struct json_object *read_report(const char *text, size_t len, int ndisks)
{
	struct json_object *r = json_object_new_object(), *disks = json_object_new_array();

	for (int i = 0; i < ndisks; i++)
		json_object_array_add(disks, json_object_new_object());
	json_object_object_add(r, "disks", disks);
	err_clear();
	if (inspect_read(text, len, r) < 0) {
		json_object_put(r);
		return NULL;
	}
	inspect_derive(r);
	return r;
}

static const char *at(struct json_object *r, const char *path)
{
	static char buf[4096];
	struct json_object *o = r;
	char p[256], *save = NULL;

	snprintf(p, sizeof p, "%s", path);
	for (char *t = strtok_r(p, ".", &save); t && o; t = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(t));
		else if (!json_object_object_get_ex(o, t, &o))
			o = NULL;
	}
	snprintf(buf, sizeof buf, "%s", o ? json_object_get_string(o) : "(none)");
	return buf;
}

static void good(void)
{
	static const char text[] =
		"disk\t0\tsize\t1048576\n"
		"disk\t0\tpartition_table\tgpt\n"
		"part\t0.2\tstart\t1048576\n"
		"part\t0.2\tname\tev\\x1bil\n"
		"fs\t0.2\ttype\text4\n"
		"fs\t0.2\tlabel\t\xc3\xa9t\xc3\xa9\\x5c\xff\n"
		"fs\t1\ttype\tswap\n"
		"os\t0.2\troot\t0.2\n"
		"os\t0.2\tid\tdebian\n"
		"os\t0.2\tpackages\t42\n"
		"os\t0.2\tkernel\tvmlinuz-1\n"
		"os\t0.2\tkernel\tvmlinuz-2\n"
		"os\t0.2\tfstab\tUUID=x\t/\text4\tdefaults\n"
		"lv\tvg0/root\tsize\t4096\n"
		"fs\tvg0/root\ttype\txfs\n"
		"os\tvg0/root\troot\tvg0/root\n";
	struct json_object *r = read_report(text, sizeof text - 1, 2);

	tap_ok(r != NULL, "a well-formed report is read");
	if (!r)
		return;
	tap_ok(!strcmp(at(r, "disks.0.size"), "1048576"), "a disk's size is a number");
	tap_ok(!strcmp(at(r, "disks.0.partitions.0.number"), "2"), "a partition is numbered from its ID");
	tap_ok(!strcmp(at(r, "disks.0.partitions.0.name"), "ev\\x1bil"), "an escape character stays escaped");
	tap_ok(!strcmp(at(r, "disks.0.partitions.0.filesystem.label"), "\xc3\xa9t\xc3\xa9\\x5c\\xff"),
	   "UTF-8 stays; a backslash and a byte that is not UTF-8 become \\xHH");
	tap_ok(!strcmp(at(r, "disks.1.filesystem.type"), "swap"), "a whole-disk filesystem is on the disk");
	tap_ok(!strcmp(at(r, "operating_systems.0.distro"), "debian") &&
	   !strcmp(at(r, "operating_systems.0.partition"), "2"), "an OS is keyed by its root");
	tap_ok(!strcmp(at(r, "operating_systems.0.kernels.1"), "vmlinuz-2"), "kernels are a list");
	tap_ok(!strcmp(at(r, "operating_systems.0.fstab.0.mountpoint"), "/"), "fstab entries have their fields");
	tap_ok(!strcmp(at(r, "logical_volumes.0.name"), "vg0/root") &&
	   !strcmp(at(r, "logical_volumes.0.filesystem.type"), "xfs"), "a logical volume and its filesystem");
	tap_ok(!strcmp(at(r, "operating_systems.1.logical_volume"), "vg0/root"), "an OS on a logical volume");
	json_object_put(r);
}

/* The keys of Windows, btrfs, a separate /usr and notes, and what the
 * reader derives from them. */
static void breadth(void)
{
	static const char text[] =
		"fs\t0.1\ttype\tntfs\n"
		"fs\t0.1\tnote\tno operating system found; top level: a\\x1bb\n"
		"fs\t1\tsubvolume\t256\troot\n"
		"fs\t1\tsubvolume\t257\thome\n"
		"os\t0.2\troot\t0.2\n"
		"os\t0.2\ttype\twindows\n"
		"os\t0.2\tproduct_name\tWindows Server 2022 Datacenter\n"
		"os\t0.2\tproduct_variant\tServer\n"
		"os\t0.2\tmajor_version\t10\n"
		"os\t0.2\tminor_version\t0\n"
		"os\t0.2\tdrive\tC\t0.2\n"
		"os\t0.2\tpackages\t2\n"
		"os\t0.2\tapplication\tApp1\tApplication One\t\t1.2\t\t\thttp://x/\t\t\tline one\\x0aline\\x1b two\tRed Hat\tC:\\x5cApp\t20240101\n"
		"os\t0.2\tapplication\tApp2\tApplication Two\t\t\t\t\t\t\t\t\t\t\t\n"
		"os\t1#256\troot\t1#256\n"
		"os\t1#256\ttype\tlinux\n"
		"os\t1#256\tid\tfedora\n"
		"os\t1#256\tmajor_version\t40\n"
		"os\t1#256\tminor_version\t0\n"
		"os\t1#256\tpretty_name\tFedora Linux 40\n"
		"os\t1#256\tsubvolume\troot\n"
		"os\t1#257\troot\t1#257\n"
		"os\t1#257\tid\tneon\n"
		"os\t1#257\tid_like\tubuntu debian\n"
		"os\t1#257\tusr\t1\n"
		"os\t1#257\tnote\tfstab mounts /boot from UUID=x, which is on none of the disks\n"
		"os\t0.3\troot\t0.3\n"
		"os\t0.3\ttype\twindows\n"
		"os\t0.3\tproduct_name\tWindows 11 Pro\n"
		"os\t0.3\tproduct_variant\tClient\n"
		"os\t0.3\tmajor_version\t10\n"
		"os\t0.3\tminor_version\t0\n"
		"os\t0.3\tbuild_id\t22631\n"
		"os\t0.4\troot\t0.4\n"
		"os\t0.4\ttype\tlinux\n"
		"os\t0.4\tdistro\tcentos\n"
		"os\t0.4\tproduct_name\tCentOS release 6.10 (Final)\n"
		"os\t0.4\tmajor_version\t6\n"
		"os\t0.4\tminor_version\t10\n"
		"os\t0.4\tmountpoint\t/boot\t0.5\n"
		"os\t0.4\tmountpoint\t/\t0.4\n"
		"os\t0.4\tapplication\tbash\t\t1\t4.1.2\t48.el6\tx86_64\t\tbash\t\t\t\t\t\n";
	struct json_object *r = read_report(text, sizeof text - 1, 2);

	tap_ok(r != NULL, "a report with Windows, subvolumes and notes is read");
	if (!r)
		return;
	tap_ok(!strcmp(at(r, "disks.0.partitions.0.filesystem.notes.0"), "no operating system found; top level: a\\x1bb"),
	   "a filesystem's note, its escape kept escaped");
	tap_ok(!strcmp(at(r, "disks.1.filesystem.subvolumes.1.path"), "home") &&
	   !strcmp(at(r, "disks.1.filesystem.subvolumes.1.id"), "257"), "subvolumes are listed with their IDs");
	tap_ok(!strcmp(at(r, "operating_systems.0.distro"), "windows") &&
	   !strcmp(at(r, "operating_systems.0.family"), "windows"), "Windows: distro and family");
	tap_ok(!strcmp(at(r, "operating_systems.0.osinfo"), "win2k22"), "Windows Server 2022: osinfo from the product name");
	tap_ok(!strcmp(at(r, "operating_systems.3.osinfo"), "win11"), "Windows 11: osinfo from the build");
	tap_ok(!strcmp(at(r, "operating_systems.0.drive_mappings.0.letter"), "C") &&
	   !strcmp(at(r, "operating_systems.0.drive_mappings.0.filesystem"), "0.2"), "a drive letter and its filesystem");
	tap_ok(!strcmp(at(r, "operating_systems.1.subvolume_id"), "256") &&
	   !strcmp(at(r, "operating_systems.2.subvolume_id"), "257"), "two systems in two subvolumes of one filesystem");
	tap_ok(!strcmp(at(r, "operating_systems.1.product_name"), "Fedora Linux 40") &&
	   !strcmp(at(r, "operating_systems.1.osinfo"), "fedora40") &&
	   !strcmp(at(r, "operating_systems.1.family"), "fedora"), "Linux: product_name, osinfo, family derived");
	tap_ok(!strcmp(at(r, "operating_systems.0.applications.0.name"), "App1") &&
	   !strcmp(at(r, "operating_systems.0.applications.0.display_name"), "Application One") &&
	   !strcmp(at(r, "operating_systems.0.applications.0.publisher"), "Red Hat") &&
	   !strcmp(at(r, "operating_systems.0.applications.0.install_path"), "C:\\x5cApp") &&
	   !strcmp(at(r, "operating_systems.0.applications.0.epoch"), "(none)") &&
	   !strcmp(at(r, "operating_systems.0.applications.1.version"), "(none)"),
	   "applications: their fields, the empty ones left out");
	tap_ok(!strcmp(at(r, "operating_systems.0.applications.0.description"), "line one\nline\\x1b two"),
	   "an application's description keeps its lines, each cleaned");
	tap_ok(!strcmp(at(r, "operating_systems.4.distro"), "centos") &&
	   !strcmp(at(r, "operating_systems.4.osinfo"), "centos6.10") &&
	   !strcmp(at(r, "operating_systems.4.package_format"), "rpm") &&
	   !strcmp(at(r, "operating_systems.4.package_management"), "yum") &&
	   !strcmp(at(r, "operating_systems.4.applications.0.epoch"), "1"),
	   "a release file's distro: osinfo, package format and manager derived");
	tap_ok(!strcmp(at(r, "operating_systems.4.mountpoints.0.mountpoint"), "/") &&
	   !strcmp(at(r, "operating_systems.4.mountpoints.1.filesystem"), "0.5"), "mountpoints, / first");
	tap_ok(!strcmp(at(r, "operating_systems.1.distro"), "fedora") &&
	   !strcmp(at(r, "operating_systems.1.os_release_id"), "fedora") &&
	   !strcmp(at(r, "operating_systems.1.package_management"), "dnf"), "os-release's ID kept beside the distro");
	tap_ok(!strcmp(at(r, "operating_systems.2.notes.1"), "os-release ID 'neon' not known: distro reported as given") &&
	   !strcmp(at(r, "operating_systems.2.family"), "ubuntu debian") &&
	   !strcmp(at(r, "operating_systems.2.osinfo"), "(none)"), "an unknown ID: noted, family from ID_LIKE, no osinfo");
	json_object_put(r);
}

static void bad(const char *text, int ndisks, const char *want, const char *what)
{
	struct json_object *r = read_report(text, strlen(text), ndisks);

	tap_ok(!r && strstr(err_msg(), want), what);
	if (r || !strstr(err_msg(), want))
		tap_diag("got: %s", r ? "accepted" : err_msg());
	json_object_put(r);
}

int main(void)
{
	char *big;
	size_t len = 0;

	good();
	breadth();
	bad("fs\t0#256\ttype\tbtrfs\n", 1, "wrong form", "a subvolume ID on a filesystem record is refused");
	bad("os\t0#4\tid\tx\n", 1, "names no attached disk", "a subvolume ID below 5 is refused");
	bad("os\t0#\tid\tx\n", 1, "names no attached disk", "an empty subvolume ID is refused");
	bad("os\t0#25x\tid\tx\n", 1, "names no attached disk", "a subvolume ID with letters is refused");
	bad("fs\t0\tsubvolume\t3\troot\n", 1, "not one", "a listed subvolume ID below 5 is refused");
	bad("fs\t0\tsubvolume\t256\n", 1, "number of values", "a subvolume without its path is refused");
	bad("os\t0\tdrive\tc\t0.1\n", 1, "not one", "a drive letter in lower case is refused");
	bad("os\t0\tdrive\tCD\t0.1\n", 1, "not one", "a drive letter of two letters is refused");
	bad("os\t0\tmajor_version\tten\n", 1, "not one", "a version that is no number is refused");
	bad("disk\t0\tcolour\tred\n", 1, "unknown kind or key", "an unknown key is refused");
	bad("vm\t0\tsize\t1\n", 1, "unknown kind or key", "an unknown kind is refused");
	bad("disk\t1\tsize\t1\n", 1, "names no attached disk", "a disk that was not attached is refused");
	bad("disk\t-1\tsize\t1\n", 1, "names no attached disk", "a negative disk index is refused");
	bad("part\t0\tstart\t1\n", 1, "wrong form", "a partition record needs a partition number");
	bad("part\t0.0\tstart\t1\n", 1, "names no attached disk", "partition 0 is refused");
	bad("disk\t0.1\tsize\t1\n", 1, "wrong form", "a disk record with a partition number is refused");
	bad("lv\tvg 0/root\tsize\t1\n", 1, "names no attached disk", "a volume name with a space is refused");
	bad("lv\tvg/\x1b\tsize\t1\n", 1, "names no attached disk", "a volume name with a control character is refused");
	bad("lv\t0\tsize\t1\n", 1, "wrong form", "an lv record needs a VG/LV name");
	bad("disk\tvg/lv\tsize\t1\n", 1, "wrong form", "a disk record with a volume name is refused");
	bad("disk\t0\tsize\t12ab\n", 1, "not one", "a number with letters is refused");
	bad("disk\t0\tsize\t99999999999999999999\n", 1, "not one", "a number of 20 digits is refused");
	bad("disk\t0\tsize\t-5\n", 1, "not one", "a negative number is refused");
	bad("disk\t0\tsize\t1\ndisk\t0\tsize\t2\n", 1, "given twice", "a value given twice is refused");
	bad("fs\t0\tlabel\ta\\q\n", 1, "bad escape", "an unknown escape is refused");
	bad("fs\t0\tlabel\ta\\x4\n", 1, "bad escape", "a short escape is refused");
	bad("fs\t0\tlabel\ta\\xzz\n", 1, "bad escape", "a non-hex escape is refused");
	bad("fs\t0\tlabel\ta\tb\n", 1, "number of values", "an extra value is refused");
	bad("os\t0\tfstab\ta\tb\n", 1, "number of values", "a short fstab entry is refused");
	bad("a\tb\tc\td\te\tf\tg\th\ti\tj\tk\tl\tm\tn\to\tp\tq\n", 1, "too many fields",
	    "a line of seventeen fields is refused");
	bad("os\t0\tapplication\tbash\t1.0\n", 1, "number of values", "a short application is refused");
	bad("os\t0\tapplication\t\t\t\t1\t\t\t\t\t\t\t\t\t\n", 1, "no name", "an application with no name is refused");
	bad("os\t0\tapplication\tx\t\tone\t\t\t\t\t\t\t\t\t\t\n", 1, "epoch", "an epoch that is no number is refused");
	bad("os\t0\tmountpoint\tboot\t0.1\n", 1, "absolute", "a relative mountpoint is refused");
	bad("disk\t0\tsize\n", 1, "fewer than four", "a line of three fields is refused");
	bad("disk\t0\tsize\t1", 1, "middle of a line", "a report cut off mid-line is refused");
	{
		static const char nul[] = "disk\t0\tsize\t1\0\n";
		struct json_object *r = read_report(nul, sizeof nul - 1, 1);

		tap_ok(!r && strstr(err_msg(), "NUL"), "a NUL byte is refused");
		json_object_put(r);
	}

	/* A value over the limit. */
	big = malloc(INSPECT_MAX_REPORT + 64);
	if (!big)
		return 1;
	len = (size_t)sprintf(big, "fs\t0\tlabel\t");
	memset(big + len, 'a', WIRE_VALUE_MAX + 1);
	len += WIRE_VALUE_MAX + 1;
	strcpy(big + len, "\n");
	bad(big, 1, "over-long", "a value over the limit is refused");

	/* More partitions than a report may hold. */
	len = 0;
	for (int i = 1; i <= INSPECT_MAX_PARTS + 1; i++)
		len += (size_t)sprintf(big + len, "part\t0.%d\tstart\t1\n", i);
	bad(big, 1, "more partitions", "more than the partition limit is refused");

	/* A whole report over the size limit. */
	memset(big, '\n', INSPECT_MAX_REPORT + 1);
	big[INSPECT_MAX_REPORT + 1] = '\0';
	bad(big, 1, "over", "a report over the size limit is refused");
	free(big);

	return tap_done();
}
