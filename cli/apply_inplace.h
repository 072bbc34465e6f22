/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/apply_inplace.h: the in-place mode of `cfota apply` (see the .c).
 */
#ifndef CFOTA_CLI_APPLY_INPLACE_H
#define CFOTA_CLI_APPLY_INPLACE_H

/* Update IMAGE in place with PKG through a simulated flash kept in
 * state_dir (NULL: IMAGE.cfota-state). cut_after: NULL, or the number of
 * flash operations after which power fails. Returns the exit status: 0,
 * 1 (failed, reason printed), or EXIT_POWER_CUT. */
int apply_in_place(const char *image_path, const char *pkg_path, const char *state_dir, const char *cut_after,
                   int quiet);

#endif
