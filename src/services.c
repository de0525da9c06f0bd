/* SPDX-License-Identifier: MIT */
#include "services.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/readfile.h"
#include "lib/xalloc.h"

#ifndef PORTSCOUT_DATADIR
#define PORTSCOUT_DATADIR "/usr/local/share/portscout"
#endif

const char *proto_name(enum proto p)
{
    static const char *const names[PROTO_COUNT] = {"tcp", "udp", "sctp"};
    return (unsigned)p < PROTO_COUNT ? names[p] : "?";
}

static int by_weight(const void *a, const void *b)
{
    const struct service *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? 1 : -1;
    if (x->proto != y->proto)
        return x->proto - y->proto;
    return (int)x->port - (int)y->port;
}

static int parse_line(char *line, struct service *out)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *save, *port_s = strtok_r(line, " \t\r", &save);
    if (!port_s)
        return 0; /* blank */
    char *name = strtok_r(NULL, " \t\r", &save);
    char *weight_s = strtok_r(NULL, " \t\r", &save);
    if (!name || !weight_s || strtok_r(NULL, " \t\r", &save))
        return -1;
    char *slash = strchr(port_s, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    const char *pn = slash + 1;
    int proto = strcmp(pn, "tcp") == 0 ? PROTO_TCP
              : strcmp(pn, "udp") == 0 ? PROTO_UDP
              : strcmp(pn, "sctp") == 0 ? PROTO_SCTP : -1;
    char *end;
    long port = strtol(port_s, &end, 10);
    if (proto < 0 || *end || end == port_s || port < 0 || port > 65535)
        return -1;
    long weight = strtol(weight_s, &end, 10);
    if (*end || end == weight_s || weight < 0 || weight > 1000000)
        return -1;
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("-_.+/", *c))
            return -1;
    out->name = xstrdup(name);
    out->port = (uint16_t)port;
    out->proto = (uint8_t)proto;
    out->weight = (uint32_t)weight;
    return 1;
}

int services_parse(struct services *s, const char *text, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    char *copy = xstrdup(text), *save = NULL;
    unsigned lineno = 0;
    int ret = 0;
    /* strtok_r on "\n" would skip empty lines and miscount; walk by hand */
    for (char *line = copy; line; line = save) {
        save = strchr(line, '\n');
        if (save)
            *save++ = '\0';
        lineno++;
        struct service sv;
        int r = parse_line(line, &sv);
        if (r < 0) {
            snprintf(err, errlen, "services file line %u is malformed", lineno);
            ret = -EINVAL;
            break;
        }
        if (r == 0)
            continue;
        if (s->n == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 1024;
            s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
        }
        s->v[s->n++] = sv;
    }
    free(copy);
    if (ret) {
        services_free(s);
        return ret;
    }
    if (s->n)
        qsort(s->v, s->n, sizeof *s->v, by_weight);
    for (int p = 0; p < PROTO_COUNT; p++) {
        s->index[p] = xmalloc(65536 * sizeof(int32_t));
        memset(s->index[p], 0xff, 65536 * sizeof(int32_t));
    }
    for (size_t i = s->n; i-- > 0;) /* first (heaviest) entry wins */
        s->index[s->v[i].proto][s->v[i].port] = (int32_t)i;
    return 0;
}

int services_load(struct services *s, const char *path, char *err, size_t errlen)
{
    char *text = read_text_file(path, err, errlen);
    if (!text) {
        memset(s, 0, sizeof *s);
        return errno ? -errno : -EIO;
    }
    int ret = services_parse(s, text, err, errlen);
    free(text);
    return ret;
}

void services_free(struct services *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].name);
    free(s->v);
    for (int p = 0; p < PROTO_COUNT; p++)
        free(s->index[p]);
    memset(s, 0, sizeof *s);
}

const char *services_name(const struct services *s, enum proto p, unsigned port)
{
    if (!s->index[p] || port > 65535 || s->index[p][port] < 0)
        return NULL;
    return s->v[s->index[p][port]].name;
}

size_t services_top(const struct services *s, enum proto p, size_t n, uint16_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n && k < n; i++)
        if (s->v[i].proto == p && s->index[p][s->v[i].port] == (int32_t)i)
            out[k++] = s->v[i].port;
    return k;
}

static char *readable(const char *dir, const char *file)
{
    if (!dir || !*dir)
        return NULL;
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", dir, file);
    if (access(p, R_OK) == 0)
        return p;
    free(p);
    return NULL;
}

char *services_find_data(const char *file)
{
    char *p = readable(getenv("PORTSCOUT_DATADIR"), file);
    if (p)
        return p;
    /* A binary run from a build tree uses that source tree's data. */
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            if ((p = readable(self, file)))
                return p; /* a build tree: CMake copies data/ beside the binary */
        }
    }
    return readable(PORTSCOUT_DATADIR, file);
}
