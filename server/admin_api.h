/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/admin_api.h: the operator's requests (docs/server-api.md §4).
 * http.c has checked the admin token before any of these runs.
 */
#ifndef CFOTA_SERVER_ADMIN_API_H
#define CFOTA_SERVER_ADMIN_API_H

#include "http.h"

enum MHD_Result admin_image_put(struct http_req *r);      /* PUT images/<version> */
enum MHD_Result admin_images(struct http_req *r);         /* GET images */
enum MHD_Result admin_packages(struct http_req *r);       /* GET packages */
enum MHD_Result admin_release_create(struct http_req *r); /* POST releases */
enum MHD_Result admin_releases(struct http_req *r);       /* GET releases */
enum MHD_Result admin_release_get(struct http_req *r);    /* GET releases/<id> */
enum MHD_Result admin_release_pause(struct http_req *r);  /* POST releases/<id>/pause */
enum MHD_Result admin_release_resume(struct http_req *r); /* POST releases/<id>/resume */
enum MHD_Result admin_device_enrol(struct http_req *r);   /* POST devices */
enum MHD_Result admin_devices(struct http_req *r);        /* GET devices */

/* The upload rule of §4.1: NULL if data can be an image, else why not. */
const char *admin_image_refusal(const uint8_t *data, size_t n);

#endif
