/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_modem_clients.c: what open-source client libraries send,
 * over the emulator's pseudo-terminal, byte for byte against
 * docs/modem.md: registration, identity and status commands, the
 * terminal (erase, A/, numeric results), the native sockets and the
 * TCP/IP family with TCP and UDP echoes on loopback, DNS, and HTTP GET
 * and POST through AT+CHTTPSEND.
 *
 * The peers are child processes on 127.0.0.1 (an echo server for TCP and
 * UDP, an HTTP server that reports each request it got through a pipe);
 * they and the emulator come from test_fork() and are killed and reaped
 * in the teardown whatever happened.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "hash.h"
#include "modem_pty_rig.h"

#define OK "\r\nOK\r\n"
#define ERROR "\r\nERROR\r\n"
#define BOOT_URCS "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS Ready\r\n"

static char state_dir[64];

static void start(struct emu *e, int echo)
{
    struct modem_run_options o;
    memset(&o, 0, sizeof o);
    modem_config_default(&o.cfg);
    o.cfg.echo = echo;
    o.cfg.dns_hosts = "echo.test=127.0.0.1,bad.test=10.1.2.3";
    o.state_dir = state_dir;
    o.power_cut_after = UINT64_MAX;
    pty_start(e, &o);
}

static int setup(void **state)
{
    snprintf(state_dir, sizeof state_dir, "/tmp/cfota-test-clients-XXXXXX");
    return mkdtemp(state_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    test_kill_children();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", state_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- peers ---- */

static int listen_on(int type, unsigned *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, type, 0), one = 1;
    assert_true(fd >= 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    if (type == SOCK_STREAM)
        assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* An echo server for TCP (any number of connections) and UDP, until
 * killed. A TCP client that sends "bye" is closed by the server. */
static void start_echo(unsigned *tcp_port, unsigned *udp_port)
{
    int t = listen_on(SOCK_STREAM, tcp_port), u = listen_on(SOCK_DGRAM, udp_port);
    pid_t pid = test_fork();
    if (pid == 0) {
        struct pollfd fds[16];
        int n = 2, i;
        fds[0].fd = t;
        fds[1].fd = u;
        for (;;) {
            for (i = 0; i < n; i++)
                fds[i].events = POLLIN;
            if (poll(fds, (nfds_t)n, -1) < 0)
                _exit(1);
            if ((fds[0].revents & POLLIN) && n < 16) {
                fds[n].fd = accept(t, NULL, NULL);
                if (fds[n].fd >= 0)
                    n++;
            }
            if (fds[1].revents & POLLIN) {
                char buf[2048];
                struct sockaddr_in from;
                socklen_t fl = sizeof from;
                ssize_t k = recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
                if (k > 0)
                    sendto(u, buf, (size_t)k, 0, (struct sockaddr *)&from, fl);
            }
            for (i = 2; i < n; i++) {
                char buf[2048];
                ssize_t k;
                if (!(fds[i].revents & (POLLIN | POLLHUP)))
                    continue;
                k = recv(fds[i].fd, buf, sizeof buf, 0);
                if (k > 0 && !(k == 3 && !memcmp(buf, "bye", 3))) {
                    send(fds[i].fd, buf, (size_t)k, MSG_NOSIGNAL);
                    continue;
                }
                close(fds[i].fd);
                fds[i] = fds[--n];
                i--;
            }
        }
    }
    close(t);
    close(u);
}

/* An HTTP server: each request (head and Content-Length body) goes to the
 * pipe as "<len>\n<bytes>", and gets status line, head and body. */
static int start_http(unsigned *port, const char *answer)
{
    int l = listen_on(SOCK_STREAM, port), p[2];
    pid_t pid;
    assert_int_equal(pipe(p), 0);
    pid = test_fork();
    if (pid == 0) {
        close(p[0]);
        for (;;) {
            char req[8192];
            size_t n = 0;
            char *end = NULL;
            long body = 0;
            int c = accept(l, NULL, NULL);
            if (c < 0)
                _exit(1);
            while (n + 1 < sizeof req) {
                ssize_t k = recv(c, req + n, sizeof req - 1 - n, 0);
                const char *cl;
                if (k <= 0)
                    break;
                n += (size_t)k;
                req[n] = 0;
                if (!end && (end = strstr(req, "\r\n\r\n"))) {
                    cl = strstr(req, "\r\nContent-Length:");
                    body = cl && cl < end ? atol(cl + 17) : 0;
                }
                if (end && n >= (size_t)(end + 4 - req) + (size_t)body)
                    break;
            }
            if (n == 0) {
                close(c); /* AT+CHTTPCON connects and sends nothing */
                continue;
            }
            dprintf(p[1], "%zu\n", n);
            if (write(p[1], req, n) != (ssize_t)n)
                _exit(1);
            send(c, answer, strlen(answer), MSG_NOSIGNAL);
            close(c);
        }
    }
    close(l);
    close(p[1]);
    return p[0];
}

/* The next request the HTTP server got, NUL-terminated, into buf. */
static void next_request(int fd, char *buf, size_t cap)
{
    size_t n = 0, len;
    char c;
    struct pollfd pfd = {fd, POLLIN, 0};
    assert_true(poll(&pfd, 1, PTY_WAIT_MS) > 0);
    len = 0;
    while (read(fd, &c, 1) == 1 && c != '\n')
        len = len * 10 + (size_t)(c - '0');
    assert_true(len < cap);
    while (n < len) {
        ssize_t k = read(fd, buf + n, len - n);
        assert_true(k > 0);
        n += (size_t)k;
    }
    buf[n] = 0;
}

/* ---- registration, identity, status ---- */

static void test_registration_and_identity(void **state)
{
    struct emu e;
    start(&e, 0);
    pty_chat(&e, "AT+CREG=?\r", "\r\n+CREG: (0-2)\r\n" OK);
    pty_chat(&e, "AT+CREG?\r", "\r\n+CREG: 0,1\r\n" OK);
    pty_chat(&e, "AT+CGREG?\r", "\r\n+CGREG: 0,1\r\n" OK);
    pty_chat(&e, "AT+CEREG?\r", "\r\n+CEREG: 0,1\r\n" OK);
    pty_chat(&e, "AT+CGATT?\r", "\r\n+CGATT: 1\r\n" OK);
    pty_chat(&e, "AT+CREG=2\r", OK);
    pty_chat(&e, "AT+CREG?\r", "\r\n+CREG: 2,1,\"1A2B\",\"0A1B2C3D\",9\r\n" OK);
    pty_chat(&e, "AT+CREG=3\r", ERROR);
    pty_chat(&e, "AT+CMEE=1\r", OK);
    pty_chat(&e, "AT+CREG=3\r", "\r\n+CME ERROR: 50\r\n");
    /* the URC follows the one network state, with CGREG */
    pty_chat(&e, "AT+CREG=1;+CGREG=1\r", OK);
    pty_chat(&e, "AT+CFUN=0\r", "\r\n+CPIN: NOT READY\r\n" OK "\r\n+CREG: 0\r\n\r\n+CGREG: 0\r\n");
    pty_chat(&e, "AT+CREG?\r", "\r\n+CREG: 1,0\r\n" OK);
    pty_chat(&e, "AT+CGPADDR=1\r", "\r\n+CGPADDR: 1\r\n" OK);
    pty_chat(&e, "AT+CFUN=1\r", OK "\r\n+CPIN: READY\r\n\r\n+CREG: 1\r\n\r\n+CGREG: 1\r\n");
    /* addresses */
    pty_chat(&e, "AT+CGPADDR=?\r", "\r\n+CGPADDR: (1)\r\n" OK);
    pty_chat(&e, "AT+CGPADDR=1\r", "\r\n+CGPADDR: 1,\"10.250.0.253\"\r\n" OK);
    pty_chat(&e, "AT+CGPADDR\r", ERROR);
    pty_chat(&e, "AT+CGPADDR=2\r", ERROR);
    pty_chat(&e, "AT+CGPIAF=?\r", "\r\n+CGPIAF: (0,1),(0,1),(0,1),(0,1)\r\n" OK);
    pty_chat(&e, "AT+CGPIAF?\r", "\r\n+CGPIAF: 0,0,0,0\r\n" OK);
    pty_chat(&e, "AT+CGPIAF=1,1,0,1\r", OK);
    pty_chat(&e, "AT+CGPIAF?\r", "\r\n+CGPIAF: 1,1,0,1\r\n" OK);
    pty_chat(&e, "AT+CGPIAF=2\r", "\r\n+CME ERROR: 50\r\n");
    /* identity */
    pty_chat(&e, "AT+GSN\r", "\r\n866123045678901\r\n" OK);
    pty_chat(&e, "AT+CGSN=?\r", OK);
    pty_chat(&e, "AT+CGSN=1\r", ERROR);
    pty_chat(&e, "AT+GMM\r", "\r\nSIM7020C\r\n" OK);
    pty_chat(&e, "AT+GMI\r", "\r\nSIMCOM_Ltd\r\n" OK);
    pty_chat(&e, "AT+CIMI\r", "\r\n460011234567890\r\n" OK);
    /* cell and battery */
    pty_chat(&e, "AT+CENG=?\r", "\r\n+CENG: (0,1)\r\n" OK);
    pty_chat(&e, "AT+CENG?\r", "\r\n+CENG: 6300,3,273,\"0A1B2C3D\",-87,-11,-76,9,20,\"1A2B\",0,230,-87\r\n"
                               "\r\n+CENG: 6300,3,180,-95\r\n" OK);
    pty_chat(&e, "AT+CENG=1\r", OK);
    pty_chat(&e, "AT+CENG?\r", OK);
    pty_chat(&e, "AT+CENG=2\r", "\r\n+CME ERROR: 50\r\n");
    pty_chat(&e, "AT+CBATCHK=?\r", "\r\n+CBATCHK: (0,1)\r\n" OK);
    pty_chat(&e, "AT+CBATCHK?\r", "\r\n+CBATCHK: 0\r\n" OK);
    pty_chat(&e, "AT+CBATCHK=1\r", OK);
    pty_chat(&e, "AT+CBATCHK=2\r", "\r\n+CME ERROR: 50\r\n");
    pty_chat(&e, "AT+CFOTA?\r", "\r\n+CFOTA: 0\r\n" OK);
    pty_chat(&e, "AT+CFOTA=?\r", "\r\n+CFOTA: (1-5)\r\n" OK);
    /* AT+CRESET: no result code, then the boot set (AT+IPR not 0) */
    pty_chat(&e, "AT+IPR=115200\r", OK);
    pty_chat(&e, "AT+CRESET=?\r", OK);
    pty_chat(&e, "AT+CRESET\r", BOOT_URCS);
    /* the reboot forgot the NO_SAVE settings, kept the AUTO_SAVE ones */
    pty_chat(&e, "AT+CREG?;+CGPIAF?;+CBATCHK?\r",
             "\r\n+CREG: 0,1\r\n\r\n+CGPIAF: 0,0,0,0\r\n\r\n+CBATCHK: 1\r\n" OK);
    pty_chat(&e, "AT+CFUN=1,1\r", OK BOOT_URCS);
    /* a power cycle keeps AT+CBATCHK too */
    pty_kill(&e);
    start(&e, 0);
    pty_expect(&e, BOOT_URCS);
    pty_chat(&e, "AT+CBATCHK?\r", "\r\n+CBATCHK: 1\r\n" OK);
    pty_kill(&e);
}

/* ---- the terminal ---- */

static void test_terminal(void **state)
{
    struct emu e;
    start(&e, 1);
    /* a typo erased with DEL, then with BS: the screen shows the command
     * that runs */
    pty_chat(&e, "AT+CSX\x7fQ\r", "AT+CSX\b \bQ\r\r\n+CSQ: 20,0\r\n" OK);
    pty_chat(&e, "AT+CSX\bQ\r", "AT+CSX\b \bQ\r\r\n+CSQ: 20,0\r\n" OK);
    /* erasing past the start does nothing */
    pty_chat(&e, "\x7f\x7f" "AT\r", "AT\r" OK);
    /* a typo still gets ERROR */
    pty_chat(&e, "AT+CSX\r", "AT+CSX\r" ERROR);
    /* CR LF: the LF is not echoed after the result */
    pty_chat(&e, "AT\r\n", "AT\r" OK);
    pty_chat(&e, "AT+CGMI\r\n", "AT+CGMI\r\r\nSIMCOM_Ltd\r\n" OK);
    /* A/ repeats the last line at once */
    pty_chat(&e, "A/", "A/\r\nSIMCOM_Ltd\r\n" OK);
    pty_chat(&e, "a/", "a/\r\nSIMCOM_Ltd\r\n" OK);
    /* numeric result codes */
    pty_chat(&e, "ATE0V0\r", "ATE0V0\r0\r");
    pty_chat(&e, "AT\r", "0\r");
    pty_chat(&e, "AT+CSQ\r", "+CSQ: 20,0\r\n0\r");
    pty_chat(&e, "AT+NOPE\r", "4\r");
    pty_chat(&e, "AT+CMEE=1\r", "0\r");
    pty_chat(&e, "AT+CREG=9\r", "+CME ERROR: 50\r\n");
    pty_chat(&e, "ATV1\r", OK);
    pty_chat(&e, "AT+CMEE=0;V\r", "0\r");
    pty_chat(&e, "AT&F\r", OK);
    /* AT&V: the active profile, current values */
    pty_chat(&e, "ATE0\r", "ATE0\r" OK);
    pty_chat(&e, "AT&V\r",
             "\r\nACTIVE PROFILE\r\n\r\nE: 0\r\n\r\nL: 0\r\n\r\nM: 0\r\n\r\nQ: 0\r\n\r\nV: 1\r\n\r\nX: 4\r\n"
             "\r\nS0: 0\r\n\r\nS1: 0\r\n\r\nS2: 43\r\n\r\nS3: 13\r\n\r\nS4: 10\r\n\r\nS5: 8\r\n\r\nS6: 2\r\n"
             "\r\nS7: 60\r\n\r\nS8: 2\r\n\r\nS10: 15\r\n\r\nS12: 50\r\n\r\nS25: 5\r\n\r\n+CR: 0\r\n"
             "\r\n+CMEE: 0\r\n\r\n+IFC: 0,0\r\n\r\n+ICF: 3,3\r\n\r\n+CSCS: \"IRA\"\r\n\r\n+IPR: 0\r\n"
             "\r\n&C: 1\r\n\r\n&D: 2\r\n\r\n+CGEREP: 0\r\n\r\n+CEER: 0\r\n\r\n+CGPIAF: 0,0,0,0\r\n"
             "\r\n+CPSMSTATUS: 1\r\n\r\n+CMGF: 0\r\n\r\n+CSDH: 0\r\n\r\n+CSMINS: 0\r\n"
             "\r\n+CMUX: 0,0,0,31,10,3,30,10,2\r\n" OK);
    pty_chat(&e, "AT&FZE0&W\r", OK);
    pty_chat(&e, "ATQ1\r", "");
    pty_chat(&e, "ATQ0\r", OK);
    /* AT+CFOTA=4 refused before the network is up (the reason is in
     * --trace): no server set here, and no PDP with the radio off */
    pty_chat(&e, "AT+CFUN=0\r", "\r\n+CPIN: NOT READY\r\n" OK);
    pty_chat(&e, "AT+CMEE=1\r", OK);
    pty_chat(&e, "AT+CFOTA=4\r", OK); /* nothing to report */
    pty_kill(&e);
}

/* ---- native sockets ---- */

static void test_native_sockets(void **state)
{
    struct emu e;
    unsigned tcp, udp;
    char cmd[128];

    start_echo(&tcp, &udp);
    start(&e, 0);
    pty_chat(&e, "AT+CSOC=?\r", "\r\n+CSOC: (1-2),(1-3),(1-2)\r\n" OK);
    pty_chat(&e, "AT+CSOC?\r", OK);
    pty_chat(&e, "AT+CSOC=1,1,1\r", "\r\n+CSOC: 0\r\n" OK);
    pty_chat(&e, "AT+CSOSTATUS=0\r", "\r\n+CSOSTATUS: 0,1\r\n" OK);
    snprintf(cmd, sizeof cmd, "AT+CSOCON=0,%u,\"127.0.0.1\"\r", tcp);
    pty_chat(&e, cmd, OK);
    pty_chat(&e, cmd, ERROR); /* already connected */
    pty_chat(&e, "AT+CSOSTATUS=0\r", "\r\n+CSOSTATUS: 0,2\r\n" OK);
    pty_chat(&e, "AT+CSOCON?\r", "\r\n+CSOCON: 0,1\r\n" OK);
    /* hex: <data_len> counts digits; the echo comes back as +CSONMI */
    pty_chat(&e, "AT+CSOSEND=0,10,\"3132333435\"\r", OK "\r\n+CSONMI: 0,10,3132333435\r\n");
    pty_chat(&e, "AT+CSOSEND=0,6,616263\r", OK "\r\n+CSONMI: 0,6,616263\r\n");
    pty_chat(&e, "AT+CSOSEND=0,0,\"Hello World\"\r", OK "\r\n+CSONMI: 0,22,48656C6C6F20576F726C64\r\n");
    pty_chat(&e, "AT+CSOSEND=0,5,\"31323\"\r", ERROR);
    pty_chat(&e, "AT+CSOSEND=0,4,\"313\"\r", ERROR);
    pty_chat(&e, "AT+CSOSEND=0,4,\"zz12\"\r", ERROR);
    pty_chat(&e, "AT+CSOSEND=0,1026,\"31\"\r", ERROR);
    /* the data prompt, then DATA ACCEPT as the final line */
    pty_chat(&e, "AT+CSODSEND=0,5\r", "\r\n> ");
    pty_put(&e, "a\r\nb\x1a", 5);
    pty_expect(&e, "\r\nDATA ACCEPT: 5\r\n\r\n+CSONMI: 0,10,610D0A621A\r\n");
    pty_chat(&e, "AT+CSODSEND=0,769\r", ERROR);
    /* raw receive */
    pty_chat(&e, "AT+CSORCVFLAG=?\r", "\r\n+CSORCVFLAG: (0,1)\r\n" OK);
    pty_chat(&e, "AT+CSORCVFLAG=1\r", OK);
    pty_chat(&e, "AT+CSOSEND=0,0,\"raw\"\r", OK "\r\n+CSONMI: 0,3,raw\r\n");
    pty_chat(&e, "AT+CSORCVFLAG=0\r", OK);
    /* SEND: after the data with CSOSENDFLAG=1 */
    pty_chat(&e, "AT+CSOSENDFLAG=1\r", OK);
    pty_chat(&e, "AT+CSOSEND=0,4,\"3435\"\r", OK "\r\nSEND: 0,2\r\n\r\n+CSONMI: 0,4,3435\r\n");
    pty_chat(&e, "AT+CSOSENDFLAG=0\r", OK);
    /* manual receive */
    pty_chat(&e, "AT+CSORXGET=1\r", OK);
    pty_chat(&e, "AT+CSOSEND=0,0,\"HELLO WORLD\"\r", OK "\r\n+CSORXGET: 1,0\r\n");
    pty_chat(&e, "AT+CSORXGET=4,0\r", "\r\n+CSORXGET: 4,0,11\r\n" OK);
    pty_chat(&e, "AT+CSORXGET=2,0,5\r", "\r\n+CSORXGET: 2,0,5,5\r\nHELLO\r\n" OK);
    pty_chat(&e, "AT+CSORXGET=3,0,730\r", "\r\n+CSORXGET: 3,0,730,6\r\n20574F524C44\r\n" OK);
    pty_chat(&e, "AT+CSORXGET=0\r", OK);
    /* UDP */
    pty_chat(&e, "AT+CSOC=1,2,1\r", "\r\n+CSOC: 1\r\n" OK);
    snprintf(cmd, sizeof cmd, "AT+CSOCON=1,%u,\"127.0.0.1\"\r", udp);
    pty_chat(&e, cmd, OK);
    pty_chat(&e, "AT+CSOSEND=1,8,\"75647021\"\r", OK "\r\n+CSONMI: 1,8,75647021\r\n");
    pty_chat(&e, "AT+CSOC?\r", "\r\n+CSOC: 0,1,1,1\r\n\r\n+CSOC: 1,1,2,1\r\n" OK);
    /* the peer closes: +CSOERR: <id>,4, allocated until AT+CSOCL */
    pty_chat(&e, "AT+CSOSEND=0,0,\"bye\"\r", OK "\r\n+CSOERR: 0,4\r\n");
    pty_chat(&e, "AT+CSOSTATUS=0\r", "\r\n+CSOSTATUS: 0,1\r\n" OK);
    pty_chat(&e, "AT+CSOSEND=0,2,\"31\"\r", ERROR);
    pty_chat(&e, "AT+CSOCL=0\r", OK);
    pty_chat(&e, "AT+CSOSTATUS=0\r", "\r\n+CSOSTATUS: 0,0\r\n" OK);
    pty_chat(&e, "AT+CSOCL=0\r", ERROR);
    /* only loopback: another address gets the connect failure; a port
     * with nobody gets the reset code */
    pty_chat(&e, "AT+CSOC=1,1,1\r", "\r\n+CSOC: 0\r\n" OK);
    pty_chat(&e, "AT+CSOCON=0,80,\"10.1.2.3\"\r", ERROR "\r\n+CSOERR: 0,1\r\n");
    pty_chat(&e, "AT+CSOCON=0,80,\"example.com\"\r", ERROR);
    pty_chat(&e, "AT+CSOCON=0,1,\"127.0.0.1\"\r", ERROR "\r\n+CSOERR: 0,3\r\n");
    pty_chat(&e, "AT+CSOC=2,1,1\r", ERROR);
    pty_chat(&e, "AT+CSOC=1,3,1\r", ERROR);
    /* five sockets at most */
    pty_chat(&e, "AT+CSOC=1,1,1\r", "\r\n+CSOC: 2\r\n" OK);
    pty_chat(&e, "AT+CSOC=1,1,1\r", "\r\n+CSOC: 3\r\n" OK);
    pty_chat(&e, "AT+CSOC=1,1,1\r", "\r\n+CSOC: 4\r\n" OK);
    pty_chat(&e, "AT+CSOC=1,1,1\r", ERROR);
    /* a reset forgets them */
    pty_chat(&e, "AT+CFUN=1,1\r", OK);
    pty_chat(&e, "AT+CSOC?\r", OK);
    pty_kill(&e);
    test_kill_children();
}

/* ---- the TCP/IP application family ---- */

static void test_tcpip_single(void **state)
{
    struct emu e;
    unsigned tcp, udp;
    char cmd[128];

    start_echo(&tcp, &udp);
    start(&e, 0);
    pty_chat(&e, "AT+CIPSTATUS\r", OK "\r\nSTATE: IP INITIAL\r\n");
    pty_chat(&e, "AT+CIFSR\r", ERROR);
    pty_chat(&e, "AT+CIICR\r", ERROR);
    pty_chat(&e, "AT+CSTT?\r", "\r\n+CSTT: \"\",\"\",\"\"\r\n" OK);
    pty_chat(&e, "AT+CSTT=\"shnbiot\",\"\",\"\"\r", OK);
    pty_chat(&e, "AT+CSTT?\r", "\r\n+CSTT: \"shnbiot\",\"\",\"\"\r\n" OK);
    pty_chat(&e, "AT+CIPSTATUS\r", OK "\r\nSTATE: IP START\r\n");
    pty_chat(&e, "AT+CIICR\r", OK);
    pty_chat(&e, "AT+CIPSTATUS\r", OK "\r\nSTATE: IP GPRSACT\r\n");
    pty_chat(&e, "AT+CIFSR\r", "\r\n10.250.0.213\r\n");
    pty_chat(&e, "AT+CIFSR;E0\r", "\r\n10.250.0.213\r\n" OK);
    pty_chat(&e, "AT+CIPSTATUS\r", OK "\r\nSTATE: IP STATUS\r\n");
    /* TCP */
    snprintf(cmd, sizeof cmd, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",\"%u\"\r", tcp);
    pty_chat(&e, cmd, OK "\r\nCONNECT OK\r\n");
    pty_chat(&e, cmd, OK "\r\nALREADY CONNECT\r\n");
    pty_chat(&e, "AT+CIPSTATUS\r", OK "\r\nSTATE: CONNECT OK\r\n");
    pty_chat(&e, "AT+CIPSEND?\r", "\r\n+CIPSEND: 1460\r\n" OK);
    pty_chat(&e, "AT+CIPSEND=5\r", "\r\n> ");
    pty_put(&e, "hello", 5);
    pty_expect(&e, "\r\nSEND OK\r\n\r\nhello");
    pty_chat(&e, "AT+CIPHEAD=1\r", OK);
    pty_chat(&e, "AT+CIPSEND\r", "\r\n> ");
    pty_put(&e, "test1\x1a", 6);
    pty_expect(&e, "\r\nSEND OK\r\n\r\n+IPD,5:test1");
    pty_chat(&e, "AT+CIPSRIP=1;+CIPQSEND=1\r", OK);
    pty_chat(&e, "AT+CIPSEND=2\r", "\r\n> ");
    pty_put(&e, "ab", 2);
    snprintf(cmd, sizeof cmd, "\r\nDATA ACCEPT: 2\r\n\r\nRECV FROM: 127.0.0.1:%u\r\n\r\n+IPD,2:ab", tcp);
    pty_expect(&e, cmd);
    pty_chat(&e, "AT+CIPSRIP=0;+CIPQSEND=0;+CIPHEXS=2\r", OK);
    pty_chat(&e, "AT+CIPSEND=2\r", "\r\n> ");
    pty_put(&e, "AB", 2);
    pty_expect(&e, "\r\nSEND OK\r\n\r\n+IPD,2:4142\r\n");
    pty_chat(&e, "AT+CIPHEXS=0;+CIPHEAD=0\r", OK);
    /* ESC cancels */
    pty_chat(&e, "AT+CIPSEND\r", "\r\n> ");
    pty_put(&e, "xy\x1b", 3);
    pty_expect(&e, OK);
    pty_chat(&e, "AT+CIPSEND=1461\r", ERROR);
    pty_chat(&e, "AT+CIPCLOSE\r", "\r\nCLOSE OK\r\n");
    pty_chat(&e, "AT+CIPSTATUS\r", OK "\r\nSTATE: TCP CLOSED\r\n");
    pty_chat(&e, "AT+CIPCLOSE\r", ERROR);
    pty_chat(&e, "AT+CIPSEND=1\r", ERROR);
    /* by name, and the peer's close */
    snprintf(cmd, sizeof cmd, "AT+CIPSTART=\"TCP\",\"echo.test\",%u\r", tcp);
    pty_chat(&e, cmd, OK "\r\nCONNECT OK\r\n");
    pty_chat(&e, "AT+CIPSEND=3\r", "\r\n> ");
    pty_put(&e, "bye", 3);
    pty_expect(&e, "\r\nSEND OK\r\n\r\nCLOSED\r\n");
    /* a host that is not loopback, and one with nobody listening */
    pty_chat(&e, "AT+CIPSTART=\"TCP\",\"bad.test\",80\r", OK "\r\nSTATE: TCP CLOSED\r\n\r\nCONNECT FAIL\r\n");
    pty_chat(&e, "AT+CIPSTART=\"TCP\",\"nosuch.test\",80\r", OK "\r\nSTATE: TCP CLOSED\r\n\r\nCONNECT FAIL\r\n");
    pty_chat(&e, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",1\r", OK "\r\nSTATE: TCP CLOSED\r\n\r\nCONNECT FAIL\r\n");
    pty_chat(&e, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",0\r", ERROR);
    /* UDP, and CIPRXGET */
    pty_chat(&e, "AT+CIPRXGET=1\r", OK);
    snprintf(cmd, sizeof cmd, "AT+CIPSTART=\"UDP\",\"127.0.0.1\",%u\r", udp);
    pty_chat(&e, cmd, OK "\r\nCONNECT OK\r\n");
    pty_chat(&e, "AT+CIPSEND=11\r", "\r\n> ");
    pty_put(&e, "HELLO WORLD", 11);
    pty_expect(&e, "\r\nSEND OK\r\n\r\n+CIPRXGET: 1\r\n");
    pty_chat(&e, "AT+CIPRXGET=4\r", "\r\n+CIPRXGET: 4,11\r\n" OK);
    pty_chat(&e, "AT+CIPRXGET=2,5\r", "\r\n+CIPRXGET: 2,5,6\r\nHELLO\r\n" OK);
    pty_chat(&e, "AT+CIPRXGET=3,730\r", "\r\n+CIPRXGET: 3,6,0\r\n20574F524C44\r\n" OK);
    pty_chat(&e, "AT+CIPMUX=1\r", ERROR);
    pty_chat(&e, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
    pty_chat(&e, "AT+CIPSTATUS\r", OK "\r\nSTATE: IP INITIAL\r\n");
    /* from IP INITIAL, CIPSTART brings the bearer up itself */
    pty_chat(&e, "AT+CIPRXGET=0\r", OK);
    snprintf(cmd, sizeof cmd, "AT+CIPSTART=\"UDP\",\"127.0.0.1\",%u\r", udp);
    pty_chat(&e, cmd, OK "\r\nCONNECT OK\r\n");
    pty_chat(&e, "AT+CIPSEND=2\r", "\r\n> ");
    pty_put(&e, "ok", 2);
    pty_expect(&e, "\r\nSEND OK\r\n\r\nok");
    /* the network takes the PDP context away: PDP DEACT until CIPSHUT */
    pty_chat(&e, "AT+CGATT=0\r", OK);
    pty_chat(&e, "AT+CIPSTATUS\r", OK "\r\nSTATE: PDP DEACT\r\n");
    pty_chat(&e, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
    pty_chat(&e, "AT+CIPSTATUS\r", OK "\r\nSTATE: IP INITIAL\r\n");
    pty_kill(&e);
    test_kill_children();
}

static void test_tcpip_multi(void **state)
{
    struct emu e;
    unsigned tcp, udp;
    char cmd[256];

    start_echo(&tcp, &udp);
    start(&e, 0);
    pty_chat(&e, "AT+CIPMUX=?\r", "\r\n+CIPMUX: (0,1)\r\n" OK);
    pty_chat(&e, "AT+CIPMUX=1\r", OK);
    pty_chat(&e, "AT+CIPMUX?\r", "\r\n+CIPMUX: 1\r\n" OK);
    pty_chat(&e, "AT+CSTT\r", OK);
    pty_chat(&e, "AT+CIICR\r", OK);
    pty_chat(&e, "AT+CIFSR\r", "\r\n10.250.0.213\r\n");
    pty_chat(&e, "AT+CLPORT?\r",
             "\r\n+CLPORT: 0,0,0\r\n\r\n+CLPORT: 1,0,0\r\n\r\n+CLPORT: 2,0,0\r\n\r\n+CLPORT: 3,0,0\r\n"
             "\r\n+CLPORT: 4,0,0\r\n\r\n+CLPORT: 5,0,0\r\n" OK);
    snprintf(cmd, sizeof cmd, "AT+CIPSTART=0,\"TCP\",\"127.0.0.1\",%u\r", tcp);
    pty_chat(&e, cmd, OK "\r\n0,CONNECT OK\r\n");
    snprintf(cmd, sizeof cmd, "AT+CIPSTART=1,\"UDP\",\"127.0.0.1\",%u\r", udp);
    pty_chat(&e, cmd, OK "\r\n1,CONNECT OK\r\n");
    snprintf(cmd, sizeof cmd,
             OK "\r\nSTATE: IP PROCESSING\r\n\r\nC: 0,0,\"TCP\",\"127.0.0.1\",\"%u\",\"CONNECTED\"\r\n"
                "\r\nC: 1,0,\"UDP\",\"127.0.0.1\",\"%u\",\"CONNECTED\"\r\n"
                "\r\nC: 2,,\"\",\"\",\"\",\"INITIAL\"\r\n\r\nC: 3,,\"\",\"\",\"\",\"INITIAL\"\r\n"
                "\r\nC: 4,,\"\",\"\",\"\",\"INITIAL\"\r\n\r\nC: 5,,\"\",\"\",\"\",\"INITIAL\"\r\n",
             tcp, udp);
    pty_chat(&e, "AT+CIPSTATUS\r", cmd);
    snprintf(cmd, sizeof cmd, "\r\n+CIPSTATUS: 0,0,\"TCP\",\"127.0.0.1\",\"%u\",\"CONNECTED\"\r\n" OK, tcp);
    pty_chat(&e, "AT+CIPSTATUS=0\r", cmd);
    pty_chat(&e, "AT+CIPSEND=0,16\r", "\r\n> ");
    pty_put(&e, "SIM7020 TCP test", 16);
    pty_expect(&e, "\r\n0,SEND OK\r\n\r\n+RECEIVE,0,16:\r\nSIM7020 TCP test");
    pty_chat(&e, "AT+CIPQSEND=1;+CIPSRIP=1\r", OK);
    pty_chat(&e, "AT+CIPSEND=1,4\r", "\r\n> ");
    pty_put(&e, "ping", 4);
    snprintf(cmd, sizeof cmd, "\r\nDATA ACCEPT: 1,4\r\n\r\n+RECEIVE,1,4,127.0.0.1:%u\r\nping", udp);
    pty_expect(&e, cmd);
    pty_chat(&e, "AT+CIPSEND=5\r", ERROR); /* connection 5 is not open: no prompt */
    pty_chat(&e, "AT+CIPSEND=0\r", "\r\n> ");
    pty_put(&e, "bye\x1a", 4);
    pty_expect(&e, "\r\nDATA ACCEPT: 0,3\r\n\r\n0,CLOSED\r\n");
    pty_chat(&e, "AT+CIPCLOSE=1\r", "\r\n1,CLOSE OK\r\n");
    pty_chat(&e, "AT+CIPCLOSE=1\r", ERROR);
    snprintf(cmd, sizeof cmd, "\r\n+CIPSTATUS: 1,0,\"UDP\",\"127.0.0.1\",\"%u\",\"CLOSED\"\r\n" OK, udp);
    pty_chat(&e, "AT+CIPSTATUS=1\r", cmd);
    pty_kill(&e);
    test_kill_children();
}

/* ---- the test and read forms of every new command, single mode ---- */

static void test_forms(void **state)
{
    static const struct {
        const char *cmd, *answer;
    } forms[] = {
        {"AT+CSOB=?\r", OK},
        {"AT+CSOB?\r", OK},
        {"AT+CSOCON=?\r", OK},
        {"AT+CSOSEND=?\r", OK},
        {"AT+CSODSEND=?\r", OK},
        {"AT+CSOCL=?\r", OK},
        {"AT+CSOSTATUS=?\r", "\r\n+CSOSTATUS: (0-4)\r\n" OK},
        {"AT+CSORXGET=?\r", "\r\n+CSORXGET: (0-4),(0-4),(1-1460)\r\n" OK},
        {"AT+CSORXGET?\r", "\r\n+CSORXGET: 0\r\n" OK},
        {"AT+CSOSENDFLAG=?\r", "\r\n+CSOSENDFLAG: (0,1)\r\n" OK},
        {"AT+CSOSENDFLAG?\r", "\r\n+CSOSENDFLAG: 0\r\n" OK},
        {"AT+CSORCVFLAG?\r", "\r\n+CSORCVFLAG: 0\r\n" OK},
        {"AT+CSOSENDFLAG=2\r", "\r\n+CME ERROR: 50\r\n"},
        {"AT+CSTT=?\r", "\r\n+CSTT: \"APN\",\"USER\",\"PWD\"\r\n" OK},
        {"AT+CIICR=?\r", OK},
        {"AT+CIFSR=?\r", OK},
        {"AT+CIPSHUT=?\r", OK},
        {"AT+CIPCLOSE=?\r", OK},
        {"AT+CIPSTATUS=?\r", OK},
        {"AT+CIPSTART=?\r", "\r\n+CIPSTART: (\"TCP\",\"UDP\"),(\"(0-255).(0-255).(0-255).(0-255)\"),(1-65535)\r\n"
                            "\r\n+CIPSTART: (\"TCP\",\"UDP\"),(\"DOMAIN NAME\"),(1-65535)\r\n" OK},
        {"AT+CIPSEND=?\r", "\r\n+CIPSEND: (1-1460)\r\n" OK},
        {"AT+CIPSEND?\r", "\r\n+CIPSEND: 0\r\n" OK},
        {"AT+CIPQSEND=?\r", "\r\n+CIPQSEND: (0,1)\r\n" OK},
        {"AT+CIPQSEND?\r", "\r\n+CIPQSEND: 0\r\n" OK},
        {"AT+CIPHEAD=?\r", "\r\n+CIPHEAD: (0-NO HEADER,1-ADD HEADER)\r\n" OK},
        {"AT+CIPHEAD?\r", "\r\n+CIPHEAD: 0\r\n" OK},
        {"AT+CIPSRIP=?\r", "\r\n+CIPSRIP: (0,1)\r\n" OK},
        {"AT+CIPSRIP?\r", "\r\n+CIPSRIP: 0\r\n" OK},
        {"AT+CIPHEXS=?\r", "\r\n+CIPHEXS: (0-2)\r\n" OK},
        {"AT+CIPHEXS?\r", "\r\n+CIPHEXS: 0\r\n" OK},
        {"AT+CIPHEXS=3\r", ERROR},
        {"AT+CIPRXGET=?\r", "\r\n+CIPRXGET: (0-4),(1-1460)\r\n" OK},
        {"AT+CIPRXGET?\r", "\r\n+CIPRXGET: 0\r\n" OK},
        {"AT+CIPRXGET=4\r", "\r\n+CME ERROR: 3\r\n"},
        {"AT+CLPORT=?\r", "\r\n+CLPORT: (\"TCP\",\"UDP\"),(0-65535)\r\n" OK},
        {"AT+CLPORT=\"TCP\",4000\r", OK},
        {"AT+CLPORT=\"UDP\",4001\r", OK},
        {"AT+CLPORT?\r", "\r\n+CLPORT: 4000,4001\r\n" OK},
        {"AT+CLPORT=\"SCTP\",1\r", ERROR},
        {"AT+CIPMUX?\r", "\r\n+CIPMUX: 0\r\n" OK},
        {"AT+CIPMUX=2\r", ERROR},
        {"AT+CIPSTATUS=0\r", ERROR},
        {"AT+CHTTPPARA=?\r", "\r\n+CHTTPPARA: (0-1)\r\n" OK},
        {"AT+CHTTPPARA=1\r", OK},
        {"AT+CHTTPPARA?\r", "\r\n+CHTTPPARA: 1\r\n" OK},
        {"AT+CHTTPPARA=0\r", OK},
        /* the generic start-up line of the manual's example, S-parameters */
        {"ATE0Q0S0=1S3=13V1X4;+IFC=0,0\r", OK},
        {"ATS3?\r", "\r\n13\r\n" OK},
        {"ATS0?\r", "\r\n1\r\n" OK},
        {"ATS5?;S4?\r", "\r\n8\r\n\r\n10\r\n" OK},
        {"ATS3=10\r", ERROR},
        {"ATS9?\r", ERROR},
        {"ATS3\r", ERROR},
        {"ATX5\r", ERROR},
        {"AT&C1&D2\r", OK},
        {"AT+IFC=?\r", "\r\n+IFC: (0-2),(0-2)\r\n" OK},
        {"AT+IFC=2,2\r", OK},
        {"AT+IFC?\r", "\r\n+IFC: 2,2\r\n" OK},
        {"AT+IFC=3\r", "\r\n+CME ERROR: 50\r\n"},
        {"AT&F\r", OK},
        {"ATE0;+IFC?;S0?\r", "\r\n+IFC: 0,0\r\n\r\n0\r\n" OK},
        {"AT+CMEE=1\r", OK}, /* AT&F set it back to 0 */
        /* addresses and the 3GPP context */
        {"AT+IPCONFIG\r", "\r\n+IPCONFIG: 10.250.0.213\r\n\r\n+IPCONFIG: 127.0.0.1\r\n" OK},
        {"AT+CGDCONT?\r", "\r\n+CGDCONT: 1,\"IP\",\"shnbiot\",\"10.250.0.213\",0,0,0,0\r\n" OK},
        {"AT+CGDCONT=1,\"IP\",\"iot.test\"\r", OK},
        {"AT+CGDCONT?\r", "\r\n+CGDCONT: 1,\"IP\",\"iot.test\",\"10.250.0.213\",0,0,0,0\r\n" OK},
        {"AT+CGDCONT=2,\"IP\",\"x\"\r", "\r\n+CME ERROR: 3\r\n"},
    };
    struct emu e;
    size_t i;
    start(&e, 0);
    pty_chat(&e, "AT+CMEE=1\r", OK);
    for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        pty_put(&e, forms[i].cmd, strlen(forms[i].cmd));
        pty_expect(&e, forms[i].answer);
    }
    pty_kill(&e);
}

/* ---- DNS ---- */

static void test_dns(void **state)
{
    struct emu e;
    start(&e, 0);
    pty_chat(&e, "AT+CDNSCFG=?\r", "\r\n+CDNSCFG: (\"Primary DNS\"),(\"Secondary DNS\")\r\n" OK);
    pty_chat(&e, "AT+CDNSCFG?\r", "\r\nPrimaryDns: 208.67.222.222\r\n\r\nSecondaryDns: 0.0.0.0\r\n" OK);
    pty_chat(&e, "AT+CDNSCFG=\"114.114.114.114\",\"119.29.29.29\"\r", OK);
    pty_chat(&e, "AT+CDNSCFG?\r", "\r\nPrimaryDns: 114.114.114.114\r\n\r\nSecondaryDns: 119.29.29.29\r\n" OK);
    pty_chat(&e, "AT+CDNSCFG=\"nonsense\"\r", ERROR);
    pty_chat(&e, "AT+CDNSGIP=?\r", OK);
    pty_chat(&e, "AT+CDNSGIP=\"localhost\"\r", OK "\r\n+CDNSGIP: 1,\"localhost\",\"127.0.0.1\"\r\n");
    pty_chat(&e, "AT+CDNSGIP=echo.test\r", OK "\r\n+CDNSGIP: 1,\"echo.test\",\"127.0.0.1\"\r\n");
    pty_chat(&e, "AT+CDNSGIP=\"abctest\"\r", OK "\r\n+CDNSGIP: 0,8\r\n");
    pty_chat(&e, "AT+CDNSGIP\r", ERROR);
    pty_chat(&e, "AT+CFUN=0\r", "\r\n+CPIN: NOT READY\r\n" OK);
    pty_chat(&e, "AT+CDNSGIP=\"localhost\"\r", ERROR);
    pty_kill(&e);
}

/* ---- HTTP through AT+CHTTPSEND ---- */

static void hex_of(const char *text, char *out)
{
    host_hex((const uint8_t *)text, strlen(text), out);
}

static void test_httpsend(void **state)
{
    static char answer[4096];
    static const char head[] = "Content-Length: 13\r\nConnection: keep-alive\r\n";
    struct emu e;
    unsigned port;
    char cmd[2048], want[4096], req[8192], hex[1024];
    int fd;

    snprintf(answer, sizeof answer, "HTTP/1.1 200 OK\r\n%s\r\n{\"retCode\":0}", head);
    fd = start_http(&port, answer);
    start(&e, 0);
    pty_chat(&e, "AT+CHTTPSEND=?\r",
             "\r\n+CHTTPSEND: (0-4),(0-3),\"path\",\"http header\",\"http content type\",\"http content\"\r\n" OK);
    snprintf(cmd, sizeof cmd, "AT+CHTTPCREATE=\"http://127.0.0.1:%u/\"\r", port);
    pty_chat(&e, cmd, "\r\n+CHTTPCREATE: 0\r\n" OK);
    pty_chat(&e, "AT+CHTTPSEND=0,0,\"/api\"\r", ERROR); /* not connected */
    pty_chat(&e, "AT+CHTTPCON=0\r", OK);
    /* GET with a custom header (the Range an issue-17 client sends) */
    hex_of("Range: bytes=0-12\r\nAccept: */*\r\n", hex);
    snprintf(cmd, sizeof cmd, "AT+CHTTPSEND=0,0,\"/api\",%s\r", hex);
    snprintf(want, sizeof want, OK "\r\n+CHTTPNMIH: 0,200,%zu,%s\r\n+CHTTPNMIC: 0,0,13,13,%s\r\n",
             strlen(head), head, "7b22726574436f6465223a307d");
    pty_chat(&e, cmd, want);
    next_request(fd, req, sizeof req);
    assert_non_null(strstr(req, "GET /api HTTP/1.1\r\n"));
    assert_non_null(strstr(req, "\r\nRange: bytes=0-12\r\n"));
    assert_non_null(strstr(req, "\r\nHost: 127.0.0.1:"));
    /* POST with a content type and a hex body */
    hex_of("{\"a\":1}", hex);
    snprintf(cmd, sizeof cmd, "AT+CHTTPSEND=0,1,\"/post\",\"\",\"application/json\",%s\r", hex);
    snprintf(want, sizeof want, OK "\r\n+CHTTPNMIH: 0,200,%zu,%s\r\n+CHTTPNMIC: 0,0,13,13,%s\r\n",
             strlen(head), head, "7b22726574436f6465223a307d");
    pty_chat(&e, cmd, want);
    next_request(fd, req, sizeof req);
    assert_non_null(strstr(req, "POST /post HTTP/1.1\r\n"));
    assert_non_null(strstr(req, "\r\nContent-Type: application/json\r\n"));
    assert_non_null(strstr(req, "\r\nContent-Length: 7\r\n"));
    assert_non_null(strstr(req, "\r\n\r\n{\"a\":1}"));
    /* PUT and DELETE */
    pty_chat(&e, "AT+CHTTPSEND=0,2,\"/put\",,\"text/plain\",4142\r", want);
    next_request(fd, req, sizeof req);
    assert_non_null(strstr(req, "PUT /put HTTP/1.1\r\n"));
    assert_non_null(strstr(req, "\r\n\r\nAB"));
    pty_chat(&e, "AT+CHTTPSEND=0,3,\"/del\"\r", want);
    next_request(fd, req, sizeof req);
    assert_non_null(strstr(req, "DELETE /del HTTP/1.1\r\n"));
    /* refusals */
    pty_chat(&e, "AT+CHTTPSEND=0,0,\"/x\",,\"text/plain\",41\r", ERROR);
    pty_chat(&e, "AT+CHTTPSEND=0,1,\"/x\",,\"text/plain\"\r", ERROR);
    pty_chat(&e, "AT+CHTTPSEND=0,1,\"/x\",,\"text/plain\",414\r", ERROR);
    pty_chat(&e, "AT+CHTTPSEND=0,4,\"/x\"\r", ERROR);
    pty_chat(&e, "AT+CHTTPSEND=1,0,\"/x\"\r", ERROR);
    pty_chat(&e, "AT+CHTTPPARA?\r", "\r\n+CHTTPPARA: 0\r\n" OK);
    pty_chat(&e, "AT+CHTTPDISCON=0\r", OK);
    pty_chat(&e, "AT+CHTTPDESTROY=0\r", OK);
    pty_kill(&e);
    test_kill_children();
    close(fd);
}

/* A body of 1200 bytes: chunks of 500, 500 and 200, then the server's
 * close as +CHTTPERR: <id>,-2. */
static void test_httpsend_chunks(void **state)
{
    static char answer[2048];
    static const char head[] = "Content-Length: 1200\r\nConnection: close\r\n";
    uint8_t body[1200];
    char hex[2 * 500 + 1], want[8192], cmd[128];
    struct emu e;
    unsigned port;
    size_t i, n;
    int fd;

    for (i = 0; i < sizeof body; i++)
        body[i] = (uint8_t)('a' + i % 26);
    n = (size_t)snprintf(answer, sizeof answer, "HTTP/1.1 200 OK\r\n%s\r\n", head);
    memcpy(answer + n, body, sizeof body);
    answer[n + sizeof body] = 0;
    fd = start_http(&port, answer);
    start(&e, 0);
    snprintf(cmd, sizeof cmd, "AT+CHTTPCREATE=\"http://127.0.0.1:%u\"\r", port);
    pty_chat(&e, cmd, "\r\n+CHTTPCREATE: 0\r\n" OK);
    pty_chat(&e, "AT+CHTTPCON=0\r", OK);
    n = (size_t)snprintf(want, sizeof want, OK "\r\n+CHTTPNMIH: 0,200,%zu,%s", strlen(head), head);
    for (i = 0; i < 3; i++) {
        size_t len = i < 2 ? 500 : 200;
        host_hex(body + 500 * i, len, hex);
        n += (size_t)snprintf(want + n, sizeof want - n, "\r\n+CHTTPNMIC: 0,%d,1200,%zu,%s\r\n", i < 2, len, hex);
    }
    snprintf(want + n, sizeof want - n, "\r\n+CHTTPERR: 0,-2\r\n");
    pty_chat(&e, "AT+CHTTPSEND=0,0,/big\r", want);
    /* the server closed: the client must connect again */
    pty_chat(&e, "AT+CHTTPSEND=0,0,/big\r", ERROR);
    pty_chat(&e, "AT+CHTTPCON=0\r", OK);
    pty_kill(&e);
    test_kill_children();
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_registration_and_identity, teardown),
        cmocka_unit_test_teardown(test_terminal, teardown),
        cmocka_unit_test_teardown(test_native_sockets, teardown),
        cmocka_unit_test_teardown(test_tcpip_single, teardown),
        cmocka_unit_test_teardown(test_tcpip_multi, teardown),
        cmocka_unit_test_teardown(test_forms, teardown),
        cmocka_unit_test_teardown(test_dns, teardown),
        cmocka_unit_test_teardown(test_httpsend, teardown),
        cmocka_unit_test_teardown(test_httpsend_chunks, teardown),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, setup, NULL);
}
