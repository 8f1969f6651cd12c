/* inspect.h: what the files of the inspector (appliance/inspect) share.
 * The inspector runs as the job of a launch inside the appliance and
 * prints records for the host (launcher/inspect/report.c):
 *
 *     KIND TAB ID TAB KEY TAB VALUE [TAB VALUE]... LF
 *
 * Every byte it reads comes from whoever made the disk images. */
#ifndef LB_APPLIANCE_INSPECT_H
#define LB_APPLIANCE_INSPECT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "inspect-vocab.h"
#include "wire.h"

#define INSP_MAX_PARTS 256         /* the kernel's own limit per disk */
#define INSP_MAX_MOUNTS 64         /* filesystems mounted in one inspection */
#define INSP_MAX_SUBVOLS 64        /* btrfs subvolumes listed on one filesystem */
#define INSP_SMALL_FILE (64 << 10) /* os-release, hostname, fstab */
#define INSP_MAX_FS (WIRE_MAX_DISKS * (INSP_MAX_PARTS + 1) + WIRE_MAX_LVS)

/* One block device that may hold a filesystem: a whole disk, a
 * partition or a logical volume. */
struct insp_fs {
	char id[256];             /* N, N.P, or VG/LV */
	char dev[300];
	char type[32];
	char uuid[64], label[WIRE_VALUE_MAX], partuuid[64], partlabel[WIRE_VALUE_MAX];
	uint64_t start;           /* a partition's first byte on its disk */
	char disk_sig[16];        /* its MBR disk's signature, "0x%08x" */
	char md_uuid[40];         /* an md array's UUID, 32 hex digits */
	char md_face[64];         /* an md member's writable snapshot (volumes.c) */
	int mount_said;           /* its mount record sent (fs.c) */
};

/* --- the devices found (devices.c) ---
 * Every pass of the inspection adds to this table or reads it. */
extern struct insp_fs insp_fss[INSP_MAX_FS];
extern int insp_nfs;
/* A device added to the table, its other fields empty; NULL when the
 * table is full. */
struct insp_fs *insp_new_fs(const char *id, const char *dev);

/* An operating system's root as the readers see it: the filesystem (or
 * one of its btrfs subvolumes) mounted at ROOT, and, when its fstab puts
 * /usr or /var elsewhere, those filesystems at USR and VAR (else -1). */
struct insp_os {
	const char *id;           /* the record ID: the filesystem's, maybe with #SUBVOLID */
	int root, usr, var;
	struct insp_fs *fs;
	const char *type;         /* "linux", "freebsd"...: how its fstab names devices */
};

/* --- records (util.c) --- */
/* Bytes of records printed so far, a reader's in a child counted when
 * they reach the report; applications stop at INSP_APPS_BUDGET, which
 * leaves the rest of the host's 16 MiB for everything else. */
extern size_t insp_out_bytes;
#define INSP_APPS_BUDGET (12u << 20)
void insp_value(const char *s, size_t n);
/* One record of one value, KEY naming its kind too (inspect-vocab.h). */
void insp_rec(enum inspect_key key, const char *id, const char *value);
void insp_recf(enum inspect_key key, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A record of several values: start, each value, end. */
void insp_rec_start(enum inspect_key key, const char *id);
void insp_field(const char *value);
void insp_rec_end(void);

/* --- files inside a mounted filesystem (util.c) ---
 * Paths resolve with the filesystem as their root (openat2
 * RESOLVE_IN_ROOT): an absolute or ../ symlink stays inside the image. */
int insp_open(int root, const char *path, int flags);
int insp_exists(int root, const char *path);
/* PATH is itself (no link followed) a file of TYPE (S_IFDIR, S_IFREG). */
int insp_is(int root, const char *path, mode_t type);
int insp_open_file(int root, const char *path);
ssize_t insp_read(int root, const char *path, char *buf, size_t cap);
/* PATH looked up one name at a time, each matched without regard to
 * ASCII case when there is no exact match: Windows' names. */
int insp_open_nocase(int root, const char *path, int flags);
/* The same for an OS whose /usr and /var may be other filesystems. */
int insp_os_open(const struct insp_os *os, const char *path, int flags);
int insp_os_open_file(const struct insp_os *os, const char *path);
ssize_t insp_os_read(const struct insp_os *os, const char *path, char *buf, size_t cap);
int insp_os_exists(const struct insp_os *os, const char *path);

/* The names in the directory FD (closed), sorted, but those starting
 * with a dot; at most MAX entries are looked at, *MORE set if there were
 * more.  Their number in *N; NULL when there are none. */
char **insp_dir_names(int fd, size_t max, size_t *n, int *more);
void insp_dir_names_free(char **names, size_t n);

/* --- processes (util.c) --- */
/* ARGV run with its stdout into OUT (CAP-1 bytes at most; NULL: to
 * /dev/null) and stderr discarded; its exit status, or -1. */
int insp_run(char *const argv[], char *out, size_t cap);
/* The same with IN (INLEN bytes, at most 64 KiB) as its stdin. */
int insp_run_input(char *const argv[], const void *in, size_t inlen, char *out, size_t cap);
/* The first of PATHS that is an executable, or NULL. */
const char *insp_which(const char *const *paths);
int insp_modprobe(const char *mod);
/* FN(ARG) run in a child with bounded time and memory: the records it
 * prints reach the report only if it ends well.  Otherwise a NOTE record on
 * ID says that WHAT was not read, and why.  Returns 0 if it ended
 * well.  For readers of formats parsed by libraries (hives, rpm's
 * databases) that a hostile file might crash or hang. */
int insp_isolated(void (*fn)(void *), void *arg, enum inspect_key note, const char *id, const char *what);

/* --- libraries (util.c) ---
 * The readers of hives, rpm's Berkeley DB and btrfs subvolumes load their
 * libraries when a disk needs them: those are built to bind every symbol
 * at load (BIND_NOW), which under TCG costs a Linux inspection more than
 * it does.  LIB loaded, or NULL with the loader's message in *WHY.
 * INSP_DLSYM fills a struct of function pointers named as the library
 * names its functions, PREFIX then FIELD. */
void *insp_dlopen(const char *lib, const char **why);
#define INSP_DLSYM(h, s, prefix, field, why) \
	((*(void **)&(s).field = dlsym((h), prefix #field)) != NULL || \
	 ((*(why) = "the library has no " prefix #field), 0))

/* --- filesystems (fs.c) --- */
void insp_probe(struct insp_fs *f);
/* Mount F read-only at a fresh directory, with OPTIONS added (NULL:
 * none), or report why not; an O_PATH descriptor of its root, or -1. */
int insp_mount(struct insp_fs *f, const char *options, char *mp, size_t mplen);
void insp_unmount(const char *mp, int fd);
int insp_mountable(const char *type);
/* Top-level names of the filesystem at ROOT, for a note on what it
 * holds. */
void insp_top_names(int root, char *out, size_t len);
/* The filesystem whose UUID=, LABEL=, PARTUUID= or PARTLABEL= SPEC
 * names, or the guest's device name (/dev/sda2, /dev/VG/LV) names as
 * virt-inspector resolves it; NULL if none. */
struct insp_fs *insp_find_spec(const char *spec);
/* The device whose ID is ID, or NULL. */
struct insp_fs *insp_find_id(const char *id);

/* --- volumes to open first (volumes.c) ---
 * An md array assembled read-only, or a LUKS volume opened read-only
 * with a key the user gave, becomes a device like a partition: its ID
 * md:NAME or luks:NAME.  Each pass looks at the devices from FROM on;
 * how many devices it added. */
void insp_keys_read(void);
/* The keys wiped, once the volumes are open. */
void insp_keys_forget(void);
int insp_md(int from);
int insp_luks(int from);

/* --- fstab (fstab.c) --- */
/* Where an fstab mounts a filesystem that holds what the readers look
 * for: its spec, or "". */
struct insp_fstab {
	char boot[WIRE_VALUE_MAX], usr[WIRE_VALUE_MAX], var[WIRE_VALUE_MAX];
};
/* The OS's fstab: each entry recorded, and each mountpoint whose
 * filesystem is on the disks (virt-inspector's "mountpoints"); the
 * root's is the root, whatever fstab calls it. */
void insp_fstab(const struct insp_os *os, struct insp_fstab *sp);
void insp_mountpoint(const struct insp_os *os, const char *path, const char *id);
/* The filesystem the OS's fstab names by SPEC, or NULL. */
struct insp_fs *insp_fstab_resolve(const struct insp_os *os, const char *spec);
/* That filesystem mounted; -1 with a note if it is on none of the
 * disks.  WHAT names it in the note. */
int insp_fstab_mount(const struct insp_os *os, const char *spec, const char *what, char *mp,
		     size_t mplen, struct insp_fs **found);

/* --- operating systems --- */
/* KEY=VALUE, quoted as a shell would, from the line at LINE; 1 if the
 * line sets KEY (release.c). */
int insp_shell_value(const char *line, const char *key, char *out, size_t len);
char *insp_next_line(char *line);
/* Which distribution and version (release.c). */
void insp_release(const struct insp_os *os);
/* One installed application sent (app.c), V indexed by
 * inspect_app_field, NULL for none; -1 past the limit, after a note. */
int insp_app(const char *osid, const char *const v[INSPECT_APP_NFIELDS]);
/* EVR ("1:2.3-4") split into its epoch, version and release, each
 * cut to LEN. */
void insp_split_evr(const char *evr, char *epoch, char *version, char *release, size_t len);
/* The installed applications of a Linux root, and their package
 * format (apps.c); rpm's in rpm.c. */
void insp_packages(const struct insp_os *os);
/* Void's and Gentoo's: 1 if the OS has that database (read, or noted). */
int insp_xbps(const struct insp_os *os);
int insp_portage(const struct insp_os *os);
int insp_linux_root(int root);                        /* linux.c */
void insp_linux(struct insp_os *os);
/* The architecture the userland was built for, from a program's ELF
 * header. */
void insp_elf_arch(const struct insp_os *os);
/* The BSD (FreeBSD, NetBSD, OpenBSD) whose root ROOT is, or NULL. */
struct insp_bsd;
const struct insp_bsd *insp_bsd_root(int root);       /* bsd.c */
void insp_bsd(struct insp_os *os, const struct insp_bsd *b);
/* The first line of the release file PATH names DISTRO's product and
 * version; 0 if there is no such file, or its first line is empty
 * (release.c). */
int insp_release_from(const struct insp_os *os, const char *path, const char *distro);
void insp_rpm(const struct insp_os *os);              /* rpm.c */
int insp_windows_root(int root, char *sysroot, size_t len);  /* windows.c */
void insp_windows(const struct insp_os *os, const char *sysroot);
/* The ID ("0.2#257") of F's subvolume at PATH into OUT; -1 if none
 * (btrfs.c). */
int insp_btrfs_subvol_id(struct insp_fs *f, const char *path, char *out, size_t len);

/* What the inspector does with a mounted root: the OS on it, if any; 1
 * if one was found (os.c). */
int insp_os_at(struct insp_fs *f, const char *id, int root);
/* F's btrfs subvolumes, its top level mounted at TOP, each looked at
 * with insp_os_at: how many OSes (subvols.c). */
int insp_btrfs(struct insp_fs *f, int top);

#endif
