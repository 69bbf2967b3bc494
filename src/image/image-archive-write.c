/* SPDX-License-Identifier: Apache-2.0 */
/* Writes images as a docker-archive or an oci-archive tar stream, as `podman save` and skopeo do.
 *
 * Every blob is hashed while it is copied and checked against its digest; the file naming the images
 * (manifest.json, index.json) comes last, so an archive cut short by a mismatch names no image. */

#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "archive-internal.h"
#include "image-internal.h"
#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/registry.h"
#include "raind/strv.h"
#include "unpack.h"

#define COPY_BUFFER_SIZE (128U * 1024U)

typedef struct ArchiveWriter {
        struct archive *archive;
        ArchiveBlobOpen open_blob;
        void *userdata;
        int tmp_dir_fd;
        /* Entry names written so far; for docker-archive layers also the blob digest → entry name. */
        char **written;
        char **layer_digests;
        char **layer_names;
        char **error;
} ArchiveWriter;

static void archive_writer_done(ArchiveWriter *w)
{
        if (w->archive)
                archive_write_free(w->archive);
        strv_free(w->written);
        strv_free(w->layer_digests);
        strv_free(w->layer_names);
}

static int writer_failure(ArchiveWriter *w, const char *name)
{
        int e = archive_errno(w->archive);

        return image_error(w->error, e > 0 ? -e : -EIO, "cannot write '%s' to the archive: %s", name,
                           archive_error_string(w->archive) ?: "unknown error");
}

static int write_header(ArchiveWriter *w, const char *name, mode_t type, uint64_t size)
{
        struct archive_entry *e = archive_entry_new();
        int r = 0;

        if (!e)
                return -ENOMEM;
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
        archive_entry_set_size(e, type == AE_IFDIR ? 0 : (la_int64_t)size);
        /* Fixed owner and time: the same images give the same archive. */
        archive_entry_set_uid(e, 0);
        archive_entry_set_gid(e, 0);
        archive_entry_set_mtime(e, 0, 0);
        if (archive_write_header(w->archive, e) < ARCHIVE_WARN)
                r = writer_failure(w, name);
        archive_entry_free(e);
        if (r < 0)
                return r;
        return strv_extend(&w->written, name);
}

static int write_data(ArchiveWriter *w, const char *name, const void *data, size_t size)
{
        while (size > 0) {
                la_ssize_t n = archive_write_data(w->archive, data, size);
                if (n <= 0)
                        return writer_failure(w, name);
                data = (const uint8_t *)data + n;
                size -= (size_t)n;
        }
        return 0;
}

static int write_memory_entry(ArchiveWriter *w, const char *name, const void *data, size_t size)
{
        int r = write_header(w, name, AE_IFREG, size);
        if (r < 0)
                return r;
        return write_data(w, name, data, size);
}

/* Copies exactly size bytes of fd into a new entry, hashing them. */
static int write_fd_entry(ArchiveWriter *w, const char *name, int fd, uint64_t size, Sha256Context *hash)
{
        _cleanup_free_ uint8_t *buf = malloc(COPY_BUFFER_SIZE);
        uint64_t left = size;
        int r;

        if (!buf)
                return -ENOMEM;
        r = write_header(w, name, AE_IFREG, size);
        if (r < 0)
                return r;
        while (left > 0) {
                ssize_t n = read(fd, buf, (size_t)MIN(left, (uint64_t)COPY_BUFFER_SIZE));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return image_error(w->error, -errno, "cannot read the blob for '%s': %m", name);
                if (n == 0)
                        return image_error(w->error, -EIO, "the blob for '%s' became shorter while written",
                                           name);
                sha256_update(hash, buf, (size_t)n);
                r = write_data(w, name, buf, (size_t)n);
                if (r < 0)
                        return r;
                left -= (uint64_t)n;
        }
        return 0;
}

static int digest_mismatch(ArchiveWriter *w, const char *digest)
{
        return image_error(w->error, -EBADMSG, "blob %s does not match its digest", digest);
}

static int open_blob(ArchiveWriter *w, const char *digest)
{
        int fd = w->open_blob(digest, w->userdata);
        if (fd < 0)
                return image_error(w->error, fd, "cannot open blob %s: %m", digest);
        return fd;
}

/* The blob as an fd at offset 0 with a known size: a regular file as it is, anything else copied
 * into a temporary file first. */
static int open_blob_sized(ArchiveWriter *w, const char *digest, int *ret_fd, uint64_t *ret_size)
{
        _cleanup_close_ int fd = -EBADF, tmp = -EBADF;
        _cleanup_free_ uint8_t *buf = NULL;
        uint64_t size = 0;
        struct stat st;

        fd = open_blob(w, digest);
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return image_error(w->error, -errno, "cannot stat blob %s: %m", digest);
        if (S_ISREG(st.st_mode)) {
                *ret_size = (uint64_t)st.st_size;
                *ret_fd = TAKE_FD(fd);
                return 0;
        }

        tmp = archive_tmpfile(w->tmp_dir_fd);
        if (tmp < 0)
                return image_error(w->error, tmp, "cannot make a temporary file for blob %s: %m", digest);
        buf = malloc(COPY_BUFFER_SIZE);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, buf, COPY_BUFFER_SIZE);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return image_error(w->error, -errno, "cannot read blob %s: %m", digest);
                if (n == 0)
                        break;
                size += (uint64_t)n;
                if (size > REGISTRY_LAYER_SIZE_MAX)
                        return image_error(w->error, -EFBIG, "blob %s is larger than %llu bytes", digest,
                                           (unsigned long long)REGISTRY_LAYER_SIZE_MAX);
                int r = loop_write(tmp, buf, (size_t)n);
                if (r < 0)
                        return image_error(w->error, r, "cannot write a temporary copy of blob %s: %m",
                                           digest);
        }
        if (lseek(tmp, 0, SEEK_SET) < 0)
                return -errno;
        *ret_size = size;
        *ret_fd = TAKE_FD(tmp);
        return 0;
}

/* Copies a blob verbatim as name, checking its digest and, unless UINT64_MAX, its size. */
static int write_blob_verbatim(ArchiveWriter *w, const char *name, const char *digest,
                               uint64_t expected_size)
{
        _cleanup_close_ int fd = -EBADF;
        char hex[SHA256_HEX_SIZE];
        Sha256Context hash;
        uint64_t size;
        int r;

        if (strv_contains(w->written, name))
                return 0;
        r = open_blob_sized(w, digest, &fd, &size);
        if (r < 0)
                return r;
        if (expected_size != UINT64_MAX && size != expected_size)
                return image_error(w->error, -EBADMSG, "blob %s is %llu bytes, its descriptor says %llu",
                                   digest, (unsigned long long)size, (unsigned long long)expected_size);
        sha256_init(&hash);
        r = write_fd_entry(w, name, fd, size, &hash);
        if (r < 0)
                return r;
        sha256_final_hex(&hash, hex);
        if (!streq(hex, archive_digest_hex(digest)))
                return digest_mismatch(w, digest);
        return 0;
}

static int read_config(ArchiveWriter *w, const char *digest, char **ret, size_t *ret_size)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *data = NULL;
        char hex[SHA256_HEX_SIZE];
        size_t size;
        int r;

        fd = open_blob(w, digest);
        if (fd < 0)
                return fd;
        r = read_full_fd(fd, ARCHIVE_CONFIG_SIZE_MAX, &data, &size);
        if (r == -EFBIG)
                return image_error(w->error, r, "config %s is larger than %u bytes", digest,
                                   ARCHIVE_CONFIG_SIZE_MAX);
        if (r < 0)
                return image_error(w->error, r, "cannot read config %s: %m", digest);
        sha256_hex(data, size, hex);
        if (!streq(hex, archive_digest_hex(digest)))
                return digest_mismatch(w, digest);
        *ret = TAKE_PTR(data);
        *ret_size = size;
        return 0;
}

/* ---- docker-archive ---- */

static bool media_type_is_uncompressed(const char *t)
{
        return t &&
               (streq(t, MEDIA_TYPE_OCI_LAYER) || streq(t, "application/vnd.docker.image.rootfs.diff.tar"));
}

/* Decompresses the layer (whatever libarchive's filters recognize; plain tar passes through) into a
 * temporary file, checking the compressed bytes against digest and size and the result against the
 * diff_id if one is given. */
static int layer_decompress(ArchiveWriter *w, const ArchiveBlob *l, int *ret_fd, uint64_t *ret_size,
                            char ret_diff_hex[SHA256_HEX_SIZE])
{
        _cleanup_(archive_read_freep) struct archive *a = NULL;
        _cleanup_close_ int fd = -EBADF, tmp = -EBADF;
        _cleanup_free_ TarInput *in = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        struct archive_entry *e;
        char hex[SHA256_HEX_SIZE];
        Sha256Context diff;
        uint64_t size = 0;
        int r;

        fd = open_blob(w, l->digest);
        if (fd < 0)
                return fd;
        tmp = archive_tmpfile(w->tmp_dir_fd);
        if (tmp < 0)
                return image_error(w->error, tmp, "cannot make a temporary file for layer %s: %m",
                                   l->digest);
        in = tar_input_new(fd, REGISTRY_LAYER_SIZE_MAX);
        buf = malloc(COPY_BUFFER_SIZE);
        a = archive_read_new();
        if (!in || !buf || !a)
                return -ENOMEM;
        if (archive_read_support_format_raw(a) < ARCHIVE_WARN ||
            archive_read_support_filter_gzip(a) < ARCHIVE_WARN ||
            archive_read_support_filter_zstd(a) < ARCHIVE_WARN ||
            archive_read_support_filter_xz(a) < ARCHIVE_WARN ||
            archive_read_support_filter_bzip2(a) < ARCHIVE_WARN)
                return image_error(w->error, -EOPNOTSUPP, "libarchive lacks a decompressor: %s",
                                   archive_error_string(a));
        if (archive_read_open(a, in, NULL, tar_input_read, NULL) < ARCHIVE_WARN ||
            archive_read_next_header(a, &e) != ARCHIVE_OK)
                goto fail;

        sha256_init(&diff);
        for (;;) {
                la_ssize_t n = archive_read_data(a, buf, COPY_BUFFER_SIZE);
                if (n < 0)
                        goto fail;
                if (n == 0)
                        break;
                size += (uint64_t)n;
                if (size > REGISTRY_LAYER_SIZE_MAX)
                        return image_error(w->error, -EFBIG, "layer %s unpacks to more than %llu bytes",
                                           l->digest, (unsigned long long)REGISTRY_LAYER_SIZE_MAX);
                sha256_update(&diff, buf, (size_t)n);
                r = loop_write(tmp, buf, (size_t)n);
                if (r < 0)
                        return image_error(w->error, r, "cannot write the decompressed layer %s: %m",
                                           l->digest);
        }
        r = tar_input_drain(in);
        if (r < 0)
                return image_error(w->error, r, "cannot read layer %s: %m", l->digest);

        tar_input_digest(in, hex);
        if (!streq(hex, archive_digest_hex(l->digest)))
                return digest_mismatch(w, l->digest);
        if (in->n_read != l->size)
                return image_error(w->error, -EBADMSG, "layer %s is %llu bytes, its descriptor says %llu",
                                   l->digest, (unsigned long long)in->n_read, (unsigned long long)l->size);
        sha256_final_hex(&diff, ret_diff_hex);
        if (l->diff_id && !streq(ret_diff_hex, strempty(archive_digest_hex(l->diff_id))))
                return image_error(w->error, -EBADMSG, "layer %s does not unpack to its diff_id %s",
                                   l->digest, l->diff_id);
        if (lseek(tmp, 0, SEEK_SET) < 0)
                return -errno;
        *ret_size = size;
        *ret_fd = TAKE_FD(tmp);
        return 0;

fail:
        if (in->error == -EFBIG)
                return image_error(w->error, -EFBIG, "layer %s is larger than %llu bytes", l->digest,
                                   (unsigned long long)REGISTRY_LAYER_SIZE_MAX);
        if (in->error < 0)
                return image_error(w->error, in->error, "cannot read layer %s: %m", l->digest);
        return image_error(w->error, -EBADMSG, "cannot decompress layer %s: %s", l->digest,
                           archive_error_string(a) ?: "empty or corrupt");
}

/* Writes the layer as "<diff_id hex>.tar", once per archive; *ret_name is owned by w. */
static int write_docker_layer(ArchiveWriter *w, const ArchiveBlob *l, const char **ret_name)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *name = NULL;
        char diff_hex[SHA256_HEX_SIZE], hex[SHA256_HEX_SIZE];
        Sha256Context hash;
        uint64_t size;
        int r;

        if (!archive_digest_hex(l->digest) || (l->diff_id && !archive_digest_hex(l->diff_id)))
                return image_error(w->error, -EINVAL, "layer digest '%s' is not a sha256 digest",
                                   strempty(l->digest));
        for (size_t i = 0; w->layer_digests && w->layer_digests[i]; i++)
                if (streq(w->layer_digests[i], l->digest)) {
                        *ret_name = w->layer_names[i];
                        return 0;
                }

        if (media_type_is_uncompressed(l->media_type) && (!l->diff_id || streq(l->diff_id, l->digest))) {
                /* A plain tar is its own diff: streamed straight from a regular file. */
                r = open_blob_sized(w, l->digest, &fd, &size);
                if (r < 0)
                        return r;
                if (size != l->size)
                        return image_error(w->error, -EBADMSG,
                                           "layer %s is %llu bytes, its descriptor says %llu", l->digest,
                                           (unsigned long long)size, (unsigned long long)l->size);
                if (asprintf(&name, "%s.tar", archive_digest_hex(l->digest)) < 0)
                        return -ENOMEM;
                sha256_init(&hash);
                r = write_fd_entry(w, name, fd, size, &hash);
                if (r < 0)
                        return r;
                sha256_final_hex(&hash, hex);
                if (!streq(hex, archive_digest_hex(l->digest)))
                        return digest_mismatch(w, l->digest);
        } else {
                r = layer_decompress(w, l, &fd, &size, diff_hex);
                if (r < 0)
                        return r;
                if (asprintf(&name, "%s.tar", diff_hex) < 0)
                        return -ENOMEM;
                /* Two compressed blobs of one diff: the tar is there already. */
                if (!strv_contains(w->written, name)) {
                        sha256_init(&hash);
                        r = write_fd_entry(w, name, fd, size, &hash);
                        if (r < 0)
                                return r;
                }
        }

        r = strv_extend(&w->layer_digests, l->digest);
        if (r < 0)
                return r;
        r = strv_push(&w->layer_names, name);
        if (r < 0)
                return r;
        *ret_name = TAKE_PTR(name);
        return 0;
}

static int write_docker_image(ArchiveWriter *w, const ArchiveImage *image, struct json_object *manifest)
{
        _cleanup_json_ struct json_object *entry = NULL, *layers = NULL;
        _cleanup_free_ char *config = NULL, *config_name = NULL;
        size_t config_size = 0;
        int r;

        if (!archive_digest_hex(image->config_digest))
                return image_error(w->error, -EINVAL, "config digest '%s' is not a sha256 digest",
                                   strempty(image->config_digest));
        if (image->n_layers == 0 || image->n_layers > REGISTRY_LAYERS_MAX)
                return image_error(w->error, -EINVAL, "image %s has %zu layers", image->config_digest,
                                   image->n_layers);

        layers = json_object_new_array();
        if (!layers)
                return -ENOMEM;
        for (size_t i = 0; i < image->n_layers; i++) {
                const char *name = NULL;

                r = write_docker_layer(w, &image->layers[i], &name);
                if (r < 0)
                        return r;
                json_object_array_add(layers, json_object_new_string(name));
        }

        if (asprintf(&config_name, "%s.json", archive_digest_hex(image->config_digest)) < 0)
                return -ENOMEM;
        if (!strv_contains(w->written, config_name)) {
                r = read_config(w, image->config_digest, &config, &config_size);
                if (r < 0)
                        return r;
                r = write_memory_entry(w, config_name, config, config_size);
                if (r < 0)
                        return r;
        }

        entry = json_object_new_object();
        if (!entry)
                return -ENOMEM;
        json_object_object_add(entry, "Config", json_object_new_string(config_name));
        json_object_object_add(entry, "RepoTags", json_new_strv(image->tags));
        json_object_object_add(entry, "Layers", TAKE_PTR(layers));
        json_object_array_add(manifest, TAKE_PTR(entry));
        return 0;
}

/* ---- oci-archive ---- */

/* Checks that the manifest is what the image says and returns it parsed. */
static int oci_manifest_check(ArchiveWriter *w, const ArchiveImage *image, char ret_hex[SHA256_HEX_SIZE],
                              RegistryManifest **ret)
{
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        if (!image->manifest || image->manifest_size == 0)
                return image_error(w->error, -EINVAL, "image %s has no manifest",
                                   strempty(image->config_digest));
        sha256_hex(image->manifest, image->manifest_size, ret_hex);
        if (image->manifest_digest && !streq(ret_hex, strempty(archive_digest_hex(image->manifest_digest))))
                return digest_mismatch(w, image->manifest_digest);
        r = registry_manifest_parse(image->manifest, image->manifest_size, &m, &error);
        if (r < 0)
                return image_error(w->error, r, "manifest sha256:%s: %s", ret_hex, strempty(error));
        if (!streq_ptr(m->config.digest, image->config_digest) || m->n_layers != image->n_layers)
                return image_error(w->error, -EINVAL,
                                   "manifest sha256:%s does not describe the image's blobs", ret_hex);
        for (size_t i = 0; i < m->n_layers; i++)
                if (!streq_ptr(m->layers[i].digest, image->layers[i].digest))
                        return image_error(w->error, -EINVAL,
                                           "manifest sha256:%s does not describe the image's blobs",
                                           ret_hex);
        *ret = TAKE_PTR(m);
        return 0;
}

static int write_oci_blob(ArchiveWriter *w, const RegistryDescriptor *d)
{
        _cleanup_free_ char *name = NULL;

        if (asprintf(&name, OCI_BLOBS_DIR "%s", archive_digest_hex(d->digest)) < 0)
                return -ENOMEM;
        return write_blob_verbatim(w, name, d->digest, d->size);
}

static struct json_object *oci_index_entry(const char *media_type, const char *hex, size_t size,
                                           const char *tag)
{
        struct json_object *e = json_object_new_object();
        char digest[80];

        if (!e)
                return NULL;
        snprintf(digest, sizeof(digest), "sha256:%s", hex);
        json_object_object_add(e, "mediaType", json_object_new_string(media_type));
        json_object_object_add(e, "digest", json_object_new_string(digest));
        json_object_object_add(e, "size", json_object_new_int64((int64_t)size));
        if (tag) {
                struct json_object *a = json_object_new_object();
                if (!a) {
                        json_object_put(e);
                        return NULL;
                }
                json_object_object_add(a, OCI_REF_NAME_ANNOTATION, json_object_new_string(tag));
                json_object_object_add(e, "annotations", a);
        }
        return e;
}

static struct json_object *oci_descriptor(const char *media_type, const RegistryDescriptor *d)
{
        struct json_object *o = json_object_new_object();

        if (!o)
                return NULL;
        json_object_object_add(o, "mediaType", json_object_new_string(media_type));
        json_object_object_add(o, "digest", json_object_new_string(d->digest));
        json_object_object_add(o, "size", json_object_new_int64((int64_t)d->size));
        return o;
}

/* skopeo (1.9) does not find a Docker schema2 manifest by its ref.name in an OCI layout: it is
 * rewritten with OCI media types, as `skopeo copy` to oci-archive: does. Config and layers stay
 * byte for byte the same; the manifest gets a new digest. */
static int oci_manifest_from_docker(const RegistryManifest *m, char **ret, size_t *ret_size)
{
        _cleanup_json_ struct json_object *o = json_object_new_object(), *layers = json_object_new_array();
        const char *s;
        size_t size;

        if (!o || !layers)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_layers; i++) {
                const char *t = m->layers[i].media_type;

                if (streq(t, "application/vnd.docker.image.rootfs.diff.tar.gzip"))
                        t = MEDIA_TYPE_OCI_LAYER_GZIP;
                else if (streq(t, "application/vnd.docker.image.rootfs.diff.tar"))
                        t = MEDIA_TYPE_OCI_LAYER;
                struct json_object *l = oci_descriptor(t, &m->layers[i]);
                if (!l)
                        return -ENOMEM;
                json_object_array_add(layers, l);
        }
        json_object_object_add(o, "schemaVersion", json_object_new_int(2));
        json_object_object_add(o, "mediaType", json_object_new_string(MEDIA_TYPE_OCI_MANIFEST));
        json_object_object_add(o, "config",
                               oci_descriptor("application/vnd.oci.image.config.v1+json", &m->config));
        json_object_object_add(o, "layers", TAKE_PTR(layers));

        s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
                                              &size);
        if (!s)
                return -ENOMEM;
        *ret = strndup(s, size);
        if (!*ret)
                return -ENOMEM;
        *ret_size = size;
        return 0;
}

static int write_oci_image(ArchiveWriter *w, const ArchiveImage *image, struct json_object *manifests)
{
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL;
        _cleanup_free_ char *name = NULL, *converted = NULL;
        const char *manifest = image->manifest, *media_type;
        size_t manifest_size = image->manifest_size, n_tags = strv_length(image->tags);
        char hex[SHA256_HEX_SIZE];
        int r;

        r = oci_manifest_check(w, image, hex, &m);
        if (r < 0)
                return r;
        media_type = m->media_type;
        if (streq(m->media_type, MEDIA_TYPE_DOCKER_MANIFEST)) {
                r = oci_manifest_from_docker(m, &converted, &manifest_size);
                if (r < 0)
                        return r;
                manifest = converted;
                media_type = MEDIA_TYPE_OCI_MANIFEST;
                sha256_hex(manifest, manifest_size, hex);
        }

        for (size_t i = 0; i < m->n_layers; i++) {
                r = write_oci_blob(w, &m->layers[i]);
                if (r < 0)
                        return r;
        }
        r = write_oci_blob(w, &m->config);
        if (r < 0)
                return r;
        if (asprintf(&name, OCI_BLOBS_DIR "%s", hex) < 0)
                return -ENOMEM;
        if (!strv_contains(w->written, name)) {
                r = write_memory_entry(w, name, manifest, manifest_size);
                if (r < 0)
                        return r;
        }

        /* One entry per tag, as skopeo and podman write them; an untagged image gets one without. */
        for (size_t i = 0; i < MAX(n_tags, (size_t)1); i++) {
                struct json_object *e =
                    oci_index_entry(media_type, hex, manifest_size, n_tags > 0 ? image->tags[i] : NULL);
                if (!e)
                        return -ENOMEM;
                json_object_array_add(manifests, e);
        }
        return 0;
}

static int write_json_entry(ArchiveWriter *w, const char *name, struct json_object *o)
{
        size_t size;
        const char *s = json_object_to_json_string_length(
            o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &size);
        if (!s)
                return -ENOMEM;
        return write_memory_entry(w, name, s, size);
}

int image_archive_write(int out_fd, ArchiveFormat format, const ArchiveImage *images, size_t n_images,
                        ArchiveBlobOpen open_blob_cb, void *userdata, int tmp_dir_fd, char **ret_error)
{
        _cleanup_(archive_writer_done) ArchiveWriter w = {
            .open_blob = open_blob_cb,
            .userdata = userdata,
            .tmp_dir_fd = tmp_dir_fd,
            .error = ret_error,
        };
        _cleanup_json_ struct json_object *list = NULL;
        int r;

        if (format != ARCHIVE_FORMAT_DOCKER && format != ARCHIVE_FORMAT_OCI)
                return image_error(ret_error, -EINVAL, "unknown archive format");
        if (n_images == 0)
                return image_error(ret_error, -EINVAL, "no images to write");
        if (n_images > ARCHIVE_IMAGES_MAX)
                return image_error(ret_error, -E2BIG, "more than %u images", ARCHIVE_IMAGES_MAX);

        w.archive = archive_write_new();
        list = json_object_new_array();
        if (!w.archive || !list)
                return -ENOMEM;
        /* ustar where it fits, pax headers only for long names or huge files; end padding to one
         * 512-byte record instead of 10 KiB. */
        if (archive_write_set_format_pax_restricted(w.archive) < ARCHIVE_OK ||
            archive_write_set_bytes_in_last_block(w.archive, 1) < ARCHIVE_OK)
                return image_error(ret_error, -EIO, "cannot set up the tar writer: %s",
                                   archive_error_string(w.archive) ?: "unknown error");
        if (archive_write_open_fd(w.archive, out_fd) < ARCHIVE_OK)
                return writer_failure(&w, "the archive");

        if (format == ARCHIVE_FORMAT_OCI) {
                static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

                r = write_memory_entry(&w, OCI_LAYOUT_FILE, layout, strlen(layout));
                if (r < 0)
                        return r;
                r = write_header(&w, "blobs", AE_IFDIR, 0);
                if (r < 0)
                        return r;
                r = write_header(&w, "blobs/sha256", AE_IFDIR, 0);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < n_images; i++) {
                if (format == ARCHIVE_FORMAT_DOCKER)
                        r = write_docker_image(&w, &images[i], list);
                else
                        r = write_oci_image(&w, &images[i], list);
                if (r < 0)
                        return r;
        }

        if (format == ARCHIVE_FORMAT_DOCKER)
                r = write_json_entry(&w, DOCKER_MANIFEST_FILE, list);
        else {
                _cleanup_json_ struct json_object *index = json_object_new_object();
                if (!index)
                        return -ENOMEM;
                json_object_object_add(index, "schemaVersion", json_object_new_int(2));
                json_object_object_add(index, "mediaType", json_object_new_string(MEDIA_TYPE_OCI_INDEX));
                json_object_object_add(index, "manifests", TAKE_PTR(list));
                r = write_json_entry(&w, OCI_INDEX_FILE, index);
        }
        if (r < 0)
                return r;

        if (archive_write_close(w.archive) < ARCHIVE_OK)
                return writer_failure(&w, "the end of the archive");
        return 0;
}
