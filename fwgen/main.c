/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwgen/main.c: cfota-fwgen, the hard-case generator's command line.
 *
 *   cfota-fwgen --list
 *   cfota-fwgen CASE OLD NEW [--size KIB] [--seed N]
 *
 * writes the base image of CASE to OLD and the target to NEW.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwgen.h"

static int usage(void)
{
    fprintf(stderr, "usage: cfota-fwgen --list\n"
                    "       cfota-fwgen CASE OLD NEW [--size KIB] [--seed N]\n"
                    "Write a generated firmware pair (fwgen/fwgen.h): the base image to OLD,\n"
                    "the target to NEW. --size: about KIB KiB (default 256); --seed: default 1.\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct bytes old = {0, 0, 0}, new_ = {0, 0, 0};
    unsigned long size = 256, seed = 1;
    const char *pos[3];
    int i, n = 0, c;
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        size_t k;
        for (k = 0; k < fwgen_cases(); k++)
            printf("%s\n", fwgen_case_name(k));
        return 0;
    }
    for (i = 1; i < argc; i++) {
        char *end;
        if ((strcmp(argv[i], "--size") == 0 || strcmp(argv[i], "--seed") == 0) && i + 1 < argc) {
            unsigned long v = strtoul(argv[i + 1], &end, 10);
            if (*end || end == argv[i + 1])
                return usage();
            *(argv[i][3] == 'z' ? &size : &seed) = v;
            i++;
        } else if (n < 3 && argv[i][0] != '-') {
            pos[n++] = argv[i];
        } else {
            return usage();
        }
    }
    if (n != 3)
        return usage();
    if ((c = fwgen_case_find(pos[0])) < 0) {
        fprintf(stderr, "cfota-fwgen: no case '%s' (see --list)\n", pos[0]);
        return 2;
    }
    if (fwgen_make((size_t)c, (uint32_t)size, seed, &old, &new_) != 0) {
        fprintf(stderr, "cfota-fwgen: --size must be 16..4096\n");
        return 2;
    }
    if (bytes_write_file(pos[1], old.p, old.n) != 0 || bytes_write_file(pos[2], new_.p, new_.n) != 0) {
        perror("cfota-fwgen");
        return 1;
    }
    bytes_free(&old);
    bytes_free(&new_);
    return 0;
}
