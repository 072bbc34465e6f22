/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_progress.c: the progress bar of cli/progress.h, as a terminal
 * shows it. stderr is a pseudo-terminal whose other end this test reads,
 * and the bar's clock is a variable the test moves, so the figures (rate,
 * time left) are exact and no real time passes.
 *
 * Checked: the time left and the rate are right; a redraw shorter than the
 * previous one leaves nothing of it on screen (the old "kB/s/s"); the bar
 * is erased at the end; nothing is drawn when it is not enabled.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "bytes.h"
#include "progress.h"

static double fake_now;

static double fake_clock(void)
{
    return fake_now;
}

struct screen {
    int master, saved_stderr;
};

static int setup(void **state)
{
    static struct screen s;
    struct termios t;
    int slave;
    s.master = posix_openpt(O_RDWR | O_NOCTTY);
    if (s.master < 0 || grantpt(s.master) != 0 || unlockpt(s.master) != 0)
        return -1;
    slave = open(ptsname(s.master), O_RDWR | O_NOCTTY);
    if (slave < 0 || tcgetattr(slave, &t) != 0)
        return -1;
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
    fcntl(s.master, F_SETFL, fcntl(s.master, F_GETFL) | O_NONBLOCK);
    fflush(stderr);
    s.saved_stderr = dup(2);
    dup2(slave, 2);
    close(slave);
    progress_set_clock(fake_clock);
    fake_now = 100.0;
    *state = &s;
    return 0;
}

static int teardown(void **state)
{
    struct screen *s = *state;
    fflush(stderr);
    dup2(s->saved_stderr, 2);
    close(s->saved_stderr);
    close(s->master);
    progress_set_clock(NULL);
    return 0;
}

/* What reached the terminal since the last call, NUL-terminated. */
static void drain(struct screen *s, struct bytes *out)
{
    char buf[4096];
    ssize_t n;
    fflush(stderr);
    memset(out, 0, sizeof *out);
    while ((n = read(s->master, buf, sizeof buf)) > 0)
        bytes_put(out, buf, (size_t)n);
    bytes_byte(out, 0);
    out->n--;
}

/* The line a terminal shows after these bytes: each '\r' returns to
 * column 0 and what follows overwrites. Trailing blanks removed. */
static void visible(const struct bytes *b, char *line, size_t cap)
{
    size_t col = 0, len = 0, i;
    memset(line, ' ', cap);
    for (i = 0; i < b->n; i++) {
        if (b->p[i] == '\r') {
            col = 0;
            continue;
        }
        if (col < cap - 1)
            line[col++] = (char)b->p[i];
        if (col > len)
            len = col;
    }
    while (len > 0 && line[len - 1] == ' ')
        len--;
    line[len] = 0;
}

static void update_at(struct progress_bar *p, double t, uint64_t done, uint64_t total)
{
    fake_now = t;
    progress_update(p, done, total);
}

static void test_rate_and_time_left(void **state)
{
    struct screen *s = *state;
    struct progress_bar p;
    struct bytes out;
    char line[256];
    progress_begin(&p, "write", 100000, 1);
    p.rate = 1;
    update_at(&p, 100.5, 1000, 100000);
    drain(s, &out);
    visible(&out, line, sizeof line);
    assert_non_null(strstr(line, "ETA --:--")); /* too early to say */
    bytes_free(&out);

    /* 25,000 bytes in 2 s: 12.5 kB/s, 75,000 left: 6 s. */
    update_at(&p, 102.0, 25000, 100000);
    drain(s, &out);
    visible(&out, line, sizeof line);
    assert_string_equal(line, "cfota: write [#####...............]  25%  24 KiB / 97 KiB  12.5 kB/s  ETA 0:06");
    bytes_free(&out);

    /* Slower: 9.0 kB/s is a shorter line; nothing of the longer one may
     * remain on screen. 36,000 in 4 s, 64,000 left: 7 s. */
    update_at(&p, 104.0, 36000, 100000);
    drain(s, &out);
    visible(&out, line, sizeof line);
    assert_string_equal(line, "cfota: write [#######.............]  36%  35 KiB / 97 KiB  9.0 kB/s  ETA 0:07");
    bytes_free(&out);

    progress_end(&p);
    drain(s, &out);
    visible(&out, line, sizeof line);
    assert_string_equal(line, "");
    bytes_free(&out);
}

static void test_redraws_at_most_ten_a_second(void **state)
{
    struct screen *s = *state;
    struct progress_bar p;
    struct bytes out;
    size_t i, crs = 0;
    progress_begin(&p, "diff", 1000, 1);
    for (i = 1; i <= 100; i++)
        update_at(&p, 100.0 + (double)i * 0.01, i * 10, 1000); /* 100 updates in 1 s */
    progress_end(&p);
    drain(s, &out);
    for (i = 0; i < out.n; i++)
        crs += out.p[i] == '\r';
    /* the first draw, at most ten redraws (at least some), and the erase
     * (two '\r') */
    assert_in_range(crs, 1 + 5 + 2, 1 + 10 + 2);
    bytes_free(&out);
}

static void test_disabled_draws_nothing(void **state)
{
    struct screen *s = *state;
    struct progress_bar p;
    struct bytes out;
    progress_begin(&p, "diff", 1000, 0);
    update_at(&p, 105.0, 500, 1000);
    progress_end(&p);
    drain(s, &out);
    assert_int_equal(out.n, 0);
    bytes_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rate_and_time_left, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redraws_at_most_ten_a_second, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_draws_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
