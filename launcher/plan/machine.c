/* machine: the table of machine types (machine.h).  A new machine, such
 * as aarch64's virt, is a name in machine_names, an enum plan_machine
 * value and a row here; the code that reads the rows changes only where
 * the new row asks for something no row asked for before. */
#include <sys/utsname.h>

#include "plan/kernel.h"
#include "plan/machine.h"

/* No machine is usual: a topology names its own. */
const struct names machine_names[] = {
	{ "q35", PLAN_Q35, 0 }, { "pc", PLAN_PC, 0 }, { "microvm", PLAN_MICROVM, 0 },
	{ "virt", PLAN_VIRT, 0 }, { NULL, 0, 0 },
};

/* The host's is usual; none is marked, since that depends on the host. */
const struct names arch_names[] = {
	{ "x86_64", PLAN_ARCH_X86_64, 0 }, { "aarch64", PLAN_ARCH_AARCH64, 0 }, { NULL, 0, 0 },
};

/* Measured under TCG with bench --append (bench/README.md):
 * loglevel=6: the console still shows the banner (a notice) that marks the
 *   kernel stage, but not the hundreds of info lines an emulated UART
 *   prints a byte at a time;
 * tsc=reliable: no clocksource watchdog and no delayed TSC refinement;
 * no_timer_check: skips the IO-APIC timer probe;
 * 8250.nr_uarts=1: probes one serial port, not four;
 * rcupdate.rcu_expedited=1: synchronize_rcu() without waiting grace periods.
 * aarch64 has no TSC, IO-APIC or 8250: the kernel would pass the words it
 * does not know to the init as arguments.  cma=0: Debian's arm64 kernel
 * sets 64 MiB aside for contiguous DMA, which no device of the appliance
 * uses; with it the initramfs (159 MiB) did not unpack in 320 MiB. */
#define TUNING_X86                                                                          \
	"loglevel=6 tsc=reliable no_timer_check 8250.nr_uarts=1 rcupdate.rcu_expedited=1 " \
	"cryptomgr.notests"
#define TUNING_ARM "loglevel=6 rcupdate.rcu_expedited=1 cryptomgr.notests cma=0"

/* PCI enumeration, chosen by measurement: the initcalls whose time on
 * the printk clock grew with the root-port count in a sweep of ports=0,
 * 4, 8 and 16 (3 runs each, TCG; medians in ms).
 *
 * x86 (q35, qboot): the root-bus scan runs inside acpi_init, the port
 * driver probes each port, and the bridge windows are sized and assigned
 * in pcibios_assign_resources.  Initcalls named *pci* that stayed flat
 * (virtio_pci_driver_init, 27 ms whatever N; pci_arch_init, 4 ms) are
 * left out: they do not scale with the topology. */
static const char *const pci_initcalls_x86[] = {
	"acpi_init",                  /* 117 -> 142 -> 158 -> 181 */
	"pcie_portdrv_init",          /* 0.8 -> 52 -> 85 -> 137 */
	"pcibios_assign_resources",   /* 3.1 -> 13 -> 24 -> 36 */
	"pci_subsys_init",            /* 3.9 -> 3.5 -> 7.7 -> 8.5 */
	"pci_sysfs_init",             /* 0.42 -> 0.58 -> 0.52 -> 0.72 */
	"pci_apply_final_quirks",     /* 0.21 -> 0.40 -> 0.32 -> 0.41 */
	NULL,
};
/* aarch64 (virt, device tree): the ECAM host bridge's platform driver
 * scans the root bus and, the port driver being registered already,
 * probes each port and assigns the windows in its own probe.  Flat:
 * pcie_portdrv_init (0.4), virtio_pci_driver_init (17-22). */
static const char *const pci_initcalls_virt[] = {
	"gen_pci_driver_init",        /* 21 -> 81 -> 108 -> 181 */
	"pci_sysfs_init",             /* 0.53 -> 0.53 -> 1.07 -> 0.66 */
	"pci_apply_final_quirks",
	NULL,
};

#define QEMU_X86 "/usr/bin/qemu-system-x86_64"
#define FW_BOTH (MACHINE_BIT(PLAN_FW_SEABIOS) | MACHINE_BIT(PLAN_FW_QBOOT))
#define KERN_BOTH (MACHINE_BIT(KERN_BZIMAGE) | MACHINE_BIT(KERN_PVH))

static const struct machine machine_table[] = {
	/* Slot 0 is the host bridge and slot 0x1f the ICH9's LPC, SATA and
	 * SMBus functions. */
	[PLAN_Q35] = {
		.qemu = QEMU_X86, .arch = PLAN_ARCH_X86_64, .options = "", .cpu = NULL, .libvirt = 1,
		.pci = MACHINE_PCIE, .root_bus = "pcie.0",
		.first_slot = 1, .last_slot = 0x1e, .libvirt_last_slot = 0x1e, .usb = MACHINE_USB_XHCI, .balloon = 1,
		.console = "ttyS0", .console_model = "isa-serial", .console_target = "isa-serial",
		.tuning = TUNING_X86, .console_builtin = 0,
		.firmwares = FW_BOTH, .firmware = PLAN_FW_SEABIOS, .kernel_formats = KERN_BOTH,
		.acpi = 1, .hpet_switch = 1, .tsc_hint = 0, .kvm_probe = 0,
		.pci_initcalls = pci_initcalls_x86,
	},
	/* Slot 0 is the host bridge and slot 1 the PIIX3.  libvirt fills
	 * slots up to 0x1f; the topologies stop at 0x1e, as on q35. */
	[PLAN_PC] = {
		.qemu = QEMU_X86, .arch = PLAN_ARCH_X86_64, .options = "", .cpu = NULL, .libvirt = 1,
		.pci = MACHINE_PCI, .root_bus = "pci.0",
		.first_slot = 2, .last_slot = 0x1e, .libvirt_last_slot = 0x1f, .usb = MACHINE_USB_UHCI, .balloon = 1,
		.console = "ttyS0", .console_model = "isa-serial", .console_target = "isa-serial",
		.tuning = TUNING_X86, .console_builtin = 0,
		.firmwares = FW_BOTH, .firmware = PLAN_FW_SEABIOS, .kernel_formats = KERN_BOTH,
		.acpi = 1, .hpet_switch = 1, .tsc_hint = 0,
		/* The probe only waits for the kernel's banner: any
		 * machine that boots the kernel would do. */
		.kvm_probe = 1, .pci_initcalls = pci_initcalls_x86,
	},
	/* QEMU's microvm: virtio-mmio and no PCI; libvirt 9.0 cannot run it.
	 * isa-serial=on gives it its ISA UART, and acpi=on lets the guest
	 * find the virtio-mmio devices without kernel command-line entries.
	 * It brings its own firmware (the qboot-based bios-microvm.bin),
	 * which the plan calls seabios: no -bios.  It has no HPET and no
	 * ACPI PM timer, and under TCG the kernel's PIT calibration of the
	 * TSC fails now and then, after which it hangs; TCG's TSC is the
	 * host's, so the guest is told its rate. */
	[PLAN_MICROVM] = {
		.qemu = QEMU_X86, .arch = PLAN_ARCH_X86_64, .options = ",isa-serial=on,acpi=on", .cpu = NULL,
		.libvirt = 0,
		.pci = MACHINE_NO_PCI, .root_bus = NULL,
		.first_slot = 0, .last_slot = 0, .libvirt_last_slot = 0, .usb = MACHINE_USB_NONE,
		.balloon = 0,
		.console = "ttyS0", .console_model = "isa-serial", .console_target = "isa-serial",
		.tuning = TUNING_X86, .console_builtin = 1,
		.firmwares = MACHINE_BIT(PLAN_FW_SEABIOS), .firmware = PLAN_FW_SEABIOS,
		.kernel_formats = KERN_BOTH, .acpi = 1, .hpet_switch = 0, .tsc_hint = 1, .kvm_probe = 0,
		.pci_initcalls = pci_initcalls_x86,
	},
	/* aarch64's virt: a PCIe host bridge (ECAM, so config space is
	 * memory-mapped) at slot 0, and nothing else on the root bus.
	 * libvirt adds no USB and no balloon on it, and root ports as on
	 * q35.  cortex-a57, because QEMU's default under TCG (max) emulates
	 * pointer authentication with QARMA and boots about 4 times
	 * slower.  The PL011 UART is the machine's own (ttyAMA0).  No
	 * firmware: QEMU enters the Image with a device tree, and the guest
	 * finds every device in it, virtio-mmio's included; <acpi/> would
	 * need UEFI.  Under KVM (an aarch64 host) the CPU is the host's:
	 * KVM runs no model but the host's, and it is the KVM probe's
	 * machine there. */
	[PLAN_VIRT] = {
		.qemu = "/usr/bin/qemu-system-aarch64", .arch = PLAN_ARCH_AARCH64, .options = "",
		.cpu = "cortex-a57", .cpu_kvm = "host", .libvirt = 1,
		.pci = MACHINE_PCIE, .root_bus = "pcie.0",
		.first_slot = 1, .last_slot = 0x1f, .libvirt_last_slot = 0x1f, .usb = MACHINE_USB_NONE,
		.balloon = 0,
		.console = "ttyAMA0", .console_model = "pl011", .console_target = "system-serial",
		.tuning = TUNING_ARM, .console_builtin = 1,
		.firmwares = MACHINE_BIT(PLAN_FW_NONE), .firmware = PLAN_FW_NONE,
		.kernel_formats = MACHINE_BIT(KERN_IMAGE), .acpi = 0, .hpet_switch = 0, .tsc_hint = 0,
		.kvm_probe = 1, .pci_initcalls = pci_initcalls_virt,
	},
};

#define MACHINE_N (sizeof machine_table / sizeof *machine_table)
_Static_assert(MACHINE_N == sizeof machine_names / sizeof *machine_names - 1,
	       "a row for every machine name");

const char *machine_name(enum plan_machine m)
{
	return names_name(machine_names, (int)m);
}

const struct machine *machine_of(enum plan_machine m)
{
	return &machine_table[m];
}

const char *machine_arch_name(enum plan_arch a)
{
	return names_name(arch_names, (int)a);
}

const char *machine_arch_debian(enum plan_arch a)
{
	static const char *const debian[] = { [PLAN_ARCH_X86_64] = "amd64", [PLAN_ARCH_AARCH64] = "arm64" };

	return debian[a];
}

unsigned machine_arch_set(enum plan_arch a)
{
	unsigned set = 0;

	for (unsigned m = 0; m < MACHINE_N; m++)
		if (machine_table[m].arch == a)
			set |= MACHINE_BIT(m);
	return set;
}

unsigned machine_arch_firmwares(enum plan_arch a)
{
	unsigned set = 0;

	for (unsigned m = 0; m < MACHINE_N; m++)
		if (machine_table[m].arch == a)
			set |= machine_table[m].firmwares;
	return set;
}

int machine_host_arch(void)
{
	struct utsname u;

	return uname(&u) < 0 ? -1 : names_parse(arch_names, u.machine);
}

/* Both end at the last row, so that a set without a machine fails in
 * plan_make() rather than runs off the table. */
enum plan_machine machine_first(unsigned set)
{
	unsigned m = 0;

	while (m + 1 < MACHINE_N && !(set & MACHINE_BIT(m)))
		m++;
	return (enum plan_machine)m;
}

enum plan_machine machine_kvm_probe(void)
{
	int host = machine_host_arch();
	unsigned m = 0;

	while (m + 1 < MACHINE_N && !(machine_table[m].kvm_probe && (int)machine_table[m].arch == host))
		m++;
	return (enum plan_machine)m;
}

const char *machine_cpu(enum plan_machine m, int kvm)
{
	return kvm && machine_table[m].cpu_kvm ? machine_table[m].cpu_kvm : machine_table[m].cpu;
}
