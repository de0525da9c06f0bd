/* SPDX-License-Identifier: MIT */
/* Every scan technique portscout knows, in one static table. */
#include <string.h>

#include "technique.h"

static const struct technique *const techniques[] = {
    &technique_connect, &technique_syn,    &technique_null,   &technique_fin,
    &technique_xmas,    &technique_ack,    &technique_window, &technique_maimon,
};

const struct technique *technique_find(const char *option)
{
    if (option[0] == '-')
        option++;
    for (size_t i = 0; i < sizeof techniques / sizeof techniques[0]; i++)
        if (strcmp(techniques[i]->option + 1, option) == 0)
            return techniques[i];
    return NULL;
}
