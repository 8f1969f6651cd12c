/* inspect/keys: see keys.h.  A selector is what the appliance
 * matches a LUKS volume by: its ID (0.2, VG/LV), the guest's name for its
 * device (/dev/sda2), its LUKS UUID, or "all"; keys from stdin have
 * none and are tried on every volume. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/err.h"
#include "inspect/keys.h"

/* SELECTOR TAB the key in hex, LF. */
static int keys_put(struct inspect_keys *k, const char *sel, size_t sel_len, const unsigned char *key, size_t len)
{
	size_t need = sel_len + 1 + 2 * len + 1;

	if (!len)
		return err_usage_fail("inspect: --key: an empty key");
	if (len > INSPECT_KEY_MAX)
		return err_usage_fail("inspect: --key: a key is over %d bytes", INSPECT_KEY_MAX);
	if (k->len + need > sizeof k->buf)
		return err_usage_fail("inspect: --key: the keys are over %u bytes in all", INSPECT_KEYS_MAX / 2);
	for (size_t i = 0; i < sel_len; i++)
		if ((unsigned char)sel[i] < 0x20 || sel[i] == 0x7f)
			return err_usage_fail("inspect: --key: the selector holds a control character");
	memcpy(k->buf + k->len, sel, sel_len);
	k->len += sel_len;
	k->buf[k->len++] = '\t';
	for (size_t i = 0; i < len; i++)
		k->len += (size_t)snprintf(k->buf + k->len, 3, "%02x", key[i]);
	k->buf[k->len++] = '\n';
	k->n++;
	return 0;
}

/* FILE's bytes, as cryptsetup takes a key file: all of them. */
static int key_file(struct inspect_keys *k, const char *sel, size_t sel_len, const char *path)
{
	unsigned char key[INSPECT_KEY_MAX + 1];
	size_t got = 0;
	ssize_t n;
	int r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_usage_fail("inspect: --key: %s: %s", path, strerror(errno));
	while (got < sizeof key && (n = read(fd, key + got, sizeof key - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_usage_fail("inspect: --key: %s: %s", path, strerror(errno));
			close(fd);
			explicit_bzero(key, sizeof key);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	r = keys_put(k, sel, sel_len, key, got);
	explicit_bzero(key, sizeof key);
	return r;
}

int inspect_keys_add(struct inspect_keys *k, const char *spec)
{
	const char *kw = strstr(spec, ":key:"), *fw = strstr(spec, ":file:");

	/* The first of the two words is the separator: a passphrase may
	 * hold either. */
	if (kw && (!fw || kw < fw) && kw > spec)
		return keys_put(k, spec, (size_t)(kw - spec), (const unsigned char *)kw + 5, strlen(kw + 5));
	if (fw && fw > spec)
		return key_file(k, spec, (size_t)(fw - spec), fw + 6);
	/* The value is not quoted back: it may hold a passphrase. */
	return err_usage_fail("inspect: --key: give SELECTOR:key:PASSPHRASE or SELECTOR:file:FILE");
}

int inspect_keys_stdin(struct inspect_keys *k)
{
	char line[INSPECT_KEY_MAX + 2];
	int r = 0;

	while (!r && fgets(line, sizeof line, stdin)) {
		size_t n = strcspn(line, "\n");

		if (!line[n] && !feof(stdin))
			r = err_usage_fail("inspect: --keys-from-stdin: a key is over %d bytes", INSPECT_KEY_MAX);
		else if (n)
			r = keys_put(k, "", 0, (const unsigned char *)line, n);
	}
	explicit_bzero(line, sizeof line);
	return r;
}

int inspect_keys_fd(const struct inspect_keys *k)
{
	/* A file in memory, not a pipe: a pipe's buffer may be one page
	 * when the user's pipe pages are spent, and nobody reads it before
	 * the launch. */
	int fd = memfd_create("leanboot-keys", MFD_CLOEXEC);

	if (fd < 0) {
		err_set(LB_EXIT_VM, "a file for the keys: %s", strerror(errno));
		return -1;
	}
	if (write(fd, k->buf, k->len) != (ssize_t)k->len || lseek(fd, 0, SEEK_SET) != 0) {
		err_set(LB_EXIT_VM, "a file for the keys: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
