/* volxml: see volxml.h.  Through domxml.c's writer helpers, never by
 * pasting strings. */
#include <stdio.h>

#include <libxml/xmlwriter.h>

#include "backend/domxml.h"
#include "backend/volxml.h"
#include "common/err.h"
#include "plan/disk.h"

char *volxml_render_pool(const char *name, const char *dir)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	int r = 0;

	if (!w) {
		err_set(LB_EXIT_VM, "cannot create an XML writer");
		return domxml_finish(buf, w, -1, NULL);
	}
	r |= domxml_start(w, "pool");
	r |= domxml_attr(w, "type", "dir");
	r |= domxml_text(w, "name", name);
	r |= domxml_start(w, "target");
	r |= domxml_text(w, "path", dir);
	r |= domxml_end(w);
	r |= domxml_end(w);
	return domxml_finish(buf, w, r, "the pool's XML");
}

char *volxml_render_volume(const char *name, unsigned long long capacity, int format,
			   const char *backing, int backing_format)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	char cap[32];
	int r = 0;

	if (!w) {
		err_set(LB_EXIT_VM, "cannot create an XML writer");
		return domxml_finish(buf, w, -1, NULL);
	}
	snprintf(cap, sizeof cap, "%llu", capacity);
	r |= domxml_start(w, "volume");
	r |= domxml_text(w, "name", name);
	r |= domxml_start(w, "capacity");
	r |= domxml_attr(w, "unit", "bytes");
	r |= xmlTextWriterWriteString(w, BAD_CAST cap) < 0;
	r |= domxml_end(w);
	/* Nothing allocated up front: an upload writes what there is. */
	r |= domxml_text(w, "allocation", "0");
	r |= domxml_start(w, "target");
	r |= domxml_start(w, "format");
	r |= domxml_attr(w, "type", disk_format_name((enum disk_format)format));
	r |= domxml_end(w);
	r |= domxml_end(w);
	if (backing) {
		r |= domxml_start(w, "backingStore");
		r |= domxml_text(w, "path", backing);
		r |= domxml_start(w, "format");
		r |= domxml_attr(w, "type", disk_format_name((enum disk_format)backing_format));
		r |= domxml_end(w);
		r |= domxml_end(w);
	}
	r |= domxml_end(w);
	return domxml_finish(buf, w, r, "the volume's XML");
}
