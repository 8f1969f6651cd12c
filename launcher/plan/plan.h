/* plan: what a VM will be, as plain data.  A topology is a function from
 * (machine, devices) to a plan; the renderers (domxml.c, qemuargv.c) only
 * read it, so libvirt and direct launches of one topology give the guest
 * the same devices. */
#ifndef LB_PLAN_H
#define LB_PLAN_H

#include <stddef.h>

#include "common/names.h"
#include "plan/conn.h"
#include "plan/disk.h"
#include "plan/machine.h"
#include "common/strv.h"
#include "wire.h"

#define PLAN_MEMORY_MIB 112   /* guest RAM when none is asked for; see plan.c */
#define PLAN_MEMORY_MIB_INITRAMFS 320   /* the same, when RAM holds the appliance */
#define PLAN_SHAPE_DEFAULT PLAN_SHAPE_EXT2
/* TCG's translation cache in MiB; 0 leaves QEMU's (1 GiB, filled as code
 * is translated).  A boot and a job translate more than 16 MiB of code
 * (the channel's driver included), so with 16 the cache is flushed and
 * refilled: run -- true took 3.29 s against 2.66 s with 32 (median of 5,
 * bench --plain --tb-cache 16,24,32), for 20 MiB more RSS. */
#define PLAN_TB_CACHE_MIB 32
#define PLAN_MAX_DISKS WIRE_MAX_DISKS
#define PLAN_MAX_DEV 32
#define PLAN_MAX_PORTS 224    /* 28 slots x 8 functions on the root bus */
#define PLAN_MAX_CTL (PLAN_MAX_PORTS + 2)

/* The machine (enum plan_machine), its firmware (enum plan_firmware) and
 * what differs between machine types: machine.h. */

/* qboot: a minimal firmware that does no more PCI set-up than Linux needs
 * and boots the kernel from fw_cfg; QEMU ships it. */
#define PLAN_QBOOT_ROM "/usr/share/qemu/qboot.rom"
enum plan_accel { PLAN_ACCEL_TCG, PLAN_ACCEL_KVM };
/* The guest's clock: the host's real time, or TCG's instruction count
 * (QEMU's -icount), on which identical boots take identical guest time. */
enum plan_clock { PLAN_CLOCK_REAL, PLAN_CLOCK_ICOUNT };
/* icount's shift: each instruction is 2^shift ns of guest time.  0 makes
 * the guest clock read in instructions (1 ns each, a 1 GHz CPU that
 * retires one a cycle), so a span in ns is a count of instructions plus
 * the guest's timed waits; sleep=off skips the idle time of those waits
 * instead of sleeping through it on the host. */
#define PLAN_ICOUNT_SHIFT 0
#define PLAN_STR_(x) #x
#define PLAN_STR(x) PLAN_STR_(x)
#define PLAN_ICOUNT_ARG "shift=" PLAN_STR(PLAN_ICOUNT_SHIFT) ",sleep=off"
#define PLAN_ICOUNT_NS (1 << PLAN_ICOUNT_SHIFT)   /* guest ns an instruction */
/* Under icount the RTC starts at this fixed time and runs on the guest's
 * clock (QEMU's -rtc base=...,clock=vm).  On the host's time its date's
 * digits, and where in its second the update-in-progress flag falls,
 * differ from boot to boot; the kernel's HPET calibration loop turns
 * those few instructions into 0.65 ms, and a later jiffy-aligned sleep
 * into one whole jiffy (4 ms at HZ=250).  2026-01-01T00:00:00Z. */
#define PLAN_ICOUNT_RTC_START 1767225600LL
/* Under icount the machine has no HPET either.  The kernel calibrates
 * against it with loops that wait on its counter, and how long they wait
 * depends on where in the counter's period they start, which moves with
 * every instruction before them: the boot thread's own time to /init
 * jumped by 1.000 ms between neighbouring port counts, a third of what a
 * port costs.  The kernel keeps time on the TSC (tsc=reliable) and its
 * events on the local APIC without it. */
#define PLAN_ICOUNT_HPET 0

/* The appliance's shape: an ext2 root disk reached through the small
 * initrd, or everything in an initramfs and no root disk at all. */
enum plan_shape { PLAN_SHAPE_EXT2, PLAN_SHAPE_INITRAMFS };

/* Who decides whether a default device exists: libvirt (it adds one) or
 * us (we state model='none' so that it does not). */
enum plan_default { PLAN_DEFAULT_LIBVIRT, PLAN_DEFAULT_NONE };

enum plan_ctl_model { PLAN_CTL_PCIE_ROOT, PLAN_CTL_PCI_ROOT, PLAN_CTL_PCIE_ROOT_PORT };

struct plan_addr {
	int set;                  /* 0: left to libvirt, or to plan_complete() */
	unsigned bus, slot, fn;
	int multifunction;
	int mmio;                 /* set: on virtio-mmio, not on PCI at all */
};

struct plan_ctl {
	enum plan_ctl_model model;
	unsigned index;           /* the PCI bus number the controller provides */
	unsigned chassis, port;   /* root ports: how libvirt numbers them */
	struct plan_addr addr;
};

enum plan_dev_kind {
	PLAN_DEV_DISK,
	PLAN_DEV_XHCI,            /* qemu-xhci, libvirt's q35 USB default */
	PLAN_DEV_UHCI,            /* piix3-uhci, libvirt's pc USB default */
	PLAN_DEV_BALLOON,         /* virtio memballoon */
	PLAN_DEV_RNG,             /* virtio-rng, as virt-install adds it */
	PLAN_DEV_VSERIAL,         /* the virtio-serial controller of the channel */
	PLAN_DEV_SCSI,            /* virtio-scsi: where a clone's disks are hot-added */
};

/* How a VM starts (launch.h): a cold boot; a boot to ready that is then
 * saved as a template; or a clone restored from that template.  Template
 * and clone are one machine: the same devices, a virtio-scsi controller
 * for the disks (hot-added to each clone) and guest RAM in a file, which
 * the template shares and each clone maps privately. */
enum plan_start { PLAN_START_COLD, PLAN_START_TEMPLATE, PLAN_START_CLONE };

struct plan_dev {
	enum plan_dev_kind kind;
	char *path;               /* disks: host path (owned) */
	enum disk_format format;
	int is_block;
	int readonly;
	int is_root;              /* the appliance root overlay */
	/* A qcow2 disk's backing files (owned) and their recorded formats,
	 * nearest first (disk.h): the direct backend opens each itself. */
	char *chain[DISK_MAX_CHAIN];
	enum disk_format chain_fmt[DISK_MAX_CHAIN];
	size_t nchain;
	char target[8];           /* vda, vdb, ...; a clone's: sda, sdb, ... */
	struct plan_addr addr;
};

struct plan {
	const char *topology;     /* the table's name for it */
	char name[64];            /* the domain's: its run directory's name */
	enum plan_machine machine;
	enum plan_firmware firmware;
	enum plan_accel accel;
	enum plan_clock clock;
	unsigned memory_mib;
	unsigned tb_cache_mib;    /* TCG only; 0: QEMU's default */
	unsigned vcpus;
	unsigned tsc_khz;
	/* The RTC's start in s since the epoch, on the guest's clock from
	 * there; 0: the host's UTC, on the host's clock (QEMU's default). */
	long long rtc_start;
	int hpet;                 /* 0: the machine has no HPET (q35 and pc) */
	char *kernel, *initrd, *cmdline;   /* owned */
	struct strv qemu_extra;   /* more QEMU arguments, as they are (owned) */
	char *channel;            /* the channel's socket (owned); NULL: none */
	enum plan_start start;
	enum plan_conn conn;      /* where the VM runs: the resolver's word */
	char uuid[40];            /* the domain's; "": libvirt picks one */
	char *memory_path;        /* guest RAM's file (owned); NULL: anonymous */
	char *monitor;            /* QEMU's QMP socket (owned); NULL: none */
	int kernel_format;        /* enum kern_format (kernel.h) */
	enum plan_shape shape;
	enum plan_default usb, balloon;
	struct plan_ctl ctl[PLAN_MAX_CTL];
	size_t nctl;
	struct plan_dev dev[PLAN_MAX_DEV];
	size_t ndev;
	/* A clone's disks: not part of the machine, which is its template's,
	 * but attached to it after the restore, hot[i] as LUN i of the
	 * virtio-scsi controller.  Renderers and topologies see only dev[];
	 * each backend attaches these from the same fields a cold launch's
	 * disks are rendered from. */
	struct plan_dev hot[PLAN_MAX_DISKS];
	size_t nhot;
};

/* A disk as the plan takes it: probed and named absolutely by the
 * resolver (cmd/plan.c), so that making the plan touches no file. */
struct plan_disk_in {
	const char *path;
	int rw;
	int format;               /* a disk_format, or -1 until resolved */
	int is_block;
	int probed;               /* format and is_block are known */
	const char *chain[DISK_MAX_CHAIN];   /* its backing files, as plan_dev's */
	enum disk_format chain_fmt[DISK_MAX_CHAIN];
	size_t nchain;
};

/* Everything a plan is made from.  The commands fill it from options
 * (PLAN_INPUT_INIT leaves every choice open); cmd_resolve() makes every
 * decision about this host in one place; plan_make() is then a pure
 * function of it.  A resolved input owns the strings in OWN, and copies
 * of it borrow them. */
struct plan_input {
	const char *topology;     /* "minimal", "ports=8", ...; NULL: minimal */
	const struct topo *topo;  /* its row, once resolved */
	long topo_arg;            /* ports=N: N */
	int arch;                 /* enum plan_arch; -1: the machine's, or
				     else the host's (the resolver's) */
	int machine;              /* -1: the topology's own of that arch */
	int firmware;             /* -1: the machine's (the resolver picks
				     qboot where QEMU has it) */
	const char *rundir;       /* the launch's directory: it names the domain
				     and holds the root overlay */
	const char *kernel, *initrd;
	const char *root;         /* the appliance's root image, the overlay's
				     backing file; NULL with the initramfs */
	int shape;                /* -1: PLAN_SHAPE_DEFAULT */
	int kernel_format;        /* -1: PVH where the kernel has it */
	int tuning;               /* 0: leave out PLAN_TUNING; else put it in */
	const char *append;       /* the user's own kernel arguments */
	const char *kernel_extra; /* more kernel arguments: bench's */
	int channel;              /* 0: no channel device (bench measures without) */
	enum plan_start start;
	enum plan_conn conn;      /* where the VM runs (conn.h); the resolver's */
	const char *template_dir; /* a template's or clone's: where the RAM file is */
	const char *uuid;         /* the domain's UUID; NULL: libvirt picks one */
	const char *name;         /* the domain's name; NULL: the run directory's */
	const char *const *qemu_extra;   /* more QEMU arguments: bench's trace */
	size_t nqemu_extra;
	enum plan_accel accel;
	int clock;                /* enum plan_clock; 0: real */
	unsigned memory_mib;
	int tb_cache_mib;         /* -1: PLAN_TB_CACHE_MIB */
	unsigned tsc_khz;         /* the host's TSC rate, 0 if unknown */
	struct plan_disk_in disks[PLAN_MAX_DISKS];
	size_t ndisks;
	struct strv own;          /* what cmd_resolve() allocated */
};

/* An input with every choice left open, as the commands start from. */
#define PLAN_INPUT_INIT { .arch = -1, .machine = -1, .firmware = -1, .kernel_format = -1, .tuning = 1, \
			  .shape = -1, .tb_cache_mib = -1, .channel = 1 }

/* The root overlay's name in a run directory, and the channel's socket's
 * (QEMU connects to it; see chan.h). */
#define PLAN_OVERLAY "root.qcow2"
#define PLAN_CHANNEL "channel"
/* QEMU's monitor socket in a run directory, and the RAM file in a
 * template's directory. */
#define PLAN_MONITOR "qmp"
#define PLAN_RAM "ram"

/* The plan IN describes; touches no file.  Returns 0, or -1 after
 * err_set(). */
int plan_make(const struct plan_input *in, struct plan *p);
void plan_free(struct plan *p);
/* How many of the user's disks P gives the guest: the machine's own, or
 * a clone's hot-added ones; the job's header counts them (wire.h). */
size_t plan_user_disks(const struct plan *p);
/* The machine a resolved IN asks for: its own, or its topology's first. */
enum plan_machine plan_input_machine(const struct plan_input *in);

/* Make explicit what libvirt would add to this plan (default USB and
 * balloon, a root port per unaddressed PCIe device, the spare port), so
 * that the qemu argv renderer gives the guest the same machine. */
int plan_complete(struct plan *p);

/* Insert a USB controller of KIND where libvirt addresses it. */
int plan_add_usb(struct plan *p, enum plan_dev_kind kind);

/* The names of shapes, clocks and firmware (names.h): the parsers, --help
 * and the completion read these tables; machine.h has the machines'. */
extern const struct names plan_shape_names[], plan_clock_names[], plan_firmware_names[];
int plan_parse_shape(const char *s);
/* Guest RAM in MiB when none is asked for, by shape. */
unsigned plan_default_memory(int shape);
const char *plan_shape_name(enum plan_shape s);
int plan_parse_clock(const char *s);
const char *plan_clock_name(enum plan_clock c);
int plan_parse_firmware(const char *s);
const char *plan_firmware_name(enum plan_firmware f);

/* A topology: a row of topology.c's table, one function that places the
 * plan's devices.  The resolver picks the row (topology.h); the plan only
 * calls it. */
struct topo {
	const char *name;         /* "ports" takes "=N" */
	unsigned machines;        /* MACHINE_BIT(PLAN_Q35) | ... (machine.h) */
	int (*apply)(struct plan *p, long arg);
	const char *help;
};

#endif
