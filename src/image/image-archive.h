/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Image archives as `podman save`/`podman load` and skopeo's docker-archive: and oci-archive:
 * transports read and write them. Pure format code: the caller hands in blobs through a callback and
 * gets spilled files back; the store is not touched here. Nothing here logs; errors are negative errno
 * values plus one line for the user in *ret_error. */

#include <stddef.h>
#include <stdint.h>

#include "raind/macro.h"

/* Limits on what image_archive_read() accepts. */
#define ARCHIVE_ENTRIES_MAX     100000U
#define ARCHIVE_SIZE_MAX        (64ULL << 30) /* bytes of all files, and bytes read */
#define ARCHIVE_IMAGES_MAX      1024U
#define ARCHIVE_TAGS_MAX        1024U
#define ARCHIVE_INDEX_DEPTH     4U         /* nested OCI indexes */
#define ARCHIVE_JSON_SIZE_MAX   (4U << 20) /* manifest.json, index.json, manifests */
#define ARCHIVE_CONFIG_SIZE_MAX (8U << 20) /* image configs */

#define OCI_REF_NAME_ANNOTATION          "org.opencontainers.image.ref.name"
#define CONTAINERD_IMAGE_NAME_ANNOTATION "io.containerd.image.name"

typedef enum ArchiveFormat {
        ARCHIVE_FORMAT_DOCKER,
        ARCHIVE_FORMAT_OCI,
} ArchiveFormat;

/* "docker-archive", "oci-archive"; -EINVAL for anything else. */
int archive_format_from_string(const char *s, ArchiveFormat *ret);
const char *archive_format_to_string(ArchiveFormat f);

typedef struct ArchiveBlob {
        char *digest;     /* "sha256:<hex>" */
        char *media_type; /* layer media type as in the manifest (tar, tar+gzip, tar+zstd, docker's) */
        uint64_t size;
        char *diff_id; /* "sha256:<hex>" of the uncompressed tar (layers only); may be NULL */
} ArchiveBlob;

typedef struct ArchiveImage {
        char *manifest; /* the image manifest JSON, exactly as stored (OCI or Docker schema2) */
        size_t manifest_size;
        char *manifest_digest; /* may be NULL: computed */
        char *config_digest;
        ArchiveBlob *layers; /* bottom first */
        size_t n_layers;
        char **tags; /* fully qualified, e.g. "docker.io/library/busybox:latest"; may be NULL or empty */
} ArchiveImage;

/* Returns an fd open for reading at offset 0 on the blob with that digest (config or layer), or a
 * negative errno. The fd is closed by the caller of the callback. A regular file is streamed; anything
 * else (a pipe) is spilled to a temporary file first. */
typedef int (*ArchiveBlobOpen)(const char *digest, void *userdata);

/* Writes the images as one tar stream to out_fd.
 *
 * docker-archive (as `podman save`): "<config hex>.json", each layer as an uncompressed tar named
 * "<diff_id hex>.tar" (compressed blobs are decompressed through a temporary file in tmp_dir_fd), and
 * manifest.json last: [{"Config":…,"RepoTags":[…],"Layers":[…]}]. No legacy "repositories" file.
 * ArchiveImage.manifest is not used and may be NULL.
 *
 * oci-archive (as skopeo): oci-layout, blobs/sha256/<hex> verbatim (manifest, config, layers) and
 * index.json last, one entry per image and tag with the tag as org.opencontainers.image.ref.name.
 * A Docker schema2 manifest is rewritten with OCI media types (skopeo 1.9 finds no image by ref.name
 * whose index entry is not an OCI manifest; `skopeo copy` converts the same way): its config and
 * layers stay byte for byte, the manifest in the archive gets a new digest. OCI manifests are kept
 * verbatim. podman 4.3 `load` takes only an oci-archive with a single index entry, i.e. one tag.
 *
 * Every blob is checked against its digest (and size and diff_id where given) as it is copied; on a
 * mismatch the output is left incomplete (no manifest.json or index.json) and an error returned. */
int image_archive_write(int out_fd, ArchiveFormat format, const ArchiveImage *images, size_t n_images,
                        ArchiveBlobOpen open_blob, void *userdata, int tmp_dir_fd, char **ret_error);

typedef struct ArchiveReadImage {
        char *config_path; /* relative to work_dir_fd */
        char *config_digest;
        char **layer_paths;  /* bottom first */
        ArchiveBlob *layers; /* digest/size/media type of each layer file as found; diff_id NULL */
        size_t n_layers;
        char *manifest; /* OCI archives: the manifest bytes; docker-archive: NULL */
        size_t manifest_size;
        char *manifest_digest; /* NULL for docker-archive */
        char **tags;           /* as in the archive; never NULL (may be empty) */
} ArchiveReadImage;

typedef struct ArchiveContents {
        ArchiveFormat format;
        ArchiveReadImage *images;
        size_t n_images;
} ArchiveContents;

/* Reads an archive of either format (an OCI layout when oci-layout and index.json are there, else
 * manifest.json; the tar may be compressed with gzip, zstd, xz or bzip2) from in_fd. Its regular files
 * are spilled into work_dir_fd (an empty directory) under the hex sha256 of their content: archive
 * paths never become file names, nothing is created but plain files directly in work_dir_fd, and
 * files no image refers to are removed again (all of them on failure). Symlinks and hardlinks that
 * alias another file of the archive resolve to it; one that points out of the archive is refused.
 *
 * OCI blobs are checked against their names and descriptor sizes; nested indexes are followed, a
 * multi-platform index gives the host's image. docker-archive layers get the media type of what they
 * are: application/vnd.oci.image.layer.v1.tar, …tar+gzip or …tar+zstd. */
int image_archive_read(int in_fd, int work_dir_fd, ArchiveContents **ret, char **ret_error);
ArchiveContents *archive_contents_free(ArchiveContents *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(ArchiveContents *, archive_contents_free);
#define _cleanup_archive_contents_free_ _cleanup_(archive_contents_freep)

void archive_blob_done(ArchiveBlob *b);
