/* wire: the guest-host protocol, the one definition both sides compile.
 * The appliance speaks it (appliance/init.c writes frames, and
 * appliance/inspect.c the inspector's records); the launcher reads it
 * (proto.c the frames, inspect-report.c the records).  Everything here
 * is a constant or static inline and depends on nothing of ours, because
 * the init is a static binary that links no launcher code.
 *
 * Frames, on the serial console after the ready marker:
 *
 *     SOH 'L' 'B' TYPE LEN(8 hex digits) PAYLOAD(LEN bytes) CRC(8 hex digits) EOT
 *
 * CRC is the CRC-32 (zlib's polynomial) of TYPE and PAYLOAD.  Bytes
 * outside frames are console text. */
#ifndef LB_WIRE_H
#define LB_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define WIRE_SOH 0x01
#define WIRE_EOT 0x04
#define WIRE_MAX_FRAME 4096           /* payload bytes in one frame */

enum wire_type {
	WIRE_READY = 'R',             /* payload: the guest's uptime */
	WIRE_STDOUT = 'O',
	WIRE_STDERR = 'E',
	WIRE_EXIT = 'X',              /* payload: the exit status, decimal */
	WIRE_FAIL = 'F',              /* payload: why the init failed */
};

/* Console text the init prints: every line of its own starts with the
 * prefix (the launcher's "init" stage begins at the first), and the
 * marker precedes the ready frame for a human reading the console. */
#define WIRE_INIT_PREFIX "leanboot-init: "
#define WIRE_READY_MARKER "LEANBOOT-READY"

/* The job on the kernel command line: WIRE_PARAM_CMD=HEX, the argv
 * NUL-separated and hex-encoded (no byte of it can pass for a kernel
 * parameter), and WIRE_PARAM_DISKS=N, the number of user disks. */
#define WIRE_PARAM_CMD "leanboot.cmd"
#define WIRE_PARAM_DISKS "leanboot.disks"
#define WIRE_MAX_DISKS 16             /* user disks; vdb..vdq */

/* The inspector's records: one value's bytes (more is cut by the guest
 * and refused by the host), and the logical volumes looked at. */
#define WIRE_VALUE_MAX 1024
#define WIRE_MAX_LVS 64

/* The characters LVM allows in VG and LV names, N bytes of S. */
static inline int wire_lvm_name_ok(const char *s, size_t n)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+_.-";

	if (n == 0 || n > 127 || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(ok, s[i]))
			return 0;
	return 1;
}

/* Bitwise: frames are small and the init must stay dependency-free. */
static inline uint32_t wire_crc32(uint32_t crc, const void *buf, size_t n)
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
