/* SPDX-License-Identifier: MIT */
/* The service probe database of version detection, in the format of nmap's
 * nmap-service-probes file (so that --versiondb can read a user's own or an
 * installed copy), and the matching of answers against it.
 *
 * The format, one directive a line ('#' comments):
 *   Exclude T:9100-9107,U:...      ports never probed (the -p syntax)
 *   Probe TCP|UDP NAME q|PAYLOAD| [no-payload]
 *   match SERVICE m|REGEX|[is] [p/PRODUCT/ v/VERSION/ i/INFO/ h/HOST/
 *                 o/OS/ d/DEVICE/ cpe:/CPE/[a] ...]
 *   softmatch SERVICE m|REGEX|[is]
 *   ports LIST, sslports LIST      ports a probe is registered for
 *   rarity 1-9                     sent to other ports at this intensity
 *   totalwaitms N, tcpwrappedms N  how long to wait for its answer
 *   fallback NAME,...              whose matches also apply to its answers
 * Any punctuation delimits m, q and the fields.  Templates take $1..$9,
 * $P(n) (the printable bytes), $SUBST(n,"from","to") and $I(n,"<"|">") (an
 * unsigned integer of 1-8 bytes, little or big endian).
 *
 * Regexes are PCRE2, JIT-compiled when they are first used, with match and
 * depth limits so that a hostile answer costs little (a limit hit is no
 * match). */
#ifndef PORTSCOUT_SVC_PROBEDB_H
#define PORTSCOUT_SVC_PROBEDB_H

#include <stddef.h>
#include <stdint.h>

/* nmap's defaults for a probe that does not say. */
#define SVC_DEFAULT_WAITMS 5000
#define SVC_DEFAULT_WRAPPEDMS 2000
#define SVC_DEFAULT_RARITY 5

struct svc_template {
    char *p, *v, *i, *h, *o, *d; /* unexpanded; NULL if absent */
    char **cpe;
    size_t ncpe;
};

struct svc_match {
    char *service;
    int soft;
    char *pattern;   /* the regex's source (compiled when first used) */
    size_t plen;
    uint32_t flags;  /* PCRE2 options */
    void *re;        /* pcre2_code */
    int jitted;      /* JIT-compiled (at its first use) */
    struct svc_template tpl;
    unsigned line;
};

/* A set of ports: sorted, merged ranges. */
struct svc_portset {
    uint16_t (*r)[2];
    size_t n;
};

struct svc_probe {
    char *name;
    uint8_t proto;                 /* PROTO_TCP / PROTO_UDP (services.h) */
    uint8_t *data;                 /* the payload, escapes decoded */
    size_t len;
    int no_payload;
    int rarity;
    unsigned totalwaitms, tcpwrappedms;
    struct svc_portset ports, sslports;
    size_t *fallback;              /* indices of fallback probes */
    size_t nfallback;
    struct svc_match *matches;
    size_t nmatches;
    unsigned line;
};

struct svc_db {
    struct svc_probe *probes;
    size_t nprobes;
    struct svc_portset exclude[2]; /* TCP, UDP */
    void *mdata;                   /* pcre2 match data, shared (one thread) */
    void *mctx;                    /* pcre2 match context: the limits */
    char *path;
};

/* Read a file.  0, or -errno / -EINVAL with "FILE:LINE: what" in err. */
int svc_db_load(const char *path, struct svc_db **db, char *err, size_t errlen);
/* The same from memory (fname names it in errors). */
int svc_db_parse(const char *text, size_t len, const char *fname, struct svc_db **db, char *err,
                 size_t errlen);
void svc_db_free(struct svc_db *db);

int svc_portset_has(const struct svc_portset *s, unsigned port);
int svc_db_excluded(const struct svc_db *db, unsigned proto, unsigned port);
/* The TCP probe with an empty payload named NULL, or NULL. */
const struct svc_probe *svc_db_null_probe(const struct svc_db *db);
/* Has the probe a match or softmatch for the service? */
int svc_probe_knows(const struct svc_probe *p, const char *service);

/* A match's fields, templates expanded; owned strings, NULL when absent. */
struct svc_result {
    char *service, *product, *version, *extrainfo, *hostname, *ostype, *devicetype;
    char **cpe;
    size_t ncpe;
    int soft;
    unsigned line; /* of the rule that matched (--version-trace) */
};

enum { SVC_NOMATCH = 0, SVC_SOFT = 1, SVC_HARD = 2 };

/* Match an answer to probe p against its matches, then its fallbacks', then
 * (TCP, as nmap) the NULL probe's.  soft_service: a soft match named the
 * service already, and only rules for it count.  The first hard match wins;
 * else the first soft one.  out is filled (cleared first) unless
 * SVC_NOMATCH. */
int svc_match(const struct svc_db *db, const struct svc_probe *p, const uint8_t *resp,
              size_t len, const char *soft_service, struct svc_result *out);
void svc_result_clear(struct svc_result *r);

/* Expand a template against a subject and its capture offsets (ovector of
 * PCRE2: pairs, ncap pairs); NULL when the template is NULL or expands to
 * nothing.  Exposed for the tests. */
char *svc_expand(const char *tpl, const uint8_t *subj, const size_t *ov, unsigned ncap);

#endif
