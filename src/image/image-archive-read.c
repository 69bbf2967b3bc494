/* SPDX-License-Identifier: Apache-2.0 */
/* Reads a docker-archive or an oci-archive.
 *
 * The tar is read once, front to back: every regular file goes into the work directory under the hex
 * sha256 of its content, so no name from the archive ever reaches the file system, and blobs named by
 * digest are checked by comparing two strings. The archive's paths, symlinks and hardlinks are kept
 * in a table; manifest.json or index.json (which may come anywhere in the stream) is interpreted once
 * the whole archive is in. */

#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "archive-internal.h"
#include "image-internal.h"
#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/registry.h"
#include "raind/strv.h"
#include "unpack.h"

#define SPILL_NAME      ".raind-archive-partial"
#define SPILL_BUFFER    (128U * 1024U)
#define LINK_FOLLOW_MAX 16U

typedef enum FileKind {
        FILE_KIND_OTHER,
        FILE_KIND_TAR,
        FILE_KIND_GZIP,
        FILE_KIND_ZSTD,
        FILE_KIND_XZ,
        FILE_KIND_BZIP2,
} FileKind;

typedef struct ArchiveFile {
        char *path;                /* normalized path in the archive */
        char *link;                /* symlinks and hardlinks: the normalized path they alias; else NULL */
        char hex[SHA256_HEX_SIZE]; /* regular files: sha256 of the content, the name in work_dir */
        uint64_t size;
        FileKind kind; /* from the first bytes */
} ArchiveFile;

typedef struct ArchiveReader {
        int work_dir_fd;
        ArchiveFile *files;
        size_t n_files;
        size_t allocated;
        uint64_t n_entries;
        uint64_t size;
        char **used; /* hex names the result refers to, sorted at the end */
        char *entry; /* the entry at hand, quoted, for messages */
        char **error;
} ArchiveReader;

static void archive_reader_done(ArchiveReader *r)
{
        for (size_t i = 0; i < r->n_files; i++) {
                free(r->files[i].path);
                free(r->files[i].link);
        }
        free(r->files);
        strv_free(r->used);
        free(r->entry);
}

static int compare_strings(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Removes spilled files: those no image refers to, or (keep_used false) all of them. */
static void reader_remove_spilled(ArchiveReader *r, bool keep_used)
{
        size_t n_used = strv_length(r->used);

        if (keep_used && n_used > 0)
                qsort(r->used, n_used, sizeof(char *), compare_strings);
        (void)unlinkat(r->work_dir_fd, SPILL_NAME, 0);
        for (size_t i = 0; i < r->n_files; i++) {
                const char *hex = r->files[i].hex;

                if (r->files[i].link || !*hex)
                        continue;
                if (keep_used && n_used > 0 &&
                    bsearch(&hex, r->used, n_used, sizeof(char *), compare_strings))
                        continue;
                (void)unlinkat(r->work_dir_fd, hex, 0);
        }
}

static int reader_failure(ArchiveReader *r, struct archive *a, TarInput *in)
{
        const char *m = archive_error_string(a) ?: "unknown error";

        if (in->error == -EFBIG)
                return image_error(r->error, -EFBIG, "archive is larger than %llu bytes",
                                   (unsigned long long)in->max);
        if (in->error < 0)
                return image_error(r->error, in->error, "cannot read the archive: %m");
        if (r->n_entries == 0)
                return image_error(r->error, -EBADMSG, "not a tar archive: %s", m);
        return image_error(r->error, -EBADMSG, "corrupt archive at entry '%s': %s", strempty(r->entry), m);
}

static int reader_add(ArchiveReader *r, ArchiveFile **ret)
{
        if (r->n_files == r->allocated) {
                size_t n = MAX(r->allocated * 2, (size_t)64);
                ArchiveFile *f = reallocarray(r->files, n, sizeof(ArchiveFile));
                if (!f)
                        return -ENOMEM;
                r->files = f;
                r->allocated = n;
        }
        *ret = &r->files[r->n_files++];
        **ret = (ArchiveFile){};
        return 0;
}

static FileKind file_kind(const uint8_t *b, size_t n)
{
        if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
                return FILE_KIND_GZIP;
        if (n >= 4 && memcmp(b, "\x28\xb5\x2f\xfd", 4) == 0)
                return FILE_KIND_ZSTD;
        if (n >= 6 && memcmp(b,
                             "\xfd"
                             "7zXZ\0",
                             6) == 0)
                return FILE_KIND_XZ;
        if (n >= 3 && memcmp(b, "BZh", 3) == 0)
                return FILE_KIND_BZIP2;
        /* "ustar\0" (POSIX) or "ustar " (GNU) at 257; an empty tar is just zero blocks. */
        if (n >= 512 && (memcmp(b + 257, "ustar", 5) == 0 || (b[0] == 0 && memchr(b, 1, 512) == NULL)))
                return FILE_KIND_TAR;
        return FILE_KIND_OTHER;
}

/* Copies the entry's data into work_dir as SPILL_NAME, then renames it to its digest. */
static int spill_entry(ArchiveReader *r, struct archive *a, TarInput *in, ArchiveFile *f)
{
        _cleanup_free_ uint8_t *buf = malloc(SPILL_BUFFER);
        _cleanup_close_ int fd = -EBADF;
        uint8_t head[512];
        size_t head_len = 0;
        Sha256Context hash;
        int k;

        if (!buf)
                return -ENOMEM;
        fd = openat(r->work_dir_fd, SPILL_NAME, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return image_error(r->error, -errno, "cannot create a file in the work directory: %m");
        sha256_init(&hash);
        for (;;) {
                la_ssize_t n = archive_read_data(a, buf, SPILL_BUFFER);
                if (n < 0)
                        return reader_failure(r, a, in);
                if (n == 0)
                        break;
                if ((uint64_t)n > ARCHIVE_SIZE_MAX - r->size)
                        return image_error(r->error, -EFBIG, "archive holds more than %llu bytes",
                                           (unsigned long long)ARCHIVE_SIZE_MAX);
                r->size += (uint64_t)n;
                f->size += (uint64_t)n;
                if (head_len < sizeof(head)) {
                        size_t c = MIN(sizeof(head) - head_len, (size_t)n);
                        memcpy(head + head_len, buf, c);
                        head_len += c;
                }
                sha256_update(&hash, buf, (size_t)n);
                k = loop_write(fd, buf, (size_t)n);
                if (k < 0)
                        return image_error(r->error, k, "cannot write '%s' to the work directory: %m",
                                           r->entry);
        }
        sha256_final_hex(&hash, f->hex);
        f->kind = file_kind(head, head_len);
        if (renameat(r->work_dir_fd, SPILL_NAME, r->work_dir_fd, f->hex) < 0)
                return image_error(r->error, -errno, "cannot rename '%s' in the work directory: %m",
                                   r->entry);
        return 0;
}

/* The path target names, seen from the directory holding link_path; -EBADMSG if it is absolute or
 * leads out of the archive. */
static int symlink_resolve(const char *link_path, const char *target, char **ret)
{
        const char *slash = strrchr(link_path, '/');
        size_t dir_len = slash ? (size_t)(slash - link_path) : 0;
        _cleanup_free_ char *p = NULL;
        size_t len = dir_len;

        if (target[0] == '/')
                return -EBADMSG;
        p = malloc(dir_len + strlen(target) + 2);
        if (!p)
                return -ENOMEM;
        memcpy(p, link_path, dir_len);
        p[len] = 0;
        while (*target) {
                const char *e = strchrnul(target, '/');
                size_t l = (size_t)(e - target);

                if (l == 2 && target[0] == '.' && target[1] == '.') {
                        char *s;
                        if (len == 0)
                                return -EBADMSG;
                        s = strrchr(p, '/');
                        len = s ? (size_t)(s - p) : 0;
                        p[len] = 0;
                } else if (l > 0 && !(l == 1 && target[0] == '.')) {
                        if (len > 0)
                                p[len++] = '/';
                        memcpy(p + len, target, l);
                        len += l;
                        p[len] = 0;
                }
                target = *e ? e + 1 : e;
        }
        if (len == 0 || len >= PATH_MAX)
                return -EBADMSG;
        *ret = TAKE_PTR(p);
        return 0;
}

static int read_entry(ArchiveReader *r, struct archive *a, TarInput *in, struct archive_entry *e)
{
        _cleanup_free_ char *path = NULL;
        const char *hardlink = archive_entry_hardlink(e);
        mode_t type = archive_entry_filetype(e);
        ArchiveFile *f;
        int k;

        free(r->entry);
        r->entry = image_error_quote(strempty(archive_entry_pathname(e)));
        if (!r->entry)
                return -ENOMEM;

        k = entry_path_normalize(strempty(archive_entry_pathname(e)), &path, NULL);
        if (k == -EBADMSG)
                return image_error(r->error, k, "archive entry '%s' leads out of the archive", r->entry);
        if (k < 0)
                return image_error(r->error, k, "archive entry '%s' has an invalid name", r->entry);
        if (type == AE_IFDIR && !hardlink)
                return 0;
        if (isempty(path))
                return image_error(r->error, -EBADMSG, "archive entry '%s' is not a file", r->entry);

        k = reader_add(r, &f);
        if (k < 0)
                return k;
        f->path = TAKE_PTR(path);

        if (hardlink) {
                k = entry_path_normalize(hardlink, &f->link, NULL);
                if (k < 0 || isempty(f->link))
                        return image_error(r->error, -EBADMSG,
                                           "archive entry '%s' is a hardlink out of the archive", r->entry);
                return 0;
        }
        if (type == AE_IFLNK) {
                k = symlink_resolve(f->path, strempty(archive_entry_symlink(e)), &f->link);
                if (k == -EBADMSG)
                        return image_error(r->error, k, "archive entry '%s' is a symlink out of the archive",
                                           r->entry);
                return k;
        }
        if (type != AE_IFREG)
                return image_error(r->error, -EBADMSG, "archive entry '%s' is neither a file nor a link",
                                   r->entry);
        return spill_entry(r, a, in, f);
}

static int reader_spill_all(ArchiveReader *r, int in_fd)
{
        _cleanup_(archive_read_freep) struct archive *a = NULL;
        _cleanup_free_ TarInput *in = NULL;
        int k;

        in = tar_input_new(in_fd, ARCHIVE_SIZE_MAX);
        a = archive_read_new();
        if (!in || !a)
                return -ENOMEM;
        if (archive_read_support_format_tar(a) < ARCHIVE_WARN ||
            archive_read_support_filter_gzip(a) < ARCHIVE_WARN ||
            archive_read_support_filter_zstd(a) < ARCHIVE_WARN ||
            archive_read_support_filter_xz(a) < ARCHIVE_WARN ||
            archive_read_support_filter_bzip2(a) < ARCHIVE_WARN)
                return image_error(r->error, -EOPNOTSUPP, "libarchive lacks a decompressor: %s",
                                   archive_error_string(a));
        if (archive_read_open(a, in, NULL, tar_input_read, NULL) < ARCHIVE_WARN)
                return reader_failure(r, a, in);

        for (;;) {
                struct archive_entry *e;
                int s = archive_read_next_header(a, &e);

                if (s == ARCHIVE_EOF)
                        break;
                if (s < ARCHIVE_WARN)
                        return reader_failure(r, a, in);
                if (++r->n_entries > ARCHIVE_ENTRIES_MAX)
                        return image_error(r->error, -E2BIG, "archive has more than %u entries",
                                           ARCHIVE_ENTRIES_MAX);
                k = read_entry(r, a, in, e);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int compare_files(const void *a, const void *b)
{
        return strcmp(((const ArchiveFile *)a)->path, ((const ArchiveFile *)b)->path);
}

static ArchiveFile *reader_find(ArchiveReader *r, const char *path)
{
        ArchiveFile key = {.path = (char *)path};
        return bsearch(&key, r->files, r->n_files, sizeof(ArchiveFile), compare_files);
}

/* The regular file path names, through links; NULL if there is none. */
static ArchiveFile *reader_resolve(ArchiveReader *r, const char *path)
{
        ArchiveFile *f = reader_find(r, path);

        for (unsigned i = 0; f && f->link && i < LINK_FOLLOW_MAX; i++)
                f = reader_find(r, f->link);
        return f && !f->link ? f : NULL;
}

static int reader_use(ArchiveReader *r, const ArchiveFile *f)
{
        return strv_contains(r->used, f->hex) ? 0 : strv_extend(&r->used, f->hex);
}

static int reader_read_file(ArchiveReader *r, const ArchiveFile *f, const char *what, size_t max, char **ret,
                            size_t *ret_size)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *q = image_error_quote(f->path);
        int k;

        if (!q)
                return -ENOMEM;
        if (f->size > max)
                return image_error(r->error, -EFBIG, "%s '%s' in the archive is larger than %zu bytes", what,
                                   q, max);
        fd = openat(r->work_dir_fd, f->hex, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return image_error(r->error, -errno, "cannot open the spilled '%s': %m", q);
        k = read_full_fd(fd, max, ret, ret_size);
        if (k < 0)
                return image_error(r->error, k, "cannot read the spilled '%s': %m", q);
        return 0;
}

static int reader_read_json(ArchiveReader *r, const ArchiveFile *f, const char *what, size_t max,
                            struct json_object **ret)
{
        _cleanup_free_ char *data = NULL, *q = NULL;
        size_t size;
        int k;

        k = reader_read_file(r, f, what, max, &data, &size);
        if (k < 0)
                return k;
        k = archive_json_parse(data, size, ret);
        if (k == -EBADMSG) {
                q = image_error_quote(f->path);
                return image_error(r->error, k, "%s '%s' in the archive is not valid JSON", what,
                                   strempty(q));
        }
        return k;
}

static char *digest_of(const char *hex)
{
        char *d;
        return asprintf(&d, "sha256:%s", hex) < 0 ? NULL : d;
}

static int image_add_tag(ArchiveReadImage *i, const char *tag)
{
        if (!tag || strv_contains(i->tags, tag))
                return 0;
        if (strv_length(i->tags) >= ARCHIVE_TAGS_MAX)
                return -E2BIG;
        return strv_extend(&i->tags, tag);
}

static int contents_add(ArchiveContents *c, ArchiveReadImage **ret)
{
        ArchiveReadImage *images;

        if (c->n_images >= ARCHIVE_IMAGES_MAX)
                return -E2BIG;
        images = reallocarray(c->images, c->n_images + 1, sizeof(ArchiveReadImage));
        if (!images)
                return -ENOMEM;
        c->images = images;
        *ret = &c->images[c->n_images++];
        **ret = (ArchiveReadImage){};
        /* tags is never NULL in a result. */
        (*ret)->tags = calloc(1, sizeof(char *));
        return (*ret)->tags ? 0 : -ENOMEM;
}

/* Fills layer i of image from the regular file f. */
static int image_set_layer(ArchiveReader *r, ArchiveReadImage *image, size_t i, const ArchiveFile *f,
                           const char *media_type)
{
        ArchiveBlob *b = &image->layers[i];

        image->layer_paths[i] = strdup(f->hex);
        b->digest = digest_of(f->hex);
        b->media_type = strdup(media_type);
        b->size = f->size;
        if (!image->layer_paths[i] || !b->digest || !b->media_type)
                return -ENOMEM;
        return reader_use(r, f);
}

static int image_alloc_layers(ArchiveReadImage *image, size_t n)
{
        image->layer_paths = calloc(n + 1, sizeof(char *));
        image->layers = calloc(n, sizeof(ArchiveBlob));
        if (!image->layer_paths || !image->layers)
                return -ENOMEM;
        image->n_layers = n;
        return 0;
}

static int image_set_config(ArchiveReader *r, ArchiveReadImage *image, const ArchiveFile *f)
{
        image->config_path = strdup(f->hex);
        image->config_digest = digest_of(f->hex);
        if (!image->config_path || !image->config_digest)
                return -ENOMEM;
        return reader_use(r, f);
}

/* ---- docker-archive ---- */

static int docker_layer_media_type(ArchiveReader *r, const ArchiveFile *f, const char **ret)
{
        _cleanup_free_ char *q = NULL;

        switch (f->kind) {
        case FILE_KIND_TAR:
                *ret = MEDIA_TYPE_OCI_LAYER;
                return 0;
        case FILE_KIND_GZIP:
                *ret = MEDIA_TYPE_OCI_LAYER_GZIP;
                return 0;
        case FILE_KIND_ZSTD:
                *ret = MEDIA_TYPE_OCI_LAYER_ZSTD;
                return 0;
        default:
                q = image_error_quote(f->path);
                if (f->kind == FILE_KIND_XZ || f->kind == FILE_KIND_BZIP2)
                        return image_error(r->error, -EMEDIUMTYPE,
                                           "layer '%s' is compressed with %s, which image layers cannot be",
                                           strempty(q), f->kind == FILE_KIND_XZ ? "xz" : "bzip2");
                return image_error(r->error, -EMEDIUMTYPE, "layer '%s' is not a tar archive", strempty(q));
        }
}

/* A path named in manifest.json: the file it leads to. */
static int docker_file(ArchiveReader *r, size_t image, const char *what, const char *path, ArchiveFile **ret)
{
        _cleanup_free_ char *normalized = NULL, *q = NULL;
        ArchiveFile *f = NULL;

        if (entry_path_normalize(path, &normalized, NULL) >= 0 && !isempty(normalized))
                f = reader_resolve(r, normalized);
        if (!f) {
                q = image_error_quote(path);
                return image_error(r->error, -EBADMSG,
                                   "manifest.json image %zu: %s '%s' is not in the archive", image, what,
                                   strempty(q));
        }
        *ret = f;
        return 0;
}

static int docker_read_image(ArchiveReader *r, ArchiveContents *c, size_t index, struct json_object *o)
{
        _cleanup_strv_free_ char **tags = NULL;
        struct json_object *layers;
        ArchiveReadImage *image;
        ArchiveFile *f;
        const char *config;
        size_t n;
        int k;

        if (!json_object_is_type(o, json_type_object))
                return image_error(r->error, -EBADMSG, "manifest.json entry %zu is not an object", index);
        config = json_get_string(o, "Config");
        if (isempty(config))
                return image_error(r->error, -EBADMSG, "manifest.json entry %zu has no Config", index);
        if (json_get_strv(o, "RepoTags", &tags) < 0)
                return image_error(r->error, -EBADMSG, "manifest.json entry %zu has invalid RepoTags",
                                   index);
        if (!json_object_object_get_ex(o, "Layers", &layers) ||
            !json_object_is_type(layers, json_type_array))
                return image_error(r->error, -EBADMSG, "manifest.json entry %zu has no Layers", index);
        n = json_object_array_length(layers);
        if (n == 0 || n > REGISTRY_LAYERS_MAX)
                return image_error(r->error, -EBADMSG,
                                   "manifest.json entry %zu has %zu layers (1 to %u allowed)", index, n,
                                   REGISTRY_LAYERS_MAX);

        k = contents_add(c, &image);
        if (k == -E2BIG)
                return image_error(r->error, k, "archive holds more than %u images", ARCHIVE_IMAGES_MAX);
        if (k < 0)
                return k;
        STRV_FOREACH (t, tags) {
                k = image_add_tag(image, *t);
                if (k == -E2BIG)
                        return image_error(r->error, k, "image has more than %u tags", ARCHIVE_TAGS_MAX);
                if (k < 0)
                        return k;
        }

        k = docker_file(r, index, "config", config, &f);
        if (k < 0)
                return k;
        if (f->size > ARCHIVE_CONFIG_SIZE_MAX) {
                _cleanup_free_ char *q = image_error_quote(config);
                return image_error(r->error, -EFBIG, "config '%s' is larger than %u bytes", strempty(q),
                                   ARCHIVE_CONFIG_SIZE_MAX);
        }
        k = image_set_config(r, image, f);
        if (k < 0)
                return k;

        k = image_alloc_layers(image, n);
        if (k < 0)
                return k;
        for (size_t i = 0; i < n; i++) {
                struct json_object *l = json_object_array_get_idx(layers, i);
                const char *media_type = NULL;

                if (!json_object_is_type(l, json_type_string))
                        return image_error(r->error, -EBADMSG,
                                           "manifest.json entry %zu: layer %zu is not a string", index, i);
                k = docker_file(r, index, "layer", json_object_get_string(l), &f);
                if (k < 0)
                        return k;
                k = docker_layer_media_type(r, f, &media_type);
                if (k < 0)
                        return k;
                k = image_set_layer(r, image, i, f, media_type);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int docker_read(ArchiveReader *r, ArchiveContents *c, const ArchiveFile *manifest)
{
        _cleanup_json_ struct json_object *o = NULL;
        size_t n;
        int k;

        k = reader_read_json(r, manifest, "manifest.json", ARCHIVE_JSON_SIZE_MAX, &o);
        if (k < 0)
                return k;
        if (!json_object_is_type(o, json_type_array))
                return image_error(r->error, -EBADMSG, "manifest.json is not a JSON array");
        n = json_object_array_length(o);
        if (n == 0)
                return image_error(r->error, -EBADMSG, "manifest.json lists no images");
        for (size_t i = 0; i < n; i++) {
                k = docker_read_image(r, c, i, json_object_array_get_idx(o, i));
                if (k < 0)
                        return k;
        }
        return 0;
}

/* ---- oci-archive ---- */

/* Every blob's content must match its name. */
static int oci_check_blobs(ArchiveReader *r)
{
        for (size_t i = 0; i < r->n_files; i++) {
                const char *name = startswith(r->files[i].path, OCI_BLOBS_DIR);
                const ArchiveFile *f;

                if (!name || strlen(name) != SHA256_HEX_SIZE - 1)
                        continue;
                f = reader_resolve(r, r->files[i].path);
                if (!f || !streq(f->hex, name)) {
                        _cleanup_free_ char *q = image_error_quote(name);
                        return image_error(r->error, -EBADMSG,
                                           "blob sha256:%s in the archive does not match its name",
                                           strempty(q));
                }
        }
        return 0;
}

/* The blob of descriptor digest (and size, unless UINT64_MAX). */
static int oci_blob(ArchiveReader *r, const char *digest, uint64_t size, ArchiveFile **ret)
{
        _cleanup_free_ char *path = NULL;
        ArchiveFile *f;

        if (!registry_digest_is_valid(digest))
                return image_error(r->error, -EBADMSG,
                                   "index or manifest names a blob without a sha256 digest");
        if (asprintf(&path, OCI_BLOBS_DIR "%s", archive_digest_hex(digest)) < 0)
                return -ENOMEM;
        f = reader_resolve(r, path);
        if (!f)
                return image_error(r->error, -EBADMSG, "blob %s is not in the archive", digest);
        if (size != UINT64_MAX && f->size != size)
                return image_error(r->error, -EBADMSG,
                                   "blob %s is %llu bytes in the archive, its descriptor says %llu", digest,
                                   (unsigned long long)f->size, (unsigned long long)size);
        *ret = f;
        return 0;
}

static int descriptor_size(struct json_object *o, uint64_t *ret)
{
        struct json_object *s;
        int64_t v;

        if (!json_object_object_get_ex(o, "size", &s) || !json_object_is_type(s, json_type_int))
                return -EBADMSG;
        v = json_object_get_int64(s);
        if (v < 0)
                return -EBADMSG;
        *ret = (uint64_t)v;
        return 0;
}

/* From an index entry to an image manifest, through nested indexes (the host's platform chosen). */
static int oci_resolve_manifest(ArchiveReader *r, const char *digest, const char *media_type, uint64_t size,
                                ArchiveFile **ret_file, char **ret_data, size_t *ret_size)
{
        _cleanup_free_ char *selected = NULL;

        for (unsigned depth = 0;; depth++) {
                _cleanup_free_ char *data = NULL, *error = NULL;
                RegistryManifestKind kind;
                ArchiveFile *f;
                size_t n;
                int k;

                k = oci_blob(r, digest, size, &f);
                if (k < 0)
                        return k;
                k = reader_read_file(r, f, "manifest", ARCHIVE_JSON_SIZE_MAX, &data, &n);
                if (k < 0)
                        return k;
                k = registry_manifest_kind(data, n, media_type, &kind, &error);
                if (k < 0)
                        return image_error(r->error, k, "manifest %s: %s", digest, strempty(error));
                if (kind == REGISTRY_MANIFEST_IMAGE) {
                        *ret_file = f;
                        *ret_data = TAKE_PTR(data);
                        *ret_size = n;
                        return 0;
                }
                if (depth >= ARCHIVE_INDEX_DEPTH)
                        return image_error(r->error, -ELOOP, "indexes in the archive nest deeper than %u",
                                           ARCHIVE_INDEX_DEPTH);
                free(selected);
                selected = NULL;
                k = registry_index_select(data, n, NULL, &selected, &error);
                if (k < 0)
                        return image_error(r->error, k, "index %s: %s", digest, strempty(error));
                digest = selected;
                media_type = NULL;
                size = UINT64_MAX;
        }
}

/* Takes *data on success and on failure once the image holds it. */
static int oci_new_image(ArchiveReader *r, ArchiveContents *c, ArchiveFile *mf, char **data, size_t size,
                         ArchiveReadImage **ret)
{
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL;
        _cleanup_free_ char *error = NULL;
        ArchiveReadImage *image;
        ArchiveFile *f;
        int k;

        k = registry_manifest_parse(*data, size, &m, &error);
        if (k < 0)
                return image_error(r->error, k, "manifest sha256:%s: %s", mf->hex, strempty(error));
        k = contents_add(c, &image);
        if (k == -E2BIG)
                return image_error(r->error, k, "archive holds more than %u images", ARCHIVE_IMAGES_MAX);
        if (k < 0)
                return k;
        image->manifest = TAKE_PTR(*data);
        image->manifest_size = size;
        image->manifest_digest = digest_of(mf->hex);
        if (!image->manifest_digest)
                return -ENOMEM;
        k = reader_use(r, mf);
        if (k < 0)
                return k;

        k = oci_blob(r, m->config.digest, m->config.size, &f);
        if (k < 0)
                return k;
        k = image_set_config(r, image, f);
        if (k < 0)
                return k;
        k = image_alloc_layers(image, m->n_layers);
        if (k < 0)
                return k;
        for (size_t i = 0; i < m->n_layers; i++) {
                k = oci_blob(r, m->layers[i].digest, m->layers[i].size, &f);
                if (k < 0)
                        return k;
                k = image_set_layer(r, image, i, f, m->layers[i].media_type);
                if (k < 0)
                        return k;
        }
        *ret = image;
        return 0;
}

static int oci_read_entry(ArchiveReader *r, ArchiveContents *c, size_t index, struct json_object *o)
{
        _cleanup_free_ char *data = NULL;
        struct json_object *annotations;
        ArchiveReadImage *image = NULL;
        const char *tag = NULL;
        ArchiveFile *mf = NULL;
        uint64_t size;
        size_t n = 0;
        int k;

        if (!json_object_is_type(o, json_type_object) || descriptor_size(o, &size) < 0)
                return image_error(r->error, -EBADMSG, "index.json entry %zu is not a valid descriptor",
                                   index);
        /* containerd and Docker put the full name there and only the tag in ref.name. */
        if (json_object_object_get_ex(o, "annotations", &annotations) &&
            json_object_is_type(annotations, json_type_object))
                tag = json_get_string(annotations, CONTAINERD_IMAGE_NAME_ANNOTATION)
                          ?: json_get_string(annotations, OCI_REF_NAME_ANNOTATION);

        k = oci_resolve_manifest(r, json_get_string(o, "digest"), json_get_string(o, "mediaType"), size, &mf,
                                 &data, &n);
        if (k < 0)
                return k;

        for (size_t i = 0; i < c->n_images; i++)
                if (streq(c->images[i].manifest_digest + strlen("sha256:"), mf->hex))
                        image = &c->images[i];
        if (!image) {
                k = oci_new_image(r, c, mf, &data, n, &image);
                if (k < 0)
                        return k;
        }
        k = image_add_tag(image, isempty(tag) ? NULL : tag);
        if (k == -E2BIG)
                return image_error(r->error, k, "image has more than %u tags", ARCHIVE_TAGS_MAX);
        return k;
}

static int oci_read(ArchiveReader *r, ArchiveContents *c, const ArchiveFile *index_file)
{
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *manifests;
        size_t n;
        int k;

        k = oci_check_blobs(r);
        if (k < 0)
                return k;
        k = reader_read_json(r, index_file, "index.json", ARCHIVE_JSON_SIZE_MAX, &o);
        if (k < 0)
                return k;
        if (!json_object_is_type(o, json_type_object) ||
            !json_object_object_get_ex(o, "manifests", &manifests) ||
            !json_object_is_type(manifests, json_type_array))
                return image_error(r->error, -EBADMSG, "index.json has no 'manifests' array");
        n = json_object_array_length(manifests);
        if (n == 0)
                return image_error(r->error, -EBADMSG, "index.json lists no images");
        if (n > REGISTRY_INDEX_ENTRIES_MAX)
                return image_error(r->error, -E2BIG, "index.json has more than %u entries",
                                   REGISTRY_INDEX_ENTRIES_MAX);
        for (size_t i = 0; i < n; i++) {
                k = oci_read_entry(r, c, i, json_object_array_get_idx(manifests, i));
                if (k < 0)
                        return k;
        }
        return 0;
}

static int reader_interpret(ArchiveReader *r, ArchiveContents **ret)
{
        _cleanup_archive_contents_free_ ArchiveContents *c = NULL;
        ArchiveFile *layout, *index, *manifest;
        int k;

        qsort(r->files, r->n_files, sizeof(ArchiveFile), compare_files);
        for (size_t i = 1; i < r->n_files; i++)
                if (streq(r->files[i - 1].path, r->files[i].path)) {
                        _cleanup_free_ char *q = image_error_quote(r->files[i].path);
                        return image_error(r->error, -EBADMSG, "archive has entry '%s' more than once",
                                           strempty(q));
                }

        c = calloc(1, sizeof(ArchiveContents));
        if (!c)
                return -ENOMEM;
        layout = reader_resolve(r, OCI_LAYOUT_FILE);
        index = reader_resolve(r, OCI_INDEX_FILE);
        manifest = reader_resolve(r, DOCKER_MANIFEST_FILE);
        /* Docker 25 writes both; the OCI side keeps the manifests and their digests. */
        if (layout && index) {
                c->format = ARCHIVE_FORMAT_OCI;
                k = oci_read(r, c, index);
        } else if (manifest) {
                c->format = ARCHIVE_FORMAT_DOCKER;
                k = docker_read(r, c, manifest);
        } else
                return image_error(r->error, -EBADMSG, "archive has no manifest.json or index.json");
        if (k < 0)
                return k;
        *ret = TAKE_PTR(c);
        return 0;
}

int image_archive_read(int in_fd, int work_dir_fd, ArchiveContents **ret, char **ret_error)
{
        _cleanup_(archive_reader_done) ArchiveReader r = {
            .work_dir_fd = work_dir_fd,
            .error = ret_error,
        };
        ArchiveContents *c = NULL;
        int k;

        k = reader_spill_all(&r, in_fd);
        if (k >= 0)
                k = reader_interpret(&r, &c);
        /* On failure nothing stays; on success just what the result names. */
        reader_remove_spilled(&r, k >= 0);
        if (k < 0)
                return k;
        *ret = c;
        return 0;
}
