/* job: the appliance's end of the channel (launcher/wire.h).  After
 * ready, the init reads the job from the virtio-serial port, runs the
 * command, and streams: the host's stdin frames into the command's stdin,
 * its stdout and stderr out as frames.  The exit status goes last, and
 * the init powers off only when the host has said it has read it all.
 *
 * Writes to the port block while the host is not draining it, and the
 * port is not read while the command has not taken the last stdin frame,
 * so memory stays bounded here as on the host. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/random.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drain.h"
#include "wire.h"
#include "init.h"

#define PORTS "/sys/class/virtio-ports"
#define TRACEFS "/sys/kernel/tracing"

static int host_gone;             /* the port has failed: output is dropped */

/* --- finding the port ------------------------------------------------- */

/* The port named WIRE_CHANNEL_NAME, once its node is in /dev (no udev
 * here to make /dev/virtio-ports/NAME): its path into OUT (64 bytes). */
static int is_channel(const char *dir, const char *entry, void *out)
{
	char name[64];

	if (init_sysfs_line(dir, entry, "name", name, sizeof name) < 0 || strcmp(name, WIRE_CHANNEL_NAME))
		return 0;
	snprintf(out, 64, "/dev/%.50s", entry);
	return access(out, F_OK) == 0;
}

static int find_port(void *out)
{
	return init_scan(PORTS, is_channel, out);
}

int job_channel(void)
{
	char dev[64];
	int fd;

	if (!init_virtio_present(INIT_VIRTIO_CONSOLE))
		return -1;
	init_load_module("virtio_console");
	/* QEMU announces the port once the driver is up, a moment later. */
	if (init_wait(find_port, dev, 5000) < 0) {
		init_failf("the channel %s did not appear", WIRE_CHANNEL_NAME);
		return -2;
	}
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		init_failf("%s: %s", dev, strerror(errno));
	return fd < 0 ? -2 : fd;
}

/* --- frames ------------------------------------------------------------ */

/* drain.h only writes.  This fills BUF from the blocking port, where end
 * of file, as any error, means the host has gone. */
static int read_full(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* The port is blocking: drain() writes it all, or the host has gone. */
static void write_full(int fd, const void *buf, size_t n)
{
	size_t off = 0;

	if (!host_gone && drain(drain_write_fd, &fd, buf, &off, &n) != DRAIN_DONE)
		host_gone = 1;
}

/* One frame of TYPE whose LEN payload bytes follow its header in BUF. */
static void send_framed(int ch, char type, unsigned char *buf, size_t len)
{
	wire_chan_header(buf, type, (uint32_t)len);
	write_full(ch, buf, WIRE_CHAN_HDR + len);
}

static void send_frame(int ch, char type, const void *data, size_t len)
{
	static unsigned char buf[WIRE_CHAN_HDR + 1024];

	if (len > sizeof buf - WIRE_CHAN_HDR)
		len = sizeof buf - WIRE_CHAN_HDR;
	memcpy(buf + WIRE_CHAN_HDR, data, len);
	send_framed(ch, type, buf, len);
}

static void job_failf(int ch, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void job_failf(int ch, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	send_frame(ch, WIRE_FAIL, msg, strlen(msg));
}

/* The next frame from the host into BUF (CAP bytes), its type in *TYPE;
 * returns its length, or -1 when the host has gone or broke the wire. */
static long recv_frame(int ch, char *type, unsigned char *buf, size_t cap)
{
	unsigned char h[WIRE_CHAN_HDR];
	uint32_t len;

	if (read_full(ch, h, sizeof h) < 0 || h[0] != 'L' || h[1] != 'B' || h[3] != 0)
		return -1;
	len = wire_get32(h + 4);
	if (len > cap || read_full(ch, buf, len) < 0)
		return -1;
	*type = (char)h[2];
	return (long)len;
}

/* --- the job ----------------------------------------------------------- */

struct job {
	struct wire_job_header h; /* the counts, the host's clock, the seed */
	char **argv, **env;       /* into the job's payload */
};

/* What a VM restored from a template must not share with its siblings:
 * the clock, which stopped when the template was saved, and the RNG's
 * state.  The seed is credited and the CRNG reseeded at once, so the
 * very next read of /dev/urandom differs from every other clone's.
 * (vmgenid would reseed it too, but its ACPI table needs a firmware
 * that writes pointers back, and qboot's loader does not.) */
static void freshen(const struct job *j)
{
	struct {
		int entropy_count, buf_size;
		unsigned char buf[WIRE_JOB_SEED];
	} e = { WIRE_JOB_SEED * 8, WIRE_JOB_SEED, { 0 } };
	struct timespec now = { (time_t)j->h.sec, (long)j->h.nsec };
	int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);

	if (clock_settime(CLOCK_REALTIME, &now) < 0)
		init_say("clock_settime: %s", strerror(errno));
	memcpy(e.buf, j->h.seed, WIRE_JOB_SEED);
	if (fd < 0 || ioctl(fd, RNDADDENTROPY, &e) < 0 || ioctl(fd, RNDRESEEDCRNG) < 0)
		init_say("reseeding the RNG: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* Check and split the payload (LEN bytes, NUL after them). */
static int parse_job(unsigned char *p, size_t len, struct job *j)
{
	size_t off = WIRE_JOB_FIXED, n = 0;

	if (len < WIRE_JOB_FIXED)
		return -1;
	wire_job_get_header(p, &j->h);
	if (j->h.ndisks > WIRE_MAX_DISKS || j->h.argc > len || j->h.envc > len ||
	    j->h.nsec >= 1000000000u)
		return -1;
	j->argv = calloc((size_t)j->h.argc + 1, sizeof *j->argv);
	j->env = calloc((size_t)j->h.envc + 1, sizeof *j->env);
	if (!j->argv || !j->env)
		return -1;
	while (off < len && n < (size_t)j->h.argc + j->h.envc) {
		char *s = (char *)p + off;
		size_t l = strnlen(s, len - off);

		if (off + l >= len)
			return -1;      /* no NUL before the end */
		if (n < j->h.argc)
			j->argv[n] = s;
		else
			j->env[n - j->h.argc] = s;
		n++;
		off += l + 1;
	}
	return n == (size_t)j->h.argc + j->h.envc && off == len ? 0 : -1;
}

static pid_t spawn(const struct job *j, int in, int out, int err)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	/* Only the dup2 copies reach the command: the rest are O_CLOEXEC. */
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/root", 1);
	setenv("LANG", "C.UTF-8", 1);
	for (uint32_t i = 0; i < j->h.envc; i++)
		if (strchr(j->env[i], '='))
			putenv(j->env[i]);
	if (chdir("/") < 0)
		_exit(127);
	execvp(j->argv[0], j->argv);
	dprintf(2, "%s: %s\n", j->argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* The streams while the command runs. */
struct pump {
	int ch;
	int out[2];               /* the command's stdout and stderr; -1 at EOF */
	int in;                   /* its stdin, non-blocking; -1 once closed */
	int in_eof;               /* the host's stdin has ended */
	unsigned char inbuf[WIRE_CHAN_MAX];
	size_t pend, poff;        /* a stdin frame not yet all taken */
};

static void pump_output(struct pump *s, int i)
{
	static unsigned char buf[WIRE_CHAN_HDR + WIRE_CHAN_MAX];
	ssize_t n = read(s->out[i], buf + WIRE_CHAN_HDR, WIRE_CHAN_MAX);

	if (n > 0) {
		send_framed(s->ch, i ? WIRE_STDERR : WIRE_STDOUT, buf, (size_t)n);
	} else if (n == 0 || errno != EINTR) {
		close(s->out[i]);
		s->out[i] = -1;
	}
}

static void close_stdin(struct pump *s)
{
	if (s->in >= 0)
		close(s->in);
	s->in = -1;
	s->pend = 0;
}

static void pump_stdin(struct pump *s)
{
	int r = drain(drain_write_fd, &s->in, s->inbuf, &s->poff, &s->pend);

	/* Failed: EPIPE, the command does not read its stdin. */
	if (r == DRAIN_FAILED || (r == DRAIN_DONE && s->in_eof))
		close_stdin(s);
}

static void pump_channel(struct pump *s)
{
	char type;
	long n = recv_frame(s->ch, &type, s->inbuf, sizeof s->inbuf);

	if (n < 0) {
		host_gone = 1;
		return;
	}
	if (type == WIRE_STDIN) {
		s->in_eof |= n == 0;
		s->poff = 0;
		s->pend = s->in >= 0 ? (size_t)n : 0;
		pump_stdin(s);
	} else if (type == WIRE_CLOSE && n == 1) {
		int i = s->inbuf[0] == WIRE_STDERR;

		/* The host's reader has gone: the command's next write
		 * gets EPIPE, or SIGPIPE, as it would here. */
		if (s->out[i] >= 0)
			close(s->out[i]);
		s->out[i] = -1;
	}
}

static int run(int ch, const struct job *j)
{
	struct pump *s = calloc(1, sizeof *s);
	int out[2], err[2], in[2] = { -1, -1 }, st;
	pid_t pid;

	/* Stdin not streamed: the command reads /dev/null. */
	if (!(j->h.flags & WIRE_JOB_STDIN))
		in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	else if (pipe2(in, O_CLOEXEC) < 0)
		in[0] = -1;
	if (!s || in[0] < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		job_failf(ch, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = spawn(j, in[0], out[1], err[1]);
	if (pid < 0) {
		job_failf(ch, "fork: %s", strerror(errno));
		return -1;
	}
	close(out[1]);
	close(err[1]);
	close(in[0]);
	s->ch = ch;
	s->out[0] = out[0];
	s->out[1] = err[0];
	s->in = in[1];
	if (s->in >= 0)
		fcntl(s->in, F_SETFL, O_NONBLOCK);
	while (s->out[0] >= 0 || s->out[1] >= 0) {
		/* The port is not read while a stdin frame waits: that holds
		 * the host's stdin back. */
		struct pollfd p[4] = {
			{ s->pend || host_gone ? -1 : ch, POLLIN, 0 },
			{ s->out[0], POLLIN, 0 },
			{ s->out[1], POLLIN, 0 },
			{ s->pend ? s->in : -1, POLLOUT, 0 },
		};

		if (poll(p, 4, -1) < 0)
			continue;
		for (int i = 0; i < 2; i++)
			if (p[1 + i].revents && s->out[i] >= 0)
				pump_output(s, i);
		if (p[3].revents)
			pump_stdin(s);
		if (p[0].revents)
			pump_channel(s);
	}
	close_stdin(s);
	free(s);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void job_run(int ch)
{
	static unsigned char scratch[WIRE_CHAN_MAX];
	unsigned char *p = malloc(WIRE_JOB_MAX + 1);
	struct job j = { 0 };
	char type, status[16];
	long n = p ? recv_frame(ch, &type, p, WIRE_JOB_MAX) : -1;
	int r;

	if (n < 0 || type != WIRE_JOB || parse_job(p, (size_t)n, &j) < 0) {
		job_failf(ch, "the job is malformed");
		goto out;
	}
	freshen(&j);
	if (j.h.argc == 0)
		goto out;   /* no command: boot, say ready, power off */
	init_attach_disks(j.h.ndisks, j.h.flags & WIRE_JOB_SCSI);
	r = run(ch, &j);
	if (r < 0)
		goto out;
	snprintf(status, sizeof status, "%d", r > 255 ? 255 : r);
	/* What the command wrote to a disk is on it before the host hears
	 * the status: the host may stop the VM as soon as it has. */
	sync();
	send_frame(ch, WIRE_EXIT, status, strlen(status));
	/* Frames still in the port when QEMU stops would be lost: wait for
	 * the host's word that it has them all. */
	while (!host_gone && (n = recv_frame(ch, &type, scratch, sizeof scratch)) >= 0 &&
	       type != WIRE_BYE)
		;
out:
	free(j.argv);
	free(j.env);
	free(p);
}

/* After the log, the kernel's event trace, when the command line turned
 * one on (bench's trace_event=): tracing stops first, so that reading the
 * buffer does not add to it. */
static void kernel_trace(void)
{
	static char buf[WIRE_MAX_FRAME];
	char events[8];
	ssize_t n;
	int fd, stopped = 0;

	if (!init_cmdline_get("trace_event", events, sizeof events) ||
	    (mount("tracefs", TRACEFS, "tracefs", 0, NULL) < 0 && errno != EBUSY))
		return;
	if ((fd = open(TRACEFS "/tracing_on", O_WRONLY | O_CLOEXEC)) >= 0) {
		stopped = write(fd, "0", 1) == 1;
		close(fd);
	}
	/* A trace still being written is not one to measure. */
	if (!stopped || (fd = open(TRACEFS "/trace", O_RDONLY | O_CLOEXEC)) < 0)
		return;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		init_frame(WIRE_STDOUT, buf, (size_t)n);
	close(fd);
}

void job_kernel_log(void)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf = size > 0 ? malloc((size_t)size) : NULL;
	int n = buf ? klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size) : -1;
	size_t w = 0;

	/* As dmesg prints it: each line without its "<level>". */
	for (int i = 0; i < n; ) {
		int start, k = i + 1;

		if (buf[i] == '<') {
			while (k < n && buf[k] >= '0' && buf[k] <= '9')
				k++;
			if (k < n && buf[k] == '>')
				i = k + 1;
		}
		start = i;
		while (i < n && buf[i++] != '\n')
			;
		memmove(buf + w, buf + start, (size_t)(i - start));
		w += (size_t)(i - start);
	}
	for (size_t off = 0; off < w; off += WIRE_MAX_FRAME)
		init_frame(WIRE_STDOUT, buf + off, w - off < WIRE_MAX_FRAME ? w - off : WIRE_MAX_FRAME);
	free(buf);
	kernel_trace();
	init_frame(WIRE_EXIT, "0", 1);
}
