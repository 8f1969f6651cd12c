/* peak: see peak.h. */
#include <stdio.h>

#include "launch/peak.h"

/* The peak resident set (VmHWM) of the process whose status is PATH; 0
 * when it is not ours to see. */
static long peak_kib(const char *path)
{
	char line[128];
	long kib = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

long peak_pid_kib(pid_t pid)
{
	char path[64];

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	return peak_kib(path);
}

long peak_self_kib(void)
{
	return peak_kib("/proc/self/status");
}
