/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What image-archive-read.c and image-archive-write.c share. */

#include <archive.h>
#include <json-c/json.h>

#include "image-archive.h"
#include "raind/sha256.h"

#define MEDIA_TYPE_OCI_LAYER      "application/vnd.oci.image.layer.v1.tar"
#define MEDIA_TYPE_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MEDIA_TYPE_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"

#define OCI_LAYOUT_FILE      "oci-layout"
#define OCI_INDEX_FILE       "index.json"
#define OCI_BLOBS_DIR        "blobs/sha256/"
#define DOCKER_MANIFEST_FILE "manifest.json"

/* An unnamed file for reading and writing in dir_fd (O_TMPFILE, else created and unlinked at once). */
int archive_tmpfile(int dir_fd);

/* The hex part of a valid "sha256:<hex>" digest, else NULL. */
const char *archive_digest_hex(const char *digest);

/* Parses exactly size bytes as one JSON value (no trailing garbage). */
int archive_json_parse(const char *data, size_t size, struct json_object **ret);

static inline void archive_read_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}

static inline void archive_write_freep(struct archive **a)
{
        if (*a)
                archive_write_free(*a);
}
