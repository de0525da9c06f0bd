/* SPDX-License-Identifier: MIT */
/* Replay driver: runs a fuzz target's LLVMFuzzerTestOneInput over a few
 * built-in inputs and over every file given (directories are read one level
 * deep), so the seed corpus runs under the sanitizers in every `make check`
 * without libFuzzer.  Exits 0 when every input ran; a bug aborts. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static size_t ran;

static void run(const uint8_t *data, size_t size)
{
    /* a copy of exactly `size` bytes, so ASan sees any over-read */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    if (size)
        memcpy(copy, data, size);
    LLVMFuzzerTestOneInput(copy, size);
    free(copy);
    ran++;
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0, r;
    uint8_t *buf = malloc(cap);
    if (!buf)
        abort();
    while ((r = fread(buf + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap && !(buf = realloc(buf, cap *= 2)))
            abort();
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(buf);
        return -1;
    }
    run(buf, len);
    free(buf);
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of a directory, in name order; -1 on error or when
 * it holds none (a wrong corpus path must not pass silently). */
static int run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (!(names = realloc(names, (n + 1) * sizeof *names)))
            abort();
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(len)))
            abort();
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    int ret = 0, files = 0;
    if (n)
        qsort(names, n, sizeof *names, cmp);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(names[i]) != 0)
                ret = -1;
            files++;
        }
        free(names[i]);
    }
    free(names);
    if (files == 0) {
        fprintf(stderr, "replay: %s holds no inputs\n", dir);
        return -1;
    }
    return ret;
}

int main(int argc, char **argv)
{
    /* inputs every target must survive */
    static const char *const builtin[] = {
        "", " ", "\n", "#", ",", "-", "/", ":", "*", "[", "]", "0", "%s%n%x",
        "\xff\xfe\xfd", "a\0b",
    };
    for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++)
        run((const uint8_t *)builtin[i], strlen(builtin[i]));
    run((const uint8_t *)"a\0b", 3); /* embedded NUL */
    uint8_t big[70000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)"1.2.3.4/24,-:*\n#["[i % 17];
    run(big, sizeof big);
    memset(big, 0xff, sizeof big);
    run(big, sizeof big);

    int ret = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            ret = 1;
        } else if (S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i])) {
            ret = 1;
        }
    }
    printf("replay: %zu inputs run\n", ran);
    return ret;
}
