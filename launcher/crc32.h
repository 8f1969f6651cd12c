/* crc32: the CRC-32 (zlib's polynomial) of the guest protocol's frames,
 * shared by the appliance's init, which writes them, and proto.c, which
 * checks them.  Bitwise: frames are small and the init must stay static
 * and dependency-free. */
#ifndef LB_CRC32_H
#define LB_CRC32_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t crc32_update(uint32_t crc, const void *buf, size_t n)
{
	const unsigned char *b = buf;

	crc = ~crc;
	while (n--) {
		crc ^= *b++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

#endif
