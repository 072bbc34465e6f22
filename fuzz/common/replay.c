/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/common/replay.c: a fuzz target as an ordinary test program
 * (fuzz.h). It runs every seed of the target, then every file named on
 * the command line (a crash libFuzzer found, kept as a regression), once
 * each, through LLVMFuzzerTestOneInput; a broken property aborts.
 */
#include "fuzz.h"

static void run_seed(void *ctx, const char *name, const void *data, size_t len)
{
    unsigned *count = ctx;
    (void)name;
    LLVMFuzzerTestOneInput(data, len);
    ++*count;
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f) {
        fprintf(stderr, "fuzz replay: cannot open %s\n", path);
        return 1;
    }
    for (;;) {
        if (n == cap) {
            cap = cap * 2 + 4096;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned seeds = 0;
    int i, bad = 0;
    fuzz_seeds(run_seed, &seeds);
    for (i = 1; i < argc; i++)
        bad |= run_file(argv[i]);
    printf("fuzz replay: %u seeds and %d files, every property held\n", seeds, argc - 1);
    return bad;
}
