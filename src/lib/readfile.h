/* SPDX-License-Identifier: MIT */
/* Whole text files into memory. */
#ifndef PORTSCOUT_READFILE_H
#define PORTSCOUT_READFILE_H

#include <stddef.h>

/* The contents of a text file ("-": standard input) as a NUL-terminated
 * string (malloc'd).  NULL with a message in err when it cannot be opened or
 * read (errno says why), or holds a NUL byte (errno EINVAL: not text). */
char *read_text_file(const char *path, char *err, size_t errlen);

#endif
