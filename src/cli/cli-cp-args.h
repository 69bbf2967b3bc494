/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* The arguments of "raind container cp SRC DST" and where a copy lands, by docker cp's rules.
 * Pure: no file system, no bus, so it can be tested. */

typedef struct CopyArgs {
        bool to_container;    /* host → container */
        char *container;      /* name or id */
        char *container_path; /* absolute */
        char *host_path;      /* "-": a tar stream on stdin or stdout */
} CopyArgs;

void copy_args_done(CopyArgs *a);

/* One argument: "NAME:PATH" names a path in a container (returns 1); an absolute path, a path
 * starting with '.', or one without ':' is a host path (returns 0). */
int cp_arg_split(const char *arg, char **ret_container, char **ret_path);

/* Both arguments: exactly one must be in a container. -EINVAL with *ret_error for the user. */
int copy_args_parse(const char *src, const char *dst, CopyArgs *ret, char **ret_error);

/* Where a copied item lands. src_path is the source as given (a trailing "/." copies a
 * directory's contents), src_is_dir what it is; dst_path the destination as given and dst_mode
 * what is there (0: nothing, else S_IFDIR, S_IFREG, …). Returns the directory to extract into,
 * which must exist, and the name the item gets there ("." to put a directory's contents directly
 * into it). -EINVAL with *ret_error when the copy makes no sense. */
int cp_resolve_target(const char *src_path, bool src_is_dir, const char *dst_path, mode_t dst_mode,
                      char **ret_dir, char **ret_name, char **ret_error);

/* The first component of the name of a tar entry: "web" for "web/a" or "./web/a", "." for "." or
 * "./"; NULL for an entry that has none. */
char *tar_entry_root(const char *entry);

/* Renames an entry of an archive of root (see tar_entry_root()) to the same place under name:
 * "web/a" with root "web" and name "site" → "site/a"; with name "." → "a". -EINVAL for an entry
 * outside root or with a ".." component. */
int tar_entry_rename(const char *entry, const char *root, const char *name, char **ret);
