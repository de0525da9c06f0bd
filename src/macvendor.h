/* SPDX-License-Identifier: MIT */
/* MAC address -> organisation, from the IEEE registry as Debian's ieee-data
 * package installs it: oui.csv (MA-L, 24-bit prefixes), mam.csv (MA-M,
 * 28-bit), oui36.csv (MA-S, 36-bit) and iab.csv (the older IAB, 36-bit),
 * each "Registry,Assignment,Organization Name,Organization Address" with
 * RFC 4180 quoting.  The longest listed prefix wins: an MA-S block inside
 * an MA-L the IEEE keeps for itself names the block's owner.
 *
 * The files are data we do not control: malformed records are skipped, a
 * runaway quote costs at most one record, and nothing is printed. */
#ifndef PORTSCOUT_MACVENDOR_H
#define PORTSCOUT_MACVENDOR_H

#include <stddef.h>
#include <stdint.h>

struct macvendor;

/* Where the registry is read from when macvendor_load gets no directory
 * and $PORTSCOUT_IEEE_DATA is unset or empty. */
#define MACVENDOR_DEFAULT_DIR "/usr/share/ieee-data"

/* Load the registry files from dir (NULL: $PORTSCOUT_IEEE_DATA, else
 * MACVENDOR_DEFAULT_DIR).  Missing files are skipped; NULL with a message
 * in err when none can be read or they list no valid entry (the caller
 * warns once and reports MACs without vendors).  Free with
 * macvendor_free. */
struct macvendor *macvendor_load(const char *dir, char *err, size_t errlen);

/* The organisation owning mac, or NULL if unlisted.  Locally administered
 * addresses (bit 0x02 of the first octet) are never in the registry: NULL.
 * The string is owned by mv and valid until macvendor_free. */
const char *macvendor_lookup(const struct macvendor *mv, const uint8_t mac[6]);

/* How many prefixes were loaded (all lengths together). */
size_t macvendor_count(const struct macvendor *mv);

/* NULL-safe. */
void macvendor_free(struct macvendor *mv);

#endif
