/* SPDX-License-Identifier: MIT */
/* Fuzz the service probe database parser (a user's --versiondb is any file), and use what
 * it builds: every probe's ports and rules, matched against a few answers. */
#include <errno.h>

#include "fuzz.h"
#include "services.h"
#include "svc/probedb.h"

#define MAX_INPUT (64 * 1024)

static void check(const struct svc_db *db)
{
    static const char *const answers[] = {"", "SSH-2.0-x\r\n", "HTTP/1.0 200 OK\r\n\r\n",
                                          "\0\x01\xff"};
    FUZZ_CHECK(db->nprobes > 0);
    for (size_t i = 0; i < db->nprobes; i++) {
        const struct svc_probe *p = &db->probes[i];
        FUZZ_CHECK(p->proto == PROTO_TCP || p->proto == PROTO_UDP);
        FUZZ_CHECK(p->rarity >= 1 && p->rarity <= 9);
        for (size_t k = 0; k < p->nfallback; k++)
            FUZZ_CHECK(p->fallback[k] < db->nprobes);
        for (size_t k = 0; k < p->ports.n; k++)
            FUZZ_CHECK(p->ports.r[k][0] <= p->ports.r[k][1]);
        if (p->len) /* touch every byte, so ASan sees an over-read */
            FUZZ_CHECK(memchr(p->data, p->data[p->len - 1], p->len) != NULL);
        for (size_t a = 0; a < sizeof answers / sizeof *answers; a++) {
            struct svc_result r = {0};
            size_t len = a == 3 ? 3 : strlen(answers[a]);
            int m = svc_match(db, p, (const uint8_t *)answers[a], len, NULL, &r);
            FUZZ_CHECK(m == SVC_NOMATCH || m == SVC_SOFT || m == SVC_HARD);
            FUZZ_CHECK((m == SVC_NOMATCH) == (r.service == NULL));
            svc_result_clear(&r);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    struct svc_db *db = (struct svc_db *)&db;
    char err[256];
    memset(err, 0, sizeof err);
    int r = svc_db_parse((const char *)data, size, "fuzz", &db, err, sizeof err);
    FUZZ_CHECK(r == 0 || r == -EINVAL);
    if (r == 0) {
        FUZZ_CHECK(db != NULL);
        check(db);
    } else {
        FUZZ_CHECK(db == NULL);
        FUZZ_CHECK_ERR(err, sizeof err);
        FUZZ_CHECK(strncmp(err, "fuzz:", 5) == 0);
    }
    svc_db_free(db);
    return 0;
}
