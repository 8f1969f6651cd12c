/* check views: see views.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/lv.h"
#include "check/views.h"
#include "common/err.h"

int check_views_expand(virConnectPtr conn, const char *xml, struct check_views *v, int verbose)
{
	char *exp = NULL;
	int r = -1;

	if (counts_count_xml(xml, &v->w) < 0)
		return -1;
	exp = lv_expand(conn, xml);
	if (!v->ax && !(v->ax = calloc(1, sizeof *v->ax)))
		err_set(LB_EXIT_VM, "out of memory");
	else if (exp && counts_count_xml(exp, &v->x) == 0 && addrs_collect(xml, exp, v->ax) == 0)
		r = 0;
	if (exp && verbose)
		fputs(exp, stderr);
	free(exp);
	return r;
}

void check_views_free(struct check_views *v)
{
	counts_free(&v->w);
	counts_free(&v->x);
	counts_free(&v->s);
	free(v->ax);
	v->ax = NULL;
}

int check_endpoints_match(const struct check_views *v)
{
	if (v->x.nep != v->s.nep)
		return 0;
	for (size_t i = 0; i < v->x.nep; i++) {
		int found = 0;

		for (size_t j = 0; j < v->s.nep && !found; j++)
			found = v->x.ep[i].bus == v->s.ep[j].bus && v->x.ep[i].slot == v->s.ep[j].slot &&
				v->x.ep[i].fn == v->s.ep[j].fn;
		if (!found)
			return 0;
	}
	return 1;
}

int check_disk_names_match(const struct check_views *v, json_object *records, int print)
{
	int ok = 1;

	for (size_t i = 0; v->ax && i < v->ax->n; i++) {
		const struct addrs_dev *d = &v->ax->d[i];
		const char *guest = "(none)";
		char addr[16];

		if (strncmp(d->id, "disk/", 5) || strcmp(d->model, "virtio"))
			continue;
		for (int k = 0; k < v->ndisks; k++)
			if (v->disks[k].dom == d->dom && v->disks[k].bus == d->bus &&
			    v->disks[k].slot == d->slot && v->disks[k].fn == d->fn)
				guest = v->disks[k].name;
		addrs_address(d, addr);
		ok &= !strcmp(guest, d->id + 5);
		if (records) {
			json_object *e = json_object_new_object();

			json_object_object_add(e, "target", json_object_new_string(d->id + 5));
			json_object_object_add(e, "address", json_object_new_string(addr));
			json_object_object_add(e, "guest", json_object_new_string(guest));
			json_object_array_add(records, e);
		} else if (print) {
			printf("  disk %s at %s: %s in the guest%s\n", d->id + 5, addr, guest,
			       strcmp(guest, d->id + 5) ? "  DIFFERS" : "");
		}
	}
	return ok;
}
