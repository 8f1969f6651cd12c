/* app: one installed application sent as a record, for every reader of a
 * package database (apps.c, rpm.c, xbps.c, portage.c), within the limits
 * the report holds them to; and an EVR split as they all write one. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

static char apps_os[256];
static unsigned long apps_sent;

int insp_app(const char *osid, const char *const v[INSPECT_APP_NFIELDS])
{
	if (strcmp(apps_os, osid)) {
		snprintf(apps_os, sizeof apps_os, "%s", osid);
		apps_sent = 0;
	}
	if (apps_sent >= INSPECT_MAX_APPS) {
		if (apps_sent++ == INSPECT_MAX_APPS)
			insp_recf(IK_OS_NOTE, osid, "applications listed up to %d; the rest left out",
				  INSPECT_MAX_APPS);
		return -1;
	}
	/* The whole report has a limit the host holds it to. */
	if (insp_out_bytes > INSP_APPS_BUDGET) {
		insp_recf(IK_OS_NOTE, osid, "applications listed up to %u MiB of the report; the rest left out",
			  INSP_APPS_BUDGET >> 20);
		/* Noted: the limit above now holds for this system. */
		apps_sent = INSPECT_MAX_APPS + 1;
		return -1;
	}
	apps_sent++;
	insp_rec_start(IK_OS_APPLICATION, osid);
	for (int i = 0; i < INSPECT_APP_NFIELDS; i++)
		insp_field(v[i] ? v[i] : "");
	insp_rec_end();
	return 0;
}

void insp_split_evr(const char *evr, char *epoch, char *version, char *release, size_t len)
{
	const char *colon = strchr(evr, ':'), *dash;

	epoch[0] = release[0] = '\0';
	/* An epoch is digits before the first colon; 0 is no epoch. */
	if (colon && colon > evr && strspn(evr, "0123456789") == (size_t)(colon - evr)) {
		if (strtoul(evr, NULL, 10) != 0 && colon - evr < 10)
			snprintf(epoch, len, "%lu", strtoul(evr, NULL, 10));
		evr = colon + 1;
	}
	dash = strrchr(evr, '-');
	if (dash) {
		snprintf(version, len, "%.*s", (int)(dash - evr), evr);
		snprintf(release, len, "%s", dash + 1);
	} else {
		snprintf(version, len, "%s", evr);
	}
}
