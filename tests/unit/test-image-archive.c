/* SPDX-License-Identifier: Apache-2.0 */
/* docker-archive and oci-archive: round trips through image_archive_write() and image_archive_read()
 * with blobs made here (a plain tar layer and a gzip one), and archives that must be refused without
 * leaving anything behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "image-archive.h"
#include "raind/fileio.h"
#include "raind/macro.h"
#include "raind/sha256.h"
#include "raind/strv.h"

#define OCI_CONFIG  "application/vnd.oci.image.config.v1+json"
#define OCI_LAYER   "application/vnd.oci.image.layer.v1.tar"
#define OCI_LAYER_Z "application/vnd.oci.image.layer.v1.tar+gzip"

typedef struct Blob {
        char digest[80];
        char *data;
        size_t size;
} Blob;

typedef struct Fixture {
        char dir[256];
        int dir_fd, work_fd, tmp_fd;
        Blob blobs[8];
        size_t n_blobs;
        bool pipes;        /* the callback hands out pipes instead of files */
        const char *wrong; /* digest whose blob the callback corrupts */

        /* The image: layer 0 a plain tar, layer 1 gzip. */
        char diff0[80], diff1[80], layer0[80], layer1[80], config[80];
        char *oci_manifest, *docker_manifest;
        char *tar1; /* layer 1 uncompressed */
        size_t tar1_size;
} Fixture;

typedef struct Entry {
        char type; /* 'f' file, 'd' directory, 'l' symlink, 'h' hardlink */
        const char *path;
        const char *data; /* content or link target */
        size_t size;      /* 0: strlen(data) */
} Entry;

static void digest_of(const void *data, size_t size, char ret[80])
{
        char hex[SHA256_HEX_SIZE];
        sha256_hex(data, size, hex);
        snprintf(ret, 80, "sha256:%s", hex);
}

static char *read_fd_all(int fd, size_t *ret_size)
{
        char *data;
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(read_full_fd(fd, 64 << 20, &data, ret_size), 0);
        return data;
}

/* A tar (gzip-compressed if gzip) of entries, in memory. */
static char *make_tar(const Entry *entries, size_t n, bool gzip, size_t *ret_size)
{
        struct archive *a = archive_write_new();
        int fd = memfd_create("tar", MFD_CLOEXEC);
        char *data;

        assert_true(fd >= 0);
        assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
        if (gzip)
                assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
        assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = archive_entry_new();
                size_t size = entries[i].size ?: (entries[i].data ? strlen(entries[i].data) : 0);

                archive_entry_set_pathname(e, entries[i].path);
                archive_entry_set_mtime(e, 1600000000, 0);
                switch (entries[i].type) {
                case 'f':
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_perm(e, 0644);
                        archive_entry_set_size(e, (la_int64_t)size);
                        break;
                case 'd':
                        archive_entry_set_filetype(e, AE_IFDIR);
                        archive_entry_set_perm(e, 0755);
                        break;
                case 'l':
                        archive_entry_set_filetype(e, AE_IFLNK);
                        archive_entry_set_perm(e, 0777);
                        archive_entry_set_symlink(e, entries[i].data);
                        break;
                case 'h':
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_perm(e, 0644);
                        archive_entry_set_hardlink(e, entries[i].data);
                        break;
                }
                assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
                if (entries[i].type == 'f')
                        assert_int_equal(archive_write_data(a, entries[i].data, size), (la_ssize_t)size);
                archive_entry_free(e);
        }
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        data = read_fd_all(fd, ret_size);
        close(fd);
        return data;
}

/* data, gzip-compressed. */
static char *gzip_data(const char *data, size_t size, size_t *ret_size)
{
        struct archive *a = archive_write_new();
        struct archive_entry *e = archive_entry_new();
        int fd = memfd_create("gz", MFD_CLOEXEC);
        char *out;

        assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
        assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
        assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, (la_int64_t)size);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, data, size), (la_ssize_t)size);
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        archive_entry_free(e);
        out = read_fd_all(fd, ret_size);
        close(fd);
        return out;
}

static const char *blob_add(Fixture *f, char *data, size_t size)
{
        Blob *b = &f->blobs[f->n_blobs++];
        b->data = data;
        b->size = size;
        digest_of(data, size, b->digest);
        return b->digest;
}

static int open_blob(const char *digest, void *userdata)
{
        Fixture *f = userdata;

        for (size_t i = 0; i < f->n_blobs; i++) {
                Blob *b = &f->blobs[i];
                int fds[2];

                if (!streq(b->digest, digest))
                        continue;
                if (f->pipes) {
                        /* The blobs are small enough for the pipe buffer. */
                        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
                        assert_int_equal(loop_write(fds[1], b->data, b->size), 0);
                        close(fds[1]);
                        return fds[0];
                }
                fds[0] = memfd_create("blob", MFD_CLOEXEC);
                assert_int_equal(loop_write(fds[0], b->data, b->size), 0);
                if (streq_ptr(f->wrong, digest))
                        assert_int_equal(pwrite(fds[0], "X", 1, (off_t)b->size / 2), 1);
                assert_int_equal(lseek(fds[0], 0, SEEK_SET), 0);
                return fds[0];
        }
        return -ENOENT;
}

static int setup(void **state)
{
        Fixture *f = calloc(1, sizeof(Fixture));
        char *layer0, *gz, *config;
        size_t size0, gz_size;
        const Entry l0[] = {{'d', "etc"}, {'f', "etc/hello", "hello world\n"}};
        const Entry l1[] = {{'f', "etc/hello", "goodbye\n"}, {'f', "bin/true", "#!/bin/sh\n"}};

        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "%s/raind-test-archive-XXXXXX", getenv("TMPDIR") ?: "/tmp");
        assert_non_null(mkdtemp(f->dir));
        f->dir_fd = open(f->dir, O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(mkdirat(f->dir_fd, "work", 0700), 0);
        assert_int_equal(mkdirat(f->dir_fd, "tmp", 0700), 0);
        f->work_fd = openat(f->dir_fd, "work", O_DIRECTORY | O_CLOEXEC);
        f->tmp_fd = openat(f->dir_fd, "tmp", O_DIRECTORY | O_CLOEXEC);
        assert_true(f->work_fd >= 0 && f->tmp_fd >= 0);

        layer0 = make_tar(l0, ELEMENTSOF(l0), false, &size0);
        strcpy(f->layer0, blob_add(f, layer0, size0));
        strcpy(f->diff0, f->layer0);
        f->tar1 = make_tar(l1, ELEMENTSOF(l1), false, &f->tar1_size);
        digest_of(f->tar1, f->tar1_size, f->diff1);
        gz = gzip_data(f->tar1, f->tar1_size, &gz_size);
        strcpy(f->layer1, blob_add(f, gz, gz_size));

        assert_true(asprintf(&config,
                             "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                             "\"diff_ids\":[\"%s\",\"%s\"]}}",
                             f->diff0, f->diff1) > 0);
        strcpy(f->config, blob_add(f, config, strlen(config)));

        assert_true(
            asprintf(&f->oci_manifest,
                     "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                     "\"config\":{\"mediaType\":\"" OCI_CONFIG "\",\"digest\":\"%s\",\"size\":%zu},"
                     "\"layers\":[{\"mediaType\":\"" OCI_LAYER "\",\"digest\":\"%s\",\"size\":%zu},"
                     "{\"mediaType\":\"" OCI_LAYER_Z "\",\"digest\":\"%s\",\"size\":%zu}]}",
                     f->config, strlen(config), f->layer0, size0, f->layer1, gz_size) > 0);
        assert_true(
            asprintf(
                &f->docker_manifest,
                "{\"schemaVersion\":2,\"mediaType\":\"application/"
                "vnd.docker.distribution.manifest.v2+json\","
                "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\","
                "\"digest\":\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":"
                "\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"%s\",\"size\":%zu}]}",
                f->config, strlen(config), f->layer1, gz_size) > 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        Fixture *f = *state;

        close(f->work_fd);
        close(f->tmp_fd);
        close(f->dir_fd);
        assert_int_equal(rm_rf(f->dir), 0);
        for (size_t i = 0; i < f->n_blobs; i++)
                free(f->blobs[i].data);
        free(f->oci_manifest);
        free(f->docker_manifest);
        free(f->tar1);
        free(f);
        return 0;
}

static char **dir_names(int dir_fd)
{
        char **names = NULL;
        DIR *d = fdopendir(dup(dir_fd));
        struct dirent *de;

        assert_non_null(d);
        rewinddir(d);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        assert_int_equal(strv_extend(&names, de->d_name), 0);
        closedir(d);
        return names;
}

/* The test directory holds work/ and tmp/, both empty: nothing was left anywhere. */
static void assert_nothing_left(Fixture *f)
{
        char **top = dir_names(f->dir_fd), **work = dir_names(f->work_fd), **tmp = dir_names(f->tmp_fd);

        assert_int_equal(strv_length(top), 2);
        assert_true(strv_contains(top, "work") && strv_contains(top, "tmp"));
        assert_int_equal(strv_length(work), 0);
        assert_int_equal(strv_length(tmp), 0);
        strv_free(top);
        strv_free(work);
        strv_free(tmp);
}

static ArchiveImage image_of(Fixture *f, char *manifest, ArchiveBlob layers[2], char **tags)
{
        layers[0] = (ArchiveBlob){.digest = f->layer0, .media_type = OCI_LAYER, .size = f->blobs[0].size};
        layers[1] = (ArchiveBlob){
            .digest = f->layer1, .media_type = OCI_LAYER_Z, .size = f->blobs[1].size, .diff_id = f->diff1};
        return (ArchiveImage){
            .manifest = manifest,
            .manifest_size = strlen(manifest),
            .config_digest = f->config,
            .layers = layers,
            .n_layers = 2,
            .tags = tags,
        };
}

/* Writes the images, reads them back. */
static ArchiveContents *round_trip(Fixture *f, ArchiveFormat format, const ArchiveImage *images, size_t n)
{
        ArchiveContents *c = NULL;
        char *error = NULL;
        int out = memfd_create("archive", MFD_CLOEXEC);

        assert_int_equal(image_archive_write(out, format, images, n, open_blob, f, f->tmp_fd, &error), 0);
        assert_null(error);
        assert_int_equal(lseek(out, 0, SEEK_SET), 0);
        assert_int_equal(image_archive_read(out, f->work_fd, &c, &error), 0);
        assert_null(error);
        close(out);
        assert_int_equal(c->format, format);
        return c;
}

static void assert_file(Fixture *f, const char *path, const void *data, size_t size)
{
        char *content;
        size_t n;
        int fd = openat(f->work_fd, path, O_RDONLY | O_CLOEXEC);

        assert_true(fd >= 0);
        content = read_fd_all(fd, &n);
        close(fd);
        assert_int_equal(n, size);
        assert_memory_equal(content, data, size);
        free(content);
}

static void test_format_names(void **state)
{
        ArchiveFormat f;
        (void)state;

        assert_int_equal(archive_format_from_string("docker-archive", &f), 0);
        assert_int_equal(f, ARCHIVE_FORMAT_DOCKER);
        assert_int_equal(archive_format_from_string("oci-archive", &f), 0);
        assert_int_equal(f, ARCHIVE_FORMAT_OCI);
        assert_int_equal(archive_format_from_string("oci", &f), -EINVAL);
        assert_string_equal(archive_format_to_string(ARCHIVE_FORMAT_OCI), "oci-archive");
}

static void test_docker_round_trip(void **state)
{
        Fixture *f = *state;
        char *tags[] = {"docker.io/library/test:1", "example.com/x/test:latest", NULL};
        ArchiveBlob layers[2];
        ArchiveImage image = image_of(f, f->oci_manifest, layers, tags);
        ArchiveContents *c;
        char **names;

        f->pipes = true;
        c = round_trip(f, ARCHIVE_FORMAT_DOCKER, &image, 1);
        assert_int_equal(c->n_images, 1);
        ArchiveReadImage *i = &c->images[0];
        assert_null(i->manifest);
        assert_null(i->manifest_digest);
        assert_string_equal(i->config_digest, f->config);
        assert_int_equal(i->n_layers, 2);
        /* Layers come out uncompressed: their digests are the diff_ids. */
        assert_string_equal(i->layers[0].digest, f->diff0);
        assert_string_equal(i->layers[1].digest, f->diff1);
        assert_string_equal(i->layers[0].media_type, OCI_LAYER);
        assert_string_equal(i->layers[1].media_type, OCI_LAYER);
        assert_int_equal(i->layers[1].size, f->tar1_size);
        assert_file(f, i->layer_paths[1], f->tar1, f->tar1_size);
        assert_file(f, i->layer_paths[0], f->blobs[0].data, f->blobs[0].size);
        assert_file(f, i->config_path, f->blobs[2].data, f->blobs[2].size);
        assert_int_equal(strv_length(i->tags), 2);
        assert_string_equal(i->tags[0], tags[0]);
        assert_string_equal(i->tags[1], tags[1]);
        /* Only what the image names stays in work/; nothing in tmp/. */
        names = dir_names(f->work_fd);
        assert_int_equal(strv_length(names), 3);
        strv_free(names);
        names = dir_names(f->tmp_fd);
        assert_int_equal(strv_length(names), 0);
        strv_free(names);
        archive_contents_free(c);
}

static void test_oci_round_trip(void **state)
{
        Fixture *f = *state;
        char *tags[] = {"example.com/x/test:1", "example.com/x/test:2", NULL};
        ArchiveBlob layers[2], docker_layers[2];
        ArchiveImage images[2] = {image_of(f, f->oci_manifest, layers, tags),
                                  image_of(f, f->docker_manifest, docker_layers, NULL)};
        char oci_digest[80];
        ArchiveContents *c;

        /* The second image: a Docker schema2 manifest of the gzip layer alone. */
        layers[1].diff_id = NULL;
        docker_layers[0] = layers[1];
        docker_layers[0].media_type = "application/vnd.docker.image.rootfs.diff.tar.gzip";
        images[1].n_layers = 1;
        digest_of(f->oci_manifest, strlen(f->oci_manifest), oci_digest);

        for (int pipes = 0; pipes < 2; pipes++) {
                f->pipes = pipes;
                c = round_trip(f, ARCHIVE_FORMAT_OCI, images, 2);
                assert_int_equal(c->n_images, 2);
                ArchiveReadImage *i = &c->images[0];
                assert_int_equal(i->manifest_size, strlen(f->oci_manifest));
                assert_memory_equal(i->manifest, f->oci_manifest, i->manifest_size);
                assert_string_equal(i->manifest_digest, oci_digest);
                assert_string_equal(i->config_digest, f->config);
                assert_int_equal(i->n_layers, 2);
                assert_string_equal(i->layers[0].digest, f->layer0);
                assert_string_equal(i->layers[1].digest, f->layer1);
                assert_string_equal(i->layers[0].media_type, OCI_LAYER);
                assert_string_equal(i->layers[1].media_type, OCI_LAYER_Z);
                assert_null(i->layers[1].diff_id);
                assert_file(f, i->layer_paths[1], f->blobs[1].data, f->blobs[1].size);
                /* One index entry per tag, one image. */
                assert_int_equal(strv_length(i->tags), 2);
                assert_string_equal(i->tags[1], tags[1]);

                /* The Docker manifest went in with OCI media types, same blobs. */
                i = &c->images[1];
                assert_non_null(strstr(i->manifest, "application/vnd.oci.image.manifest.v1+json"));
                assert_non_null(strstr(i->manifest, OCI_LAYER_Z));
                assert_null(strstr(i->manifest, "docker"));
                assert_string_equal(i->config_digest, f->config);
                assert_string_equal(i->layers[0].digest, f->layer1);
                assert_string_equal(i->layers[0].media_type, OCI_LAYER_Z);
                assert_int_equal(strv_length(i->tags), 0);
                archive_contents_free(c);
        }
}

static void test_write_refuses_corrupt_blob(void **state)
{
        Fixture *f = *state;
        ArchiveBlob layers[2];
        ArchiveImage image = image_of(f, f->oci_manifest, layers, NULL);
        char *error = NULL;

        for (ArchiveFormat format = ARCHIVE_FORMAT_DOCKER; format <= ARCHIVE_FORMAT_OCI; format++) {
                int out = memfd_create("archive", MFD_CLOEXEC);
                ArchiveContents *c = NULL;

                f->wrong = f->layer1;
                assert_int_equal(
                    image_archive_write(out, format, &image, 1, open_blob, f, f->tmp_fd, &error), -EBADMSG);
                assert_non_null(strstr(error, f->layer1));
                free(error);
                error = NULL;
                /* What was written names no image. */
                assert_int_equal(lseek(out, 0, SEEK_SET), 0);
                assert_true(image_archive_read(out, f->work_fd, &c, &error) < 0);
                free(error);
                error = NULL;
                close(out);
                assert_nothing_left(f);
        }
        f->wrong = NULL;

        /* A diff_id that the layer does not unpack to. */
        layers[1].diff_id = f->diff0;
        int out = memfd_create("archive", MFD_CLOEXEC);
        assert_int_equal(
            image_archive_write(out, ARCHIVE_FORMAT_DOCKER, &image, 1, open_blob, f, f->tmp_fd, &error),
            -EBADMSG);
        assert_non_null(strstr(error, "diff_id"));
        free(error);
        close(out);
}

/* Reads an archive made of entries (gzip-compressed if gzip) and returns image_archive_read()'s result. */
static int read_entries(Fixture *f, const Entry *entries, size_t n, bool gzip, ArchiveContents **ret,
                        char **ret_error)
{
        size_t size;
        char *tar = make_tar(entries, n, gzip, &size);
        int fd = memfd_create("archive", MFD_CLOEXEC), r;

        assert_int_equal(loop_write(fd, tar, size), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        free(tar);
        r = image_archive_read(fd, f->work_fd, ret, ret_error);
        close(fd);
        return r;
}

static void assert_refused(Fixture *f, const Entry *entries, size_t n, int want, const char *message)
{
        ArchiveContents *c = NULL;
        char *error = NULL;

        assert_int_equal(read_entries(f, entries, n, false, &c, &error), want);
        assert_null(c);
        assert_non_null(error);
        if (!strstr(error, message))
                fail_msg("error '%s' does not contain '%s'", error, message);
        free(error);
        assert_nothing_left(f);
}

static void test_read_docker_legacy_and_compressed(void **state)
{
        Fixture *f = *state;
        char manifest[1024], layer_name[80], config_name[80];
        ArchiveContents *c = NULL;
        char *error = NULL;

        /* As older `docker save`: the layer once, a symlink for the second use, a hardlink too; the
         * layer itself gzip-compressed; the whole archive gzip-compressed. */
        snprintf(layer_name, sizeof(layer_name), "%s.tar", f->layer1 + 7);
        snprintf(config_name, sizeof(config_name), "%s.json", f->config + 7);
        snprintf(manifest, sizeof(manifest),
                 "[{\"Config\":\"%s\",\"RepoTags\":null,\"Layers\":[\"aaa/layer.tar\",\"bbb/layer.tar\","
                 "\"ccc/layer.tar\"]}]",
                 config_name);
        const Entry entries[] = {
            {'f', "manifest.json", manifest},
            {'d', "aaa"},
            {'f', "aaa/layer.tar", f->blobs[1].data, f->blobs[1].size},
            {'d', "bbb"},
            {'l', "bbb/layer.tar", "../aaa/./layer.tar"},
            {'h', "ccc/layer.tar", "aaa/layer.tar"},
            {'f', config_name, f->blobs[2].data, f->blobs[2].size},
            {'f', "repositories", "{}"},
        };

        assert_int_equal(read_entries(f, entries, ELEMENTSOF(entries), true, &c, &error), 0);
        assert_null(error);
        assert_int_equal(c->format, ARCHIVE_FORMAT_DOCKER);
        assert_int_equal(c->n_images, 1);
        assert_int_equal(c->images[0].n_layers, 3);
        for (size_t i = 0; i < 3; i++) {
                assert_string_equal(c->images[0].layers[i].digest, f->layer1);
                assert_string_equal(c->images[0].layers[i].media_type, OCI_LAYER_Z);
        }
        assert_non_null(c->images[0].tags);
        assert_null(c->images[0].tags[0]);
        archive_contents_free(c);
        /* The repositories file is gone: only the layer and the config stay. */
        char **names = dir_names(f->work_fd);
        assert_int_equal(strv_length(names), 2);
        strv_free(names);
}

static void test_read_refuses_evil(void **state)
{
        Fixture *f = *state;
        char manifest[512], blob_path[128], index[512];

        const Entry dotdot[] = {{'f', "manifest.json", "[]"}, {'f', "../x", "evil"}};
        assert_refused(f, dotdot, ELEMENTSOF(dotdot), -EBADMSG, "leads out of the archive");

        const Entry none[] = {{'f', "hello", "world"}, {'d', "blobs"}};
        assert_refused(f, none, ELEMENTSOF(none), -EBADMSG, "no manifest.json or index.json");

        snprintf(manifest, sizeof(manifest),
                 "[{\"Config\":\"c.json\",\"RepoTags\":[],\"Layers\":[\"l/layer.tar\"]}]");
        const Entry out_rel[] = {{'f', "manifest.json", manifest},
                                 {'f', "c.json", "{}"},
                                 {'l', "l/layer.tar", "../../../etc/passwd"}};
        assert_refused(f, out_rel, ELEMENTSOF(out_rel), -EBADMSG, "symlink out of the archive");
        const Entry out_abs[] = {
            {'f', "manifest.json", manifest}, {'f', "c.json", "{}"}, {'l', "l/layer.tar", "/etc/passwd"}};
        assert_refused(f, out_abs, ELEMENTSOF(out_abs), -EBADMSG, "symlink out of the archive");
        const Entry missing[] = {{'f', "manifest.json", manifest}, {'f', "c.json", "{}"}};
        assert_refused(f, missing, ELEMENTSOF(missing), -EBADMSG, "'l/layer.tar' is not in the archive");
        const Entry twice[] = {{'f', "manifest.json", manifest},
                               {'f', "c.json", "{}"},
                               {'f', "l/layer.tar", f->tar1, f->tar1_size},
                               {'f', "l/layer.tar", "x"}};
        assert_refused(f, twice, ELEMENTSOF(twice), -EBADMSG, "more than once");
        const Entry not_tar[] = {
            {'f', "manifest.json", manifest}, {'f', "c.json", "{}"}, {'f', "l/layer.tar", "just text"}};
        assert_refused(f, not_tar, ELEMENTSOF(not_tar), -EMEDIUMTYPE, "not a tar archive");

        /* An OCI blob whose content is not what its name says. */
        snprintf(blob_path, sizeof(blob_path), "blobs/sha256/%s", f->layer0 + 7);
        snprintf(index, sizeof(index),
                 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/"
                 "vnd.oci.image.manifest.v1+json\","
                 "\"digest\":\"%s\",\"size\":3}]}",
                 f->layer0);
        const Entry mismatch[] = {{'f', "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"},
                                  {'f', "index.json", index},
                                  {'f', blob_path, "not the layer"}};
        char want[128];
        snprintf(want, sizeof(want), "blob %s in the archive does not match its name", f->layer0);
        assert_refused(f, mismatch, ELEMENTSOF(mismatch), -EBADMSG, want);

        const Entry garbage[] = {{'f', "manifest.json", "[{\"Config\":"}};
        assert_refused(f, garbage, ELEMENTSOF(garbage), -EBADMSG, "not valid JSON");
}

static void test_read_not_tar(void **state)
{
        Fixture *f = *state;
        ArchiveContents *c = NULL;
        char *error = NULL;
        int fd = memfd_create("archive", MFD_CLOEXEC);

        assert_int_equal(loop_write(fd, "this is not a tar archive at all", 32), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(image_archive_read(fd, f->work_fd, &c, &error), -EBADMSG);
        assert_non_null(strstr(error, "not a tar archive"));
        free(error);
        close(fd);
        assert_nothing_left(f);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_format_names),
            cmocka_unit_test_setup_teardown(test_docker_round_trip, setup, teardown),
            cmocka_unit_test_setup_teardown(test_oci_round_trip, setup, teardown),
            cmocka_unit_test_setup_teardown(test_write_refuses_corrupt_blob, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_docker_legacy_and_compressed, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_refuses_evil, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_not_tar, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
