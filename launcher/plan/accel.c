/* accel: see accel.h.  /dev/kvm opening is not enough: on some hosts it
 * answers the API, runs real-mode code, and then hangs the guest at 100%
 * sys time once the kernel leaves real mode.  So the probe boots the
 * appliance's own kernel under KVM with earlyprintk and waits for the
 * decompressed kernel's "Linux version" banner: under working KVM it comes
 * in well under a second. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan/accel.h"
#include "common/err.h"
#include "common/util.h"
#include "plan/machine.h"

#define PROBE_SECONDS 4.0

/* 1: KVM ran the kernel to its banner; 0: it did not within the deadline. */
static int probe_kvm(const char *kernel)
{
	enum plan_machine pm = machine_kvm_probe();
	const struct machine *m = machine_of(pm);
	char machine[64], append[128];
	const char *cpu = machine_cpu(pm, 1);
	const char *argv[] = { m->qemu, "-machine", machine, "-nodefaults", "-no-user-config",
			       "-display", "none", "-m", "128", "-kernel", kernel, "-append",
			       append, "-no-reboot", "-serial", "stdio", cpu ? "-cpu" : NULL, cpu, NULL };
	static const char banner[] = "Linux version";
	double end = util_now() + PROBE_SECONDS;
	size_t matched = 0;
	int out[2], ok = 0;
	pid_t pid;

	snprintf(machine, sizeof machine, "%s,accel=kvm", machine_name(pm));
	snprintf(append, sizeof append, "console=%s earlyprintk=%s panic=-1", m->console, m->console);
	if (pipe2(out, O_CLOEXEC) < 0)
		return 0;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 0);
		dup2(out[1], 1);
		dup2(null, 2);
		execv(m->qemu, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	while (pid > 0 && !ok) {
		struct pollfd p = { out[0], POLLIN, 0 };
		int ms = (int)((end - util_now()) * 1000);
		char buf[4096];
		ssize_t n;

		if (ms <= 0 || poll(&p, 1, ms) != 1 || (n = read(out[0], buf, sizeof buf)) <= 0)
			break;
		for (ssize_t i = 0; i < n && !ok; i++) {
			matched = buf[i] == banner[matched] ? matched + 1 : buf[i] == banner[0];
			ok = matched == sizeof banner - 1;
		}
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(out[0]);
	return ok;
}

static const char *const reasons[] = {
	"no usable /dev/kvm",
	"KVM did not boot a test kernel within 4 s",
};

const struct names acc_mode_names[] = {
	{ "auto", ACC_AUTO, 1 }, { "kvm", ACC_KVM, 0 }, { "tcg", ACC_TCG, 0 }, { NULL, 0, 0 },
};

const char *acc_mode_name(enum acc_mode m)
{
	return names_name(acc_mode_names, (int)m);
}

int acc_parse_mode(const char *s)
{
	return names_parse(acc_mode_names, s);
}

int acc_resolve(enum acc_mode mode, const char *cache, const char *kernel,
		enum plan_accel *out, const char **why, int *fresh)
{
	const char *qemu = machine_of(machine_kvm_probe())->qemu;
	char key[512], line[600], path[PATH_MAX + 32];
	struct utsname u;
	struct stat st;
	FILE *f;
	int fd, works, reason = 0;

	*why = NULL;
	*fresh = 0;
	if (mode == ACC_TCG) {
		*out = PLAN_ACCEL_TCG;
		return 0;
	}
	if (mode == ACC_KVM) {
		/* Asked for, it is tried even where it hangs (the deadline ends
		 * it); with no device at all QEMU could only fail to start. */
		if (access("/dev/kvm", R_OK | W_OK) < 0) {
			err_set(LB_EXIT_VM, "--accel kvm: /dev/kvm: %s", strerror(errno));
			return -1;
		}
		*out = PLAN_ACCEL_KVM;
		return 0;
	}
	uname(&u);
	if (stat(qemu, &st) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", qemu, strerror(errno));
		return -1;
	}
	/* The key names the probe too: a new way of probing probes again.
	 * The answer is "kvm", or "tcg N" with N the index of its reason. */
	snprintf(key, sizeof key, "%s %s %lld.%lld probe-3", u.nodename, u.release,
		 (long long)st.st_size, (long long)st.st_mtime);
	snprintf(path, sizeof path, "%.4000s/accel-probe", cache);
	f = fopen(path, "re");
	if (f) {
		int hit = fgets(line, sizeof line, f) && !strncmp(line, key, strlen(key)) &&
			  line[strlen(key)] == ' ';

		fclose(f);
		if (hit) {
			const char *a = line + strlen(key) + 1;

			works = !strncmp(a, "kvm", 3);
			if (!works && (sscanf(a, "tcg %d", &reason) != 1 || reason < 0 || reason > 1))
				reason = 1;
			goto decided;
		}
	}
	if (util_mkdirs(cache) < 0)
		return -1;
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		works = probe_kvm(kernel);
		reason = 1;
	} else {
		works = 0;
	}
	*fresh = 1;
	f = fopen(path, "we");
	if (f) {
		if (works)
			fprintf(f, "%s kvm\n", key);
		else
			fprintf(f, "%s tcg %d\n", key, reason);
		fclose(f);
	}
decided:
	*out = works ? PLAN_ACCEL_KVM : PLAN_ACCEL_TCG;
	if (!works)
		*why = reasons[reason];
	return 0;
}
