/* sbom-test: the CycloneDX writer (launcher/inspect/sbom.c) on a report
 * made by hand, as TAP.  Each document is also written to DIR/sbom-N.json
 * so that the caller can check it against the schema (validate-json):
 * this test checks what the schema cannot, the purls and versions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "inspect/sbom.h"
#include "tap.h"

static void set(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static void set_int(struct json_object *o, const char *key, long v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

/* An OS in OSES, its string keys as key, value pairs, then NULL. */
static struct json_object *add_os(struct json_object *oses, ...)
{
	struct json_object *os = json_object_new_object();
	const char *k;
	va_list ap;

	va_start(ap, oses);
	while ((k = va_arg(ap, const char *)))
		set(os, k, va_arg(ap, const char *));
	va_end(ap);
	json_object_object_add(os, "applications", json_object_new_array());
	json_object_array_add(oses, os);
	return os;
}

/* An application of OS: key, value pairs, then NULL; "epoch" a number. */
static void add_app(struct json_object *os, ...)
{
	struct json_object *apps = json_object_object_get(os, "applications");
	struct json_object *app = json_object_new_object();
	const char *k;
	va_list ap;

	va_start(ap, os);
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);

		if (!strcmp(k, "epoch"))
			set_int(app, k, strtol(v, NULL, 10));
		else
			set(app, k, v);
	}
	va_end(ap);
	json_object_array_add(apps, app);
}

static struct json_object *report(void)
{
	struct json_object *r = json_object_new_object(), *oses = json_object_new_array(), *os;

	json_object_object_add(r, "disks", json_object_new_array());
	json_object_object_add(r, "operating_systems", oses);

	os = add_os(oses, "type", "linux", "distro", "debian", "os_release_id", "debian",
		    "product_name", "Debian GNU/Linux 12 (bookworm)", "version", "12",
		    "hostname", "bookworm", "arch", "x86_64", "package_format", "deb",
		    "package_management", "apt", "osinfo", "debian12", NULL);
	set_int(os, "major_version", 12);
	set_int(os, "minor_version", 4);
	set_int(os, "packages", 3);
	add_app(os, "name", "bash", "epoch", "1", "version", "5.2.15", "release", "2+b2",
		"arch", "amd64", "url", "http://tiswww.case.edu/php/chet/bash/bashtop.html",
		"source_package", "bash", "summary", "GNU Bourne Again SHell", NULL);
	add_app(os, "name", "libc6", "version", "2.36", "release", "9+deb12u4", "arch", "amd64",
		"url", "https://www.gnu.org/software/libc/libc.html", "source_package", "glibc",
		"summary", "GNU C Library: Shared libraries", NULL);
	add_app(os, "name", "ca-certificates", "version", "20230311", "arch", "all",
		"summary", "Common CA certificates", "url", "not a url", NULL);

	os = add_os(oses, "type", "linux", "distro", "fedora", "os_release_id", "fedora",
		    "product_name", "Fedora Linux 39 (Server Edition)", "version", "39",
		    "arch", "x86_64", "package_format", "rpm", "package_management", "dnf", NULL);
	set_int(os, "major_version", 39);
	set_int(os, "minor_version", 0);
	add_app(os, "name", "NetworkManager", "epoch", "1", "version", "1.44.2", "release", "1.fc39",
		"arch", "x86_64", "url", "https://networkmanager.dev/",
		"source_package", "NetworkManager-1.44.2-1.fc39.src.rpm",
		"summary", "Network connection manager and user applications", NULL);
	add_app(os, "name", "kernel-core", "version", "6.5.6", "release", "300.fc39", "arch", "x86_64",
		"summary", "The Linux kernel", NULL);

	os = add_os(oses, "type", "linux", "distro", "archlinux", "os_release_id", "arch",
		    "product_name", "Arch Linux", "package_format", "pacman",
		    "package_management", "pacman", NULL);
	add_app(os, "name", "pacman", "version", "6.0.2", "release", "10", "arch", "x86_64",
		"url", "https://www.archlinux.org/pacman/", "description", "A library-based package manager",
		NULL);

	os = add_os(oses, "type", "windows", "distro", "windows", "product_name", "Windows 10 Pro",
		    "arch", "x86_64", "hostname", "DESKTOP-1", "osinfo", "win10", NULL);
	set_int(os, "major_version", 10);
	set_int(os, "minor_version", 0);
	add_app(os, "name", "{23170F69-40C1-2702-2301-000001000000}", "display_name", "7-Zip 23.01 (x64)",
		"version", "23.01.00.0", "publisher", "Igor Pavlov", NULL);
	add_app(os, "name", "Mozilla Firefox 120.0 (x64 en-US)", "display_name", "Mozilla Firefox (x64 en-US)",
		"version", "120.0", "publisher", "Mozilla", "url", "https://www.mozilla.org", NULL);

	/* The same package twice, as a damaged database can list it: the
	 * bom-refs must still differ. */
	os = add_os(oses, "type", "linux", "distro", "alpinelinux", "version", "3.19.1",
		    "package_format", "apk", NULL);
	set_int(os, "major_version", 3);
	set_int(os, "minor_version", 19);
	add_app(os, "name", "busybox", "version", "1.36.1", "release", "15", "arch", "x86_64", NULL);
	add_app(os, "name", "busybox", "version", "1.36.1", "release", "15", "arch", "x86_64", NULL);
	return r;
}

/* The string at PATH ("a/b/0/c": keys, or indexes of arrays) in O. */
static const char *at(struct json_object *o, const char *path)
{
	char buf[256], *save, *k;

	snprintf(buf, sizeof buf, "%s", path);
	for (k = strtok_r(buf, "/", &save); k && o; k = strtok_r(NULL, "/", &save))
		o = json_object_is_type(o, json_type_array) ?
			json_object_array_get_idx(o, (size_t)strtoul(k, NULL, 10)) :
			json_object_object_get(o, k);
	return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

static size_t len_at(struct json_object *o, const char *key)
{
	struct json_object *a = json_object_object_get(o, key);

	return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : (size_t)-1;
}

/* Every bom-ref differs, and the OS's dependsOn lists each component's. */
static int refs_ok(struct json_object *doc)
{
	struct json_object *comps = json_object_object_get(doc, "components");
	struct json_object *dep = json_object_array_get_idx(json_object_object_get(doc, "dependencies"), 0);
	struct json_object *on = json_object_object_get(dep, "dependsOn");
	struct json_object *seen = json_object_new_object();
	const char *os_ref = at(doc, "metadata/component/bom-ref");
	size_t n = json_object_array_length(comps);
	int good = os_ref && at(dep, "ref") && !strcmp(at(dep, "ref"), os_ref) &&
		   json_object_array_length(on) == n;

	if (os_ref)
		json_object_object_add(seen, os_ref, NULL);
	for (size_t i = 0; good && i < n; i++) {
		const char *r = at(json_object_array_get_idx(comps, i), "bom-ref");
		struct json_object *d = json_object_array_get_idx(on, i);

		good = r && !json_object_object_get_ex(seen, r, NULL) &&
		       !strcmp(json_object_get_string(d), r);
		if (good)
			json_object_object_add(seen, r, NULL);
	}
	json_object_put(seen);
	return good;
}

int main(int argc, char **argv)
{
	static const char *const paths[] = { "/images/disk0.qcow2", "/images/disk1.raw" };
	static const char *const sums[] = {
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
	};
	static const char *const want_os[][2] = {
		{ "debian", "12" }, { "fedora", "39" }, { "archlinux", NULL }, { "windows", "10.0" },
		{ "alpinelinux", "3.19.1" },
	};
	struct json_object *r = report(), *docs[5] = { 0 }, *oses = json_object_object_get(r, "operating_systems");
	const char *serial;
	char file[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: sbom-test DIR\n");
		return 2;
	}
	tap_plan(44);
	tap_ok(sbom_os_count(r) == 5, "five operating systems");
	for (size_t i = 0; i < 5; i++) {
		struct json_object *os = json_object_array_get_idx(oses, i);
		int written = 0;
		FILE *f;

		docs[i] = sbom_cyclonedx(r, i, paths, sums, i == 0 ? 2 : 1);
		snprintf(file, sizeof file, "%s/sbom-%zu.json", argv[1], i);
		if (docs[i] && (f = fopen(file, "w"))) {
			fprintf(f, "%s\n", json_object_to_json_string_ext(docs[i],
				JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
			written = fclose(f) == 0;
		}
		tap_okf(written, "OS %zu: a document, written to %s", i, file);
		if (!docs[i])
			docs[i] = json_object_new_object();
		tap_okf(len_at(docs[i], "components") == len_at(os, "applications"),
		   "OS %zu: as many components as applications (%zu)", i, len_at(os, "applications"));
		tap_okf(refs_ok(docs[i]), "OS %zu: bom-refs unique, the OS depends on each component", i);
		tap_okf(at(docs[i], "metadata/component/name") && !strcmp(at(docs[i], "metadata/component/name"),
		   want_os[i][0]) && (want_os[i][1] ? at(docs[i], "metadata/component/version") &&
		   !strcmp(at(docs[i], "metadata/component/version"), want_os[i][1]) :
		   !at(docs[i], "metadata/component/version")),
		   "OS %zu: the metadata component is %s %s", i, want_os[i][0],
		   want_os[i][1] ? want_os[i][1] : "(no version)");
	}

	/* The document's frame. */
	tap_is(at(docs[0], "bomFormat"), "CycloneDX", "bomFormat");
	tap_is(at(docs[0], "specVersion"), "1.5", "specVersion");
	serial = at(docs[0], "serialNumber");
	tap_ok(serial && strlen(serial) == 45 && !strncmp(serial, "urn:uuid:", 9) && serial[23] == '4' &&
	   strchr("89ab", serial[28]) && at(docs[1], "serialNumber") &&
	   strcmp(serial, at(docs[1], "serialNumber")), "serialNumber: a random v4 UUID URN");
	tap_is(at(docs[0], "metadata/component/type"), "operating-system", "the OS's component type");
	tap_is(at(docs[0], "metadata/component/properties/2/value"), paths[1], "the second image's path");
	tap_is(at(docs[0], "metadata/component/properties/3/value"), sums[1], "the second image's sha256");

	/* deb: the epoch in the version, '+' percent-encoded. */
	tap_is(at(docs[0], "components/0/purl"), "pkg:deb/debian/bash@1:5.2.15-2%2Bb2?arch=amd64&distro=debian-12",
	   "bash's purl");
	tap_is(at(docs[0], "components/0/version"), "1:5.2.15-2+b2", "bash's version");
	tap_is(at(docs[0], "components/0/bom-ref"), at(docs[0], "components/0/purl"), "bash's bom-ref");
	tap_is(at(docs[0], "components/0/externalReferences/0/url"), "http://tiswww.case.edu/php/chet/bash/bashtop.html",
	   "bash's website");
	tap_is(at(docs[0], "components/2/purl"), "pkg:deb/debian/ca-certificates@20230311?arch=all&distro=debian-12",
	   "a native package's purl");
	tap_ok(!json_object_object_get_ex(json_object_array_get_idx(json_object_object_get(docs[0], "components"), 2),
	   "externalReferences", NULL), "a url that is not one is left out");
	tap_is(at(docs[0], "components/1/properties/0/value"), "glibc", "libc6's source package");
	/* rpm: the epoch a qualifier, the name's case kept. */
	tap_is(at(docs[1], "components/0/purl"),
	   "pkg:rpm/fedora/NetworkManager@1.44.2-1.fc39?arch=x86_64&epoch=1", "NetworkManager's purl");
	tap_is(at(docs[1], "components/0/version"), "1:1.44.2-1.fc39", "NetworkManager's version");
	tap_is(at(docs[2], "components/0/purl"), "pkg:alpm/arch/pacman@6.0.2-10?arch=x86_64", "pacman's purl");
	tap_is(at(docs[2], "components/0/description"), "A library-based package manager",
	   "the description when there is no summary");
	/* Windows: no purl, the display name. */
	tap_ok(!at(docs[3], "components/0/purl") && !at(docs[3], "components/1/purl"), "Windows: no purls");
	tap_is(at(docs[3], "components/0/name"), "7-Zip 23.01 (x64)", "Windows: the display name");
	tap_is(at(docs[3], "components/1/publisher"), "Mozilla", "Windows: the publisher");
	tap_is(at(docs[4], "components/0/purl"), "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64", "busybox's purl");
	tap_is(at(docs[4], "components/1/bom-ref"), "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64#2",
	   "the same package twice: the second bom-ref gets #2");

	errno = 0;
	tap_ok(!sbom_cyclonedx(r, 5, NULL, NULL, 0) && errno == EINVAL, "an OS index past the last: EINVAL");

	for (size_t i = 0; i < 5; i++)
		json_object_put(docs[i]);
	json_object_put(r);
	return tap_status();
}
