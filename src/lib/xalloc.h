/* SPDX-License-Identifier: MIT */
/* Allocation helpers that abort on out-of-memory and on size overflow, so
 * callers never handle a NULL from them. */
#ifndef PORTSCOUT_XALLOC_H
#define PORTSCOUT_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
/* Resize to nmemb * size bytes, checking the multiplication. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
