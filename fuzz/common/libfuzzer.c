/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/common/libfuzzer.c: the libFuzzer side of a target (fuzz.h).
 * With CFOTA_FUZZ_SEEDS=DIR in the environment the program writes the
 * target's seeds into DIR (one file each) and exits, so `./run fuzz`
 * starts every target from the tests' material.
 */
#include <errno.h>
#include <sys/stat.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

static void write_seed(void *ctx, const char *name, const void *data, size_t len)
{
    const char *dir = ctx;
    char path[4096];
    FILE *f;
    snprintf(path, sizeof path, "%s/seed-%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "fuzz: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *dir = getenv("CFOTA_FUZZ_SEEDS");
    (void)argc, (void)argv;
    if (!dir)
        return 0;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "fuzz: cannot make %s: %s\n", dir, strerror(errno));
        exit(1);
    }
    fuzz_seeds(write_seed, (void *)dir);
    exit(0);
}
