/* init: the appliance's PID 1.  Static, no shell, no udev: it mounts what
 * it needs, loads the modules it is told to, prints the ready marker with
 * the guest's uptime, runs its job and powers off with reboot(2).
 *
 * The console carries the kernel's log, the ready frame and early
 * failures; the job and its streams travel on the virtio-serial channel,
 * which job.c serves.  include/wire.h defines both wires, for this side
 * and the launcher's.
 *
 * It runs in one of two places.  With a root disk, the kernel starts it
 * first from the small initrd (stage 1), where it loads the modules that
 * reach the root, mounts the root and starts itself again from there
 * (stage 2).  With the initramfs-only appliance it starts in stage 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "wire.h"
#include "init.h"

/* The files nearly every command maps: the dynamic loader, libc, and the
 * shells.  A template reads them before ready, so that they are in the
 * page cache every clone of it starts with, and no clone reads them from
 * its disk again (virtio-blk under TCG, at every clone's expense). */
static const char *const common_files[] = {
	"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
	"/usr/lib/x86_64-linux-gnu/libc.so.6",
	"/usr/bin/dash",
	"/usr/bin/bash",
	"/usr/lib/x86_64-linux-gnu/libtinfo.so.6",
	"/usr/bin/true",
};

static void cache_common_files(void)
{
	static char buf[65536];

	for (size_t i = 0; i < sizeof common_files / sizeof *common_files; i++) {
		int fd = open(common_files[i], O_RDONLY | O_CLOEXEC);

		while (fd >= 0 && read(fd, buf, sizeof buf) > 0)
			;
		if (fd >= 0)
			close(fd);
	}
}

/* Stage 2: the virtio transport, which the channel and the user's disks
 * need (with a root disk, stage 1 has loaded it already); virtio_blk
 * waits for the job to say there are disks.  A virtio-scsi controller
 * is there only in a VM made to be a template (launch.h): its driver
 * and sd load now, before ready, so that no clone of it pays for them
 * when its disks arrive.  Then whatever leanboot.modules asks. */
static void load_modules(void)
{
	char list[1024], *save, *m;

	init_load_module(init_have_pci() ? "virtio_pci" : "virtio_mmio");
	if (init_virtio_present(INIT_VIRTIO_SCSI)) {
		init_load_module("virtio_scsi");
		init_load_module("sd_mod");
		cache_common_files();
	}
	if (!init_cmdline_get("leanboot.modules", list, sizeof list))
		return;
	for (m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save))
		init_load_module(m);
}

/* From here on only frames should reach the host: console printk is
 * limited to emergencies, and the tty stops turning \n into \r\n. */
static void quiet_console(void)
{
	struct termios t;

	klogctl(8 /* SYSLOG_ACTION_CONSOLE_LEVEL */, NULL, 1);
	if (tcgetattr(1, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(1, TCSANOW, &t);
	}
}

static void ready(void)
{
	char up[64] = "?";
	int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, up, sizeof up - 1) : -1;

	if (n > 0) {
		up[n] = '\0';
		up[strcspn(up, " \n")] = '\0';
	}
	if (fd >= 0)
		close(fd);
	printf("\n" WIRE_READY_MARKER " %s\n", up);
	fflush(stdout);
	init_frame(WIRE_READY, up, strlen(up));
}

/* --- stage 1: from the small initrd to the root disk ----------------- */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	init_vfailf(fmt, ap);
	va_end(ap);
	reboot(RB_POWER_OFF);
	_exit(1);
}

/* Load what reaches the root (the modules.dep of the initrd resolves the
 * dependencies), mount it and start this program again from it.  Only
 * the transport this machine has: each module costs tens of
 * milliseconds under TCG. */
static void stage1(void)
{
	char root[64];

	init_load_module(init_have_pci() ? "virtio_pci" : "virtio_mmio");
	init_load_module("virtio_blk");
	/* ext4 asks the crypto API for crc32c when it mounts, even an ext2
	 * root; there is no modprobe here to answer, so load it first.  The
	 * generic one: the emulated CPU has no SSE4.2 for crc32c-intel. */
	init_load_module("crc32c_generic");
	init_load_module("ext4");
	if (!init_cmdline_get("root", root, sizeof root) || strncmp(root, "/dev/", 5))
		die("stage 1: no root=/dev/... on the kernel command line");
	if (init_wait_dev(root, 5000) < 0)
		die("stage 1: %s did not appear", root);
	mkdir("/sysroot", 0755);
	/* The root is ext2, through the ext4 driver; the launch's overlay
	 * takes the writes. */
	if (mount(root, "/sysroot", "ext4", 0, NULL) < 0)
		die("stage 1: mount %s: %s", root, strerror(errno));
	if (mount("/dev", "/sysroot/dev", NULL, MS_MOVE, NULL) < 0)
		die("stage 1: move /dev: %s", strerror(errno));
	umount("/proc");
	umount("/sys");
	if (chdir("/sysroot") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0)
		die("stage 1: switch to the root: %s", strerror(errno));
	execl("/init", "/init", (char *)NULL);
	die("stage 1: exec /init on the root: %s", strerror(errno));
}

int main(void)
{
	int ch;

	init_mount_one("proc", "/proc", "proc");
	init_mount_one("sysfs", "/sys", "sysfs");
	init_mount_one("devtmpfs", "/dev", "devtmpfs");
	init_read_cmdline();
	init_set_moddir();
	/* The small initrd has modules and this program, and no /usr/bin.
	 * The first line of ours tells the launcher the init has started. */
	if (access("/usr/bin", F_OK) != 0) {
		init_say("stage 1");
		stage1();
	}
	init_say("stage 2");
	init_uevents_open();
	init_mount_one("tmpfs", "/tmp", "tmpfs");
	/* POSIX shared memory, which programs expect to find. */
	init_mount_one("tmpfs", "/dev/shm", "tmpfs");
	/* A place for users to mount their disks. */
	mkdir("/mnt", 0755);
	load_modules();
	ch = job_channel();
	quiet_console();
	ready();
	if (ch >= 0)
		job_run(ch);
	else
		job_kernel_log();
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
