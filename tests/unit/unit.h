/* SPDX-License-Identifier: MIT */
/* Shared set-up for the cmocka unit tests. */
#ifndef PORTSCOUT_UNIT_H
#define PORTSCOUT_UNIT_H

/* cmocka needs these before its own header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

/* Assert that string `hay` contains `needle`, printing both when not. */
#define assert_contains(hay, needle)                                                       \
    do {                                                                                   \
        const char *hay_ = (hay), *needle_ = (needle);                                     \
        if (!hay_ || !strstr(hay_, needle_))                                               \
            fail_msg("\"%s\" does not contain \"%s\"", hay_ ? hay_ : "(null)", needle_);  \
    } while (0)

#endif
