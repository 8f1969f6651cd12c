/* libvirt-state: the libvirt backend's state for one launch, which its
 * files (libvirt.c, libvirt-remote.c, libvirt-reap.c) share and nothing
 * outside them sees.  A header of its own, so that each can read it
 * without including the others. */
#ifndef LB_LIBVIRT_STATE_H
#define LB_LIBVIRT_STATE_H

#include <pthread.h>
#include <sys/types.h>

#include <libvirt/libvirt.h>

#include "backend/backend.h"
#include "backend/diskfd.h"
#include "backend/pool.h"
#include "backend/relay.h"
#include "common/strv.h"
#include "plan/plan.h"

struct lvb {
	struct backend_sink sink;
	const struct plan *plan;      /* the caller's, for the launch's time */
	virConnectPtr conn;
	virDomainPtr dom;
	virStreamPtr stream;
	int event_id;
	int alive_timer;              /* checks that the connection lives */
	pid_t reap_pid;               /* embedded QEMU, adopted as our child */
	pthread_t reaper;
	int reaping, reap_stop;       /* the reaper runs; told to stop */
	int subreaper;                /* this launch made the process a subreaper */
	char *reap_pidfile;           /* where libvirt writes QEMU's pid */
	pid_t daemon_qemu;            /* a daemon's QEMU, when its pid file is ours to read */
	char *uri;                    /* the connection's, to reconnect */
	unsigned char uuid[VIR_UUID_BUFLEN];
	int conn_lost;                /* the connection closed under us */
	char *image;                  /* a template's or clone's saved image */
	int restore_failed;           /* enum backend_restore */
	int norelabel;                /* disks: as domxml_extra's disk_norelabel */
	int remote;                   /* another host: pool.h, and the channel by stream */
	struct pool pool;
	struct strv remote_paths;     /* the plan's files on that host */
	struct relay *relay;          /* the channel's stream to chan.c's socket */
	char *marker;                 /* a remote template's: the local file that says it is saved */
	int fdgroups;                 /* the user's disks go by descriptor (diskfd.h) */
	int fds[DISKFD_MAX];          /* ... these, by slot */
};

#endif
