/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* The host's side of "raind container cp": tar streams made and unpacked with libarchive, as the
 * invoking user. Errors are logged here, once, with the path they concern. */

/* Reads the first entry of a tar stream: whether the archive holds a directory, and its root
 * (see tar_entry_root()). Leaves the archive open for tar_extract(). */
typedef struct TarReader TarReader;
int tar_reader_open(int fd, TarReader **ret);
TarReader *tar_reader_free(TarReader *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(TarReader *, tar_reader_free);
bool tar_reader_is_dir(const TarReader *t);
/* The mode of the first entry: S_IFDIR, S_IFREG, S_IFLNK … */
mode_t tar_reader_mode(const TarReader *t);

/* Extracts every entry into directory dir, the archive's root renamed to name ("." puts a
 * directory's contents into dir itself). Symbolic links on disk are never followed, ".." is
 * refused; files belong to the invoking user. */
int tar_extract(TarReader *t, const char *dir, const char *name);

/* Writes a tar stream of path (a file, or a directory tree; symbolic links as links) to fd, its
 * root named name ("." for the contents of a directory only). Returns -EPIPE quietly when the
 * reader went away. */
int tar_create(int fd, const char *path, const char *name);
