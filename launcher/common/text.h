/* text: text from outside (file names, guest output, image contents)
 * made safe to print.  A leaf module, below err and util. */
#ifndef LB_TEXT_H
#define LB_TEXT_H

#include <stddef.h>

/* Make string S (N bytes) safe to print: valid UTF-8 stays, and control
 * characters (C0, DEL, C1, bidirectional overrides), bytes that are not
 * UTF-8 and the backslash become \xHH.  OUT holds at least 4*N+1. */
void text_clean(const unsigned char *s, size_t n, char *out);

#endif
