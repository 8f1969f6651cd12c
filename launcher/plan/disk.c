/* disk: see disk.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/disk.h"
#include "common/err.h"
#include "common/names.h"
#include "common/strv.h"
#include "common/util.h"

/* qcow2's header (docs/interop/qcow2.txt in QEMU), big-endian. */
#define Q_MAGIC 0x514649fbu
#define Q_BACKING_OFFSET 8
#define Q_BACKING_SIZE 16
#define Q_INCOMPAT 72
#define Q_HEADER_LENGTH 100
#define Q_V2_HEADER 72
#define Q_INCOMPAT_DATA_FILE (1u << 2)
#define Q_EXT_END 0u
#define Q_EXT_BACKING_FORMAT 0xe2792acau
#define Q_EXT_DATA_FILE 0x44415441u
#define Q_HEAD_READ 65536
#define Q_NAME_MAX 1023       /* QEMU's own limit on a backing file name */

/* "auto" (-1: probe the image), then the formats an image can have;
 * the formats alone follow the first row. */
const struct names disk_format_choices[] = {
	{ "auto", -1, 1 }, { "raw", DISK_RAW, 0 }, { "qcow2", DISK_QCOW2, 0 }, { NULL, 0, 0 },
};
static const struct names *const format_names = disk_format_choices + 1;

const char *disk_format_name(enum disk_format f)
{
	return names_name(format_names, (int)f);
}

int disk_is_remote(const char *spec)
{
	return !strncmp(spec, DISK_VOL_PREFIX, strlen(DISK_VOL_PREFIX)) ||
	       !strncmp(spec, DISK_HOST_PREFIX, strlen(DISK_HOST_PREFIX));
}

int disk_parse_format(const char *s)
{
	return names_parse(format_names, s);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* open(2) a disk: O_NONBLOCK so that a FIFO fails in the checks that
 * follow rather than blocking until a writer turns up. */
static int disk_open(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) < 0) {
		err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st->st_mode)) {
		err_set(LB_EXIT_USAGE, "%s: is a directory, not a disk image", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode) && !S_ISBLK(st->st_mode)) {
		err_set(LB_EXIT_USAGE, "%s: not a regular file or block device", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* A backing name QEMU would take for a protocol rather than a file:
 * "json:{...}", "nbd://...", "http:..."; such a chain leaves the host's
 * files, and leanboot does not follow it. */
static int is_protocol(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");

	return n > 0 && name[n] == ':';
}

/* The backing file of the qcow2 image open at FD: its name (NAME[0] = 0
 * if none) and its recorded format (FMT[0] = 0 if none). */
static int q_backing(const char *path, int fd, char *name, char *fmt, size_t fmtlen)
{
	unsigned char *h = malloc(Q_HEAD_READ);
	ssize_t n;
	uint64_t off;
	uint32_t len, version, hlen;
	int r = -1;

	name[0] = fmt[0] = '\0';
	if (!h) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	n = pread(fd, h, Q_HEAD_READ, 0);
	if (n < Q_V2_HEADER || be32(h) != Q_MAGIC) {
		err_set(LB_EXIT_USAGE, "%s: not a qcow2 image (its header is short or wrong)", path);
		goto out;
	}
	version = be32(h + 4);
	if (version != 2 && version != 3) {
		err_set(LB_EXIT_USAGE, "%s: qcow2 version %u is not 2 or 3", path, version);
		goto out;
	}
	hlen = Q_V2_HEADER;
	if (version == 3) {
		if (n < Q_HEADER_LENGTH + 4) {
			err_set(LB_EXIT_USAGE, "%s: qcow2 header is short", path);
			goto out;
		}
		if (be64(h + Q_INCOMPAT) & Q_INCOMPAT_DATA_FILE) {
			err_set(LB_EXIT_USAGE, "%s: has an external data file, which leanboot does not attach", path);
			goto out;
		}
		hlen = be32(h + Q_HEADER_LENGTH);
	}
	/* Header extensions: type, length, data padded to 8 bytes. */
	for (size_t p = hlen; p + 8 <= (size_t)n; ) {
		uint32_t type = be32(h + p), elen = be32(h + p + 4);

		if (type == Q_EXT_END)
			break;
		if (elen > (size_t)n - p - 8) {
			err_set(LB_EXIT_USAGE, "%s: a qcow2 header extension runs past the header", path);
			goto out;
		}
		if (type == Q_EXT_DATA_FILE) {
			err_set(LB_EXIT_USAGE, "%s: has an external data file, which leanboot does not attach", path);
			goto out;
		}
		if (type == Q_EXT_BACKING_FORMAT) {
			size_t l = elen < fmtlen - 1 ? elen : fmtlen - 1;

			memcpy(fmt, h + p + 8, l);
			fmt[l] = '\0';
		}
		p += 8 + ((elen + 7) & ~7u);
	}
	off = be64(h + Q_BACKING_OFFSET);
	len = be32(h + Q_BACKING_SIZE);
	if (off == 0 || len == 0) {
		r = 0;
		goto out;
	}
	if (len > Q_NAME_MAX || pread(fd, name, len, (off_t)off) != (ssize_t)len) {
		err_set(LB_EXIT_USAGE, "%s: its backing file name is unreadable", path);
		goto out;
	}
	name[len] = '\0';
	if (strlen(name) != len) {
		err_set(LB_EXIT_USAGE, "%s: its backing file name holds a NUL byte", path);
		goto out;
	}
	r = 0;
out:
	free(h);
	return r;
}

/* Follow the chain below the qcow2 image PATH (open at FD).  DETECTED:
 * the user did not say the image is qcow2. */
static int disk_chain(const char *path, int fd, const struct stat *top, int detected, struct strv *chain,
		      struct disk_info *out)
{
	struct { dev_t dev; ino_t ino; } seen[DISK_MAX_CHAIN + 1] = { { top->st_dev, top->st_ino } };
	char name[Q_NAME_MAX + 1], fmt[32], *cur = realpath(path, NULL);
	int depth = 0, cfd = fd, r = -1;

	/* Relative backing names are taken from the image's own directory,
	 * as QEMU takes them from the absolute name leanboot gives it; the
	 * chain is listed by full names. */
	if (!cur) {
		err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		char *next;
		struct stat st;
		const char *slash;

		if (q_backing(cur, cfd, name, fmt, sizeof fmt) < 0)
			break;
		if (!name[0]) {
			r = 0;
			break;
		}
		/* Whoever can write a raw image can make it look like qcow2
		 * and name any host file as its backing file; only the user's
		 * word that it is qcow2 lets leanboot follow one. */
		if (detected && depth == 0) {
			err_set(LB_EXIT_USAGE, "%s: looks like qcow2 with a backing file ('%.200s'); if it is one, "
				"say --format qcow2", cur, name);
			break;
		}
		if (is_protocol(name)) {
			err_set(LB_EXIT_USAGE, "%s: its backing file '%.200s' names a protocol, which leanboot does not follow",
				cur, name);
			break;
		}
		if (!fmt[0]) {
			err_set(LB_EXIT_USAGE, "%s: its backing file '%.200s' has no recorded format, and leanboot does not "
				"guess one (record it with qemu-img rebase -u -F raw|qcow2)", cur, name);
			break;
		}
		if (strcmp(fmt, "raw") && strcmp(fmt, "qcow2")) {
			err_set(LB_EXIT_USAGE, "%s: its backing file's format '%.200s' is not raw or qcow2", cur,
				fmt);
			break;
		}
		if (++depth > DISK_MAX_CHAIN) {
			err_set(LB_EXIT_USAGE, "%s: backing chain deeper than %d", path, DISK_MAX_CHAIN);
			break;
		}
		/* Relative names are relative to the image's own directory, as
		 * QEMU takes them. */
		slash = strrchr(cur, '/');
		next = name[0] == '/' || !slash ? strdup(name)
						: util_printf("%.*s/%s", (int)(slash - cur), cur, name);
		if (!next) {
			err_set(LB_EXIT_VM, "out of memory");
			break;
		}
		free(cur);
		cur = next;
		if (cfd != fd)
			close(cfd);
		cfd = disk_open(cur, &st);
		if (cfd < 0)
			break;
		for (int i = 0; i < depth; i++)
			if (seen[i].dev == st.st_dev && seen[i].ino == st.st_ino) {
				err_set(LB_EXIT_USAGE, "%s: its backing chain loops", path);
				goto out;
			}
		seen[depth].dev = st.st_dev;
		seen[depth].ino = st.st_ino;
		if (chain && strv_add(chain, cur) < 0) {
			err_set(LB_EXIT_VM, "out of memory");
			break;
		}
		out->chain_fmt[out->nchain++] = strcmp(fmt, "raw") ? DISK_QCOW2 : DISK_RAW;
		if (!strcmp(fmt, "raw")) {
			r = 0;
			break;
		}
		/* Recorded as qcow2: q_backing checks that it is one. */
	}
out:
	if (cfd >= 0 && cfd != fd)
		close(cfd);
	free(cur);
	return r;
}

int disk_probe(const char *path, int want, struct disk_info *out, struct strv *chain)
{
	unsigned char head[4];
	struct stat st;
	ssize_t n;
	int fd = disk_open(path, &st);

	if (fd < 0)
		return -1;
	out->is_block = S_ISBLK(st.st_mode);
	out->nchain = 0;
	out->size = (uint64_t)st.st_size;
	if (out->is_block && ioctl(fd, BLKGETSIZE64, &out->size) < 0) {
		err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (want >= 0) {
		out->format = (enum disk_format)want;
	} else {
		n = pread(fd, head, sizeof head, 0);
		if (n < 0) {
			err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
			goto fail;
		}
		out->format = n == 4 && be32(head) == Q_MAGIC ? DISK_QCOW2 : DISK_RAW;
	}
	if (out->format == DISK_QCOW2 && disk_chain(path, fd, &st, want < 0, chain, out) < 0)
		goto fail;
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}
