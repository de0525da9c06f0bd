/* SPDX-License-Identifier: MIT */
/* Fuzz the services-table parser and check the table it builds. */
#include <errno.h>

#include "fuzz.h"
#include "services.h"

#define MAX_INPUT (256 * 1024)

/* The table services_parse built must be sorted by weight (descending; ties
 * by protocol, then port), its index must point at the heaviest entry of
 * each (protocol, port), and services_top must agree with both. */
static void check(const struct services *s)
{
    for (size_t i = 1; i < s->n; i++) {
        const struct service *a = &s->v[i - 1], *b = &s->v[i];
        FUZZ_CHECK(a->weight > b->weight ||
                   (a->weight == b->weight &&
                    (a->proto < b->proto || (a->proto == b->proto && a->port <= b->port))));
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct service *sv = &s->v[i];
        int32_t at = s->index[sv->proto][sv->port];
        FUZZ_CHECK(at >= 0 && (size_t)at <= i);
        FUZZ_CHECK(s->v[at].port == sv->port && s->v[at].proto == sv->proto);
        FUZZ_CHECK(services_name(s, (enum proto)sv->proto, sv->port) == s->v[at].name);
    }
    uint16_t top[64];
    for (int p = 0; p < PROTO_COUNT; p++) {
        size_t n = services_top(s, (enum proto)p, 64, top);
        FUZZ_CHECK(n <= 64);
        for (size_t k = 0; k < n; k++) {
            FUZZ_CHECK(services_name(s, (enum proto)p, top[k]) != NULL);
            for (size_t j = 0; j < k; j++)
                FUZZ_CHECK(top[j] != top[k]);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    char *text = fuzz_cstr(data, size);
    struct services s;
    char err[256];
    memset(err, 0, sizeof err);
    int r = services_parse(&s, text, err, sizeof err);
    FUZZ_CHECK(r == 0 || r == -EINVAL);
    if (r == 0) {
        check(&s);
    } else {
        FUZZ_CHECK(strstr(err, "line ") != NULL);
        FUZZ_CHECK(s.n == 0 && s.v == NULL);
    }
    services_free(&s);
    free(text);
    return 0;
}
