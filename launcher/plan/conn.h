/* conn: where a launch's VM runs, as the resolver decides it once from
 * the backend and the libvirt URI, and records it in the plan: the
 * launch, the backends and bench read it rather than asking again. */
#ifndef LB_CONN_H
#define LB_CONN_H

enum plan_conn {
	PLAN_CONN_LOCAL,          /* in this process's reach: QEMU run directly, or
				     libvirt's embedded driver */
	PLAN_CONN_DAEMON,         /* a libvirt daemon on this host (qemu:///system,
				     qemu:///session) */
	PLAN_CONN_REMOTE,         /* libvirt on another host: none of our files are there */
};

/* The connection of a libvirt launch to URI (NULL or "": the embedded
 * driver).  A direct launch is PLAN_CONN_LOCAL whatever the URI. */
enum plan_conn plan_conn_of(const char *uri);
/* Whether URI (NULL: none) reaches libvirt on another host: it names a
 * transport (qemu+ssh://, qemu+tcp://, qemu+unix://...) or a host. */
int plan_conn_uri_is_remote(const char *uri);

#endif
