/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/inplace.c: what in-place apply costs, per pair: package bytes in
 * place against A/B, the spare flash the package needs (scratch and
 * stash), and the flash work of the update engine on the simulated NOR
 * flash (erases and bytes programmed per target KiB), each update run to
 * the end and its image compared with the target.
 *
 * Pairs: every corpus pair in both directions (when the corpus folder
 * exists), then every generated case of fwgen/ in both directions.
 * Profiles: the module's (CFOTA_SCRATCH_MODULE, CFOTA_STASH_MODULE, the
 * default) and a small MCU's (CFOTA_SCRATCH_MCU, CFOTA_STASH_MCU).
 *
 *   build/bench_inplace [--mcu] [--no-corpus] [--no-gen] [--gen-size KIB] [CORPUS_DIR [pair ...]]
 */
#define _DEFAULT_SOURCE /* d_type */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cfota/update.h"
#include "encoder.h"
#include "flashsim.h"
#include "fota_layout.h"
#include "fwgen.h"

#define ERASE 4096u

struct row {
    size_t ab, ip;
    uint32_t scratch, stash, entries;
    double erases_per_kib, prog_per_kib;
    int ok;
};

struct totals {
    size_t ab, ip;
    double worst;
    int bad;
};

static int measure(const struct bytes *old, const struct bytes *new_, int mcu, struct row *r)
{
    struct cfota_encode_opts o;
    struct cfota_encode_info info;
    struct bytes ab = {0}, ip = {0};
    struct fota_layout l;
    struct flashsim *sim;
    struct cfota_update_cfg cfg;
    static struct cfota_update u;
    static uint8_t buf[4096];
    memset(&o, 0, sizeof o);
    if (cfota_encode(old->p, old->n, new_->p, new_->n, &o, &ab) != 0)
        return -1;
    o.in_place = 1;
    o.info = &info;
    o.scratch_size = mcu ? CFOTA_SCRATCH_MCU : CFOTA_SCRATCH_MODULE;
    o.stash_size = mcu ? CFOTA_STASH_MCU : CFOTA_STASH_MODULE;
    if (cfota_encode(old->p, old->n, new_->p, new_->n, &o, &ip) != 0)
        return -1;
    r->ab = ab.n;
    r->ip = ip.n;
    r->scratch = o.scratch_size;
    r->stash = info.stash_size;
    r->entries = info.stash_entries;
    /* The device of the bench has just the spare flash the package needs. */
    fota_layout_make(&l, ERASE, (uint32_t)(old->n > new_->n ? old->n : new_->n), 0, r->scratch, r->stash,
                     (uint32_t)ip.n);
    sim = flashsim_open(NULL, l.total, ERASE, 16);
    flashsim_write_raw(sim, l.image_off, old->p, (uint32_t)old->n);
    flashsim_write_raw(sim, l.package_off, ip.p, (uint32_t)ip.n);
    fota_layout_cfg(&l, flashsim_flash(sim), (uint32_t)old->n, buf, sizeof buf, &cfg);
    r->ok = cfota_update_begin(&u, &cfg) == CFOTA_OK && cfota_update_run(&u, &cfg) == CFOTA_DONE &&
            memcmp(flashsim_data(sim) + l.image_off, new_->p, new_->n) == 0 &&
            flashsim_stats(sim)->violations == 0;
    r->erases_per_kib = (double)flashsim_stats(sim)->erases / ((double)new_->n / 1024.0);
    r->prog_per_kib = (double)flashsim_stats(sim)->bytes_programmed / ((double)new_->n / 1024.0);
    flashsim_close(sim);
    bytes_free(&ab);
    bytes_free(&ip);
    return 0;
}

static void print_pair(const char *name, const struct bytes *a, const struct bytes *b, int mcu,
                       struct totals *t)
{
    int dir;
    for (dir = 0; dir < 2; dir++) {
        struct row r;
        double ratio;
        const char *way = dir ? "new to old" : "old to new";
        if (measure(dir ? b : a, dir ? a : b, mcu, &r) != 0) {
            printf("| %s | %s | encode FAILED |\n", name, way);
            t->bad = 1;
            continue;
        }
        ratio = (double)r.ip / (double)r.ab;
        t->ab += r.ab;
        t->ip += r.ip;
        if (ratio > t->worst)
            t->worst = ratio;
        t->bad |= !r.ok;
        printf("| %s | %s | %zu | %zu | %.3f | %u | %u | %u | %.2f | %.0f | %s |\n", name, way, r.ab, r.ip, ratio,
               r.scratch / 1024, r.stash / 1024, r.entries, r.erases_per_kib, r.prog_per_kib, r.ok ? "yes" : "NO");
        fflush(stdout);
    }
}

static void print_totals(const char *what, const struct totals *t)
{
    printf("| **%s total** | | %zu | %zu | %.4f | | | | | | worst pair %.3f |\n", what, t->ab, t->ip,
           t->ab ? (double)t->ip / (double)t->ab : 0.0, t->worst);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int corpus_names(const char *corpus, char **names, int max)
{
    DIR *d = opendir(corpus);
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)) && n < max)
        if (e->d_name[0] != '.' && e->d_type == DT_DIR)
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], by_name);
    return n;
}

int main(int argc, char **argv)
{
    const char *env = getenv("CFOTA_CORPUS");
    const char *corpus = env && *env ? env : "../shared/corpus";
    char *names[256];
    int n = -1, i, mcu = 0, gen = 1, use_corpus = 1, explicit_pairs = 0;
    unsigned long gen_kib = 256;
    struct totals tc = {0, 0, 0, 0}, tg = {0, 0, 0, 0};
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mcu") == 0)
            mcu = 1;
        else if (strcmp(argv[i], "--no-gen") == 0)
            gen = 0;
        else if (strcmp(argv[i], "--no-corpus") == 0)
            use_corpus = 0;
        else if (strcmp(argv[i], "--gen-size") == 0 && i + 1 < argc)
            gen_kib = strtoul(argv[++i], NULL, 10);
        else if (!explicit_pairs) {
            corpus = argv[i]; /* the first operand: the corpus folder */
            explicit_pairs = 1;
        } else if (n < 256) {
            names[n < 0 ? (n = 0) : n] = argv[i];
            n++;
        }
    }
    printf("Profile: %s (scratch %u KiB, stash at most %u KiB).\n\n", mcu ? "small MCU" : "module",
           (mcu ? CFOTA_SCRATCH_MCU : CFOTA_SCRATCH_MODULE) / 1024, (mcu ? CFOTA_STASH_MCU : CFOTA_STASH_MODULE) / 1024);
    printf("| pair | direction | A/B bytes | in-place bytes | ratio | scratch KiB | stash KiB | stash entries "
           "| erases per target KiB | bytes programmed per target KiB | verified |\n");
    printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    if (use_corpus) {
        if (n < 0)
            n = corpus_names(corpus, names, 256);
        for (i = 0; i < n; i++) {
            struct bytes a = {0}, b = {0};
            char p[4096];
            snprintf(p, sizeof p, "%s/%s/old.bin", corpus, names[i]);
            if (bytes_read_file(&a, p) != 0)
                continue;
            snprintf(p, sizeof p, "%s/%s/new.bin", corpus, names[i]);
            if (bytes_read_file(&b, p) == 0)
                print_pair(names[i], &a, &b, mcu, &tc);
            bytes_free(&a);
            bytes_free(&b);
        }
        if (n > 0)
            print_totals("corpus", &tc);
    }
    if (gen) {
        size_t c;
        for (c = 0; c < fwgen_cases(); c++) {
            struct bytes a = {0}, b = {0};
            char name[64];
            snprintf(name, sizeof name, "gen:%s", fwgen_case_name(c));
            if (fwgen_make(c, (uint32_t)gen_kib, 1, &a, &b) == 0)
                print_pair(name, &a, &b, mcu, &tg);
            bytes_free(&a);
            bytes_free(&b);
        }
        print_totals("generated", &tg);
    }
    return tc.bad || tg.bad;
}
