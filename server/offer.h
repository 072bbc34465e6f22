/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/offer.h: what a device on a version is offered, and why.
 *
 * One decision, written once, used by the device's check (which records
 * it) and by the operator's dry run (which shows it with its reasons):
 * the release that takes precedence for the device (docs/server-api.md
 * §3.1), then the package of the device's product from its version to
 * that release's target, then the release's cap on downloads in flight.
 * Runs inside the caller's store transaction; writes nothing.
 */
#ifndef CFOTA_SERVER_OFFER_H
#define CFOTA_SERVER_OFFER_H

#include <stdint.h>

#include "bytes.h"
#include "store.h"

#define OFFER_RETRY_BUILDING 60 /* seconds, the check's retry= while a build runs */
#define OFFER_RETRY_CAP 300     /* seconds, while a release's cap is reached */
#define OFFER_SLOT_TTL 3600     /* seconds an idle download still holds a slot */

enum offer_kind {
    OFFER_NONE,    /* status=none */
    OFFER_WAIT,    /* status=none with retry= */
    OFFER_PACKAGE, /* status=update */
};

struct offer {
    enum offer_kind kind;
    int retry;        /* seconds, for OFFER_WAIT */
    int has_release;  /* rel is the release that decided */
    struct release rel;
    struct package pkg; /* for OFFER_PACKAGE */
};

/* Decide for dev (its product set) running ver, asking for want (NULL:
 * any) at time now. why: NULL, or a JSON array being written (after its
 * '['), which receives one string per step of the reasoning. Returns
 * STORE_OK or STORE_ERROR. */
int offer_decide(struct store *st, const struct device *dev, const char *ver, const char *want,
                 int64_t now, struct offer *out, struct bytes *why);

#endif
