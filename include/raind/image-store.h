/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "raind/macro.h"

struct json_object;

/* The local image store: root/images/<id>.json (OCI image config plus raind metadata),
 * root/layers/<layer id>/{diff/,layer.json}, root/repositories.json ("name:tag" → image id) and
 * root/tmp/ for work in progress. Every change is crash-safe; none of these functions log. */
typedef struct ImageStore ImageStore;

/* A blob of an image as its manifest names it. */
typedef struct ImageBlob {
        char *digest; /* "sha256:<64 hex>" */
        char *media_type;
        uint64_t size;
} ImageBlob;

typedef struct Image {
        char *id;          /* 64 hex digits: sha256 of the image's config JSON, as Docker's */
        char **references; /* normalized "name:tag", sorted */
        char **digests;    /* normalized "name@sha256:<hex>" it was pulled or pushed as, sorted */
        char **layers;     /* layer ids (64 hex: the layer's diff_id), bottom layer first */
        ImageBlob manifest;
        ImageBlob config;
        ImageBlob *layer_blobs; /* as many as layers, same order */
        char *os;
        char *architecture;
        char *variant;        /* may be NULL */
        char **labels;        /* "key=value" */
        char **exposed_ports; /* "80/tcp" */
        char **other_blobs;   /* digests of other manifests of the same image (and their layer blobs) that
                               * digest references name: kept while the image is */
        char **env;           /* image config Env, e.g. PATH=... */
        char **entrypoint;    /* may be NULL */
        char **cmd;           /* may be NULL */
        char *working_dir;    /* may be NULL */
        char *user;           /* may be NULL */
        char *stop_signal;    /* may be NULL */
        int64_t created;      /* µs since the epoch */
        uint64_t size;        /* bytes unpacked */
} Image;

void image_blob_done(ImageBlob *b);
/* {"mediaType":…, "digest":…, "size":…}, as manifests write descriptors; NULL when out of memory. */
struct json_object *image_blob_to_json(const ImageBlob *b);
Image *image_free(Image *i);
DEFINE_TRIVIAL_CLEANUP_FUNC(Image *, image_free);
#define _cleanup_image_free_ _cleanup_(image_freep)

/* Frees a NULL-terminated array of images, as returned by image_store_list(). */
Image **image_list_free(Image **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(Image **, image_list_free);
#define _cleanup_image_list_free_ _cleanup_(image_list_freep)

/* Opens (creating root/{images,layers,tmp} 0700 as needed) the store at root, e.g. /var/lib/raind,
 * and finishes what a crash interrupted: leftovers in root/tmp, incomplete layers (no layer.json),
 * layers no image uses and references to images that are gone are removed. */
int image_store_open(const char *root, ImageStore **ret);
ImageStore *image_store_free(ImageStore *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageStore *, image_store_free);
#define _cleanup_image_store_free_ _cleanup_(image_store_freep)

/* Absolute path of the store's root. */
const char *image_store_root(ImageStore *s);

/* Normalizes a reference (the grammar of registry_reference_parse()) to Docker's familiar form, the
 * store's key: "docker.io/library/busybox" → "busybox:latest", "docker.io/user/app" → "user/app:latest",
 * "localhost:5000/x" → "localhost:5000/x:latest", "x:1@sha256:<hex>" → "x@sha256:<hex>" (a digest drops
 * the tag). -EINVAL if the reference is invalid or its name and tag are longer than IMAGE_REF_MAX. */
int image_reference_normalize(const char *ref, char **ret);
/* The same, fully qualified: "busybox" → "docker.io/library/busybox:latest". */
int image_reference_full(const char *ref, char **ret);

/* Imports a rootfs tarball (plain, gzip, xz, bzip2 or zstd, detected from the content) read from fd
 * until EOF, like `docker import`, and tags it with reference (which may be NULL: untagged). A tag in
 * use moves to the new image; the old image stays, untagged. fd is not closed.
 * Errors: -EINVAL invalid reference; -EBADMSG not a tar archive, corrupt or unsafe entry (path with
 * "..", write through a symlink, link out of the root); -E2BIG too many entries; -EFBIG too large;
 * -ENAMETOOLONG path too long; others from the file system. On failure nothing is left behind and
 * *ret_error (if not NULL) is set to one line naming the problem, e.g.
 * "tarball entry '../evil' escapes the root". */
int image_store_import(ImageStore *s, int fd, const char *reference, char **ret_id, char **ret_error);

/* Finds an image by reference (normalized first), full id, "sha256:"-prefixed id or unique id prefix, in
 * that order. -ENOENT if there is none, -ENOTUNIQ if an id prefix is ambiguous. */
int image_store_lookup(ImageStore *s, const char *ref_or_id, Image **ret);

/* All images, newest first, as a NULL-terminated array (free with image_list_free()). Images whose
 * file is damaged are left out. */
int image_store_list(ImageStore *s, Image ***ret, size_t *ret_n);

/* A reference untags it, and removes the image when it has no reference left; an id (or unique prefix)
 * removes the image with all its references. Layers no image uses any more are deleted.
 * ret_removed_id (if not NULL) gets the id of the image if it was removed, else NULL. */
int image_store_remove(ImageStore *s, const char *ref_or_id, char **ret_removed_id);

/* The bytes a layer (by diff_id, 64 hex) takes unpacked. */
int image_store_layer_size(ImageStore *s, const char *id, uint64_t *ret);

/* The image's config JSON, as pulled (digest checked). */
int image_store_read_config(ImageStore *s, const Image *i, char **ret, size_t *ret_size);

/* While defer is set, image_store_remove() leaves the layers and blobs it made unused in place (a
 * pull running elsewhere may be about to use them); image_store_collect() removes every layer and
 * blob no image uses. */
void image_store_defer_collect(ImageStore *s, bool defer);
int image_store_collect(ImageStore *s);

/* Points reference (NAME[:TAG]) at the image ref_or_id names; an image it pointed at before stays,
 * untagged. */
int image_store_tag(ImageStore *s, const char *ref_or_id, const char *reference, char **ret_error);

/* For a worker process: from now on this store handle does its work in root/tmp/<name> (created), so
 * that what a killed worker leaves behind can be found: image_store_remove_work_dir() removes it. */
int image_store_use_work_dir(ImageStore *s, const char *name);
int image_store_remove_work_dir(ImageStore *s, const char *name);

/* Removes what interrupted pulls left in root/downloads for a later pull to resume (but downloads in
 * progress); ret_bytes (may be NULL) gets how much that was. */
int image_store_prune_downloads(ImageStore *s, uint64_t *ret_bytes);

/* Resolves USER[:GROUP] or UID[:GID] (names and numbers mixed) in the image's /etc/passwd and
 * /etc/group, found in lowerdirs (top layer first) as overlayfs would show them; a bare user gets its
 * primary group. -ESRCH with *ret_error naming what is missing, -EINVAL for a malformed user. */
int image_resolve_user(char *const *lowerdirs, const char *user, uid_t *ret_uid, gid_t *ret_gid,
                       char **ret_error);

/* Absolute paths of the image's layer directories, TOP layer first (overlayfs lowerdir order).
 * -ENOENT if a layer is missing. */
int image_store_layer_dirs(ImageStore *s, const Image *i, char ***ret);
