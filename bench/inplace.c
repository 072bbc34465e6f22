/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/inplace.c: what in-place apply costs, per corpus pair: package
 * bytes in place against A/B (the target: at most 1.05 in total), and the
 * flash work of the update engine on the simulated NOR flash (erases and
 * bytes programmed per target byte, scratch wear spread).
 *
 *   build/bench_inplace CORPUS_DIR [pair ...]
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

#define ERASE 4096u

struct row {
    size_t ab, ip;
    double erases_per_kib, prog_per_byte;
    uint32_t scratch_min, scratch_max;
    int ok;
};

static int measure(const struct bytes *old, const struct bytes *new_, struct row *r)
{
    struct cfota_encode_opts o;
    struct bytes ab = {0}, ip = {0};
    struct fota_layout l;
    struct flashsim *sim;
    struct cfota_update_cfg cfg;
    static struct cfota_update u;
    static uint8_t buf[4096];
    uint32_t b;
    memset(&o, 0, sizeof o);
    if (cfota_encode(old->p, old->n, new_->p, new_->n, &o, &ab) != 0)
        return -1;
    o.in_place = 1;
    if (cfota_encode(old->p, old->n, new_->p, new_->n, &o, &ip) != 0)
        return -1;
    r->ab = ab.n;
    r->ip = ip.n;
    fota_layout_make(&l, ERASE, (uint32_t)(old->n > new_->n ? old->n : new_->n), 0, 16384, (uint32_t)ip.n);
    sim = flashsim_open(NULL, l.total, ERASE, 16);
    flashsim_write_raw(sim, l.image_off, old->p, (uint32_t)old->n);
    flashsim_write_raw(sim, l.package_off, ip.p, (uint32_t)ip.n);
    fota_layout_cfg(&l, flashsim_flash(sim), (uint32_t)old->n, buf, sizeof buf, &cfg);
    r->ok = cfota_update_begin(&u, &cfg) == CFOTA_OK && cfota_update_run(&u, &cfg) == CFOTA_DONE &&
            memcmp(flashsim_data(sim) + l.image_off, new_->p, new_->n) == 0;
    r->erases_per_kib = (double)flashsim_stats(sim)->erases / ((double)new_->n / 1024.0);
    r->prog_per_byte = (double)flashsim_stats(sim)->bytes_programmed / (double)new_->n;
    r->scratch_min = UINT32_MAX;
    r->scratch_max = 0;
    for (b = l.scratch_off / ERASE; b < (l.scratch_off + l.scratch_size) / ERASE; b++) {
        uint32_t c = flashsim_erase_count(sim, b);
        r->scratch_min = c < r->scratch_min ? c : r->scratch_min;
        r->scratch_max = c > r->scratch_max ? c : r->scratch_max;
    }
    flashsim_close(sim);
    bytes_free(&ab);
    bytes_free(&ip);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
    const char *env = getenv("CFOTA_CORPUS");
    const char *corpus = argc > 1 ? argv[1] : env && *env ? env : "../shared/corpus";
    char *names[256];
    int n = 0, i, dir, bad = 0;
    size_t tab = 0, tip = 0;
    if (argc > 2) {
        for (i = 2; i < argc && n < 256; i++)
            names[n++] = argv[i];
    } else {
        DIR *d = opendir(corpus);
        struct dirent *e;
        if (!d) {
            perror(corpus);
            return 1;
        }
        while ((e = readdir(d)) && n < 256)
            if (e->d_name[0] != '.' && e->d_type == DT_DIR)
                names[n++] = strdup(e->d_name);
        closedir(d);
        qsort(names, (size_t)n, sizeof names[0], by_name);
    }
    printf("| pair | direction | A/B bytes | in-place bytes | ratio | erases per target KiB | bytes programmed per target byte | scratch erases min-max | verified |\n");
    printf("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (i = 0; i < n; i++) {
        struct bytes a = {0}, b = {0};
        char p[4096];
        snprintf(p, sizeof p, "%s/%s/old.bin", corpus, names[i]);
        if (bytes_read_file(&a, p) != 0)
            continue;
        snprintf(p, sizeof p, "%s/%s/new.bin", corpus, names[i]);
        if (bytes_read_file(&b, p) != 0)
            continue;
        for (dir = 0; dir < 2; dir++) {
            struct row r;
            if (measure(dir ? &b : &a, dir ? &a : &b, &r) != 0) {
                printf("| %s | %s | encode failed |\n", names[i], dir ? "new to old" : "old to new");
                bad = 1;
                continue;
            }
            tab += r.ab;
            tip += r.ip;
            bad |= !r.ok;
            printf("| %s | %s | %zu | %zu | %.3f | %.2f | %.2f | %u-%u | %s |\n", names[i],
                   dir ? "new to old" : "old to new", r.ab, r.ip, (double)r.ip / (double)r.ab, r.erases_per_kib,
                   r.prog_per_byte, r.scratch_min, r.scratch_max, r.ok ? "yes" : "NO");
        }
        bytes_free(&a);
        bytes_free(&b);
    }
    printf("| total | | %zu | %zu | %.4f | | | | |\n", tab, tip, tab ? (double)tip / (double)tab : 0.0);
    return bad;
}
