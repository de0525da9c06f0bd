/* SPDX-License-Identifier: MIT */
/* Fuzz port specifications against a small services table, checking that
 * the protocol mask, the table and re-parsing behave consistently. */
#include <errno.h>

#include "fuzz.h"
#include "ports.h"
#include "services.h"

/* Each full range sets 65535 bits per protocol: keep inputs short so that
 * runs stay fast (a long -p is slow, not wrong). */
#define MAX_INPUT 4096
#define TCP PROTO_MASK(PROTO_TCP)
#define ALL (PROTO_MASK(PROTO_TCP) | PROTO_MASK(PROTO_UDP) | PROTO_MASK(PROTO_SCTP))

static const char table[] = "21/tcp ftp 700\n"
                            "22/tcp ssh 800\n"
                            "53/tcp domain 10\n"
                            "53/udp domain 500\n"
                            "80/tcp http 1000\n"
                            "443/tcp https 900\n"
                            "8080/tcp http-proxy 50\n"
                            "161/udp snmp 300\n"
                            "9/sctp discard 1\n"
                            "0/tcp zero 0\n"
                            "65535/udp last 2\n";

static const struct services *services(void)
{
    static struct services svc;
    static int ready;
    if (!ready) {
        char err[256];
        if (services_parse(&svc, table, err, sizeof err) != 0)
            abort();
        ready = 1;
    }
    return &svc;
}

static struct port_set *parse(const char *spec, const struct services *svc, unsigned mask,
                              int *ret)
{
    struct port_set *set = calloc(1, sizeof *set);
    char err[256];
    if (!set)
        abort();
    memset(err, 0, sizeof err);
    *ret = ports_parse(spec, svc, mask, set, err, sizeof err);
    FUZZ_CHECK(*ret == 0 || *ret == -EINVAL);
    if (*ret)
        FUZZ_CHECK(err[0] != '\0');
    return set;
}

static size_t count(const struct port_set *set, enum proto p)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof set->bits[p]; i++)
        n += (size_t)__builtin_popcount(set->bits[p][i]);
    return n;
}

static void check_list(const struct port_set *set)
{
    struct port_list l;
    port_list_from_set(&l, set);
    size_t total = 0;
    for (int p = 0; p < PROTO_COUNT; p++) {
        FUZZ_CHECK(l.n[p] == count(set, (enum proto)p));
        for (size_t i = 0; i < l.n[p]; i++) {
            FUZZ_CHECK(port_set_has(set, (enum proto)p, l.port[p][i]));
            if (i)
                FUZZ_CHECK(l.port[p][i - 1] < l.port[p][i]);
        }
        total += l.n[p];
    }
    FUZZ_CHECK(port_list_total(&l) == total);
    port_list_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    const struct services *svc = services();
    char *spec = fuzz_cstr(data, size);
    int r_tcp, r_all, r_none;
    struct port_set *tcp = parse(spec, svc, TCP, &r_tcp);
    struct port_set *all = parse(spec, svc, ALL, &r_all);
    struct port_set *none = parse(spec, NULL, TCP, &r_none);

    if (r_tcp == 0 && r_all == 0) {
        /* the mask only widens unprefixed items: TCP's ports are the same */
        FUZZ_CHECK(memcmp(tcp->bits[PROTO_TCP], all->bits[PROTO_TCP],
                          sizeof tcp->bits[PROTO_TCP]) == 0);
        for (int p = 0; p < PROTO_COUNT; p++)
            for (size_t i = 0; i < sizeof tcp->bits[p]; i++)
                FUZZ_CHECK((tcp->bits[p][i] & ~all->bits[p][i]) == 0);
    }
    if (r_none == 0) {
        /* no names in it: the table changes nothing */
        FUZZ_CHECK(r_tcp == 0);
        FUZZ_CHECK(memcmp(none, tcp, sizeof *tcp) == 0);
    }
    if (r_all == 0) {
        check_list(all);
        /* parsing again into the same set adds nothing */
        struct port_set *copy = malloc(sizeof *copy);
        char err[256];
        if (!copy)
            abort();
        memcpy(copy, all, sizeof *copy);
        FUZZ_CHECK(ports_parse(spec, svc, ALL, copy, err, sizeof err) == 0);
        FUZZ_CHECK(memcmp(copy, all, sizeof *copy) == 0);
        port_set_subtract(copy, all);
        for (int p = 0; p < PROTO_COUNT; p++)
            FUZZ_CHECK(count(copy, (enum proto)p) == 0);
        free(copy);
    }
    free(tcp);
    free(all);
    free(none);
    free(spec);
    return 0;
}
