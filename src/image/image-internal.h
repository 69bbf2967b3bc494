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

struct ImageStore {
        char *root; /* absolute */
        int root_fd;
        int images_fd;
        int layers_fd;
        int tmp_fd;
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
int image_config_format(const Image *i, char **ret);
int image_config_parse(const char *id, const char *data, size_t size, Image **ret);
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
/* Writes root/images/<id>.json for the config and returns the id. */
int image_write_config(ImageStore *s, const char *config, char ret_id[SHA256_HEX_SIZE]);
