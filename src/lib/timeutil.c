/* SPDX-License-Identifier: MIT */
#include "timeutil.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

usec_t now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (usec_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

int parse_time_usec(const char *s, usec_t bare_unit, usec_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v < 0 || s[0] == '-' || s[0] == '+')
        return -EINVAL;
    double unit;
    if (*end == '\0')
        unit = (double)bare_unit;
    else if (strcmp(end, "ms") == 0)
        unit = (double)USEC_PER_MSEC;
    else if (strcmp(end, "s") == 0)
        unit = (double)USEC_PER_SEC;
    else if (strcmp(end, "m") == 0)
        unit = 60.0 * USEC_PER_SEC;
    else if (strcmp(end, "h") == 0)
        unit = 3600.0 * USEC_PER_SEC;
    else
        return -EINVAL;
    double us = v * unit;
    if (us > 1e15) /* ~31 years: anything above is a typo */
        return -EINVAL;
    *out = (usec_t)(us + 0.5);
    return 0;
}
