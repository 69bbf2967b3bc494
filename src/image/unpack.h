/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The pieces of the tarball unpacker (layer-unpack.c). */

#include <archive.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "raind/macro.h"
#include "raind/sha256.h"

/* The input: read for libarchive through tar_input_read(), hashed on the way. */
typedef struct TarInput {
        int fd;
        Sha256Context hash;
        uint64_t n_read;
        uint64_t max;
        int error; /* of the failed read: -EFBIG past max */
        uint8_t buffer[128 * 1024];
} TarInput;

/* Free with free(). */
TarInput *tar_input_new(int fd, uint64_t max);
/* libarchive's read callback; fails past max bytes. A failure is kept in error. */
ssize_t tar_input_read(struct archive *a, void *userdata, const void **ret_buffer);
/* Reads what the archive reader left (padding, compressor trailers, trailing bytes), so that the
 * digest covers the whole input. */
int tar_input_drain(TarInput *in);
void tar_input_digest(TarInput *in, char ret[SHA256_HEX_SIZE]);

/* The decompressed tar stream, read from a TarInput by a decompressor (plain tar, gzip, zstd, xz, bzip2)
 * and handed to the tar reader through tar_stream_read(); hashed, and copied to tee_fd when that is an
 * fd. */
typedef struct TarStream {
        struct archive *decompressor;
        Sha256Context hash;
        uint64_t n_read;
        uint64_t max;
        int tee_fd;
        int error; /* -EFBIG past max, or the tee's write error */
        bool eof;
} TarStream;

/* Sets up the decompressor on in. -EBADMSG when it fails (reading in, or an unreadable compression):
 * the message is in s->decompressor. Call tar_stream_done() in any case. */
int tar_stream_open(TarStream *s, TarInput *in, uint64_t max, int tee_fd);
void tar_stream_done(TarStream *s);
/* libarchive's read callback for the tar reader; a failure is kept in error (or the decompressor). */
ssize_t tar_stream_read(struct archive *a, void *userdata, const void **ret_buffer);
/* Reads what the tar reader left (the rest of the last block, anything after the archive), so that
 * the diff_id covers the whole stream. -EBADMSG when the decompressor fails. */
int tar_stream_drain(TarStream *s);
void tar_stream_diff_id(TarStream *s, char ret[SHA256_HEX_SIZE]);

/* Drops a leading '/', empty and "." components: "" is the root itself. -EBADMSG for a ".."
 * component, -ENAMETOOLONG beyond PATH_MAX, NAME_MAX or IMPORT_DEPTH_MAX components. */
int entry_path_normalize(const char *p, char **ret, unsigned *ret_depth);

/* The directory opened last: entries of one directory usually come together. */
typedef struct DirCache {
        char *path;
        int fd;
} DirCache;
void dir_cache_forget(DirCache *c);

/* Opens directory path (normalized, relative to root_fd) one component at a time, never following a
 * symlink: -ELOOP when a component is one, -ENOTDIR when it is something else. Missing directories
 * are created 0755 when create is set, and then the result is cached. Returns a new fd. */
int open_dir_beneath(int root_fd, DirCache *cache, const char *path, bool create);

typedef struct DirFixup {
        char *path; /* normalized, "" for the root */
        unsigned depth;
        size_t index;
        mode_t mode;
        struct timespec times[2];
} DirFixup;

typedef struct DirFixups {
        DirFixup *items;
        size_t n;
        size_t allocated;
        size_t bytes;
} DirFixups;

void dir_fixups_done(DirFixups *f);
/* -E2BIG when the fixups would take too much memory. */
int dir_fixups_add(DirFixups *f, const char *path, unsigned depth, mode_t mode,
                   const struct timespec times[2]);
/* Sets modes and times; on failure *ret_failed_path is the directory's path (owned by f). */
int dir_fixups_apply(DirFixups *f, int root_fd, const char **ret_failed_path);
