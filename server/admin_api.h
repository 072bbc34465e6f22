/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/admin_api.h: the operator's requests (docs/server-api.md §4).
 * http.c has checked the admin token and its role before any of these
 * runs. Images, packages and products are in admin_api.c, releases in
 * admin_releases.c, devices and tokens in admin_devices.c.
 */
#ifndef CFOTA_SERVER_ADMIN_API_H
#define CFOTA_SERVER_ADMIN_API_H

#include "http.h"

enum MHD_Result admin_image_put(struct http_req *r);       /* PUT images/<version> */
enum MHD_Result admin_image_delete(struct http_req *r);    /* DELETE images/<version> */
enum MHD_Result admin_images(struct http_req *r);          /* GET images */
enum MHD_Result admin_package_upload(struct http_req *r);  /* POST packages */
enum MHD_Result admin_packages(struct http_req *r);        /* GET packages */
enum MHD_Result admin_package_delete(struct http_req *r);  /* DELETE packages/<id> */
enum MHD_Result admin_products(struct http_req *r);        /* GET products */
enum MHD_Result admin_release_create(struct http_req *r);  /* POST releases */
enum MHD_Result admin_releases(struct http_req *r);        /* GET releases */
enum MHD_Result admin_release_get(struct http_req *r);     /* GET releases/<id> */
enum MHD_Result admin_release_delete(struct http_req *r);  /* DELETE releases/<id> */
enum MHD_Result admin_release_pause(struct http_req *r);   /* POST releases/<id>/pause */
enum MHD_Result admin_release_resume(struct http_req *r);  /* POST releases/<id>/resume */
enum MHD_Result admin_release_advance(struct http_req *r); /* POST releases/<id>/advance */
enum MHD_Result admin_release_devices(struct http_req *r); /* GET releases/<id>/devices */
enum MHD_Result admin_device_enrol(struct http_req *r);    /* POST devices */
enum MHD_Result admin_devices(struct http_req *r);         /* GET devices */
enum MHD_Result admin_device_get(struct http_req *r);      /* GET devices/<imei> */
enum MHD_Result admin_device_plan(struct http_req *r);     /* GET devices/<imei>/plan */
enum MHD_Result admin_device_revoke(struct http_req *r);   /* POST devices/<imei>/revoke */
enum MHD_Result admin_device_rotate(struct http_req *r);   /* POST devices/<imei>/rotate */
enum MHD_Result admin_token_create(struct http_req *r);    /* POST tokens */
enum MHD_Result admin_tokens(struct http_req *r);          /* GET tokens */
enum MHD_Result admin_token_delete(struct http_req *r);    /* DELETE tokens/<name> */

/* The upload rule of §4.1: NULL if data can be an image, else why not. */
const char *admin_image_refusal(const uint8_t *data, size_t n);

/* 1 if product has an image or a package (what enrolment and releases
 * accept), 0 if not, -1 on a store error. In a transaction. */
int admin_product_known(struct store *st, const char *product);

#endif
