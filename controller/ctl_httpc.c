/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/ctl_httpc.c: the module's HTTP client, opened and closed the
 * same way by every flow that uses it (ctl_http.c, the note's section 6,
 * and ctl_self.c, the MCU's own update):
 *
 *   AT+CHTTPCREATE="http://host:port"    +CHTTPCREATE: <id>, OK
 *   AT+CHTTPCON=<id>                     OK
 *   ...
 *   AT+CHTTPDISCON=<id>, AT+CHTTPDESTROY=<id>
 */
#include "ctl_internal.h"

/* The id the module gave; the HTTP note misspells the prefix
 * "+CHTTPCREAT:", which "+CHTTPCREAT" also matches. */
static int client_id(struct cfota_ctl *ctl, uint32_t *id)
{
    unsigned i;
    for (i = 0; i < cfota_at_nlines(&ctl->at); i++) {
        const char *s = ctl_after(cfota_at_line(&ctl->at, i), "+CHTTPCREAT");
        if (s) {
            if (*s == 'E')
                s++;
            if (*s == ':' && cfota_at_field_uint(s + 1, 0, id) == 0)
                return 0;
        }
    }
    return -1;
}

static void cmd_with_id(struct cfota_ctl *ctl, const char *head, uint32_t id)
{
    ctl_cmd_begin(ctl, head);
    ctl_cmd_uint(ctl, id);
}

int ctl_http_open(struct cfota_ctl *ctl, const char *host, size_t host_len, uint32_t *id)
{
    int r;
    ctl_cmd_begin(ctl, "AT+CHTTPCREATE=\"");
    ctl_cmd_addn(ctl, host, host_len);
    ctl_cmd_add(ctl, "\"");
    if ((r = ctl_run(ctl, NULL, "+CHTTPCREAT", ctl_cmd_ms(ctl), CFOTA_CTL_STEP_HTTP_OPEN)) != 0)
        return r;
    if (client_id(ctl, id) != 0)
        return ctl_end(ctl, CFOTA_CTL_E_ERROR, CFOTA_CTL_STEP_HTTP_OPEN);
    cmd_with_id(ctl, "AT+CHTTPCON=", *id);
    if ((r = ctl_run(ctl, NULL, NULL, ctl_radio_ms(ctl), CFOTA_CTL_STEP_HTTP_OPEN)) != 0)
        ctl_http_close(ctl, *id);
    return r;
}

const char *ctl_http_urc(const struct cfota_at_urc *u, uint32_t id)
{
    const char *s = u->text;
    uint32_t uid;
    while (*s && *s != ':')
        s++;
    if (!*s || cfota_at_field_uint(s + 1, 0, &uid) != 0 || uid != id)
        return NULL;
    return s + 1;
}

void ctl_http_close(struct cfota_ctl *ctl, uint32_t id)
{
    cmd_with_id(ctl, "AT+CHTTPDISCON=", id);
    (void)cfota_at_cmd(&ctl->at, ctl->cmd, NULL, ctl_cmd_ms(ctl));
    cmd_with_id(ctl, "AT+CHTTPDESTROY=", id);
    (void)cfota_at_cmd(&ctl->at, ctl->cmd, NULL, ctl_cmd_ms(ctl));
}
