/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/esp_image.c: ESP image headers -> address regions (esp_image.h).
 *
 * Every read is checked against the file's length first: a header is
 * untrusted input (a truncated or foreign file simply is "not an ESP
 * image"). The regions kept are the largest ones, since a region is worth
 * as many operands as it holds; two segments that continue each other in
 * both the file and the address space become one.
 */
#include <string.h>

#include "esp_image.h"
#include "le.h"

#define ESP_MAGIC 0xE9u
#define ESP_MAGIC_NEW 0xEAu     /* ESP8266 image for the 1.2+ boot loader */
#define ESP_HEAD 8u             /* magic, segment count, flash mode/size, entry */
#define ESP32_HEAD 24u          /* plus wp pin, drive, chip id .. hash flag */
#define ESP32_CHIP_ID_OFF 12u
#define ESP_SEG_HEAD 8u         /* load address, length */
#define ESP_MAX_SEGS 16u
#define ESP_MAX_SEG_LEN (16u << 20)
/* ESP8266: flash is seen through a 1 MiB window at 0x40200000. */
#define ESP8266_IROM 0x40200000u
#define ESP8266_IROM_WINDOW (1u << 20)
#define ESP_FLASH_STEP 4096u
#define ESP8266_USER1 0x1000u   /* where the boot loader's first slot starts */
/* Xtensa chips of the ESP32 family (image chip ids); the others are
 * RISC-V. */
static const unsigned esp32_xtensa_chips[] = {0 /* ESP32 */, 2 /* S2 */, 9 /* S3 */};

/* Memory an image segment may load to, all chips (ESP32 DROM to IROM, and
 * the RTC slow memory). */
#define ESP_ADDR_LO 0x3F400000u
#define ESP_ADDR_HI 0x40C00000u
#define ESP_RTC_LO 0x50000000u
#define ESP_RTC_HI 0x50002000u

#define MAX_CAND (ESP_MAX_SEGS + 2)

struct cand {
    struct cfota_region v[MAX_CAND];
    unsigned n;
};

static int addr_sane(uint32_t a)
{
    return (a >= ESP_ADDR_LO && a < ESP_ADDR_HI) || (a >= ESP_RTC_LO && a < ESP_RTC_HI);
}

static void add(struct cand *c, uint32_t vaddr, uint32_t off, uint32_t len)
{
    if (len && c->n < MAX_CAND) {
        c->v[c->n].vaddr = vaddr;
        c->v[c->n].off = off;
        c->v[c->n].len = len;
        c->n++;
    }
}

/* The segments of the image whose header is at pos, segments from
 * pos + head on. Returns 0 and sets *end (just past the last segment's
 * data), or -1 if any segment is not sane. Zero-address segments
 * (padding) are sane but are no region. */
static int read_segments(const uint8_t *img, size_t len, size_t pos, size_t head, struct cand *c, size_t *end)
{
    unsigned i, n;
    size_t p = pos + head;
    if (pos + head > len)
        return -1;
    n = img[pos + 1];
    if (n == 0 || n > ESP_MAX_SEGS)
        return -1;
    for (i = 0; i < n; i++) {
        uint32_t a, l;
        if (len - p < ESP_SEG_HEAD)
            return -1;
        a = cfota_get32(img + p);
        l = cfota_get32(img + p + 4);
        p += ESP_SEG_HEAD;
        if (l > ESP_MAX_SEG_LEN || l > len - p || l % 4 || (a && !addr_sane(a)))
            return -1;
        if (a)
            add(c, a, (uint32_t)p, l);
        p += l;
    }
    *end = p;
    return 0;
}

/* An 0xE9 image at pos: ESP8266 layout first (its first segment loads to
 * RAM), else the ESP32 family's. Sets *esp8266. */
static int read_e9(const uint8_t *img, size_t len, size_t pos, struct cand *c, size_t *end, int *esp8266)
{
    unsigned save = c->n, i, chip;
    if (pos > len || len - pos < ESP_HEAD || img[pos] != ESP_MAGIC)
        return -1;
    *esp8266 = 1;
    if (read_segments(img, len, pos, ESP_HEAD, c, end) == 0)
        return 0;
    c->n = save;
    *esp8266 = 0;
    if (len - pos < ESP32_HEAD)
        return -1;
    chip = img[pos + ESP32_CHIP_ID_OFF] | (unsigned)img[pos + ESP32_CHIP_ID_OFF + 1] << 8;
    for (i = 0; i < sizeof esp32_xtensa_chips / sizeof esp32_xtensa_chips[0]; i++)
        if (chip == esp32_xtensa_chips[i])
            return read_segments(img, len, pos, ESP32_HEAD, c, end);
    return -1;
}

/* Does base offset f look like a function's first instruction? ENTRY a1
 * (windowed ABI) or ADDI a1, a1, -n (the CALL0 ABI's stack frame). */
static int function_start(const uint8_t *img, size_t len, uint32_t f)
{
    if (f + 1 >= len)
        return 0;
    return (img[f] == 0x36 && (img[f + 1] & 0x0F) == 0x01) || (img[f] == 0x12 && img[f + 1] == 0xC1);
}

/* The address of the flash-mapped part of a "new" image, at file offset
 * off, plen bytes: 0x40200000 + flash offset, the flash offset being off
 * plus where the file is flashed, which the file does not say. The boot
 * loader's first slot (user1, 0x1000) unless another 4 KiB step of the
 * 1 MiB window makes strictly more of the image's 4-aligned words that
 * point into the part point at a function start. */
static uint32_t irom_vaddr(const uint8_t *img, size_t len, uint32_t off, uint32_t plen)
{
    uint32_t step, best_flash = ESP8266_USER1;
    size_t best = 0, w;
    for (step = 0; step < ESP8266_IROM_WINDOW; step += ESP_FLASH_STEP) {
        uint32_t flash = (ESP8266_USER1 + step) % ESP8266_IROM_WINDOW;
        uint32_t v = ESP8266_IROM + (flash + off) % ESP8266_IROM_WINDOW;
        size_t score = 0;
        for (w = 0; w + 4 <= len; w += 4) {
            uint32_t p = cfota_get32(img + w);
            if (p - v < plen && function_start(img, len, off + (p - v)))
                score++;
        }
        if (score > best) {
            best = score;
            best_flash = flash;
        }
    }
    return ESP8266_IROM + (best_flash + off) % ESP8266_IROM_WINDOW;
}

/* Does b continue a: it starts after a by the same gap, at most a segment
 * header, in the file and in the address space? Then the two map as one
 * (the header bytes between get addresses nothing points to). */
static int continues(const struct cfota_region *a, const struct cfota_region *b)
{
    uint32_t gap = b->off - (a->off + a->len);
    return b->off >= a->off + a->len && gap <= ESP_SEG_HEAD && b->vaddr - (a->vaddr + a->len) == gap &&
           b->vaddr >= a->vaddr + a->len;
}

/* Merge regions that continue each other, then keep the largest ones. */
static unsigned pick(struct cand *c, struct cfota_region r[CFOTA_ARCH_REGIONS])
{
    unsigned i, j, n = 0;
    for (i = 0; i < c->n; i++)
        for (j = 0; j < c->n; j++)
            if (i != j && c->v[i].len && c->v[j].len && continues(&c->v[i], &c->v[j])) {
                c->v[i].len = c->v[j].off + c->v[j].len - c->v[i].off;
                c->v[j].len = 0;
            }
    memset(r, 0, CFOTA_ARCH_REGIONS * sizeof *r);
    while (n < CFOTA_ARCH_REGIONS) {
        unsigned big = MAX_CAND;
        for (i = 0; i < c->n; i++)
            if (c->v[i].len && (big == MAX_CAND || c->v[i].len > c->v[big].len))
                big = i;
        if (big == MAX_CAND)
            break;
        r[n++] = c->v[big];
        c->v[big].len = 0;
    }
    return n;
}

unsigned esp_image_regions(const uint8_t *img, size_t len, struct cfota_region r[CFOTA_ARCH_REGIONS])
{
    struct cand c;
    size_t end, rest;
    int esp8266 = 0;
    c.n = 0;
    memset(r, 0, CFOTA_ARCH_REGIONS * sizeof *r);
    if (len < ESP_HEAD || len > UINT32_MAX)
        return 0;
    if (img[0] == ESP_MAGIC_NEW) {
        /* One flash-mapped segment (its address field is not used), then
         * the RAM image. */
        size_t data = ESP_HEAD + ESP_SEG_HEAD;
        uint32_t l;
        if (len < data)
            return 0;
        l = cfota_get32(img + ESP_HEAD + 4);
        if (l > len - data || l % 4)
            return 0;
        if (read_e9(img, len, data + l, &c, &end, &esp8266) || !esp8266)
            return 0;
        add(&c, irom_vaddr(img, len, (uint32_t)data, l), (uint32_t)data, l);
        return pick(&c, r);
    }
    if (read_e9(img, len, 0, &c, &end, &esp8266))
        return 0;
    /* ESP8266: what follows the image (its checksum ends a 16-byte line) is
     * the flash-mapped part of a combined image, which is written at flash
     * offset 0: file offset = flash offset. */
    rest = (end | 15u) + 1u;
    if (esp8266 && rest < len)
        add(&c, ESP8266_IROM + (uint32_t)rest, (uint32_t)rest, (uint32_t)(len - rest));
    return pick(&c, r);
}
