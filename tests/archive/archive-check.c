/* SPDX-License-Identifier: Apache-2.0 */
/* archive-check: image_archive_read() and image_archive_write() from the command line, for
 * tests/archive/run.sh.
 *
 *   archive-check read ARCHIVE WORK_DIR
 *       Reads ARCHIVE ("-": stdin), spilling into WORK_DIR, and prints "format F", then per image
 *       "image N", "manifest DIGEST" (OCI), "config DIGEST PATH", "layer DIGEST SIZE MEDIA_TYPE PATH"
 *       and "tag TAG" lines.
 *   archive-check write FORMAT OUT DIR[=TAG[,TAG…]]…
 *       Writes the images in skopeo dir: layouts (manifest.json plus blobs named by hex digest) as a
 *       docker-archive or oci-archive to OUT ("-": stdout).
 *
 * Exit status: 0 ok, 3 the archive or a blob is corrupt (-EBADMSG), 1 anything else. */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>

#include "image-archive.h"
#include "raind/fileio.h"
#include "raind/registry.h"
#include "raind/strv.h"

static int exit_status(int r)
{
        return r == -EBADMSG ? 3 : 1;
}

static int do_read(const char *archive, const char *work_dir)
{
        _cleanup_archive_contents_free_ ArchiveContents *c = NULL;
        _cleanup_close_ int in_fd = -EBADF, dir_fd = -EBADF;
        _cleanup_free_ char *error = NULL;
        int r;

        in_fd = streq(archive, "-") ? dup(STDIN_FILENO) : open(archive, O_RDONLY | O_CLOEXEC);
        if (in_fd < 0) {
                fprintf(stderr, "archive-check: cannot open %s: %m\n", archive);
                return 1;
        }
        dir_fd = open(work_dir, O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) {
                fprintf(stderr, "archive-check: cannot open %s: %m\n", work_dir);
                return 1;
        }
        r = image_archive_read(in_fd, dir_fd, &c, &error);
        if (r < 0) {
                fprintf(stderr, "archive-check: %s\n", error ?: strerror(-r));
                return exit_status(r);
        }

        printf("format %s\n", archive_format_to_string(c->format));
        for (size_t i = 0; i < c->n_images; i++) {
                const ArchiveReadImage *image = &c->images[i];

                printf("image %zu\n", i);
                if (image->manifest_digest)
                        printf("manifest %s\n", image->manifest_digest);
                printf("config %s %s\n", image->config_digest, image->config_path);
                for (size_t j = 0; j < image->n_layers; j++)
                        printf("layer %s %llu %s %s\n", image->layers[j].digest,
                               (unsigned long long)image->layers[j].size, image->layers[j].media_type,
                               image->layer_paths[j]);
                STRV_FOREACH (t, image->tags)
                        printf("tag %s\n", *t);
        }
        return 0;
}

typedef struct DirImage {
        int dir_fd;
        ArchiveImage image;
        RegistryManifest *manifest;
} DirImage;

typedef struct DirImages {
        DirImage *items;
        size_t n;
} DirImages;

/* Blobs of a dir: layout are files named by their hex digest; any of the dirs may have it. */
static int open_blob(const char *digest, void *userdata)
{
        DirImages *d = userdata;

        for (size_t i = 0; i < d->n; i++) {
                int fd = openat(d->items[i].dir_fd, digest + strlen("sha256:"), O_RDONLY | O_CLOEXEC);
                if (fd >= 0 || errno != ENOENT)
                        return fd >= 0 ? fd : -errno;
        }
        return -ENOENT;
}

/* DIR[=TAG[,TAG…]] */
static int dir_image_load(const char *arg, DirImage *ret)
{
        _cleanup_free_ char *dir = strdup(arg), *error = NULL;
        char *tags = dir ? strchr(dir, '=') : NULL;
        ArchiveImage *image = &ret->image;
        _cleanup_close_ int manifest_fd = -EBADF;
        int r;

        if (!dir)
                return -ENOMEM;
        if (tags) {
                *tags++ = 0;
                for (char *t = strtok(tags, ","); t; t = strtok(NULL, ","))
                        if (strv_extend(&image->tags, t) < 0)
                                return -ENOMEM;
        }
        ret->dir_fd = open(dir, O_DIRECTORY | O_CLOEXEC);
        if (ret->dir_fd < 0) {
                fprintf(stderr, "archive-check: cannot open %s: %m\n", dir);
                return -errno;
        }
        manifest_fd = openat(ret->dir_fd, "manifest.json", O_RDONLY | O_CLOEXEC);
        if (manifest_fd < 0 || read_full_fd(manifest_fd, REGISTRY_MANIFEST_SIZE_MAX, &image->manifest,
                                            &image->manifest_size) < 0) {
                fprintf(stderr, "archive-check: cannot read %s/manifest.json: %m\n", dir);
                return -EIO;
        }
        r = registry_manifest_parse(image->manifest, image->manifest_size, &ret->manifest, &error);
        if (r < 0) {
                fprintf(stderr, "archive-check: %s/manifest.json: %s\n", dir, error);
                return r;
        }
        image->config_digest = ret->manifest->config.digest;
        image->n_layers = ret->manifest->n_layers;
        image->layers = calloc(image->n_layers, sizeof(ArchiveBlob));
        if (!image->layers)
                return -ENOMEM;
        for (size_t i = 0; i < image->n_layers; i++)
                image->layers[i] = (ArchiveBlob){
                    .digest = ret->manifest->layers[i].digest,
                    .media_type = ret->manifest->layers[i].media_type,
                    .size = ret->manifest->layers[i].size,
                };
        return 0;
}

static void dir_images_done(DirImages *d)
{
        for (size_t i = 0; i < d->n; i++) {
                safe_close(d->items[i].dir_fd);
                free(d->items[i].image.manifest);
                free(d->items[i].image.layers);
                strv_free(d->items[i].image.tags);
                registry_manifest_free(d->items[i].manifest);
        }
        free(d->items);
}

static int do_write(const char *format_name, const char *out, char **dirs, size_t n_dirs)
{
        _cleanup_(dir_images_done) DirImages d = {};
        _cleanup_free_ ArchiveImage *images = NULL;
        _cleanup_free_ char *error = NULL, *out_copy = NULL;
        _cleanup_close_ int out_fd = -EBADF, tmp_fd = -EBADF;
        ArchiveFormat format;
        int r;

        if (archive_format_from_string(format_name, &format) < 0) {
                fprintf(stderr, "archive-check: unknown format '%s'\n", format_name);
                return 1;
        }
        d.items = calloc(n_dirs, sizeof(DirImage));
        images = calloc(n_dirs, sizeof(ArchiveImage));
        if (!d.items || !images)
                return 1;
        for (size_t i = 0; i < n_dirs; i++) {
                d.items[i].dir_fd = -EBADF;
                d.n++;
                if (dir_image_load(dirs[i], &d.items[i]) < 0)
                        return 1;
                images[i] = d.items[i].image;
        }

        out_copy = strdup(out);
        if (!out_copy)
                return 1;
        tmp_fd = open(streq(out, "-") ? "/tmp" : dirname(out_copy), O_DIRECTORY | O_CLOEXEC);
        out_fd =
            streq(out, "-") ? dup(STDOUT_FILENO) : open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (tmp_fd < 0 || out_fd < 0) {
                fprintf(stderr, "archive-check: cannot open %s: %m\n", out);
                return 1;
        }
        r = image_archive_write(out_fd, format, images, n_dirs, open_blob, &d, tmp_fd, &error);
        if (r < 0) {
                fprintf(stderr, "archive-check: %s\n", error ?: strerror(-r));
                return exit_status(r);
        }
        return 0;
}

int main(int argc, char *argv[])
{
        if (argc == 4 && streq(argv[1], "read"))
                return do_read(argv[2], argv[3]);
        if (argc >= 5 && streq(argv[1], "write"))
                return do_write(argv[2], argv[3], argv + 4, (size_t)argc - 4);
        fprintf(stderr, "usage: archive-check read ARCHIVE WORK_DIR\n"
                        "       archive-check write docker-archive|oci-archive OUT DIR[=TAG[,TAG...]]...\n");
        return 1;
}
