/* wire: the guest-host protocol, the one definition both sides compile.
 * The appliance speaks it (appliance/init/ writes frames, and
 * appliance/inspect/ the inspector's records); the launcher reads it
 * (proto.c the frames, inspect/report.c the records).  Everything here
 * is a constant or static inline and depends on nothing of ours, because
 * the init is a static binary that links no launcher code.
 *
 * Two wires.  The serial console carries the kernel's messages, the
 * ready marker, and what fails before the channel is up, as frames
 * amid the text:
 *
 *     SOH 'L' 'B' TYPE LEN(8 hex digits) PAYLOAD(LEN bytes) CRC(8 hex digits) EOT
 *
 * CRC is the CRC-32 (zlib's polynomial) of TYPE and PAYLOAD; bytes
 * outside frames are console text.  The channel, a virtio-serial port
 * named WIRE_CHANNEL_NAME, carries the job, the command's stdin, stdout
 * and stderr, and its exit status, in binary frames:
 *
 *     'L' 'B' TYPE 0 LEN(4 bytes, big-endian) PAYLOAD(LEN bytes)
 *
 * virtio-serial delivers bytes in order and intact, so a frame there
 * needs no CRC, and its flow control (a port the host does not drain
 * blocks the guest's writes) bounds memory on both sides. */
#ifndef LB_WIRE_H
#define LB_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define WIRE_SOH 0x01
#define WIRE_EOT 0x04
#define WIRE_MAX_FRAME 4096           /* payload bytes in one console frame */

enum wire_type {
	/* guest to host: the console's */
	WIRE_READY = 'R',             /* payload: the guest's uptime */
	WIRE_FAIL = 'F',              /* payload: why the init failed (either wire) */
	/* guest to host: the channel's; the console's too with no channel */
	WIRE_STDOUT = 'O',
	WIRE_STDERR = 'E',
	WIRE_EXIT = 'X',              /* payload: the exit status, decimal; the last frame */
	/* host to guest, on the channel */
	WIRE_JOB = 'J',               /* payload: the job, below */
	WIRE_STDIN = 'I',             /* payload: stdin bytes; empty: end of file */
	WIRE_CLOSE = 'C',             /* payload: 'O' or 'E', a stream nobody reads now */
	WIRE_BYE = 'B',               /* after the exit frame: all is read, power off */
};

/* The channel's port name: its "name" file under /sys/class/virtio-ports
 * in the guest, the <target name=...> in libvirt's XML. */
#define WIRE_CHANNEL_NAME "org.leanboot.channel.0"
#define WIRE_CHAN_HDR 8               /* a channel frame's header */
#define WIRE_CHAN_MAX 65536           /* payload bytes of a data frame */
/* The job: four 32-bit big-endian numbers (the user's disks, flags, argc,
 * envc); the host's realtime clock when it sent the job (seconds as two
 * 32-bit halves, high first, then nanoseconds); WIRE_JOB_SEED random
 * bytes; then argc arguments and envc NAME=VALUE strings, each ending in
 * NUL.  With argc 0 there is no command: the guest powers off.
 *
 * The clock and the seed are there for a VM restored from a template
 * (launch.h): its clock stopped when the template was saved, and every
 * clone of it starts with the template's random state, so each sets its
 * clock and reseeds its RNG from the job. */
#define WIRE_JOB_MAX (1u << 20)       /* payload bytes of a job */
#define WIRE_JOB_SEED 32
#define WIRE_JOB_NDISKS_AT 0          /* where each field of the header is */
#define WIRE_JOB_FLAGS_AT 4
#define WIRE_JOB_ARGC_AT 8
#define WIRE_JOB_ENVC_AT 12
#define WIRE_JOB_TIME 16              /* seconds high, seconds low, nanoseconds */
#define WIRE_JOB_SEED_AT 28
#define WIRE_JOB_FIXED (WIRE_JOB_SEED_AT + WIRE_JOB_SEED)   /* the header; the strings follow */
#define WIRE_JOB_STDIN 1u             /* flags: stdin comes in frames, else /dev/null */
#define WIRE_JOB_SCSI 2u              /* flags: the disks come as SCSI LUNs 0..N-1,
					 hot-added, not as virtio-blk devices */

/* The job's header, decoded.  Both ends go through the two functions
 * below, so the layout is written down once. */
struct wire_job_header {
	uint32_t ndisks, flags, argc, envc;
	uint64_t sec;             /* the host's realtime clock */
	uint32_t nsec;
	unsigned char seed[WIRE_JOB_SEED];
};

static inline void wire_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static inline uint32_t wire_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* H into the first WIRE_JOB_FIXED bytes of a job, and back.  The
 * reader checks the ranges (wire_job_get_header() checks nothing). */
static inline void wire_job_put_header(unsigned char p[WIRE_JOB_FIXED], const struct wire_job_header *h)
{
	wire_put32(p + WIRE_JOB_NDISKS_AT, h->ndisks);
	wire_put32(p + WIRE_JOB_FLAGS_AT, h->flags);
	wire_put32(p + WIRE_JOB_ARGC_AT, h->argc);
	wire_put32(p + WIRE_JOB_ENVC_AT, h->envc);
	wire_put32(p + WIRE_JOB_TIME, (uint32_t)(h->sec >> 32));
	wire_put32(p + WIRE_JOB_TIME + 4, (uint32_t)h->sec);
	wire_put32(p + WIRE_JOB_TIME + 8, h->nsec);
	memcpy(p + WIRE_JOB_SEED_AT, h->seed, WIRE_JOB_SEED);
}

static inline void wire_job_get_header(const unsigned char p[WIRE_JOB_FIXED], struct wire_job_header *h)
{
	h->ndisks = wire_get32(p + WIRE_JOB_NDISKS_AT);
	h->flags = wire_get32(p + WIRE_JOB_FLAGS_AT);
	h->argc = wire_get32(p + WIRE_JOB_ARGC_AT);
	h->envc = wire_get32(p + WIRE_JOB_ENVC_AT);
	h->sec = (uint64_t)wire_get32(p + WIRE_JOB_TIME) << 32 | wire_get32(p + WIRE_JOB_TIME + 4);
	h->nsec = wire_get32(p + WIRE_JOB_TIME + 8);
	memcpy(h->seed, p + WIRE_JOB_SEED_AT, WIRE_JOB_SEED);
}

/* A channel frame's header for TYPE and LEN payload bytes. */
static inline void wire_chan_header(unsigned char h[WIRE_CHAN_HDR], char type, uint32_t len)
{
	h[0] = 'L';
	h[1] = 'B';
	h[2] = (unsigned char)type;
	h[3] = 0;
	wire_put32(h + 4, len);
}

/* Console text the init prints: every line of its own starts with the
 * prefix (the launcher's "init" stage begins at the first), and the
 * marker precedes the ready frame for a human reading the console. */
#define WIRE_INIT_PREFIX "leanboot-init: "
#define WIRE_READY_MARKER "LEANBOOT-READY"

#define WIRE_MAX_DISKS 16             /* user disks: vdb..vdq, a clone's sda..sdp */

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
