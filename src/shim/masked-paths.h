/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* linux.maskedPaths: /dev/null over files, an empty read-only tmpfs over directories.
 * linux.readonlyPaths: a read-only bind mount of the path onto itself. Missing paths are skipped. */
int paths_mask(char *const *paths, int rootfd);
int paths_make_readonly(char *const *paths, int rootfd);
