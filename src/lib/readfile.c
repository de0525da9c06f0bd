/* SPDX-License-Identifier: MIT */
#include "readfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

char *read_text_file(const char *path, char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        int e = errno;
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
        errno = e;
        return NULL;
    }
    errno = 0;
    size_t cap = 1 << 16, len = 0, r;
    char *buf = xmalloc(cap);
    while ((r = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += r;
        if (cap - len < 2)
            buf = xreallocarray(buf, cap *= 2, 1);
    }
    int bad = ferror(f) ? (errno ? errno : EIO) : 0;
    if (f != stdin)
        fclose(f);
    buf[len] = '\0';
    if (bad || memchr(buf, '\0', len)) {
        snprintf(err, errlen, bad ? "cannot read %s" : "%s is not a text file", path);
        free(buf);
        errno = bad ? bad : EINVAL;
        return NULL;
    }
    return buf;
}
