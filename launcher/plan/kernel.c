/* kernel: extract the PVH-bootable vmlinux from the host's bzImage. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lzma.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/names.h"
#include "plan/kernel.h"
#include "common/util.h"

/* No kernel we would boot comes near this; it bounds a hostile payload. */
#define KERN_MAX_VMLINUX (512u << 20)
#define KERN_KEY_VERSION "kern-3"

/* The x86 boot protocol's setup header (Documentation/x86/boot.rst). */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_MAGIC 0x202          /* "HdrS" */
#define HDR_VERSION 0x206
#define HDR_PAYLOAD_OFFSET 0x248 /* protocol 2.08 and later */
#define HDR_PAYLOAD_LENGTH 0x24c

/* XEN_ELFNOTE_PHYS32_ENTRY: the PVH entry point QEMU looks for. */
#define PVH_NOTE_TYPE 18

/* PVH is usual where the host kernel has it (appl_boot_kernel()). */
const struct names kern_format_names[] = {
	{ "pvh", KERN_PVH, 1 }, { "bzimage", KERN_BZIMAGE, 0 }, { "image", KERN_IMAGE, 0 },
	{ NULL, 0, 0 },
};

int kern_parse_format(const char *s)
{
	return names_parse(kern_format_names, s);
}

const char *kern_format_name(enum kern_format f)
{
	return names_name(kern_format_names, (int)f);
}

void kern_vmlinux_path(const char *cache, char *out, size_t len)
{
	snprintf(out, len, "%.4000s/kernel/vmlinux", cache);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Name the compressor of a payload we cannot unpack, so the notice says
 * why the fast path is off rather than just that it is. */
static const char *payload_kind(const unsigned char *p, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *name;
	} kinds[] = {
		{ "\xfd" "7zXZ\0", 6, "xz" },       { "\x1f\x8b", 2, "gzip" },
		{ "\x28\xb5\x2f\xfd", 4, "zstd" },  { "\x02\x21\x4c\x18", 4, "lz4" },
		{ "BZh", 3, "bzip2" },              { "\x5d\x00", 2, "lzma" },
		{ "\x89LZO", 4, "lzo" },            { "\x7f" "ELF", 4, "uncompressed" },
	};

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (n >= kinds[i].len && !memcmp(p, kinds[i].magic, kinds[i].len))
			return kinds[i].name;
	return "unknown";
}

const char *kern_pvh_check(const unsigned char *elf, size_t len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;

	if (len < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64)
		return "the payload is not an x86-64 ELF image";
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > len ||
	    (size_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return "the ELF program headers are out of bounds";

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		size_t off, end;

		memcpy(&ph, elf + eh->e_phoff + i * sizeof ph, sizeof ph);
		if (ph.p_type != PT_NOTE)
			continue;
		if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
			return "an ELF note segment is out of bounds";
		off = ph.p_offset;
		end = ph.p_offset + ph.p_filesz;
		while (end - off >= sizeof(Elf64_Nhdr)) {
			Elf64_Nhdr nh;
			size_t name, desc;

			memcpy(&nh, elf + off, sizeof nh);
			name = (nh.n_namesz + 3u) & ~(size_t)3;
			desc = (nh.n_descsz + 3u) & ~(size_t)3;
			off += sizeof nh;
			if (name > end - off || desc > end - off - name)
				break;
			if (nh.n_type == PVH_NOTE_TYPE && nh.n_namesz == 4 &&
			    !memcmp(elf + off, "Xen", 4))
				return NULL;
			off += name + desc;
		}
	}
	return "the kernel has no PVH entry point (built without CONFIG_PVH)";
}

/* Decompress the xz payload into a buffer; the bzImage appends the
 * uncompressed size after the stream, which the decoder leaves alone. */
static int unxz(const unsigned char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	lzma_stream s = LZMA_STREAM_INIT;
	unsigned char *buf = NULL;
	size_t cap = 0;
	lzma_ret r;

	if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK) {
		err_set(LB_EXIT_VM, "xz decoder: out of memory");
		return -1;
	}
	s.next_in = in;
	s.avail_in = inlen;
	do {
		if (s.avail_out == 0) {
			size_t ncap = cap ? cap * 2 : 64u << 20;
			unsigned char *n;

			if (cap >= KERN_MAX_VMLINUX) {
				err_set(LB_EXIT_VM, "vmlinux larger than %u MiB",
					KERN_MAX_VMLINUX >> 20);
				goto fail;
			}
			n = realloc(buf, ncap);
			if (!n) {
				err_set(LB_EXIT_VM, "out of memory");
				goto fail;
			}
			buf = n;
			s.next_out = buf + cap;
			s.avail_out = ncap - cap;
			cap = ncap;
		}
		r = lzma_code(&s, LZMA_FINISH);
	} while (r == LZMA_OK);
	if (r != LZMA_STREAM_END) {
		err_set(LB_EXIT_VM, "xz payload is corrupt (liblzma error %d)", (int)r);
		goto fail;
	}
	*out = buf;
	*outlen = cap - s.avail_out;
	lzma_end(&s);
	return 0;
fail:
	lzma_end(&s);
	free(buf);
	return -1;
}

static int read_all(const char *path, unsigned char **out, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 0x400 || st.st_size > (64 << 20)) {
		err_set(LB_EXIT_VM, "%s: not a kernel image", path);
		goto fail;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		err_set(LB_EXIT_VM, "out of memory");
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			err_set(LB_EXIT_VM, "%s: %s", path, n ? strerror(errno) : "short read");
			free(buf);
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	*out = buf;
	*len = got;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The bzImage's payload (the compressed vmlinux), by the setup header. */
static int find_payload(const char *path, const unsigned char *bz, size_t len,
			const unsigned char **pl, size_t *pllen)
{
	unsigned sects = bz[HDR_SETUP_SECTS] ? bz[HDR_SETUP_SECTS] : 4;
	uint32_t off, n;
	size_t base = ((size_t)sects + 1) * 512;

	if (memcmp(bz + HDR_MAGIC, "HdrS", 4) ||
	    (bz[HDR_VERSION] | bz[HDR_VERSION + 1] << 8) < 0x208) {
		err_set(LB_EXIT_VM, "%s: not a bzImage with boot protocol 2.08 or later", path);
		return -1;
	}
	off = le32(bz + HDR_PAYLOAD_OFFSET);
	n = le32(bz + HDR_PAYLOAD_LENGTH);
	if (base > len || off > len - base || n > len - base - off || n < 16) {
		err_set(LB_EXIT_VM, "%s: the payload lies outside the file", path);
		return -1;
	}
	*pl = bz + base + off;
	*pllen = n;
	return 0;
}

/* The cache key: which file the vmlinux came from, as stat sees it. */
static void stamp(const struct stat *st, const char *bzimage, char hex[65])
{
	struct sha256_ctx h;
	uint8_t d[SHA256_DIGEST_SIZE];
	char buf[256];

	/* Size and whole seconds only: a container's copy of the same file
	 * (an image layer, rootless podman's vfs storage) has another inode,
	 * and tar keeps no finer time. */
	snprintf(buf, sizeof buf, "%s %lld %lld", KERN_KEY_VERSION, (long long)st->st_size,
		 (long long)st->st_mtim.tv_sec);
	sha256_init(&h);
	sha256_update(&h, strlen(bzimage) + 1, (const uint8_t *)bzimage);
	sha256_update(&h, strlen(buf), (const uint8_t *)buf);
	sha256_digest(&h, sizeof d, d);
	for (size_t i = 0; i < sizeof d; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static int key_matches(const char *keypath, const char *vmlinux, const char *want)
{
	char have[80] = "";
	FILE *f = fopen(keypath, "re");

	if (!f)
		return 0;
	if (!fgets(have, sizeof have, f))
		have[0] = '\0';
	fclose(f);
	have[strcspn(have, "\n")] = '\0';
	return !strcmp(have, want) && access(vmlinux, R_OK) == 0;
}

/* Write DATA to PATH through a temporary name and rename, so a reader
 * never sees half a file. */
static int write_atomic(const char *path, const void *data, size_t len)
{
	char tmp[PATH_MAX + 16];
	const unsigned char *p = data;
	int fd;

	snprintf(tmp, sizeof tmp, "%.4000s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err_set(LB_EXIT_VM, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	/* QEMU run by a libvirt daemon as another user reads it. */
	if (fchmod(fd, 0644) < 0 || close(fd) < 0) {
		fd = -1;
		err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

/* Shorten each loadable segment's file part to its last non-zero byte.
 * The kernel's last segment carries .bss and .brk as 20-odd MiB of zeros
 * in the file, because a PROGBITS section (.init.scratch) follows them;
 * QEMU maps the file and keeps the mapping, so those zeros were resident
 * in QEMU for the life of the VM.  Past p_filesz the loader zero-fills up
 * to p_memsz, so the guest sees the same memory. */
static void trim_zero_tails(unsigned char *elf, size_t len)
{
	Elf64_Ehdr eh;

	memcpy(&eh, elf, sizeof eh);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		unsigned char *at = elf + eh.e_phoff + i * sizeof(Elf64_Phdr);
		Elf64_Phdr ph;
		size_t n;

		memcpy(&ph, at, sizeof ph);
		if (ph.p_type != PT_LOAD || ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
			continue;
		n = ph.p_filesz;
		while (n > 0 && elf[ph.p_offset + n - 1] == 0)
			n--;
		ph.p_filesz = n;
		memcpy(at, &ph, sizeof ph);
	}
}

static int extract(const char *bzimage, const char *vmlinux)
{
	unsigned char *bz = NULL, *elf = NULL;
	const unsigned char *pl;
	size_t bzlen, pllen, elflen;
	const char *why;
	int r = -1;

	if (read_all(bzimage, &bz, &bzlen) < 0 || find_payload(bzimage, bz, bzlen, &pl, &pllen) < 0)
		goto out;
	if (strcmp(payload_kind(pl, pllen), "xz")) {
		err_set(LB_EXIT_VM, "%s: the kernel payload is %s, and only xz is extracted",
			bzimage, payload_kind(pl, pllen));
		goto out;
	}
	if (unxz(pl, pllen, &elf, &elflen) < 0)
		goto out;
	if ((why = kern_pvh_check(elf, elflen))) {
		err_set(LB_EXIT_VM, "%s: %s", bzimage, why);
		goto out;
	}
	trim_zero_tails(elf, elflen);
	r = write_atomic(vmlinux, elf, elflen);
out:
	free(bz);
	free(elf);
	return r;
}

const char *kern_probe(const char *bzimage)
{
	static char why[256];
	unsigned char *bz = NULL;
	const unsigned char *pl;
	size_t len, pllen;
	const char *kind;

	if (read_all(bzimage, &bz, &len) < 0 || find_payload(bzimage, bz, len, &pl, &pllen) < 0) {
		snprintf(why, sizeof why, "%s", err_msg());
		err_clear();
		free(bz);
		return why;
	}
	kind = payload_kind(pl, pllen);
	free(bz);
	if (!strcmp(kind, "xz"))
		return NULL;
	snprintf(why, sizeof why, "%s: the kernel payload is %s, and only xz is extracted",
		 bzimage, kind);
	return why;
}

int kern_vmlinux(const char *cache, const char *bzimage, int *hit)
{
	char dir[PATH_MAX], vmlinux[PATH_MAX], key[PATH_MAX + 8], lock[PATH_MAX + 8];
	char want[65];
	struct stat st;
	int fd, r = -1;

	*hit = 0;
	if (stat(bzimage, &st) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", bzimage, strerror(errno));
		return -1;
	}
	stamp(&st, bzimage, want);
	snprintf(dir, sizeof dir, "%.4000s/kernel", cache);
	kern_vmlinux_path(cache, vmlinux, sizeof vmlinux);
	snprintf(key, sizeof key, "%s/key", dir);
	snprintf(lock, sizeof lock, "%s/lock", dir);

	if (key_matches(key, vmlinux, want)) {
		*hit = 1;
		return 0;
	}
	if (util_mkdirs(dir) < 0)
		return -1;
	if (chmod(dir, 0755) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", dir, strerror(errno));
		return -1;
	}
	/* Concurrent launches extract once: the second waits, then finds it. */
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", lock, strerror(errno));
		goto out;
	}
	if (key_matches(key, vmlinux, want)) {
		*hit = 1;
		r = 0;
		goto out;
	}
	unlink(key);
	if (extract(bzimage, vmlinux) < 0 || write_atomic(key, want, strlen(want)) < 0)
		goto out;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	return r;
}
