/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/esp_image.h: the address map of an Espressif firmware image.
 *
 * Operand prediction (lib/operand.h) needs to know where each byte of an
 * image sits in the chip's address space: an absolute pointer is mapped to
 * a file offset through these regions, and a CALL's pc is the address of
 * its own bytes. ESP images say it in their headers: segments of
 * (load address, length, data). Three layouts are read:
 *  - ESP8266 image (magic 0xE9, 8-byte header, then the segments), alone
 *    or followed by the flash-mapped IROM part of a combined image; the
 *    IROM is mapped at 0x40200000 plus its flash offset;
 *  - ESP8266 "new" image for the 1.2+ boot loader (magic 0xEA): one IROM
 *    segment, then an 0xE9 image with the RAM segments;
 *  - ESP32, -S2, -S3 image (0xE9 with the 16-byte extended header; the
 *    RISC-V chips are refused: no Xtensa code).
 * A flash-mapped part's address depends on where the image is flashed: a
 * combined image is written at 0; for a "new" image the file does not
 * say, and the slot is chosen (4 KiB steps within the 1 MiB window: user1
 * at 0x1000 unless another is strictly better) so that most pointers into
 * it land on a function's first instruction (ENTRY, or ADDI a1, a1, -n).
 */
#ifndef CFOTA_ENCODER_ESP_IMAGE_H
#define CFOTA_ENCODER_ESP_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "operand.h"

/* Fill r (CFOTA_ARCH_REGIONS entries; unused ones get len 0) with the
 * image's largest regions. Returns how many (1..CFOTA_ARCH_REGIONS), or 0
 * if img is not an ESP image of an Xtensa chip with sane segments (every
 * segment inside the file, lengths multiples of 4, addresses in the
 * chip's memory). Reads nothing outside img[0, len). */
unsigned esp_image_regions(const uint8_t *img, size_t len, struct cfota_region r[CFOTA_ARCH_REGIONS]);

#endif
