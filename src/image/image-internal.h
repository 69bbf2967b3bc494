/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "raind/image-store.h"
#include "raind/macro.h"
#include "raind/sha256.h"
#include "raind/validate.h"

/* Limits on what an import may bring in and what the store reads back. */
#define IMPORT_ENTRIES_MAX    1000000ULL
#define IMPORT_SIZE_MAX       (64ULL << 30) /* unpacked bytes, and bytes read */
#define IMPORT_DEPTH_MAX      256           /* path components of one entry */
#define IMAGE_LAYERS_MAX      128
#define IMAGE_CONFIG_SIZE_MAX (8U << 20)
#define REPOSITORIES_SIZE_MAX (16U << 20)

#define REPOSITORIES_FILE "repositories.json"
#define LAYER_JSON_FILE   "layer.json"
#define LAYER_DIFF_DIR    "diff"

#define BLOBS_DIR     "blobs/sha256"
#define DOWNLOADS_DIR "downloads"
#define LOCK_FILE     "lock"

/* "sha256:" + 64 hex digits + NUL */
#define BLOB_DIGEST_SIZE (sizeof("sha256:") - 1 + SHA256_HEX_SIZE)

struct ImageStore {
        char *root; /* absolute */
        int root_fd;
        int images_fd;
        int layers_fd;
        int blobs_fd;
        int downloads_fd;
        int tmp_fd;
        /* Removals leave unused layers and blobs to image_store_collect() (workers that may use them
         * are running). */
        bool defer_collect;
        /* Import limits; tests lower them. */
        uint64_t max_entries;
        uint64_t max_size;
};

/* Image and layer ids are 64 lowercase hex digits, as container ids. */
static inline bool image_id_is_valid(const char *id)
{
        return container_id_is_valid(id);
}

/* Sets *error (if error is not NULL) to a formatted one-line message, replacing an earlier one, and
 * returns r; %m in fmt means r. */
int image_error(char **error, int r, const char *fmt, ...) _printf_(3, 4);
/* Quotes a name coming from an archive for an error message: control characters and invalid UTF-8
 * escaped, long names shortened. */
char *image_error_quote(const char *name);

/* The names in a directory but "." and "..", read in full: callers may change the directory meanwhile,
 * and a recursion holds no directory stream. */
int dir_read_names(int fd, char ***ret);

/* Removes the file or directory tree name in dirfd, making directories writable on the way (a layer
 * may hold read-only directories), without crossing into other file systems. 0 if it does not exist. */
int tree_remove_at(int dirfd, const char *name);

/* Unpacks the tar archive read from input_fd (plain, or compressed with gzip, zstd, xz or bzip2) into
 * the directory dir_fd, refusing unsafe entries. OCI whiteouts become overlayfs ones: ".wh.NAME" a
 * character device 0/0 NAME, ".wh..wh..opq" the xattr trusted.overlay.opaque=y on its directory
 * (user.overlay.opaque unprivileged), so that dir_fd can be an overlayfs lower directory. */
typedef struct LayerUnpackOptions {
        uint64_t max_entries;
        uint64_t max_size; /* on bytes read and bytes unpacked; the tar stream may be twice as long */
        int tee_fd;        /* -EBADF, or an fd that receives the decompressed tar stream as it is read */
} LayerUnpackOptions;
typedef struct LayerUnpackResult {
        char digest[SHA256_HEX_SIZE];  /* sha256 of the bytes read from input_fd */
        char diff_id[SHA256_HEX_SIZE]; /* sha256 of the decompressed tar stream */
        uint64_t size;                 /* bytes in regular files */
        uint64_t n_entries;
} LayerUnpackResult;
int layer_unpack(int input_fd, int dir_fd, const LayerUnpackOptions *o, LayerUnpackResult *ret,
                 char **error);

/* root/layers/<id>: complete once layer.json is there. */
bool layer_is_complete(ImageStore *s, const char *id);
/* Moves the finished work directory tmp/<work_name> (holding diff/) into place as layer id, or discards it
 * when that layer exists already. *ret_created tells which. */
int layer_commit(ImageStore *s, const char *work_name, const char *id, uint64_t size, bool *ret_created);
/* Deletes a layer crash-safely: moved into tmp/ first, then removed. */
int layer_remove(ImageStore *s, const char *id);
/* Deletes those of the given layers that no image uses any more (all layers when candidates is NULL).
 * Keeps everything when an image cannot be read: its layers are unknown. */
int layers_remove_unused(ImageStore *s, char *const *candidates);

/* The image config JSON: OCI image config plus a "raind" object with the layer ids and size. */
/* A config for a new image (import): the layers, env, entrypoint … of i; one history entry. */
int image_config_format(const Image *i, const char *created_by, char **ret);
/* Fills i's config fields from an OCI image config; when i->layers is set, rootfs.diff_ids must match. */
int image_config_parse(const char *data, size_t size, Image *i);

/* ---- blobs (blob-store.c) ---- */

/* The hex part of a valid "sha256:<64 hex>" digest, else NULL. */
const char *digest_hex(const char *digest);
bool blob_exists(ImageStore *s, const char *digest);
int blob_open(ImageStore *s, const char *digest);
/* Reads a small blob and checks its digest: -EBADMSG if it does not match. */
int blob_read(ImageStore *s, const char *digest, size_t max, char **ret, size_t *ret_size);
/* Stores data as a blob; ret_digest (may be NULL) gets its digest. */
int blob_write(ImageStore *s, const void *data, size_t size, char ret_digest[BLOB_DIGEST_SIZE]);
/* Makes the finished file dir_fd/name the blob digest (the caller checked the digest). */
int blob_commit_file(ImageStore *s, int dir_fd, const char *name, const char *digest);
/* Opens (creating) root/downloads/<hex> read-write and locks it: concurrent pulls of one blob wait
 * for each other. What it holds is a prefix of the blob an earlier attempt downloaded. */
int blob_download_open(ImageStore *s, const char *digest);
/* Moves the finished download into blobs/; discard drops it. */
int blob_download_commit(ImageStore *s, const char *digest);
int blob_download_discard(ImageStore *s, const char *digest);
/* Removes those of the candidates (digests; NULL: all blobs) that no image names. */
int blobs_remove_unused(ImageStore *s, char *const *candidates);
/* After a failed pull or load: removes the layers (ids) and blobs (digests) it created, unless an image
 * uses them meanwhile. */
void image_store_undo(ImageStore *s, char *const *layers, char *const *blobs);
/* Digests of all blobs the images use (manifests, configs, layers). */
int image_blobs_in_use(ImageStore *s, char ***ret);

/* ---- image records (image-record.c) ---- */

typedef struct ImageRecord {
        ImageBlob manifest;
        ImageBlob config;
        const ImageBlob *layers;
        char *const *diff_ids; /* hex */
        size_t n_layers;
        uint64_t size;
        char *const *other_blobs; /* may be NULL */
} ImageRecord;
int image_record_format(const ImageRecord *rec, char **ret);
/* Fills i->manifest, i->config, i->layers, i->layer_blobs and i->size. */
int image_record_parse(const char *data, size_t size, Image *i);

/* ---- making images (image-commit.c) ---- */

typedef struct ImageCommit {
        const char *manifest;
        size_t manifest_size;
        const char *manifest_media_type;
        const char *config;
        size_t config_size;
        const char *config_media_type;
        const ImageBlob *layers; /* blobs, in blobs/ already */
        char *const *diff_ids;   /* hex, NULL-terminated, n_layers of them, in layers/ already */
        size_t n_layers;
        char *const *references; /* normalized; may be NULL */
} ImageCommit;
/* Stores manifest and config as blobs, writes the image record and points the references at it. */
int image_store_commit(ImageStore *s, const ImageCommit *c, char ret_id[SHA256_HEX_SIZE], char **error);

#define MEDIA_TYPE_OCI_CONFIG    "application/vnd.oci.image.config.v1+json"
#define MEDIA_TYPE_OCI_LAYER_TAR "application/vnd.oci.image.layer.v1.tar"

/* An OCI image manifest for a config and layers. */
int image_manifest_format(const ImageBlob *config, const ImageBlob *layers, size_t n_layers, char **ret);

/* Unpacks the layer tarball read from fd into tmp/ and makes it layers/<diff_id> (or finds that layer
 * there already: *ret_created false). tee_fd (or -EBADF) gets the uncompressed tar stream. */
int layer_import(ImageStore *s, int fd, int tee_fd, LayerUnpackResult *ret, bool *ret_created, char **error);

/* Takes the store's lock for changes to images/ and repositories.json; returns the fd holding it. */
int image_store_lock(ImageStore *s);
int image_json_parse(const char *data, size_t size, struct json_object **ret);
/* RFC 3339 timestamps ("2024-05-01T12:00:00.123456Z") ↔ µs since the epoch. */
int timestamp_format_rfc3339(int64_t usec, char **ret);
int timestamp_parse_rfc3339(const char *s, int64_t *ret);

/* root/repositories.json as a JSON object "name:tag" → image id. Entries that do not validate are
 * dropped on load; a missing file is an empty object. */
int repositories_load(ImageStore *s, struct json_object **ret);
int repositories_save(ImageStore *s, struct json_object *repos);
/* The references pointing at id, sorted. */
int repositories_references_of(struct json_object *repos, const char *id, char ***ret);
/* Drops every reference pointing at id; returns how many. */
unsigned repositories_drop_image(struct json_object *repos, const char *id);

/* Reads root/images/<id>.json, checks its digest and adds the references from repos. */
int image_load(ImageStore *s, struct json_object *repos, const char *id, Image **ret);
/* Ids of all images in root/images/. */
int image_ids_list(ImageStore *s, char ***ret);
/* Resolves a reference, id or id prefix to an image id; *ret_reference gets the normalized reference
 * when it matched one, else NULL. */
int image_resolve(ImageStore *s, struct json_object *repos, const char *ref_or_id, char **ret_id,
                  char **ret_reference);
/* Writes root/images/<id>.json. */
int image_write_record(ImageStore *s, const char *id, const ImageRecord *rec);
