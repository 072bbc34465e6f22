/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/admin_common.c: shared pieces of the admin handlers (see
 * admin_common.h).
 *
 * Pagination is by cursor, not offset: "after" is the key of the last
 * row of the previous page (an IMEI, a release id, a row number), so a
 * page is one indexed range scan however deep, and rows added meanwhile
 * never shift a page.
 */
#include "admin_common.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "objects.h"
#include "params.h"

enum MHD_Result admin_store_failed(struct http_req *r)
{
    enum MHD_Result sent = http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                                           "the store failed: %s", store_error(r->srv->store));
    store_rollback(r->srv->store);
    return sent;
}

enum MHD_Result admin_commit_failed(struct http_req *r)
{
    return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                           "the store failed to commit");
}

void admin_list_sep(struct admin_list *l) { json_printf(l->b, l->n++ ? ",\n" : "\n"); }

static int cursor_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '.' || c == '_' || c == '-';
}

int admin_page_params(struct http_req *r, struct page *pg, enum MHD_Result *sent)
{
    const char *limit = http_param(r, "limit"), *after = http_param(r, "after");
    int64_t n = ADMIN_PAGE_DEFAULT;
    size_t i;
    memset(pg, 0, sizeof *pg);
    if (limit && !param_int(limit, 1, ADMIN_PAGE_MAX, &n)) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "limit must be a whole number from 1 to %d", ADMIN_PAGE_MAX);
        return 0;
    }
    for (i = 0; after && after[i]; i++)
        if (!cursor_char(after[i]) || i >= 40) {
            *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                    "after must be the 'next' of a previous page");
            return 0;
        }
    pg->limit = (int)n;
    pg->after = after;
    return 1;
}

int admin_product_param(struct http_req *r, int required, const char **out,
                        enum MHD_Result *sent)
{
    *out = http_param(r, "product");
    if (!*out && !required)
        return 1;
    if (!*out) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "parameter 'product' is missing: everything belongs to a "
                                "product (hardware type)");
        return 0;
    }
    if (!param_product(*out)) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "a product is 1 to 32 of A-Z a-z 0-9 . _ + -, starting with a "
                                "letter or digit");
        return 0;
    }
    return 1;
}

enum MHD_Result admin_send_json(struct http_req *r, unsigned status, struct bytes *json)
{
    enum MHD_Result sent = http_send_json(r, status, json);
    bytes_free(json);
    return sent;
}

enum MHD_Result admin_send_page(struct http_req *r, const char *name, struct page *pg,
                                int (*each)(struct admin_list *l), void *arg)
{
    struct store *st = r->srv->store;
    struct bytes b = {0};
    struct admin_list l = {&b, 0, r->srv, st, pg, arg};
    json_printf(&b, "{\"%s\":[", name);
    store_begin(st, 0);
    if (each(&l) != STORE_OK) {
        bytes_free(&b);
        return admin_store_failed(r);
    }
    store_commit(st);
    json_printf(&b, "\n],\"next\":");
    if (pg->next[0])
        json_string(&b, pg->next);
    else
        json_printf(&b, "null");
    json_printf(&b, "}\n");
    return admin_send_json(r, MHD_HTTP_OK, &b);
}

void admin_drop_object(struct cfota_server *s, const char *sha)
{
    char path[4200];
    int known;
    store_begin(s->store, 0);
    known = store_object_known(s->store, sha);
    store_commit(s->store);
    if (known != 0)
        return;
    objects_path(s->data_dir, sha, path, sizeof path);
    unlink(path);
}

static const char *const product_list_params[] = {"product", "limit", "after", NULL};
static const char *const no_params[] = {NULL};

enum MHD_Result admin_product_list(struct http_req *r, const char *name,
                                   int (*each)(struct admin_list *l))
{
    const char *product;
    struct page pg;
    enum MHD_Result sent;
    if (!http_params_check(r, product_list_params, NULL, &sent) ||
        !admin_product_param(r, 0, &product, &sent) || !admin_page_params(r, &pg, &sent))
        return sent;
    return admin_send_page(r, name, &pg, each, (void *)product);
}

enum MHD_Result admin_short_list(struct http_req *r, const char *name,
                                 int (*each)(struct admin_list *l))
{
    struct page pg;
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent))
        return sent;
    memset(&pg, 0, sizeof pg);
    return admin_send_page(r, name, &pg, each, NULL);
}
