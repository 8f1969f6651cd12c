/* bsd: FreeBSD, NetBSD and OpenBSD roots, found and read as
 * virt-inspector finds them.  None of them has a release file that is
 * an authority: FreeBSD's and OpenBSD's version is the first line of
 * /etc/motd, which the system rewrites at boot, and NetBSD's that of
 * /etc/release.  Their UFS is mounted read-only by the appliance's
 * kernel (fs.c). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "inspect.h"

/* What marks each one's root, beside /etc, /bin and /etc/fstab; and
 * where its version is. */
static const struct insp_bsd {
	const char *type, *mark, *mark2, *release;
} bsds[] = {
	{ "freebsd", "etc/freebsd-update.conf", NULL, "etc/motd" },
	{ "netbsd", "netbsd", "etc/release", "etc/release" },
	{ "openbsd", "bsd", "etc/motd", "etc/motd" },
};

const struct insp_bsd *insp_bsd_root(int root)
{
	if (!insp_is(root, "etc", S_IFDIR) || !insp_is(root, "bin", S_IFDIR) ||
	    !insp_is(root, "etc/fstab", S_IFREG))
		return NULL;
	for (size_t i = 0; i < sizeof bsds / sizeof bsds[0]; i++)
		if (insp_is(root, bsds[i].mark, S_IFREG) &&
		    (!bsds[i].mark2 || insp_is(root, bsds[i].mark2, S_IFREG)))
			return &bsds[i];
	return NULL;
}

/* rc.conf's hostname= (FreeBSD, NetBSD), else OpenBSD's /etc/myname. */
static void hostname(const struct insp_os *os)
{
	static char buf[INSP_SMALL_FILE];
	char val[WIRE_VALUE_MAX];

	if (insp_read(os->root, "etc/rc.conf", buf, sizeof buf) >= 0)
		for (char *l = buf; l; l = insp_next_line(l))
			if (insp_shell_value(l, "hostname", val, sizeof val) && val[0]) {
				insp_rec(IK_OS_HOSTNAME, os->id, val);
				return;
			}
	if (insp_read(os->root, "etc/myname", buf, sizeof buf) >= 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0])
			insp_rec(IK_OS_HOSTNAME, os->id, buf);
	}
}

void insp_bsd(struct insp_os *os, const struct insp_bsd *b)
{
	static struct insp_fstab sp;

	os->type = b->type;
	insp_rec(IK_OS_TYPE, os->id, b->type);
	if (!insp_release_from(os, b->release, b->type))
		insp_rec(IK_OS_RELEASE_DISTRO, os->id, b->type);
	insp_fstab(os, &sp);
	hostname(os);
	insp_elf_arch(os);
}
