/* SPDX-License-Identifier: MIT */
/* Fuzz the matching of hostile answers (what a service sends is the network's to choose)
 * against rules of every kind: captures into every template helper, binary patterns,
 * fallbacks, soft matches; and the expansion of what matched. */
#include "fuzz.h"
#include "svc/probedb.h"

static const char DB[] =
    "Probe TCP NULL q||\n"
    "match a m|^SSH-([\\d.]+)-(\\S+)(?: (.*))?\\r?\\n| p/$2/ v/$1/ i/$3/ cpe:/a:x:$2:$1/\n"
    "match b m|^\\x01(.)(..)(....)(.{8})|s p/$I(1,\">\")/ v/$I(2,\"<\")/ i/$I(3,\">\")/ "
    "h/$I(4,\"<\")/\n"
    "match c m|^P(.*)|s p/$P(1)/ v/$SUBST(1,\"a\",\"bb\")/ i/$1$1$1/ o/$9/ d/$0/\n"
    "match d m|^(a+)+b| p/x/\n"
    "match e m=^((?:x|y)*)*z=s p/$1/\n"
    "softmatch f m|^F|\n"
    "Probe TCP Get q|GET / HTTP/1.0\\r\\n\\r\\n|\n"
    "fallback NULL\n"
    "match http m|^HTTP/1\\.[01] \\d\\d\\d .*?\\r\\nServer: ([^\\r\\n]*)|s p/$1/ "
    "cpe:|a:$SUBST(1,\"/\",\":\")|\n"
    "softmatch http m|^HTTP|\n"
    "Probe UDP U q|x|\n"
    "match u m|^(.*)$|s p/$P(1)/\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct svc_db *db;
    if (!db) {
        char err[256];
        if (svc_db_parse(DB, sizeof DB - 1, "fuzz", &db, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            abort();
        }
    }
    for (size_t i = 0; i < db->nprobes; i++) {
        for (int soft = 0; soft < 2; soft++) {
            struct svc_result r = {0};
            int m = svc_match(db, &db->probes[i], data, size, soft ? "http" : NULL, &r);
            FUZZ_CHECK(m == SVC_NOMATCH || m == SVC_SOFT || m == SVC_HARD);
            FUZZ_CHECK((m == SVC_NOMATCH) == (r.service == NULL));
            FUZZ_CHECK(m != SVC_SOFT || r.product == NULL);
            /* expanded text never holds a control byte */
            const char *f[] = {r.product, r.version, r.extrainfo, r.hostname, r.ostype,
                               r.devicetype};
            for (size_t k = 0; k < sizeof f / sizeof *f; k++)
                for (const char *c = f[k]; c && *c; c++)
                    FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
            for (size_t k = 0; k < r.ncpe; k++)
                FUZZ_CHECK(strncmp(r.cpe[k], "cpe:/", 5) == 0);
            svc_result_clear(&r);
        }
    }
    return 0;
}
