/* SPDX-License-Identifier: MIT */
/* Fuzz the UDP payloads file parser and check the table it builds. */
#include <errno.h>

#include "fuzz.h"
#include "payloads.h"

/* Bounded so that a run stays fast: the file is ours and about 25 KB. */
#define MAX_INPUT (64 * 1024)

/* A parsed table: every port's payload and name agree (both or neither), payloads are at
 * most PAYLOAD_MAX bytes, and at least one port per payload. */
static void check(const struct payloads *pl)
{
    size_t ports = 0;
    for (unsigned port = 0; port <= 65535; port++) {
        size_t len = 12345;
        const uint8_t *p = payloads_for(pl, (uint16_t)port, &len);
        const char *name = payloads_name(pl, (uint16_t)port);
        FUZZ_CHECK((p == NULL) == (name == NULL));
        if (!p) {
            FUZZ_CHECK(len == 0);
            continue;
        }
        FUZZ_CHECK(port != 0);
        FUZZ_CHECK(len <= PAYLOAD_MAX);
        FUZZ_CHECK(name[0] != '\0' && strlen(name) <= 32);
        if (len) /* touch every byte, so ASan sees an over-read */
            FUZZ_CHECK(memchr(p, p[len - 1], len) != NULL);
        ports++;
    }
    FUZZ_CHECK(payloads_count(pl) <= ports);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    char *text = fuzz_cstr(data, size);
    struct payloads *pl = (struct payloads *)&pl;
    char err[256];
    memset(err, 0, sizeof err);
    int r = payloads_parse(&pl, text, "fuzz", err, sizeof err);
    FUZZ_CHECK(r == 0 || r == -EINVAL);
    if (r == 0) {
        FUZZ_CHECK(pl != NULL);
        check(pl);
    } else {
        FUZZ_CHECK(pl == NULL);
        FUZZ_CHECK_ERR(err, sizeof err);
        FUZZ_CHECK(strncmp(err, "fuzz:", 5) == 0);
    }
    payloads_free(pl);
    free(text);
    return 0;
}
