/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim/flashsim.c: the NOR flash simulator (sim/flashsim.h,
 * docs/flashsim.md).
 *
 * The device lives in a RAM array. A file-backed device also writes every
 * change through to its file with pwrite() before the call returns, and
 * every erase-count change to "<path>.wear"; there is no fsync, because the
 * power cut being modelled is the death of this process, after which the
 * kernel still holds the written pages. Each callback checks its arguments
 * first (a misuse is reported whatever the power state), then the power,
 * then whether this is the operation the armed cut interrupts.
 *
 * The torn results come from a splitmix64 generator seeded by
 * flashsim_set_power_cut(), so a test that sweeps the cut over every
 * operation and over a few seeds sees the same state on every rerun.
 */
#define _POSIX_C_SOURCE 200809L

#include "flashsim.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct flashsim {
    struct cfota_flash flash;  /* handed out by flashsim_flash() */
    uint8_t *data;             /* flash.size bytes */
    uint32_t *wear;            /* erase count of each block */
    uint32_t blocks;
    int fd;                    /* contents file, -1 for RAM only */
    int wear_fd;               /* "<path>.wear", -1 for RAM only */
    bool powered;
    uint64_t cut_at;           /* value of stats.ops of the op to tear */
    uint64_t rng;              /* splitmix64 state for the torn op */
    struct flashsim_stats stats;
};

static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static bool range_inside(const struct flashsim *sim, uint32_t addr,
                         uint32_t len)
{
    return len <= sim->flash.size && addr <= sim->flash.size - len;
}

/* ---- files ---- */

static int write_all(int fd, const void *buf, size_t len, off_t at)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, at);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
        at += n;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t len, off_t at)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, at);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
        at += n;
    }
    return 0;
}

/* Mirror sim->data[addr, addr + len) to the contents file. */
static int persist_data(struct flashsim *sim, uint32_t addr, uint32_t len)
{
    if (sim->fd < 0)
        return 0;
    return write_all(sim->fd, sim->data + addr, len, (off_t)addr) == 0
               ? 0 : CFOTA_E_IO;
}

/* Little-endian uint32 per block in the wear file. */
static int persist_wear(struct flashsim *sim, uint32_t block)
{
    uint8_t le[4];
    uint32_t v = sim->wear[block];
    if (sim->wear_fd < 0)
        return 0;
    le[0] = (uint8_t)v;
    le[1] = (uint8_t)(v >> 8);
    le[2] = (uint8_t)(v >> 16);
    le[3] = (uint8_t)(v >> 24);
    return write_all(sim->wear_fd, le, 4, (off_t)block * 4) == 0 ? 0
                                                                : CFOTA_E_IO;
}

/* Load the contents file (extending it with 0xFF to size) into sim->data. */
static int load_data(struct flashsim *sim, uint64_t file_size)
{
    uint32_t size = sim->flash.size;
    if (file_size > 0 && read_all(sim->fd, sim->data, (size_t)file_size, 0))
        return -1;
    if (file_size < size)
        return persist_data(sim, (uint32_t)file_size,
                            size - (uint32_t)file_size);
    return 0;
}

/* Load the wear file; counters it lacks are 0 and get written. */
static int load_wear(struct flashsim *sim)
{
    struct stat st;
    uint32_t b, have;
    if (fstat(sim->wear_fd, &st) != 0)
        return -1;
    have = (uint64_t)st.st_size / 4 < sim->blocks
               ? (uint32_t)((uint64_t)st.st_size / 4) : sim->blocks;
    for (b = 0; b < sim->blocks; b++) {
        uint8_t le[4];
        if (b >= have) {
            if (persist_wear(sim, b) != 0)
                return -1;
            continue;
        }
        if (read_all(sim->wear_fd, le, 4, (off_t)b * 4) != 0)
            return -1;
        sim->wear[b] = (uint32_t)le[0] | (uint32_t)le[1] << 8 |
                       (uint32_t)le[2] << 16 | (uint32_t)le[3] << 24;
    }
    return 0;
}

/* Open (creating if needed) path and "<path>.wear"; settle the size. */
static int open_files(struct flashsim *sim, const char *path, uint32_t *size,
                      uint32_t erase_size, uint64_t *file_size)
{
    struct stat st;
    size_t n = strlen(path);
    char *wear_path = malloc(n + sizeof ".wear");
    if (wear_path == NULL)
        return -1;
    memcpy(wear_path, path, n);
    memcpy(wear_path + n, ".wear", sizeof ".wear");
    sim->fd = open(path, O_RDWR | O_CREAT, 0644);
    sim->wear_fd = open(wear_path, O_RDWR | O_CREAT, 0644);
    free(wear_path);
    if (sim->fd < 0 || sim->wear_fd < 0 || fstat(sim->fd, &st) != 0)
        return -1;
    *file_size = (uint64_t)st.st_size;
    if (*size == 0) {
        if (*file_size > UINT32_MAX)
            return -1;
        *size = (uint32_t)*file_size;
    }
    if (*size == 0 || *size % erase_size != 0 || *file_size > *size)
        return -1;
    return 0;
}

/* ---- the callbacks ---- */

/* Whether this operation is the one the armed cut tears. Counts it. */
static bool starts_torn_op(struct flashsim *sim)
{
    return sim->stats.ops++ == sim->cut_at;
}

/* A program interrupted. With the seed's choice of pattern, either the
 * first k bytes get programmed fully, byte k partly and the rest not at
 * all (a sequential write stopped), or every bit to be cleared is cleared
 * with probability 1/2 (a parallel write stopped). */
static void tear_program(struct flashsim *sim, uint8_t *dst, const uint8_t *src,
                         uint32_t len)
{
    uint32_t i;
    if (next_random(&sim->rng) & 1) {
        uint32_t k = (uint32_t)(next_random(&sim->rng) % ((uint64_t)len + 1));
        for (i = 0; i < k; i++)
            dst[i] &= src[i];
        if (k < len)
            dst[k] &= (uint8_t)(src[k] | next_random(&sim->rng));
    } else {
        for (i = 0; i < len; i++)
            dst[i] &= (uint8_t)(src[i] | next_random(&sim->rng));
    }
}

/* An erase interrupted: each byte either reached 0xFF or got a random
 * subset of its bits set. */
static void tear_erase(struct flashsim *sim, uint8_t *dst, uint32_t len)
{
    uint32_t i;
    for (i = 0; i < len; i++) {
        uint64_t r = next_random(&sim->rng);
        dst[i] = (r & 1) ? 0xFF : (uint8_t)(dst[i] | (uint8_t)(r >> 8));
    }
}

static int sim_read(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    struct flashsim *sim = ctx;
    if ((buf == NULL && len > 0) || !range_inside(sim, addr, len)) {
        sim->stats.invalid++;
        return CFOTA_E_INVAL;
    }
    if (!sim->powered)
        return CFOTA_E_IO;
    if (len > 0)
        memcpy(buf, sim->data + addr, len);
    return 0;
}

static int sim_prog(void *ctx, uint32_t addr, const void *buf, uint32_t len)
{
    struct flashsim *sim = ctx;
    const uint8_t *src = buf;
    uint8_t *dst;
    uint32_t i;
    if ((buf == NULL && len > 0) || !range_inside(sim, addr, len) ||
        addr % sim->flash.prog_size != 0 || len % sim->flash.prog_size != 0) {
        sim->stats.invalid++;
        return CFOTA_E_INVAL;
    }
    if (!sim->powered)
        return CFOTA_E_IO;
    if (len == 0)
        return 0;
    dst = sim->data + addr;
    for (i = 0; i < len; i++) {
        if (src[i] & ~dst[i]) {
            sim->stats.violations++;
            break;
        }
    }
    sim->stats.programs++;
    sim->stats.bytes_programmed += len;
    if (starts_torn_op(sim)) {
        tear_program(sim, dst, src, len);
        sim->powered = false;
        persist_data(sim, addr, len);
        return CFOTA_E_IO;
    }
    for (i = 0; i < len; i++)
        dst[i] &= src[i];
    return persist_data(sim, addr, len);
}

static int sim_erase(void *ctx, uint32_t addr)
{
    struct flashsim *sim = ctx;
    uint32_t bs = sim->flash.erase_size;
    uint32_t block = addr / bs;
    if (addr % bs != 0 || block >= sim->blocks) {
        sim->stats.invalid++;
        return CFOTA_E_INVAL;
    }
    if (!sim->powered)
        return CFOTA_E_IO;
    sim->stats.erases++;
    sim->wear[block]++;
    if (starts_torn_op(sim)) {
        tear_erase(sim, sim->data + addr, bs);
        sim->powered = false;
        persist_data(sim, addr, bs);
        persist_wear(sim, block);
        return CFOTA_E_IO;
    }
    memset(sim->data + addr, 0xFF, bs);
    if (persist_data(sim, addr, bs) != 0 || persist_wear(sim, block) != 0)
        return CFOTA_E_IO;
    return 0;
}

/* ---- the public functions ---- */

struct flashsim *flashsim_open(const char *path, uint32_t size,
                               uint32_t erase_size, uint32_t prog_size)
{
    struct flashsim *sim;
    uint64_t file_size = 0;
    if (erase_size == 0 || prog_size == 0 || erase_size % prog_size != 0)
        return NULL;
    if (path == NULL && (size == 0 || size % erase_size != 0))
        return NULL;
    sim = calloc(1, sizeof *sim);
    if (sim == NULL)
        return NULL;
    sim->fd = -1;
    sim->wear_fd = -1;
    if (path != NULL &&
        open_files(sim, path, &size, erase_size, &file_size) != 0)
        goto fail;
    sim->blocks = size / erase_size;
    sim->data = malloc(size);
    sim->wear = calloc(sim->blocks, sizeof *sim->wear);
    if (sim->data == NULL || sim->wear == NULL)
        goto fail;
    memset(sim->data, 0xFF, size);
    sim->flash.ctx = sim;
    sim->flash.read = sim_read;
    sim->flash.prog = sim_prog;
    sim->flash.erase = sim_erase;
    sim->flash.erase_size = erase_size;
    sim->flash.prog_size = prog_size;
    sim->flash.size = size;
    sim->powered = true;
    sim->cut_at = FLASHSIM_NO_CUT;
    if (path != NULL && (load_data(sim, file_size) != 0 || load_wear(sim) != 0))
        goto fail;
    return sim;
fail:
    flashsim_close(sim);
    return NULL;
}

void flashsim_close(struct flashsim *sim)
{
    if (sim == NULL)
        return;
    if (sim->fd >= 0)
        close(sim->fd);
    if (sim->wear_fd >= 0)
        close(sim->wear_fd);
    free(sim->data);
    free(sim->wear);
    free(sim);
}

const struct cfota_flash *flashsim_flash(struct flashsim *sim)
{
    return &sim->flash;
}

void flashsim_set_power_cut(struct flashsim *sim, uint64_t after_ops,
                            uint64_t seed)
{
    /* Saturate: a cut that far away never comes, like FLASHSIM_NO_CUT. */
    if (after_ops > FLASHSIM_NO_CUT - sim->stats.ops)
        sim->cut_at = FLASHSIM_NO_CUT;
    else
        sim->cut_at = sim->stats.ops + after_ops;
    sim->rng = seed;
}

bool flashsim_powered(const struct flashsim *sim)
{
    return sim->powered;
}

void flashsim_power_on(struct flashsim *sim)
{
    sim->powered = true;
    sim->cut_at = FLASHSIM_NO_CUT;
}

const struct flashsim_stats *flashsim_stats(const struct flashsim *sim)
{
    return &sim->stats;
}

uint32_t flashsim_erase_count(const struct flashsim *sim, uint32_t block)
{
    return block < sim->blocks ? sim->wear[block] : 0;
}

int flashsim_write_raw(struct flashsim *sim, uint32_t addr, const void *buf,
                       uint32_t len)
{
    if ((buf == NULL && len > 0) || !range_inside(sim, addr, len))
        return CFOTA_E_INVAL;
    if (len == 0)
        return 0;
    memcpy(sim->data + addr, buf, len);
    return persist_data(sim, addr, len);
}

uint8_t *flashsim_data(struct flashsim *sim)
{
    return sim->data;
}

uint32_t flashsim_size(const struct flashsim *sim)
{
    return sim->flash.size;
}
