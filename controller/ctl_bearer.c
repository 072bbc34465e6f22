/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/ctl_bearer.c: the bearer, the note's section 3.
 *
 * Check (3.1): AT+CPIN? (READY), AT+CSQ, AT+CGREG? (1 home or 5 roaming;
 * polled once a second up to the limit; 3 "denied" ends at once),
 * AT+CGACT? (a context in state 1), AT+COPS?, AT+CGCONTRDP (APN, address).
 * Configure (3.2), when an APN is given and the check failed or shows
 * another APN: AT+CFUN=0 (+CPIN: NOT READY), AT*MCGDEFCONT="IP","<apn>",
 * AT+CFUN=1, wait for +CPIN: READY, then check again with the
 * registration limit.
 */
#include <string.h>

#include "ctl_internal.h"

/* Answer text of the last command after prefix, or "" (never NULL). */
static const char *answer(struct cfota_ctl *ctl, const char *prefix)
{
    const char *s = cfota_at_find(&ctl->at, prefix);
    return s ? s : "";
}

static int sim_ready(struct cfota_ctl *ctl)
{
    int r = ctl_run(ctl, "AT+CPIN?", "+CPIN:", ctl_cmd_ms(ctl), CFOTA_CTL_STEP_SIM);
    /* +CME ERROR 10..16: SIM not inserted, PIN/PUK required, failure, busy. */
    if (r == CFOTA_CTL_E_CME && ctl->rep->cme >= 10 && ctl->rep->cme <= 16)
        return ctl_end(ctl, CFOTA_CTL_E_SIM, CFOTA_CTL_STEP_SIM);
    if (r)
        return r;
    if (!ctl_same(answer(ctl, "+CPIN:"), "READY"))
        return ctl_end(ctl, CFOTA_CTL_E_SIM, CFOTA_CTL_STEP_SIM);
    return 0;
}

/* Sleep about ms by reading the line (URCs are queued meanwhile). */
static int pause_ms(struct cfota_ctl *ctl, uint32_t ms)
{
    uint32_t start = ctl_now(ctl);
    for (;;) {
        uint32_t elapsed = ctl_now(ctl) - start;
        if (elapsed >= ms)
            return 0;
        if (cfota_at_poll(&ctl->at, ms - elapsed) == CFOTA_CTL_E_IO)
            return CFOTA_CTL_E_IO;
        cfota_at_urc_clear(&ctl->at);  /* +CGREG/+CEREG: nothing to keep */
    }
}

static int registered(struct cfota_ctl *ctl, struct cfota_ctl_bearer_info *info, uint32_t wait_ms)
{
    uint32_t start = ctl_now(ctl), stat = 0;
    for (;;) {
        int r = ctl_run(ctl, "AT+CGREG?", "+CGREG:", ctl_cmd_ms(ctl), CFOTA_CTL_STEP_REGISTER);
        if (r)
            return r;
        if (cfota_at_field_uint(answer(ctl, "+CGREG:"), 1, &stat) == 0)
            info->reg_stat = (uint8_t)stat;
        if (stat == 1 || stat == 5)
            return 0;
        if (stat == 3 || ctl_now(ctl) - start >= wait_ms)
            return ctl_end(ctl, CFOTA_CTL_E_NOT_REGISTERED, CFOTA_CTL_STEP_REGISTER);
        if (ctl_step(ctl, CFOTA_CTL_STEP_REGISTER, ctl_now(ctl) - start, wait_ms))
            return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, CFOTA_CTL_STEP_REGISTER);
        if ((r = pause_ms(ctl, 1000)) != 0)
            return ctl_end(ctl, r, CFOTA_CTL_STEP_REGISTER);
    }
}

static int context_active(struct cfota_ctl *ctl, struct cfota_ctl_bearer_info *info,
                          uint32_t wait_ms)
{
    uint32_t start = ctl_now(ctl);
    for (;;) {
        uint32_t cid;
        int r = ctl_run(ctl, "AT+CGACT?", "+CGACT:", ctl_radio_ms(ctl), CFOTA_CTL_STEP_PDP);
        if (r)
            return r;
        if (ctl_active_context(ctl, &cid)) {
            info->cid = (uint8_t)cid;
            return 0;
        }
        if (ctl_now(ctl) - start >= wait_ms)
            return ctl_end(ctl, CFOTA_CTL_E_NO_PDP, CFOTA_CTL_STEP_PDP);
        if ((r = pause_ms(ctl, 1000)) != 0)
            return ctl_end(ctl, r, CFOTA_CTL_STEP_PDP);
    }
}

/* The whole check; wait_ms bounds the registration and activation. */
static int check(struct cfota_ctl *ctl, struct cfota_ctl_bearer_info *info, uint32_t wait_ms)
{
    uint32_t v;
    int r;
    if (ctl_step(ctl, CFOTA_CTL_STEP_SIM, 0, 0))
        return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, CFOTA_CTL_STEP_SIM);
    if ((r = sim_ready(ctl)) != 0)
        return r;
    (void)ctl_step(ctl, CFOTA_CTL_STEP_SIGNAL, 0, 0);
    if ((r = ctl_run(ctl, "AT+CSQ", "+CSQ:", ctl_cmd_ms(ctl), CFOTA_CTL_STEP_SIGNAL)) != 0)
        return r;
    if (cfota_at_field_uint(answer(ctl, "+CSQ:"), 0, &v) == 0)
        info->rssi = (uint8_t)v;
    if (cfota_at_field_uint(answer(ctl, "+CSQ:"), 1, &v) == 0)
        info->ber = (uint8_t)v;
    (void)ctl_step(ctl, CFOTA_CTL_STEP_REGISTER, 0, wait_ms);
    if ((r = registered(ctl, info, wait_ms)) != 0)
        return r;
    (void)ctl_step(ctl, CFOTA_CTL_STEP_PDP, 0, 0);
    if ((r = context_active(ctl, info, wait_ms)) != 0)
        return r;
    (void)ctl_step(ctl, CFOTA_CTL_STEP_OPERATOR, 0, 0);
    if ((r = ctl_run(ctl, "AT+COPS?", "+COPS:", ctl_cmd_ms(ctl), CFOTA_CTL_STEP_OPERATOR)) != 0)
        return r;
    (void)cfota_at_field_str(answer(ctl, "+COPS:"), 2, info->oper, sizeof info->oper);
    if (cfota_at_field_uint(answer(ctl, "+COPS:"), 3, &v) == 0)
        info->act = (uint8_t)v;
    (void)ctl_step(ctl, CFOTA_CTL_STEP_CONTEXT, 0, 0);
    if ((r = ctl_run(ctl, "AT+CGCONTRDP", "+CGCONTRDP:", ctl_cmd_ms(ctl), CFOTA_CTL_STEP_CONTEXT)) != 0)
        return r;
    if (!cfota_at_find(&ctl->at, "+CGCONTRDP:"))
        return ctl_end(ctl, CFOTA_CTL_E_NO_PDP, CFOTA_CTL_STEP_CONTEXT);
    (void)cfota_at_field_str(answer(ctl, "+CGCONTRDP:"), 2, info->apn, sizeof info->apn);
    (void)cfota_at_field_str(answer(ctl, "+CGCONTRDP:"), 3, info->addr, sizeof info->addr);
    return 0;
}

/* Wait for +CPIN: READY after AT+CFUN=1 (it may already be queued). */
static int wait_sim(struct cfota_ctl *ctl)
{
    uint32_t start = ctl_now(ctl), limit = ctl_radio_ms(ctl);
    for (;;) {
        struct cfota_at_urc u;
        uint32_t elapsed = ctl_now(ctl) - start;
        int r;
        if (elapsed >= limit)
            return 0;  /* check() asks AT+CPIN? and says what is wrong */
        r = cfota_at_wait_urc(&ctl->at, &u, limit - elapsed);
        if (r == CFOTA_CTL_E_IO)
            return ctl_end(ctl, CFOTA_CTL_E_IO, CFOTA_CTL_STEP_APN);
        if (r == CFOTA_CTL_OK && u.kind == CFOTA_URC_CPIN && ctl_same(u.text, "+CPIN: READY"))
            return 0;
    }
}

static int set_apn(struct cfota_ctl *ctl, const char *apn)
{
    int r;
    if (ctl_step(ctl, CFOTA_CTL_STEP_APN, 0, 0))
        return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, CFOTA_CTL_STEP_APN);
    if ((r = ctl_run(ctl, "AT+CFUN=0", "+CFUN:", ctl_radio_ms(ctl), CFOTA_CTL_STEP_APN)) != 0)
        return r;
    ctl_cmd_begin(ctl, "AT*MCGDEFCONT=\"IP\",");
    ctl_cmd_quoted(ctl, apn);
    if ((r = ctl_run(ctl, NULL, NULL, ctl_cmd_ms(ctl), CFOTA_CTL_STEP_APN)) != 0)
        return r;
    cfota_at_urc_clear(&ctl->at);
    if ((r = ctl_run(ctl, "AT+CFUN=1", "+CFUN:", ctl_radio_ms(ctl), CFOTA_CTL_STEP_APN)) != 0)
        return r;
    return wait_sim(ctl);
}

int cfota_ctl_bearer(struct cfota_ctl *ctl, const char *apn, struct cfota_ctl_bearer_info *info,
                     struct cfota_ctl_report *rep)
{
    struct cfota_ctl_bearer_info own_info;
    struct cfota_ctl_report own_rep;
    int r;
    if (!ctl)
        return CFOTA_CTL_E_INVAL;
    if (!info)
        info = &own_info;
    ctl_begin(ctl, rep ? rep : &own_rep);
    memset(info, 0, sizeof *info);
    if (apn && (strlen(apn) == 0 || strlen(apn) > 63 || strchr(apn, '"')))
        return ctl_end(ctl, CFOTA_CTL_E_INVAL, CFOTA_CTL_STEP_NONE);
    if ((r = ctl_probe(ctl)) != 0)
        return r;
    /* Without an APN to set, give the module its time to register. */
    r = check(ctl, info, apn ? 0 : ctl_register_ms(ctl));
    if (!apn || (r == 0 && cfota_at_same_text(info->apn, strlen(info->apn), apn)) || r == CFOTA_CTL_E_IO ||
        r == CFOTA_CTL_E_CANCELLED || r == CFOTA_CTL_E_SIM)
        return ctl_end(ctl, r, CFOTA_CTL_STEP_NONE);
    memset(info, 0, sizeof *info);
    info->apn_set = 1;
    if ((r = set_apn(ctl, apn)) != 0)
        return r;
    r = check(ctl, info, ctl_register_ms(ctl));
    return ctl_end(ctl, r, CFOTA_CTL_STEP_NONE);
}
