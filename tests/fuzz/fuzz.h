/* SPDX-License-Identifier: MIT */
/* Shared by the fuzz targets and their replay driver. */
#ifndef PORTSCOUT_FUZZ_H
#define PORTSCOUT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string (it stops at the first NUL, as any C caller's
 * string would).  Free with free(). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* An invariant of the code under test does not hold: a bug. */
#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);   \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

/* err must be a NUL-terminated, non-empty message. */
#define FUZZ_CHECK_ERR(err, len) FUZZ_CHECK(memchr((err), '\0', (len)) && (err)[0] != '\0')

#endif
