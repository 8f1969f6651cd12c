/* machine: what differs between the machine types a plan can name, as one
 * row each.  The plan, the topologies, the KVM probe and both renderers
 * read a row's fields rather than test the machine's name, so another
 * machine (aarch64's virt) is a row here, plus code only where a renderer
 * must write something it has never written. */
#ifndef LB_MACHINE_H
#define LB_MACHINE_H

#include "common/names.h"

/* Below the plan: plan.h includes this, for the two enums a plan's
 * machine and firmware take. */
enum plan_machine { PLAN_Q35, PLAN_PC, PLAN_MICROVM, PLAN_VIRT };
/* none: no firmware at all, the kernel entered straight from QEMU's
 * loader with a device tree (aarch64's virt). */
enum plan_firmware { PLAN_FW_SEABIOS, PLAN_FW_QBOOT, PLAN_FW_NONE };
/* The guest's architecture: each machine has one. */
enum plan_arch { PLAN_ARCH_X86_64, PLAN_ARCH_AARCH64 };

/* A set of machines, as topology rows give theirs; a set of firmware or
 * kernel formats. */
#define MACHINE_BIT(m) (1u << (m))

/* The root bus: its controller, and how libvirt 9.0 fills it. */
enum machine_pci {
	MACHINE_NO_PCI,           /* virtio-mmio: nothing has an address */
	MACHINE_PCIE,             /* pcie-root: a root port per device, and
				     a spare */
	MACHINE_PCI,              /* pci-root: a slot per device */
};

/* libvirt's default USB controller. */
enum machine_usb { MACHINE_USB_NONE, MACHINE_USB_XHCI, MACHINE_USB_UHCI };

struct machine {
	const char *qemu;         /* the emulator: argv[0] and <emulator> */
	enum plan_arch arch;      /* its name is libvirt's <type arch=...> */
	const char *options;      /* what -machine NAME takes after it */
	const char *cpu;          /* -cpu's model; NULL: QEMU's default, and
				     neither -cpu nor <cpu> is written */
	const char *cpu_kvm;      /* the same under KVM ("host": the host's
				     own, libvirt's host-passthrough); NULL:
				     as under TCG */
	int libvirt;              /* libvirt 9.0 can run it */

	enum machine_pci pci;     /* the root bus's controller */
	const char *root_bus;     /* QEMU's id of the root bus */
	unsigned first_slot;      /* the root bus's first free slot */
	unsigned last_slot;       /* the last slot a topology fills */
	unsigned libvirt_last_slot;     /* the last slot libvirt itself fills */
	enum machine_usb usb;
	int balloon;              /* libvirt adds a virtio balloon */

	const char *console;      /* the console's kernel name: console=... */
	const char *console_model;      /* its UART: libvirt's model, and
				     QEMU's -device */
	const char *console_target;     /* libvirt's serial target type */
	const char *tuning;       /* kernel arguments for a fast boot
				     (--tuning on; machine.c says why) */
	int console_builtin;      /* the machine has the UART already: QEMU's
				     -serial attaches it, not -device */

	unsigned firmwares;       /* bits (1 << plan_firmware) it boots with */
	enum plan_firmware firmware;    /* what it gets when asked for another */
	unsigned kernel_formats;  /* bits (1 << kern_format) it boots */
	int acpi;                 /* the guest gets ACPI tables: libvirt's
				     <acpi/> (without it libvirt passes
				     -no-acpi); on virt they need UEFI */
	int hpet_switch;          /* the HPET can be turned off: QEMU's
				     hpet=off, libvirt's <timer name='hpet'> */
	int tsc_hint;             /* the guest is told the TSC's rate */
	int kvm_probe;            /* the machine the KVM probe boots */
	/* The initcalls that enumerate PCI on it, by measurement (machine.c):
	 * bench's "PCI enumeration" is their time.  NULL-ended. */
	const char *const *pci_initcalls;
};

/* The machines' names (names.h): the parser, --help and the completion
 * read this table. */
extern const struct names machine_names[];
/* The architectures' names, as libvirt and uname(2) spell them. */
extern const struct names arch_names[];
const char *machine_name(enum plan_machine m);
const char *machine_arch_name(enum plan_arch a);
/* Debian's name for the arch (amd64, arm64). */
const char *machine_arch_debian(enum plan_arch a);
/* The machines of ARCH, as MACHINE_BIT()s. */
unsigned machine_arch_set(enum plan_arch a);
/* The firmware some machine of ARCH boots, as MACHINE_BIT()s. */
unsigned machine_arch_firmwares(enum plan_arch a);
/* The host's architecture, or -1 when no machine has it. */
int machine_host_arch(void);
const struct machine *machine_of(enum plan_machine m);
/* The first machine of SET (MACHINE_BIT()s): a topology's own. */
enum plan_machine machine_first(unsigned set);
/* The machine accel.c's KVM probe boots: one of the host's arch (KVM
 * runs no other). */
enum plan_machine machine_kvm_probe(void);
/* The CPU model M's guest gets under ACCEL (enum plan_accel), or NULL. */
const char *machine_cpu(enum plan_machine m, int kvm);

#endif
