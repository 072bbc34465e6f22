/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_mcu_sizes.c: the RAM the controller library's headers state
 * (cfota_ctl/at.h, cfota_ctl/fota_ctl.h, cfota_ctl/md5.h) is the RAM its structs take.
 * The bounds are the ones printed in the headers and docs/controller.md;
 * if a struct grows past them, the documents must change with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "cfota_ctl/at.h"
#include "cfota_ctl/fota_ctl.h"
#include "cfota_ctl/md5.h"

static void test_struct_sizes(void **state)
{
    (void)state;
    printf("cfota_at %zu, cfota_ctl %zu, report %zu, bearer_info %zu, status %zu, md5 %zu, "
           "urc %zu, config %zu\n",
           sizeof(struct cfota_at), sizeof(struct cfota_ctl), sizeof(struct cfota_ctl_report),
           sizeof(struct cfota_ctl_bearer_info), sizeof(struct cfota_ctl_status),
           sizeof(struct cfota_md5), sizeof(struct cfota_at_urc), sizeof(struct cfota_ctl_config));
    /* The stated bounds hold on 64-bit hosts (pointers of 8 bytes), so they
     * hold on a 32-bit MCU too. */
    assert_true(sizeof(struct cfota_at) <= CFOTA_AT_RAM_MAX);
    assert_true(sizeof(struct cfota_ctl) <= CFOTA_CTL_RAM_MAX);
    assert_true(sizeof(struct cfota_ctl_report) <= CFOTA_CTL_REPORT_RAM_MAX);
    assert_true(sizeof(struct cfota_ctl_bearer_info) <= CFOTA_CTL_BEARER_RAM_MAX);
    assert_true(sizeof(struct cfota_ctl_status) <= CFOTA_CTL_STATUS_RAM_MAX);
    assert_int_equal(sizeof(struct cfota_md5), CFOTA_MD5_RAM);
    /* The buffers the headers promise are there. */
    assert_true(sizeof(((struct cfota_ctl *)0)->chunk) == CFOTA_CTL_CHUNK_MAX);
    assert_true(sizeof(((struct cfota_at *)0)->line) == CFOTA_AT_LINE_MAX + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_struct_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
