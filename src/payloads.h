/* SPDX-License-Identifier: MIT */
/* UDP protocol payloads: the datagram a UDP scan sends to a well-known port, read from
 * data/portscout-payloads (our own file; its format is described in its header and in
 * the man page's FILES section).  A UDP service answers only a request it understands,
 * so a port without a payload gets an empty datagram, which few services answer. */
#ifndef PORTSCOUT_PAYLOADS_H
#define PORTSCOUT_PAYLOADS_H

#include <stddef.h>
#include <stdint.h>

/* The longest payload: it must fit one unfragmented datagram on any usual path. */
#define PAYLOAD_MAX 1400

struct payloads; /* opaque; read-only once loaded, so threads may share it */

/* Parse the payloads file at path ("-": standard input).  0 and *out set, or -errno
 * (-EINVAL for a malformed file) with "path:line: what is wrong" in err and *out NULL.
 * The caller owns *out (payloads_free). */
int payloads_load(struct payloads **out, const char *path, char *err, size_t errlen);
/* The same from text already in memory; `name` stands for the path in messages. */
int payloads_parse(struct payloads **out, const char *text, const char *name, char *err,
                   size_t errlen);
/* The payload for UDP port `port` (*len set to its length), or NULL with *len 0 when the
 * file has none: an empty datagram is sent.  O(1).  The bytes live as long as pl. */
const uint8_t *payloads_for(const struct payloads *pl, uint16_t port, size_t *len);
/* The name of the payload for `port` ("dns", "ntp"...), or NULL. */
const char *payloads_name(const struct payloads *pl, uint16_t port);
/* How many payloads (blocks) the file defined. */
size_t payloads_count(const struct payloads *pl);
void payloads_free(struct payloads *pl); /* NULL-safe */

#endif
