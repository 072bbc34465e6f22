/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/builder.h: the background package builder.
 *
 * One thread makes the packages that releases call for: for every release
 * target, the full-image package (encoder option no_base), then a delta
 * from every other uploaded image. What is missing is read from the store
 * (store_next_build), never kept in memory, so a build interrupted by a
 * kill is simply made again at the next start, and an image uploaded after
 * a release becomes a base for it too.
 */
#ifndef CFOTA_SERVER_BUILDER_H
#define CFOTA_SERVER_BUILDER_H

struct cfota_server;
struct builder;

/* Start the thread; it looks for work at once. NULL if it cannot start. */
struct builder *builder_start(struct cfota_server *srv);
/* Tell the builder the store may call for new packages. */
void builder_kick(struct builder *b);
/* Block until the builder found nothing to do after the latest kick. */
void builder_wait_idle(struct builder *b);
/* Finish the build in progress, if any, and stop the thread. */
void builder_stop(struct builder *b);

#endif
