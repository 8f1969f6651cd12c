/* inspect/keys: the keys `leanboot inspect` opens LUKS volumes with, as
 * virt-inspector takes them (--key SELECTOR:key:PASSPHRASE, --key
 * SELECTOR:file:FILE, --keys-from-stdin), and their way to the
 * appliance: a file in memory that becomes the inspector's stdin on the channel,
 * so that no key is ever on a command line, in a log or on the guest
 * kernel's command line. */
#ifndef LB_INSPECT_KEYS_H
#define LB_INSPECT_KEYS_H

#include <stddef.h>

#define INSPECT_KEYS_MAX (60u << 10)  /* encoded bytes: under what the inspector reads */
#define INSPECT_KEY_MAX 8192          /* bytes of one key */

struct inspect_keys {
	char buf[INSPECT_KEYS_MAX];   /* "SELECTOR TAB HEX LF" a key */
	size_t len;
	int n;
};

/* One --key value.  Returns 0, or -1 after err_set() (bad usage). */
int inspect_keys_add(struct inspect_keys *k, const char *spec);
/* Each line of stdin a passphrase, tried on every volume. */
int inspect_keys_stdin(struct inspect_keys *k);
/* A file in memory holding the keys, at its start, or -1 after
 * err_set(). */
int inspect_keys_fd(const struct inspect_keys *k);

#endif
