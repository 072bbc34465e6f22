/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/m4app/app.c: the application, a small sensor node. It samples
 * the die temperature, reports a filtered value on the serial line, blinks
 * the LED, and takes commands, among them `update SIZE`: receive a cfota
 * package into the package area, check it with cfota_update_begin, and
 * reset into the boot stage, which applies it.
 *
 * The build makes three releases from this file (M4APP_RELEASE 1, 2, 3).
 * They differ the way releases of a real firmware do, so that the packages
 * between them are realistic test data:
 *   release 2: the filter changed (8 samples, rounded), a new `info`
 *              command (added code), and the reply texts gathered into one
 *              table placed before the commands (moved data);
 *   release 3: a temperature alarm with its threshold table, a changed
 *              blink pattern, and `help`.
 */
#include <string.h>

#include "app_info.h"
#include "board.h"
#include "cfota/crc32.h"
#include "console.h"
#include "fota_port.h"
#include "layout.h"

#ifndef M4APP_RELEASE
#error "M4APP_RELEASE (1, 2 or 3) and M4APP_VERSION come from the build"
#endif

/* The header at a fixed offset of the image (app_info.h). Its size is the
 * linker's; code reads the size back from the header in flash, so that the
 * host-side test (tests/test_m4app_run.c, M4APP_HOST), which runs this
 * code against a real image in simulated flash, sees the real one. */
#ifdef M4APP_HOST
#define IMAGE_SIZE_FROM_LINKER 0u
#else
extern uint32_t __image_size; /* from the linker script */
#define IMAGE_SIZE_FROM_LINKER ((uint32_t)(uintptr_t)&__image_size)
#endif
__attribute__((section(".app_info"), used)) static const struct app_info app_info = {
    APP_INFO_MAGIC,
    IMAGE_SIZE_FROM_LINKER,
    M4APP_VERSION,
};

/* How often to sample, in ms; the `period` command changes it. */
#if M4APP_RELEASE >= 3
static uint32_t sample_period = 2000u; /* half the serial traffic */
#else
static uint32_t sample_period = 1000u;
#endif

static struct cfota_update engine;
static struct cfota_update_cfg cfg;
static uint8_t prog_buf[256];
static uint8_t page[FLASH_PAGE]; /* one page of a download */

#if M4APP_RELEASE >= 2
/* Every reply text in one place, so a translation touches one table. */
enum text { T_BANNER, T_TEMP, T_UNKNOWN, T_UPDATE_WAIT, T_UPDATE_BEGUN, T_NO_PACKAGE };
static const char *const texts[] = {
    "m4app ", "temperature ", "unknown command: ", "update: send the package now\n",
    "update: package accepted, restarting\n", "update: no data received\n",
};
#define TEXT(t) texts[t]
#else
#define TEXT(t) TEXT_##t
#define TEXT_T_BANNER "m4app "
#define TEXT_T_TEMP "temp "
#define TEXT_T_UNKNOWN "unknown command: "
#define TEXT_T_UPDATE_WAIT "update: send the package now\n"
#define TEXT_T_UPDATE_BEGUN "update: package accepted, restarting\n"
#define TEXT_T_NO_PACKAGE "update: no data received\n"
#endif

/* ---- the sensor ---- */

#if M4APP_RELEASE >= 2
#define FILTER_SAMPLES 8
#else
#define FILTER_SAMPLES 4
#endif

static int32_t samples[FILTER_SAMPLES];
static unsigned sample_count, sample_next;

/* Moving average of the last samples, in quarters of a degree. */
static int32_t filter(int32_t quarters)
{
    int32_t sum = 0;
    unsigned i;
    samples[sample_next] = quarters;
    sample_next = (sample_next + 1u) % FILTER_SAMPLES;
    if (sample_count < FILTER_SAMPLES)
        sample_count++;
    for (i = 0; i < sample_count; i++)
        sum += samples[i];
#if M4APP_RELEASE >= 2
    /* Rounded to the nearest quarter: release 1 truncated, which read a
     * quarter low on average. */
    return (sum + (int32_t)sample_count / 2) / (int32_t)sample_count;
#else
    return sum / (int32_t)sample_count;
#endif
}

static void print_quarters(int32_t q)
{
    static const char *const frac[] = {".00", ".25", ".50", ".75"};
    if (q < 0) {
        console_puts("-");
        q = -q;
    }
    console_dec(q / 4);
    console_puts(frac[q % 4]);
}

#if M4APP_RELEASE >= 3
/* Alarm levels with hysteresis: raised above `on`, cleared below `off`
 * (quarters of a degree). */
struct alarm_level {
    const char *name;
    int32_t on, off;
};
static const struct alarm_level alarm_levels[] = {
    {"warm", 45 * 4, 42 * 4},
    {"hot", 60 * 4, 56 * 4},
    {"critical", 75 * 4, 70 * 4},
};
#define ALARM_LEVELS (sizeof alarm_levels / sizeof alarm_levels[0])
static unsigned alarm_raised; /* levels currently raised */

static void check_alarm(int32_t q)
{
    unsigned n = alarm_raised;
    while (n < ALARM_LEVELS && q >= alarm_levels[n].on)
        n++;
    while (n > 0 && q < alarm_levels[n - 1].off)
        n--;
    if (n != alarm_raised) {
        console_puts(n > alarm_raised ? "alarm raised: " : "alarm cleared: ");
        console_puts(alarm_levels[(n > alarm_raised ? n : alarm_raised) - 1].name);
        console_puts("\n");
        alarm_raised = n;
    }
}
#endif

static void sample(void)
{
    int32_t q = filter(board_temp_quarters());
    console_puts(TEXT(T_TEMP));
    print_quarters(q);
    console_puts(" C\n");
#if M4APP_RELEASE >= 3
    check_alarm(q);
#endif
}

/* ---- the LED ---- */

static void blink(uint32_t now)
{
#if M4APP_RELEASE >= 3
    /* A short flash per second, twice while an alarm is raised: a steady
     * square wave told nothing. */
    uint32_t t = now % 1000u;
    board_led(t < 50u || (alarm_raised && t >= 200u && t < 250u));
#else
    board_led((now / 500u) & 1u);
#endif
}

/* A decimal number at the start of s (0 if none). */
static uint32_t parse_decimal(const char *s)
{
    uint32_t v = 0;
    while (*s >= '0' && *s <= '9' && v < 100000000u)
        v = v * 10u + (uint32_t)(*s++ - '0');
    return v;
}

/* ---- update ---- */

/* Receive size bytes into the package area, a page at a time. Returns the
 * bytes received (fewer if the line stays quiet for 5 s). */
static uint32_t receive_package(uint32_t size)
{
    uint32_t got = 0, fill = 0, off = 0, quiet_since = board_millis();
    while (got < size && board_millis() - quiet_since < 5000u) {
        int c = uart_getc();
        if (c < 0)
            continue;
        quiet_since = board_millis();
        page[fill++] = (uint8_t)c;
        got++;
        if (fill == sizeof page || got == size) {
            /* The last word is padded with erased bytes. */
            while (fill % FLASH_WORD)
                page[fill++] = 0xFF;
            if (cfota_area_erase(&cfg.package, off) != CFOTA_OK ||
                cfota_area_prog(&cfg.package, off, page, fill) != CFOTA_OK)
                return 0;
            off += (uint32_t)sizeof page;
            fill = 0;
        }
    }
    return got;
}

static void cmd_update(const char *arg)
{
    uint32_t size = parse_decimal(arg), got;
    int rc;
    if (size == 0u || size > PACKAGE_SIZE) {
        console_puts("update: size must be 1..");
        console_dec((int32_t)PACKAGE_SIZE);
        console_puts("\n");
        return;
    }
    console_puts(TEXT(T_UPDATE_WAIT));
    got = receive_package(size);
    if (got != size) {
        console_puts(TEXT(T_NO_PACKAGE));
        return;
    }
    rc = cfota_update_begin(&engine, &cfg);
    if (rc != CFOTA_OK) {
        console_status("update: refused", rc);
        return;
    }
    console_puts(TEXT(T_UPDATE_BEGUN));
    board_reset();
}

/* At start: say how the last update ended. The journal keeps saying so
 * until the next cfota_update_begin starts another (and is not erased:
 * it also carries the scratch area's wear rotation to that update). */
static void report_last_update(void)
{
    struct cfota_update_info info;
    if (cfota_update_status(&engine, &cfg, &info) != CFOTA_OK)
        return;
    if (info.state == CFOTA_UPDATE_DONE) {
        console_puts("last update: done, package crc32 ");
        console_hex(info.payload_crc32);
        console_puts("\n");
    } else if (info.state == CFOTA_UPDATE_FAILED) {
        console_status("last update: failed", info.result);
    }
}

/* ---- commands ---- */

static void cmd_period(const char *arg)
{
    uint32_t ms = parse_decimal(arg);
    if (ms >= 100u && ms <= 60000u)
        sample_period = ms;
    console_puts("period ");
    console_dec((int32_t)sample_period);
    console_puts(" ms\n");
}

static void cmd_version(const char *arg)
{
    (void)arg;
    console_puts(app_info.version);
    console_puts("\n");
}

#if M4APP_RELEASE >= 2
static void cmd_info(const char *arg)
{
    (void)arg;
    uint32_t off, crc = 0;
    for (off = 0; off < cfg.image_size; off += (uint32_t)sizeof page) {
        uint32_t n = cfg.image_size - off < sizeof page ? cfg.image_size - off : (uint32_t)sizeof page;
        if (cfota_area_read(&cfg.image, off, page, n) != CFOTA_OK)
            break;
        crc = cfota_crc32(crc, page, n);
    }
    console_puts("image ");
    console_hex(IMAGE_BASE);
    console_puts(" size ");
    console_dec((int32_t)cfg.image_size);
    console_puts(" crc32 ");
    console_hex(crc);
    console_puts("\npackage ");
    console_hex(PACKAGE_BASE);
    console_puts(" scratch ");
    console_hex(SCRATCH_BASE);
    console_puts(" journal ");
    console_hex(JOURNAL_BASE);
    console_puts("\n");
}
#endif

#if M4APP_RELEASE >= 3
static void cmd_help(const char *arg);
#endif

struct command {
    const char *name;
    void (*run)(const char *arg);
};

static const struct command commands[] = {
    {"version", cmd_version},
    {"update", cmd_update},
    {"period", cmd_period},
#if M4APP_RELEASE >= 2
    {"info", cmd_info},
#endif
#if M4APP_RELEASE >= 3
    {"help", cmd_help},
#endif
};
#define COMMANDS (sizeof commands / sizeof commands[0])

#if M4APP_RELEASE >= 3
static void cmd_help(const char *arg)
{
    unsigned i;
    (void)arg;
    for (i = 0; i < COMMANDS; i++) {
        console_puts(commands[i].name);
        console_puts("\n");
    }
}
#endif

static void run_line(const char *line)
{
    unsigned i;
    for (i = 0; i < COMMANDS; i++) {
        size_t n = strlen(commands[i].name);
        if (strncmp(line, commands[i].name, n) == 0 && (line[n] == '\0' || line[n] == ' ')) {
            commands[i].run(line[n] ? line + n + 1 : line + n);
            return;
        }
    }
    console_puts(TEXT(T_UNKNOWN));
    console_puts(line);
    console_puts("\n");
}

/* Collect a line from the serial line; run it at the end of the line. */
static void poll_console(void)
{
    static char line[64];
    static unsigned len;
    int c;
    while ((c = uart_getc()) >= 0) {
        if (c == '\r' || c == '\n') {
            unsigned n = len;
            /* Emptied first: a command may not return (update resets). */
            line[len] = '\0';
            len = 0;
            if (n)
                run_line(line);
        } else if (len < sizeof line - 1u) {
            line[len++] = (char)c;
        }
    }
}

int main(void)
{
    uint32_t next_sample = 0;
    struct app_info header;
    board_init();
    board_tick_start();
    console_puts(TEXT(T_BANNER));
    console_puts(app_info.version);
    console_puts("\n");
    flash_read(APP_INFO_ADDR, &header, sizeof header);
    if (fota_port_cfg(&cfg, header.image_size, prog_buf, sizeof prog_buf) != CFOTA_OK)
        console_puts("update: flash layout does not fit the device\n");
    else
        report_last_update();
    for (;;) {
        uint32_t now = board_millis();
        poll_console();
        blink(now);
        if ((int32_t)(now - next_sample) >= 0) {
            sample();
            next_sample = now + sample_period;
        }
    }
}
