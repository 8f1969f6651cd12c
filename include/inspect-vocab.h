/* inspect-vocab: the one definition of what `leanboot inspect` reports.
 * The appliance's inspector (appliance/inspect/) sends records named
 * here; the host's reader (launcher/inspect/report.c) accepts only these;
 * the derivations, the text renderer and the SBOM writer read the
 * report's keys through the same names.  A key spelled wrong is a
 * compile error, not a silent gap between the two sides; so every key
 * is spelled here and nowhere else (tests/20-cmdline.t checks).
 *
 * A record on the wire:  KIND TAB ID TAB KEY [TAB VALUE]... LF
 *
 * Header only, constants and static tables: the inspector is built apart
 * from the launcher and links none of its code. */
#ifndef LB_INSPECT_VOCAB_H
#define LB_INSPECT_VOCAB_H

#include <stddef.h>     /* NULL: a key with no JSON name */

/* What a record describes: X(NAME, "wire name"). */
#define INSPECT_KINDS(X) \
	X(DISK, "disk") X(PART, "part") X(LV, "lv") X(FS, "fs") X(OS, "os")

/* How a record's values become JSON: X(NAME, values). */
#define INSPECT_TYPES(X) \
	X(U64, 1)        /* a decimal number */ \
	X(FLAG, 1)       /* "1": true */ \
	X(STR, 1)        /* one string, once */ \
	X(LIST, 1)       /* a string, repeatable: added to an array */ \
	X(FSTAB, INSPECT_FSTAB_NFIELDS) /* an fstab entry */ \
	X(SUBVOL, 2)     /* a btrfs subvolume: its ID, its path */ \
	X(DRIVE, 2)      /* a Windows drive: its letter, the filesystem's ID */ \
	X(MOUNTPOINT, 2) /* where an OS mounts a filesystem: the path, its ID */ \
	X(APP, INSPECT_APP_NFIELDS) /* an installed application */ \
	X(DERIVED, 0)    /* never sent: the host derives it from the others */

/* An application's values, in this order on the wire, and their JSON
 * names (virt-inspector's).  Empty values are left out of the report. */
#define INSPECT_APP_FIELDS(X) \
	X(NAME, "name") X(DISPLAY_NAME, "display_name") X(EPOCH, "epoch") \
	X(VERSION, "version") X(RELEASE, "release") X(ARCH, "arch") X(URL, "url") \
	X(SOURCE, "source_package") X(SUMMARY, "summary") X(DESCRIPTION, "description") \
	X(PUBLISHER, "publisher") \
	X(INSTALL_PATH, "install_path") X(INSTALL_DATE, "install_date")

/* An fstab entry's values, in this order on the wire, and their JSON
 * names. */
#define INSPECT_FSTAB_FIELDS(X) \
	X(SPEC, "spec") X(MOUNTPOINT, INSPECT_JSON_MOUNTPOINT) X(TYPE, "type") X(OPTIONS, "options")

/* Every key: X(KIND, NAME, "wire key", "JSON key", TYPE, PRINT).  The
 * JSON key is what docs/leanboot.1 documents; NULL: the record only
 * places others (an OS's root).  PRINT is how the text report shows a
 * number: PLAIN as it is, BYTES in binary units (1.5 GiB). */
#define INSPECT_KEYS(X) \
	X(DISK, SIZE, "size", "size", U64, BYTES) \
	X(DISK, PARTITION_TABLE, "partition_table", "partition_table", STR, PLAIN) \
	X(DISK, PARTITIONS_OMITTED, "partitions_omitted", "partitions_omitted", U64, PLAIN) \
	X(PART, START, "start", "start", U64, BYTES) \
	X(PART, SIZE, "size", "size", U64, BYTES) \
	X(PART, TYPE, "type", "type", STR, PLAIN) \
	X(PART, NAME, "name", "name", STR, PLAIN) \
	X(PART, UUID, "uuid", "uuid", STR, PLAIN) \
	X(LV, SIZE, "size", "size", U64, BYTES) \
	X(LV, INACTIVE, "inactive", "inactive", FLAG, PLAIN) \
	X(FS, TYPE, "type", "type", STR, PLAIN) \
	X(FS, USAGE, "usage", "usage", STR, PLAIN) \
	X(FS, UUID, "uuid", "uuid", STR, PLAIN) \
	X(FS, LABEL, "label", "label", STR, PLAIN) \
	X(FS, VERSION, "version", "version", STR, PLAIN) \
	X(FS, ENCRYPTED, "encrypted", "encrypted", FLAG, PLAIN) \
	X(FS, MOUNT, "mount", "mount", STR, PLAIN) \
	X(FS, SIZE, "size", "size", U64, BYTES) \
	X(FS, USED, "used", "used", U64, BYTES) \
	X(FS, NOTE, "note", "notes", LIST, PLAIN) \
	X(FS, SUBVOLUME, "subvolume", "subvolumes", SUBVOL, PLAIN) \
	X(FS, OPENED, "opened", "opened_as", STR, PLAIN) \
	X(FS, MEMBER_OF, "member_of", "member_of", STR, PLAIN) \
	X(OS, ROOT, "root", NULL, STR, PLAIN) \
	X(OS, TYPE, "type", "type", STR, PLAIN) \
	X(OS, OS_RELEASE_ID, "id", "os_release_id", STR, PLAIN) \
	X(OS, RELEASE_DISTRO, "distro", "distro", STR, PLAIN) \
	X(OS, VERSION_ID, "version_id", "version", STR, PLAIN) \
	X(OS, NAME, "name", "name", STR, PLAIN) \
	X(OS, PRETTY_NAME, "pretty_name", "pretty_name", STR, PLAIN) \
	X(OS, CODENAME, "codename", "codename", STR, PLAIN) \
	X(OS, ID_LIKE, "id_like", "id_like", STR, PLAIN) \
	X(OS, BUILD_ID, "build_id", "build_id", STR, PLAIN) \
	X(OS, VARIANT_ID, "variant_id", "variant_id", STR, PLAIN) \
	X(OS, RELEASE_FILE, "release_file", "release_file", STR, PLAIN) \
	X(OS, MAJOR_VERSION, "major_version", "major_version", U64, PLAIN) \
	X(OS, MINOR_VERSION, "minor_version", "minor_version", U64, PLAIN) \
	X(OS, PRODUCT_NAME, "product_name", "product_name", STR, PLAIN) \
	X(OS, PRODUCT_VARIANT, "product_variant", "product_variant", STR, PLAIN) \
	X(OS, EDITION, "edition", "edition", STR, PLAIN) \
	X(OS, HOSTNAME, "hostname", "hostname", STR, PLAIN) \
	X(OS, ARCH, "arch", "arch", STR, PLAIN) \
	X(OS, PACKAGE_FORMAT, "package_format", "package_format", STR, PLAIN) \
	X(OS, PACKAGE_DATABASE, "package_database", "package_database", STR, PLAIN) \
	X(OS, PACKAGES, "packages", "packages", U64, PLAIN) \
	X(OS, APPLICATION, "application", "applications", APP, PLAIN) \
	X(OS, KERNEL, "kernel", "kernels", LIST, PLAIN) \
	X(OS, FSTAB, "fstab", "fstab", FSTAB, PLAIN) \
	X(OS, MOUNTPOINT, "mountpoint", "mountpoints", MOUNTPOINT, PLAIN) \
	X(OS, SUBVOLUME, "subvolume", "subvolume", STR, PLAIN) \
	X(OS, USR, "usr", "usr_filesystem", STR, PLAIN) \
	X(OS, WINDOWS_SYSTEMROOT, "windows_systemroot", "windows_systemroot", STR, PLAIN) \
	X(OS, WINDOWS_CURRENT_CONTROL_SET, "windows_current_control_set", "windows_current_control_set", STR, PLAIN) \
	X(OS, DRIVE, "drive", "drive_mappings", DRIVE, PLAIN) \
	X(OS, NOTE, "note", "notes", LIST, PLAIN) \
	X(DISK, INDEX, NULL, "index", DERIVED, PLAIN) \
	X(DISK, PATH, NULL, "path", DERIVED, PLAIN) \
	X(DISK, FORMAT, NULL, "format", DERIVED, PLAIN) \
	X(DISK, FILE_SIZE, NULL, "file_size", DERIVED, BYTES) \
	X(DISK, BACKING_CHAIN, NULL, "backing_chain", DERIVED, PLAIN) \
	X(OS, DISTRO, NULL, "distro", DERIVED, PLAIN) \
	X(OS, FAMILY, NULL, "family", DERIVED, PLAIN) \
	X(OS, OSINFO, NULL, "osinfo", DERIVED, PLAIN) \
	X(OS, PACKAGE_MANAGEMENT, NULL, "package_management", DERIVED, PLAIN)

/* The report's structure: its lists, and the key of a device's
 * filesystem. */
#define INSPECT_JSON_DISKS "disks"
#define INSPECT_JSON_PARTS "partitions"
#define INSPECT_JSON_LVS "logical_volumes"
#define INSPECT_JSON_LUKS "luks_volumes"
#define INSPECT_JSON_MDS "md_arrays"
#define INSPECT_JSON_OSES "operating_systems"
#define INSPECT_JSON_FS "filesystem"

/* What names an entry of a list: a partition its number, a volume its
 * name. */
#define INSPECT_JSON_PART_NUMBER "number"
#define INSPECT_JSON_VOL_NAME "name"

/* Where an OS is, from its records' ID: on a disk's partition (0: the
 * whole disk) or on a volume named so, and in the btrfs subvolume whose
 * ID is given, if any. */
#define INSPECT_JSON_OS_DISK "disk"
#define INSPECT_JSON_OS_PART "partition"
#define INSPECT_JSON_OS_LV "logical_volume"
#define INSPECT_JSON_OS_LUKS "luks_volume"
#define INSPECT_JSON_OS_MD "md_array"
#define INSPECT_JSON_OS_SUBVOL_ID "subvolume_id"

/* The objects a SUBVOL, DRIVE or MOUNTPOINT record becomes, their two
 * values in the order on the wire: a subvolume's ID and path, a drive's
 * letter and filesystem, a mountpoint's path and filesystem.  A
 * filesystem is named by its ID (0.2, VG/LV); a mountpoint is also what
 * an fstab entry names its path. */
#define INSPECT_JSON_SUBVOL_ID "id"
#define INSPECT_JSON_SUBVOL_PATH "path"
#define INSPECT_JSON_DRIVE_LETTER "letter"
#define INSPECT_JSON_MOUNTPOINT "mountpoint"
#define INSPECT_JSON_FS_ID "filesystem"

#define INSPECT_X_KIND(n, s) INSPECT_##n,
enum inspect_kind { INSPECT_KINDS(INSPECT_X_KIND) INSPECT_NKINDS };
#define INSPECT_X_TYPE(n, v) INSPECT_##n,
enum inspect_type { INSPECT_TYPES(INSPECT_X_TYPE) INSPECT_NTYPES };
#define INSPECT_X_APP(n, s) INSPECT_APP_##n,
enum inspect_app_field { INSPECT_APP_FIELDS(INSPECT_X_APP) INSPECT_APP_NFIELDS };
#define INSPECT_X_FSTAB(n, s) INSPECT_FSTAB_##n,
enum inspect_fstab_field { INSPECT_FSTAB_FIELDS(INSPECT_X_FSTAB) INSPECT_FSTAB_NFIELDS };
enum inspect_print { INSPECT_PRINT_PLAIN, INSPECT_PRINT_BYTES };
/* IK_OS_HOSTNAME and so on. */
#define INSPECT_X_KEY(k, n, w, j, t, p) IK_##k##_##n,
enum inspect_key { INSPECT_KEYS(INSPECT_X_KEY) INSPECT_NKEYS };

static const char *const inspect_kind_names[] = {
#define INSPECT_X_KIND_NAME(n, s) [INSPECT_##n] = s,
	INSPECT_KINDS(INSPECT_X_KIND_NAME)
};

static const int inspect_type_values[] = {
#define INSPECT_X_TYPE_VALUES(n, v) [INSPECT_##n] = v,
	INSPECT_TYPES(INSPECT_X_TYPE_VALUES)
};

static const char *const inspect_app_names[] = {
#define INSPECT_X_APP_NAME(n, s) [INSPECT_APP_##n] = s,
	INSPECT_APP_FIELDS(INSPECT_X_APP_NAME)
};

static const char *const inspect_fstab_names[] = {
#define INSPECT_X_FSTAB_NAME(n, s) [INSPECT_FSTAB_##n] = s,
	INSPECT_FSTAB_FIELDS(INSPECT_X_FSTAB_NAME)
};

static const struct inspect_vocab {
	enum inspect_kind kind;
	const char *wire;      /* NULL: derived by the host, never sent */
	const char *json;
	enum inspect_type type;
	enum inspect_print print;
} inspect_vocab[] = {
#define INSPECT_X_KEY_ENTRY(k, n, w, j, t, p) \
	[IK_##k##_##n] = { INSPECT_##k, w, j, INSPECT_##t, INSPECT_PRINT_##p },
	INSPECT_KEYS(INSPECT_X_KEY_ENTRY)
};

/* The JSON name of key K: IJ(OS, HOSTNAME) is "hostname". */
#define IJ(kind, name) (inspect_vocab[IK_##kind##_##name].json)

/* Limits both sides keep: the inspector stops at them (with a note), the
 * reader refuses a report past them. */
#define INSPECT_MAX_APPS 32768     /* applications of one OS */

#endif
