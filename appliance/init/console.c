/* console: what PID 1 writes on the console (the kernel's log shares
 * it): its own lines with WIRE_INIT_PREFIX, and frames, which the
 * launcher reads whole (include/wire.h), failures among them. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drain.h"
#include "wire.h"
#include "init.h"

void init_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs(WIRE_INIT_PREFIX, stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

/* One frame, built whole and written as one.  A console that takes part
 * of it gets the rest through the drain loop every queue shares; one
 * that fails drops the rest, for there is nowhere else to say so, and
 * the frame cut short fails its CRC on the host. */
void init_frame(char type, const void *data, size_t len)
{
	static unsigned char buf[WIRE_MAX_FRAME + 32];
	unsigned char t = (unsigned char)type;
	uint32_t crc;
	size_t n, off = 0;
	int fd = 1;

	if (len > WIRE_MAX_FRAME)
		len = WIRE_MAX_FRAME;
	crc = wire_crc32(wire_crc32(0, &t, 1), data, len);
	n = (size_t)snprintf((char *)buf, sizeof buf, "%cLB%c%08zx", WIRE_SOH, type, len);
	memcpy(buf + n, data, len);
	n += len;
	n += (size_t)snprintf((char *)buf + n, sizeof buf - n, "%08x%c", crc, WIRE_EOT);
	(void)drain(drain_write_fd, &fd, buf, &off, &n);
}

void init_vfailf(const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof msg, fmt, ap);
	init_frame(WIRE_FAIL, msg, strlen(msg));
}

void init_failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	init_vfailf(fmt, ap);
	va_end(ap);
}
