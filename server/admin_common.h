/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/admin_common.h: what the admin handlers (admin_api.c,
 * admin_releases.c, admin_devices.c) share: store failure answers, the
 * common parameters (product, pagination) and paged JSON lists.
 */
#ifndef CFOTA_SERVER_ADMIN_COMMON_H
#define CFOTA_SERVER_ADMIN_COMMON_H

#include "http.h"
#include "store.h"

#define ADMIN_PAGE_DEFAULT 100
#define ADMIN_PAGE_MAX 1000

struct admin_list {
    struct bytes *b;
    int n;
    struct cfota_server *srv;
    struct store *st;
    struct page *pg;
    void *arg;
};

/* Answer 500 with the store's error and roll back the transaction. */
enum MHD_Result admin_store_failed(struct http_req *r);
/* Answer 500 "the store failed to commit" (no transaction open). */
enum MHD_Result admin_commit_failed(struct http_req *r);

/* Comma between list elements, one per line. */
void admin_list_sep(struct admin_list *l);

/* Read limit= and after= into pg. 1, or 0 after answering 400. */
int admin_page_params(struct http_req *r, struct page *pg, enum MHD_Result *sent);
/* Check an optional (required=0) or required product= parameter: *out
 * is its value or NULL. 1, or 0 after answering 400. */
int admin_product_param(struct http_req *r, int required, const char **out,
                        enum MHD_Result *sent);

/* Answer {"<name>":[...],"next":<cursor or null>} from each(), which fills
 * the list in one read transaction. */
enum MHD_Result admin_send_page(struct http_req *r, const char *name, struct page *pg,
                                int (*each)(struct admin_list *l), void *arg);

/* A list handler: a product-filtered, paged list (parameters product,
 * limit, after; each() gets the product in l->arg), or a short list with
 * no parameters and no pages. */
enum MHD_Result admin_product_list(struct http_req *r, const char *name,
                                   int (*each)(struct admin_list *l));
enum MHD_Result admin_short_list(struct http_req *r, const char *name,
                                 int (*each)(struct admin_list *l));

/* Answer json with status (bytes freed). */
enum MHD_Result admin_send_json(struct http_req *r, unsigned status, struct bytes *json);

/* Remove object sha's file if no row names it any more (after a delete
 * was committed; a kill before this leaves an orphan for objects_gc). */
void admin_drop_object(struct cfota_server *s, const char *sha);

#endif
