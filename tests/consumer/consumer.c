/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/consumer/consumer.c: a program of someone else's project using
 * both cfota libraries as installed (tests/consumers.sh builds it with
 * pkg-config, with find_package(cfota) and with add_subdirectory). It
 * prints what it computed so the test can check the libraries really ran,
 * not just linked.
 */
#include <stdio.h>
#include <string.h>

#include "cfota/crc32.h"
#include "cfota/status.h"
#include "cfota/version.h"
#include "cfota_ctl/fota_ctl.h"
#include "cfota_ctl/md5.h"

int main(void)
{
    static const char text[] = "123456789";
    struct cfota_md5 m;
    uint8_t digest[16];
    char hex[33];
    cfota_md5_init(&m);
    cfota_md5_update(&m, text, strlen(text));
    cfota_md5_final(&m, digest);
    cfota_md5_hex(digest, hex);
    printf("version %s\n", CFOTA_VERSION);
    printf("crc32 %08lx\n", (unsigned long)cfota_crc32(0, text, strlen(text)));
    printf("md5 %s\n", hex);
    printf("status %s\n", cfota_status_name(CFOTA_OK));
    printf("result %s\n", cfota_ctl_error_name(CFOTA_CTL_OK));
    return 0;
}
