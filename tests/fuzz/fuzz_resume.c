/* SPDX-License-Identifier: MIT */
/* Fuzz the --resume reader: an output file may be truncated, edited or not
 * ours at all.  Whatever it holds, parsing must not crash, and what it
 * returns must be usable: a non-empty command line that splits into words,
 * and distinct addresses. */
#include "fuzz.h"
#include "resume.h"
#include "services.h"

#define MAX_INPUT (256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    char *text = fuzz_cstr(data, size);
    struct resume rs;
    if (resume_parse(text, &rs) == 0) {
        FUZZ_CHECK(rs.cmdline && rs.cmdline[0]);
        int argc = -1;
        char **argv = resume_argv(rs.cmdline, &argc);
        FUZZ_CHECK(argc >= 0 && argv[argc] == NULL);
        for (int i = 0; i < argc; i++)
            FUZZ_CHECK(argv[i][0] && !strpbrk(argv[i], " \t"));
        free(argv);
        for (size_t i = 0; i < rs.ndone; i++)
            for (size_t j = 0; j < i; j++)
                FUZZ_CHECK(!ip_addr_equal(&rs.done[i], &rs.done[j]));
        for (size_t i = 0; i < rs.npartial; i++) {
            const struct resume_partial *hp = &rs.partial[i];
            FUZZ_CHECK(hp->nports > 0 && hp->up_reason < REASON_COUNT);
            for (size_t k = 0; k < hp->nports; k++)
                FUZZ_CHECK(hp->ports[k].proto < PROTO_COUNT &&
                           hp->ports[k].state > PORT_UNKNOWN &&
                           hp->ports[k].state < PORT_STATE_COUNT &&
                           hp->ports[k].reason < REASON_COUNT);
            FUZZ_CHECK(resume_find_partial(&rs, &hp->addr) != NULL);
        }
        resume_free(&rs);
    } else {
        FUZZ_CHECK(rs.cmdline == NULL && rs.done == NULL);
    }
    free(text);
    return 0;
}
