/* inspect/sbom: see sbom.h.  Each package gets a package URL
 * (purl) where purl has a type for its format, because a purl is what
 * scanners match against vulnerability databases; a name alone is not. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "inspect-vocab.h"
#include "inspect/sbom.h"

#ifndef LB_VERSION
#define LB_VERSION "unknown"
#endif

#define APP(f) (inspect_app_names[INSPECT_APP_##f])

/* The package formats whose versions and purls are spelled differently. */
enum sbom_format {
	SBOM_OTHER,   /* [epoch:]version[-release], no purl type */
	SBOM_DEB,
	SBOM_RPM,
	SBOM_ALPM,    /* pacman */
	SBOM_APK,
	SBOM_WINDOWS, /* the registry's DisplayVersion, no purl type */
};

/* One document being built.  json-c reports a failed allocation as a
 * NULL, which its adders would quietly store as a JSON null; so every
 * add goes through sbom_set()/sbom_push(), and a failure anywhere makes
 * the whole document fail once at the end. */
struct sbom {
	struct json_object *refs; /* bom-ref -> the last #N suffix given */
	int failed;
};

/* A growing string; FAILED once any append ran out of memory. */
struct sbom_buf {
	char *s;
	size_t len, cap;
	int failed;
};

/* --- strings -------------------------------------------------------- */

static void sbom_buf_add(struct sbom_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = realloc(b->s, cap))) {
			b->failed = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sbom_buf_str(struct sbom_buf *b, const char *s)
{
	sbom_buf_add(b, s, strlen(s));
}

/* S percent-encoded as the purl spec wants a name, version or qualifier
 * value: only ASCII letters, digits, ".-_~" and ':' stay as they are
 * (so '+' is %2B), every other byte is %XX, upper case.  LOWER: the type
 * is case-insensitive and its canonical form is lower case. */
static void sbom_buf_purl(struct sbom_buf *b, const char *s, int lower)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char c = (char)(lower && *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr(".-_~:", c)) {
			sbom_buf_add(b, &c, 1);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			sbom_buf_add(b, e, 3);
		}
	}
}

/* B's string as a new JSON string, and B emptied for reuse; NULL when
 * B or the new string failed. */
static struct json_object *sbom_buf_take(struct sbom_buf *b)
{
	struct json_object *j = b->failed ? NULL : json_object_new_string(b->s ? b->s : "");

	free(b->s);
	*b = (struct sbom_buf){ 0 };
	return j;
}

/* --- the report ----------------------------------------------------- */

/* KEY of O when it is a non-empty string, else NULL. */
static const char *sbom_str(struct json_object *o, const char *key)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return s && s[0] ? s : NULL;
}

/* 1 and KEY of O in *N when it is an integer, else 0. */
static int sbom_int(struct json_object *o, const char *key, int64_t *n)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return 0;
	*n = json_object_get_int64(v);
	return 1;
}

static enum sbom_format sbom_format_of(struct json_object *os)
{
	static const struct {
		const char *name;
		enum sbom_format f;
	} formats[] = {
		{ "deb", SBOM_DEB }, { "rpm", SBOM_RPM }, { "pacman", SBOM_ALPM }, { "apk", SBOM_APK },
	};
	const char *type = sbom_str(os, IJ(OS, TYPE)), *pf = sbom_str(os, IJ(OS, PACKAGE_FORMAT));

	if (type && !strcmp(type, "windows"))
		return SBOM_WINDOWS;
	for (size_t i = 0; pf && i < sizeof formats / sizeof formats[0]; i++)
		if (!strcmp(pf, formats[i].name))
			return formats[i].f;
	return SBOM_OTHER;
}

/* The OS's version as os-release's VERSION_ID gives it ("12", "22.04",
 * "3.19.1"), else major[.minor] (MINOR: with the minor) written into
 * BUF; NULL when the report has neither. */
static const char *sbom_os_version(struct json_object *os, int minor, char buf[48])
{
	const char *v = sbom_str(os, IJ(OS, VERSION_ID));
	int64_t ma, mi;

	if (v)
		return v;
	if (!sbom_int(os, IJ(OS, MAJOR_VERSION), &ma))
		return NULL;
	if (minor && sbom_int(os, IJ(OS, MINOR_VERSION), &mi))
		snprintf(buf, 48, "%" PRId64 ".%" PRId64, ma, mi);
	else
		snprintf(buf, 48, "%" PRId64, ma);
	return buf;
}

/* --- JSON building -------------------------------------------------- */

static void sbom_set(struct sbom *s, struct json_object *obj, const char *key, struct json_object *val)
{
	if (!val || !obj || json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		s->failed = 1;
	}
}

static void sbom_set_str(struct sbom *s, struct json_object *obj, const char *key, const char *val)
{
	if (val)
		sbom_set(s, obj, key, json_object_new_string(val));
}

static void sbom_push(struct sbom *s, struct json_object *arr, struct json_object *val)
{
	if (!val || !arr || json_object_array_add(arr, val) < 0) {
		json_object_put(val);
		s->failed = 1;
	}
}

/* {"name": NAME, "value": VALUE} onto PROPS; nothing when VALUE is NULL. */
static void sbom_property(struct sbom *s, struct json_object *props, const char *name, const char *value)
{
	struct json_object *p;

	if (!value)
		return;
	p = json_object_new_object();
	sbom_set_str(s, p, "name", name);
	sbom_set_str(s, p, "value", value);
	sbom_push(s, props, p);
}

/* Add PROPS to OBJ as "properties" when it has any: the schema allows an
 * empty list, but it says nothing. */
static void sbom_set_properties(struct sbom *s, struct json_object *obj, struct json_object *props)
{
	if (props && json_object_array_length(props) == 0)
		json_object_put(props);
	else
		sbom_set(s, obj, "properties", props);
}

/* BASE as a bom-ref no other component of the document has: BASE, else
 * BASE#2, BASE#3...  The same package can be listed twice (two arches,
 * a broken database) and CycloneDX requires bom-refs to be unique. */
static struct json_object *sbom_ref(struct sbom *s, const char *base)
{
	struct json_object *seen, *ref;
	struct sbom_buf b = { 0 };
	char num[24];

	if (!json_object_object_get_ex(s->refs, base, &seen)) {
		sbom_set(s, s->refs, base, json_object_new_int(1));
		return json_object_new_string(base);
	}
	/* Start past the last suffix BASE got, so N copies cost N tries. */
	for (int n = json_object_get_int(seen) + 1;; n++) {
		snprintf(num, sizeof num, "#%d", n);
		sbom_buf_str(&b, base);
		sbom_buf_str(&b, num);
		if (b.failed || !json_object_object_get_ex(s->refs, b.s, NULL)) {
			json_object_set_int(seen, n);
			break;
		}
		free(b.s);
		b = (struct sbom_buf){ 0 };
	}
	if (!b.failed)
		sbom_set(s, s->refs, b.s, json_object_new_int(1));
	ref = sbom_buf_take(&b);
	return ref;
}

/* --- one application ------------------------------------------------ */

/* The version as the package manager writes it: dpkg and pacman
 * [epoch:]version[-release], rpm [epoch:]version-release, apk
 * version-rRELEASE (apk has no epoch); the registry's string on Windows. */
static void sbom_app_version(struct sbom_buf *b, struct json_object *app, enum sbom_format f)
{
	const char *version = sbom_str(app, APP(VERSION)), *release = sbom_str(app, APP(RELEASE));
	int64_t epoch;
	char num[24];

	if (!version)
		return;
	if (f != SBOM_APK && f != SBOM_WINDOWS && sbom_int(app, APP(EPOCH), &epoch)) {
		snprintf(num, sizeof num, "%" PRId64 ":", epoch);
		sbom_buf_str(b, num);
	}
	sbom_buf_str(b, version);
	if (release && f != SBOM_WINDOWS) {
		sbom_buf_str(b, f == SBOM_APK ? "-r" : "-");
		sbom_buf_str(b, release);
	}
}

/* The purl of APP into B, or nothing for a format purl has no type for.
 *   deb:    pkg:deb/DISTRO/NAME@[E:]V[-R]?arch=A&distro=DISTRO-VERSION_ID
 *   rpm:    pkg:rpm/DISTRO/NAME@V-R?arch=A&epoch=E
 *   pacman: pkg:alpm/DISTRO/NAME@[E:]V-R?arch=A   (archlinux is "arch")
 *   apk:    pkg:apk/DISTRO/NAME@V-rR?arch=A       (alpinelinux is "alpine")
 * Qualifiers are in key order, as the spec's canonical form has them. */
static void sbom_purl(struct sbom_buf *b, struct json_object *os, struct json_object *app,
		      enum sbom_format f)
{
	static const struct {
		const char *distro, *ns;
	} namespaces[] = { { "archlinux", "arch" }, { "alpinelinux", "alpine" } };
	const char *name = sbom_str(app, APP(NAME)), *arch = sbom_str(app, APP(ARCH));
	const char *distro = sbom_str(os, IJ(OS, DISTRO)), *ns = distro;
	char sep = '?', num[24];
	int64_t epoch;

	if (!name || (f != SBOM_DEB && f != SBOM_RPM && f != SBOM_ALPM && f != SBOM_APK))
		return;
	for (size_t i = 0; distro && i < sizeof namespaces / sizeof namespaces[0]; i++)
		if (!strcmp(distro, namespaces[i].distro))
			ns = namespaces[i].ns;
	sbom_buf_str(b, f == SBOM_DEB ? "pkg:deb/" : f == SBOM_RPM ? "pkg:rpm/" :
			f == SBOM_ALPM ? "pkg:alpm/" : "pkg:apk/");
	if (ns) {
		sbom_buf_purl(b, ns, 1);
		sbom_buf_str(b, "/");
	}
	/* rpm names are case-sensitive; the others' are not. */
	sbom_buf_purl(b, name, f != SBOM_RPM);
	if (sbom_str(app, APP(VERSION))) {
		struct sbom_buf v = { 0 };

		if (f == SBOM_RPM) {
			/* The epoch is a qualifier in an rpm purl. */
			sbom_buf_str(&v, sbom_str(app, APP(VERSION)));
			if (sbom_str(app, APP(RELEASE))) {
				sbom_buf_str(&v, "-");
				sbom_buf_str(&v, sbom_str(app, APP(RELEASE)));
			}
		} else {
			sbom_app_version(&v, app, f);
		}
		sbom_buf_str(b, "@");
		if (v.failed)
			b->failed = 1;
		else
			sbom_buf_purl(b, v.s, 0);
		free(v.s);
	}
	if (arch) {
		sbom_buf_add(b, &sep, 1);
		sbom_buf_str(b, "arch=");
		sbom_buf_purl(b, arch, 0);
		sep = '&';
	}
	if (f == SBOM_DEB && distro) {
		/* Debian's own use: the distro and its VERSION_ID, debian-12. */
		char buf[48];
		const char *version = sbom_os_version(os, 0, buf);

		sbom_buf_add(b, &sep, 1);
		sbom_buf_str(b, "distro=");
		sbom_buf_purl(b, distro, 0);
		if (version) {
			sbom_buf_str(b, "-");
			sbom_buf_purl(b, version, 0);
		}
		sep = '&';
	}
	if (f == SBOM_RPM && sbom_int(app, APP(EPOCH), &epoch)) {
		snprintf(num, sizeof num, "%" PRId64, epoch);
		sbom_buf_add(b, &sep, 1);
		sbom_buf_str(b, "epoch=");
		sbom_buf_str(b, num);
	}
}

/* A URL fit for externalReferences: http(s), and nothing in it that an
 * IRI may not hold (the report's strings can be anything an image's
 * package database said). */
static int sbom_url_ok(const char *url)
{
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return 0;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || strchr("\"<>\\^`{|}", *p))
			return 0;
	return 1;
}

static struct json_object *sbom_component(struct sbom *s, struct json_object *os,
					  struct json_object *app, enum sbom_format f,
					  struct json_object *depends_on)
{
	struct json_object *c = json_object_new_object(), *props = json_object_new_array();
	const char *name = sbom_str(app, APP(NAME)), *display = sbom_str(app, APP(DISPLAY_NAME));
	const char *version = sbom_str(app, APP(VERSION)), *url = sbom_str(app, APP(URL));
	const char *shown = name, *desc;
	struct sbom_buf id = { 0 }, v = { 0 };
	int has_purl;

	/* A Windows application's name is its uninstall key in the registry,
	 * often a GUID; the name people know is its DisplayName. */
	if (f == SBOM_WINDOWS && display)
		shown = display;
	if (!shown)
		shown = display ? display : "unknown";
	sbom_set_str(s, c, "type", "application");

	/* The purl doubles as the bom-ref, as most SBOM tools make it. */
	sbom_purl(&id, os, app, f);
	if (!(has_purl = id.len > 0)) {
		sbom_buf_str(&id, "app:");
		sbom_buf_str(&id, shown);
		if (version) {
			sbom_buf_str(&id, "@");
			sbom_buf_str(&id, version);
		}
	}
	if (id.failed) {
		s->failed = 1;
	} else {
		struct json_object *ref = sbom_ref(s, id.s);
		struct json_object *dep = ref ? json_object_new_string(json_object_get_string(ref)) : NULL;

		sbom_set(s, c, "bom-ref", ref);
		sbom_push(s, depends_on, dep);
	}
	sbom_set_str(s, c, "name", shown);
	sbom_app_version(&v, app, f);
	if (v.len || v.failed)
		sbom_set(s, c, "version", sbom_buf_take(&v));
	if (!(desc = sbom_str(app, APP(SUMMARY))))
		desc = sbom_str(app, APP(DESCRIPTION));
	sbom_set_str(s, c, "description", desc);
	sbom_set_str(s, c, "publisher", sbom_str(app, APP(PUBLISHER)));
	if (has_purl && !id.failed)
		sbom_set_str(s, c, "purl", id.s);
	free(id.s);
	if (url && sbom_url_ok(url)) {
		struct json_object *refs = json_object_new_array(), *r = json_object_new_object();

		sbom_set_str(s, r, "type", "website");
		sbom_set_str(s, r, "url", url);
		sbom_push(s, refs, r);
		sbom_set(s, c, "externalReferences", refs);
	}
	sbom_property(s, props, "leanboot:source_package", sbom_str(app, APP(SOURCE)));
	if (shown != name)
		sbom_property(s, props, "leanboot:name", name);
	sbom_set_properties(s, c, props);
	return c;
}

/* --- the document --------------------------------------------------- */

/* A random (version 4) UUID, for the BOM's serialNumber. */
static int sbom_uuid(char out[37])
{
	unsigned char r[16];
	ssize_t n;

	do
		n = getrandom(r, sizeof r, 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof r) {
		/* A kernel before 3.17 has no getrandom(). */
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

		n = fd < 0 ? -1 : read(fd, r, sizeof r);
		if (fd >= 0)
			close(fd);
		if (n != (ssize_t)sizeof r) {
			if (n >= 0)
				errno = EIO;
			return -1;
		}
	}
	r[6] = (r[6] & 0x0f) | 0x40; /* version 4 */
	r[8] = (r[8] & 0x3f) | 0x80; /* the RFC 4122 variant */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
		 r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
	return 0;
}

/* metadata: when, by what, and about what (the OS, with the images it
 * was found on). */
static struct json_object *sbom_metadata(struct sbom *s, struct json_object *os, struct json_object *os_ref,
					 const char *const *image_paths, const char *const *image_sha256,
					 size_t nimages)
{
	struct json_object *m = json_object_new_object(), *tools = json_object_new_object();
	struct json_object *list = json_object_new_array(), *tool = json_object_new_object();
	struct json_object *c = json_object_new_object(), *props = json_object_new_array();
	const char *distro = sbom_str(os, IJ(OS, DISTRO));
	char stamp[32], buf[48];
	const char *version = sbom_os_version(os, 1, buf);
	time_t now = time(NULL);
	struct tm tm;

	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	sbom_set_str(s, m, "timestamp", stamp);
	/* 1.5's form of tools: components; the bare list is deprecated. */
	sbom_set_str(s, tool, "type", "application");
	sbom_set_str(s, tool, "name", "leanboot");
	sbom_set_str(s, tool, "version", LB_VERSION);
	sbom_push(s, list, tool);
	sbom_set(s, tools, "components", list);
	sbom_set(s, m, "tools", tools);

	sbom_set_str(s, c, "type", "operating-system");
	sbom_set(s, c, "bom-ref", os_ref);
	sbom_set_str(s, c, "name", distro ? distro : "unknown");
	sbom_set_str(s, c, "version", version);
	sbom_set_str(s, c, "description", sbom_str(os, IJ(OS, PRODUCT_NAME)));
	for (size_t i = 0; i < nimages; i++) {
		sbom_property(s, props, "leanboot:image:path", image_paths ? image_paths[i] : NULL);
		sbom_property(s, props, "leanboot:image:sha256", image_sha256 ? image_sha256[i] : NULL);
	}
	sbom_property(s, props, "leanboot:hostname", sbom_str(os, IJ(OS, HOSTNAME)));
	sbom_property(s, props, "leanboot:arch", sbom_str(os, IJ(OS, ARCH)));
	sbom_set_properties(s, c, props);
	sbom_set(s, m, "component", c);
	return m;
}

static struct json_object *sbom_oses(struct json_object *report)
{
	struct json_object *oses;

	if (!json_object_object_get_ex(report, INSPECT_JSON_OSES, &oses) ||
	    !json_object_is_type(oses, json_type_array))
		return NULL;
	return oses;
}

size_t sbom_os_count(struct json_object *report)
{
	struct json_object *oses = sbom_oses(report);

	return oses ? json_object_array_length(oses) : 0;
}

struct json_object *sbom_cyclonedx(struct json_object *report, size_t os_index,
				   const char *const *image_paths, const char *const *image_sha256,
				   size_t nimages)
{
	struct sbom s = { .refs = json_object_new_object() };
	struct json_object *oses = sbom_oses(report), *os, *apps, *doc, *components, *deps, *dep, *on;
	struct sbom_buf os_ref = { 0 };
	enum sbom_format f;
	char uuid[37], serial[64], buf[48];
	const char *version;
	size_t napps;

	if (!oses || os_index >= json_object_array_length(oses) ||
	    !json_object_is_type(os = json_object_array_get_idx(oses, os_index), json_type_object)) {
		json_object_put(s.refs);
		errno = EINVAL;
		return NULL;
	}
	if (sbom_uuid(uuid) < 0) {
		json_object_put(s.refs);
		return NULL;
	}
	snprintf(serial, sizeof serial, "urn:uuid:%s", uuid);
	f = sbom_format_of(os);
	if (!json_object_object_get_ex(os, IJ(OS, APPLICATION), &apps) ||
	    !json_object_is_type(apps, json_type_array))
		apps = NULL;
	napps = apps ? json_object_array_length(apps) : 0;

	doc = json_object_new_object();
	sbom_set_str(&s, doc, "$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json");
	sbom_set_str(&s, doc, "bomFormat", "CycloneDX");
	sbom_set_str(&s, doc, "specVersion", "1.5");
	sbom_set_str(&s, doc, "serialNumber", serial);
	sbom_set(&s, doc, "version", json_object_new_int(1));

	/* The OS's ref first, so that no application can take it. */
	sbom_buf_str(&os_ref, "os:");
	sbom_buf_str(&os_ref, sbom_str(os, IJ(OS, DISTRO)) ? sbom_str(os, IJ(OS, DISTRO)) : "unknown");
	if ((version = sbom_os_version(os, 1, buf))) {
		sbom_buf_str(&os_ref, "@");
		sbom_buf_str(&os_ref, version);
	}
	dep = json_object_new_object();
	if (os_ref.failed) {
		s.failed = 1;
	} else {
		struct json_object *ref = sbom_ref(&s, os_ref.s);

		sbom_set(&s, dep, "ref", ref ? json_object_new_string(json_object_get_string(ref)) : NULL);
		sbom_set(&s, doc, "metadata", sbom_metadata(&s, os, ref, image_paths, image_sha256, nimages));
	}
	free(os_ref.s);

	/* The OS depends on all its packages: what the packages need of one
	 * another is not in the report. */
	components = json_object_new_array();
	on = json_object_new_array();
	for (size_t i = 0; i < napps && !s.failed; i++)
		sbom_push(&s, components, sbom_component(&s, os, json_object_array_get_idx(apps, i), f, on));
	sbom_set(&s, doc, "components", components);
	deps = json_object_new_array();
	sbom_set(&s, dep, "dependsOn", on);
	sbom_push(&s, deps, dep);
	sbom_set(&s, doc, "dependencies", deps);

	json_object_put(s.refs);
	if (s.failed || !s.refs) {
		json_object_put(doc);
		errno = ENOMEM;
		return NULL;
	}
	return doc;
}
