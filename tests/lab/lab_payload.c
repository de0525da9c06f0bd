/* SPDX-License-Identifier: MIT */
/* Prints every payload of a payloads file as portscout's parser reads it, one line per
 * port: "port<TAB>name<TAB>hex bytes", so that check_payloads.sh sends real servers
 * exactly the bytes a scan would.  Usage: lab_payload FILE */
#include <stdio.h>

#include "payloads.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: lab_payload FILE\n");
        return 2;
    }
    struct payloads *pl;
    char err[256];
    if (payloads_load(&pl, argv[1], err, sizeof err) != 0) {
        fprintf(stderr, "lab_payload: %s\n", err);
        return 1;
    }
    for (unsigned port = 1; port <= 65535; port++) {
        size_t len;
        const uint8_t *p = payloads_for(pl, (uint16_t)port, &len);
        if (!p)
            continue;
        printf("%u\t%s\t", port, payloads_name(pl, (uint16_t)port));
        for (size_t i = 0; i < len; i++)
            printf("%02x", p[i]);
        printf("\n");
    }
    payloads_free(pl);
    return 0;
}
