/* digest: SHA-256 of files (digest.c). */
#ifndef LB_DIGEST_H
#define LB_DIGEST_H

struct sha256_ctx;

/* PATH's bytes added to the SHA-256 H (nettle's).  0, or -1 after
 * err_set(). */
int digest_file(struct sha256_ctx *h, const char *path);
/* PATH's SHA-256 as 64 hex digits and a NUL. */
int digest_file_hex(const char *path, char hex[65]);

#endif
