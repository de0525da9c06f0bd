/* SPDX-License-Identifier: MIT */
#include "payloads.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/readfile.h"
#include "lib/xalloc.h"

#define NAME_LEN_MAX 32

struct payload {
    char *name;
    uint8_t *data; /* len bytes; never NULL once the block is complete */
    size_t len;
    unsigned line; /* of its "payload" line, for messages */
};

struct payloads {
    struct payload *v;
    size_t n, cap;
    uint16_t index[65536]; /* port -> 1 + position in v; 0: no payload */
};

/* The parser: the block being read, where messages go. */
struct parser {
    struct payloads *pl;
    const char *file;
    unsigned line;
    char *err;
    size_t errlen;
    struct payload *cur; /* the open block, or NULL before the first */
    bool has_ports, has_data;
    size_t len;
    uint8_t buf[PAYLOAD_MAX];
};

static int fail_at(struct parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(struct parser *p, unsigned line, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(p->err, p->errlen, "%s:%u: %s", p->file, line, msg);
    return -EINVAL;
}

#define fail(p, ...) fail_at((p), (p)->line, __VA_ARGS__)

static char *skip_blanks(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Nothing but blanks and an optional comment may follow a line's content. */
static bool at_end(char *s)
{
    s = skip_blanks(s);
    return *s == '\0' || *s == '#';
}

/* Cuts the next blank-separated word out of *s (advancing it); NULL at the end.  The
 * comment has been cut off the line already (but for data lines, see parse_line). */
static char *next_word(char **s)
{
    char *w = skip_blanks(*s);
    if (*w == '\0')
        return NULL;
    char *e = w;
    while (*e && *e != ' ' && *e != '\t')
        e++;
    *s = e;
    if (*e) {
        *e = '\0';
        *s = e + 1;
    }
    return w;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int append(struct parser *p, uint8_t byte)
{
    if (p->len == PAYLOAD_MAX)
        return fail(p, "payload %s is longer than %d bytes", p->cur->name, PAYLOAD_MAX);
    p->buf[p->len++] = byte;
    return 0;
}

/* One escape after a backslash at *s; the byte in *out, *s advanced past it. */
static int escape(struct parser *p, char **s, uint8_t *out)
{
    char *c = *s;
    switch (*c) {
    case '\\': *out = '\\'; break;
    case '"': *out = '"'; break;
    case 'n': *out = '\n'; break;
    case 'r': *out = '\r'; break;
    case 't': *out = '\t'; break;
    case 'x': {
        int hi = hexval(c[1]), lo = hi < 0 ? -1 : hexval(c[2]);
        if (lo < 0)
            return fail(p, "bad escape: \\x needs two hexadecimal digits");
        *out = (uint8_t)(hi << 4 | lo);
        *s = c + 3;
        return 0;
    }
    case '\0':
        return fail(p, "unterminated string (no closing \")");
    default:
        if (*c > ' ' && *c < 0x7f)
            return fail(p, "bad escape \\%c (known: \\\\ \\\" \\n \\r \\t \\xHH)", *c);
        return fail(p, "bad escape: a backslash before byte 0x%02x", (unsigned char)*c);
    }
    *s = c + 1;
    return 0;
}

/* A data line's quoted string, appended to the block's bytes. */
static int parse_data(struct parser *p, char *s)
{
    s = skip_blanks(s);
    if (*s != '"')
        return fail(p, "data needs a string in double quotes");
    char *c = s + 1;
    for (;;) {
        unsigned char ch = (unsigned char)*c;
        uint8_t byte = 0;
        int r;
        if (ch == '\0')
            return fail(p, "unterminated string (no closing \")");
        if (ch == '"')
            break;
        if (ch == '\\') {
            c++;
            if ((r = escape(p, &c, &byte)))
                return r;
        } else if (ch < 0x20 || ch > 0x7e) {
            return fail(p, "byte 0x%02x in a string: write it as \\x%02x", ch, ch);
        } else {
            byte = ch;
            c++;
        }
        if ((r = append(p, byte)))
            return r;
    }
    if (!at_end(c + 1))
        return fail(p, "unexpected text after the string (one string per data line)");
    p->has_data = true;
    return 0;
}

/* "pad N": zero bytes up to a total of N. */
static int parse_pad(struct parser *p, char *s)
{
    char *w = next_word(&s);
    char *end;
    if (!w || *w < '0' || *w > '9')
        return fail(p, "pad needs a length in bytes");
    unsigned long n = strtoul(w, &end, 10);
    if (*end || !at_end(s))
        return fail(p, "pad needs one length in bytes");
    if (n > PAYLOAD_MAX)
        return fail(p, "pad %s: payloads are at most %d bytes", w, PAYLOAD_MAX);
    if (n < p->len)
        return fail(p, "pad %lu: payload %s is already %zu bytes", n, p->cur->name, p->len);
    memset(p->buf + p->len, 0, n - p->len);
    p->len = n;
    p->has_data = true;
    return 0;
}

static int parse_ports(struct parser *p, char *s)
{
    char *w;
    bool any = false;
    uint16_t me = (uint16_t)(p->cur - p->pl->v + 1);
    while ((w = next_word(&s))) {
        size_t digits = strspn(w, "0123456789");
        if (digits == 0 || w[digits] != '\0')
            return fail(p, "\"%.20s\" is not a port number", w);
        unsigned long port = digits > 5 ? 99999 : strtoul(w, NULL, 10);
        if (port < 1 || port > 65535)
            return fail(p, "port %.20s is out of range (1-65535)", w);
        uint16_t owner = p->pl->index[port];
        if (owner == me)
            return fail(p, "port %lu is listed twice in payload %s", port, p->cur->name);
        if (owner)
            return fail(p, "port %lu already has payload %s (line %u); a port may have one",
                        port, p->pl->v[owner - 1].name, p->pl->v[owner - 1].line);
        p->pl->index[port] = me;
        any = true;
    }
    if (!any)
        return fail(p, "ports needs at least one port number");
    p->has_ports = true;
    return 0;
}

/* Ends the open block: it must have ports and data. */
static int finish_block(struct parser *p)
{
    struct payload *b = p->cur;
    if (!b)
        return 0;
    if (!p->has_ports)
        return fail_at(p, b->line, "payload %s has no ports line", b->name);
    if (!p->has_data)
        return fail_at(p, b->line, "payload %s has no data line", b->name);
    b->data = xmalloc(p->len ? p->len : 1);
    if (p->len)
        memcpy(b->data, p->buf, p->len);
    b->len = p->len;
    return 0;
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > NAME_LEN_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr("-_.", *s)))
            return false;
    return true;
}

static int parse_payload(struct parser *p, char *s)
{
    int r = finish_block(p);
    if (r)
        return r;
    char *name = next_word(&s);
    if (!name)
        return fail(p, "payload needs a name");
    if (!at_end(s))
        return fail(p, "payload takes one name");
    if (!name_ok(name))
        return fail(p, "bad payload name \"%.40s\" (1-%d of a-z 0-9 - _ .)", name,
                    NAME_LEN_MAX);
    struct payloads *pl = p->pl;
    for (size_t i = 0; i < pl->n; i++)
        if (strcmp(pl->v[i].name, name) == 0)
            return fail(p, "payload %s is already defined (line %u)", name, pl->v[i].line);
    if (pl->n == pl->cap) {
        pl->cap = pl->cap ? 2 * pl->cap : 32;
        pl->v = xreallocarray(pl->v, pl->cap, sizeof *pl->v);
    }
    p->cur = &pl->v[pl->n++];
    *p->cur = (struct payload){.name = xstrdup(name), .line = p->line};
    p->has_ports = p->has_data = false;
    p->len = 0;
    return 0;
}

static int parse_line(struct parser *p, char *line)
{
    size_t n = strlen(line);
    if (n && line[n - 1] == '\r')
        line[n - 1] = '\0';
    char *s = skip_blanks(line);
    if (*s == '\0' || *s == '#')
        return 0; /* blank or comment */
    char *kw = next_word(&s);
    /* a comment ends every line; in a data line only after the string ("#" is a byte) */
    bool data = strcmp(kw, "data") == 0;
    char *hash = data ? NULL : strchr(s, '#');
    if (hash)
        *hash = '\0';
    if (strcmp(kw, "payload") == 0)
        return parse_payload(p, s);
    if (strcmp(kw, "ports") != 0 && !data && strcmp(kw, "pad") != 0)
        return fail(p, "unknown keyword \"%.20s\" (payload, ports, data, pad)", kw);
    if (!p->cur)
        return fail(p, "%s before the first payload line", kw);
    if (data)
        return parse_data(p, s);
    return strcmp(kw, "pad") == 0 ? parse_pad(p, s) : parse_ports(p, s);
}

int payloads_parse(struct payloads **out, const char *text, const char *name, char *err,
                   size_t errlen)
{
    struct parser *p = xcalloc(1, sizeof *p);
    p->pl = xcalloc(1, sizeof *p->pl);
    p->file = name;
    p->err = err;
    p->errlen = errlen;
    char *copy = xstrdup(text), *next;
    int ret = 0;
    for (char *line = copy; line && !ret; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        p->line++;
        ret = parse_line(p, line);
    }
    if (!ret)
        ret = finish_block(p);
    free(copy);
    *out = ret ? NULL : p->pl;
    if (ret)
        payloads_free(p->pl);
    free(p);
    return ret;
}

int payloads_load(struct payloads **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    char *text = read_text_file(path, err, errlen);
    if (!text)
        return errno ? -errno : -EIO;
    int ret = payloads_parse(out, text, path, err, errlen);
    free(text);
    return ret;
}

const uint8_t *payloads_for(const struct payloads *pl, uint16_t port, size_t *len)
{
    uint16_t i = pl ? pl->index[port] : 0;
    *len = i ? pl->v[i - 1].len : 0;
    return i ? pl->v[i - 1].data : NULL;
}

const char *payloads_name(const struct payloads *pl, uint16_t port)
{
    uint16_t i = pl ? pl->index[port] : 0;
    return i ? pl->v[i - 1].name : NULL;
}

size_t payloads_count(const struct payloads *pl)
{
    return pl ? pl->n : 0;
}

void payloads_free(struct payloads *pl)
{
    if (!pl)
        return;
    for (size_t i = 0; i < pl->n; i++) {
        free(pl->v[i].name);
        free(pl->v[i].data);
    }
    free(pl->v);
    free(pl);
}
