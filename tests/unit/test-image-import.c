/* SPDX-License-Identifier: Apache-2.0 */
/* Image store and tarball import, on a store in a temporary directory. Tarballs are made here with
 * libarchive's writer; runs unprivileged (as root, owners and device nodes are checked too). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "raind/fileio.h"
#include "raind/image-store.h"
#include "raind/json-util.h"
#include "raind/macro.h"
#include "raind/sha256.h"
#include "raind/strv.h"
#include "src/image/image-internal.h"

#define MTIME 1600000000

typedef enum EntryType {
        ENTRY_FILE,
        ENTRY_DIR,
        ENTRY_SYMLINK,
        ENTRY_HARDLINK,
        ENTRY_FIFO,
        ENTRY_CHAR,
} EntryType;

typedef struct TarEntry {
        EntryType type;
        const char *path;
        const char *data; /* file content, or link target */
        mode_t mode;      /* 0: 0644 for files, 0755 for directories */
        const char *xattr;
        unsigned owner; /* uid and gid */
} TarEntry;

typedef struct Fixture {
        char dir[256];
        char store[512];
        char outside[512];
        char tars[512];
        ImageStore *s;
} Fixture;

static int setup(void **state)
{
        Fixture *f = calloc(1, sizeof(Fixture));
        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "%s/raind-test-image-XXXXXX", getenv("TMPDIR") ?: "/tmp");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->store, sizeof(f->store), "%s/store", f->dir);
        snprintf(f->outside, sizeof(f->outside), "%s/outside", f->dir);
        snprintf(f->tars, sizeof(f->tars), "%s/tars", f->dir);
        assert_int_equal(mkdir(f->outside, 0755), 0);
        assert_int_equal(mkdir(f->tars, 0755), 0);
        assert_int_equal(image_store_open(f->store, &f->s), 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        Fixture *f = *state;
        image_store_free(f->s);
        /* The store may hold read-only directories: the store's own remover copes with them. */
        assert_int_equal(tree_remove_at(AT_FDCWD, f->dir), 0);
        free(f);
        return 0;
}

static void make_tar(const char *path, int filter, const TarEntry *entries, size_t n)
{
        struct archive *a = archive_write_new();
        assert_non_null(a);
        assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
        assert_true(archive_write_add_filter(a, filter) >= ARCHIVE_WARN);
        assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);

        for (size_t i = 0; i < n; i++) {
                const TarEntry *t = &entries[i];
                struct archive_entry *e = archive_entry_new();
                size_t size = 0;

                archive_entry_set_pathname(e, t->path);
                archive_entry_set_mtime(e, MTIME + (time_t)i, 0);
                archive_entry_set_uid(e, t->owner);
                archive_entry_set_gid(e, t->owner);
                switch (t->type) {
                case ENTRY_FILE:
                        size = strlen(t->data);
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_perm(e, t->mode ?: 0644);
                        archive_entry_set_size(e, (la_int64_t)size);
                        break;
                case ENTRY_DIR:
                        archive_entry_set_filetype(e, AE_IFDIR);
                        archive_entry_set_perm(e, t->mode ?: 0755);
                        break;
                case ENTRY_SYMLINK:
                        archive_entry_set_filetype(e, AE_IFLNK);
                        archive_entry_set_perm(e, 0777);
                        archive_entry_set_symlink(e, t->data);
                        break;
                case ENTRY_HARDLINK:
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_perm(e, 0644);
                        archive_entry_set_hardlink(e, t->data);
                        break;
                case ENTRY_FIFO:
                        archive_entry_set_filetype(e, AE_IFIFO);
                        archive_entry_set_perm(e, t->mode ?: 0600);
                        break;
                case ENTRY_CHAR:
                        archive_entry_set_filetype(e, AE_IFCHR);
                        archive_entry_set_perm(e, 0666);
                        archive_entry_set_rdevmajor(e, 1);
                        archive_entry_set_rdevminor(e, 3);
                        break;
                }
                if (t->xattr) {
                        const char *eq = strchr(t->xattr, '=');
                        _cleanup_free_ char *name = strndup(t->xattr, (size_t)(eq - t->xattr));
                        archive_entry_xattr_add_entry(e, name, eq + 1, strlen(eq + 1));
                }
                /* ARCHIVE_WARN: a name that is not UTF-8, written as it is. */
                assert_true(archive_write_header(a, e) >= ARCHIVE_WARN);
                if (size > 0)
                        assert_int_equal(archive_write_data(a, t->data, size), (la_ssize_t)size);
                archive_entry_free(e);
        }
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
}

/* Path of a tarball in the fixture's tars/ directory (a static buffer per call site is enough). */
static const char *tar_path(Fixture *f, const char *name, char buf[PATH_MAX])
{
        snprintf(buf, PATH_MAX, "%s/%s", f->tars, name);
        return buf;
}

static int import_path(ImageStore *s, const char *path, const char *ref, char **ret_id, char **ret_error)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        return image_store_import(s, fd, ref, ret_id, ret_error);
}

static void file_sha256(const char *path, char hex[SHA256_HEX_SIZE])
{
        _cleanup_free_ char *data = NULL;
        size_t size;

        assert_int_equal(read_full_file(path, 1U << 30, &data, &size), 0);
        sha256_hex(data, size, hex);
}

static size_t dir_count(const char *path)
{
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(dir_read_names(fd, &names), 0);
        return strv_length(names);
}

static size_t store_count(Fixture *f, const char *sub)
{
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/%s", f->store, sub);
        return dir_count(p);
}

/* No image, no layer, no leftover, no reference. */
static void assert_store_empty(Fixture *f)
{
        _cleanup_image_list_free_ Image **l = NULL;
        _cleanup_json_ struct json_object *repos = NULL;
        size_t n = 99;

        assert_int_equal(store_count(f, "tmp"), 0);
        assert_int_equal(store_count(f, "images"), 0);
        assert_int_equal(store_count(f, "layers"), 0);
        assert_int_equal(image_store_list(f->s, &l, &n), 0);
        assert_int_equal(n, 0);
        assert_int_equal(repositories_load(f->s, &repos), 0);
        assert_int_equal(json_object_object_length(repos), 0);
}

static void assert_import_fails(Fixture *f, const char *path, int expected, const char *needle)
{
        _cleanup_free_ char *id = NULL, *error = NULL;
        size_t outside = dir_count(f->outside);

        int r = import_path(f->s, path, "evil", &id, &error);
        if (expected != 0)
                assert_int_equal(r, expected);
        else
                assert_true(r < 0);
        assert_null(id);
        assert_non_null(error);
        assert_null(strchr(error, '\n'));
        if (!strstr(error, needle))
                fail_msg("error '%s' does not name '%s'", error, needle);
        assert_store_empty(f);
        assert_int_equal(dir_count(f->outside), outside);
}

/* The image's one layer blob is the uncompressed tar: its digest is the layer id (diff_id). */
static void assert_blob_is_layer(Fixture *f, const Image *i)
{
        char blob[PATH_MAX], digest[SHA256_HEX_SIZE];

        assert_string_equal(i->layer_blobs[0].media_type, "application/vnd.oci.image.layer.v1.tar");
        assert_true(startswith(i->layer_blobs[0].digest, "sha256:"));
        assert_string_equal(i->layer_blobs[0].digest + 7, i->layers[0]);
        snprintf(blob, sizeof(blob), "%s/blobs/sha256/%s", f->store, i->layers[0]);
        file_sha256(blob, digest);
        assert_string_equal(digest, i->layers[0]);
}

static char *layer_file(Fixture *f, const Image *i, const char *rel)
{
        _cleanup_strv_free_ char **dirs = NULL;
        char *p;

        assert_int_equal(image_store_layer_dirs(f->s, i, &dirs), 0);
        assert_int_equal(asprintf(&p, "%s/%s", dirs[0], rel), (int)(strlen(dirs[0]) + 1 + strlen(rel)));
        return p;
}

static void assert_file_content(const char *path, const char *content)
{
        _cleanup_free_ char *data = NULL;
        assert_int_equal(read_full_file(path, 1 << 20, &data, NULL), 0);
        assert_string_equal(data, content);
}

static void test_import_good(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX], digest[SHA256_HEX_SIZE];
        const TarEntry entries[] = {
            {ENTRY_DIR, "./", NULL, 0755, NULL},
            {ENTRY_DIR, "./etc/", NULL, 0755, NULL},
            {ENTRY_FILE, "./etc/hostname", "raind\n", 0644, NULL},
            {ENTRY_FILE, "bin/tool", "#!/bin/sh\necho tool\n", 04755, "user.raind.test=hello"},
            {ENTRY_SYMLINK, "bin/sh", "/bin/tool", 0, NULL},
            {ENTRY_HARDLINK, "bin/tool2", "bin/tool", 0, NULL},
            {ENTRY_DIR, "ro", NULL, 0555, NULL},
            {ENTRY_FILE, "ro/file", "read only\n", 0444, NULL},
            {ENTRY_FILE, "/abs/file", "was absolute\n", 0600, NULL},
            {ENTRY_FIFO, "run/fifo", NULL, 0620, NULL},
            {ENTRY_DIR, "tmp", NULL, 01777, NULL},
            {ENTRY_FILE, "empty", "", 0644, NULL},
            {ENTRY_FILE, "etc/hostname", "overwritten\n", 0640, NULL},
        };
        _cleanup_free_ char *id = NULL, *error = NULL, *p = NULL;
        _cleanup_image_free_ Image *i = NULL;
        struct stat st, st2;

        make_tar(tar_path(f, "good.tar", path), ARCHIVE_FILTER_NONE, entries, ELEMENTSOF(entries));
        assert_int_equal(import_path(f->s, path, "test", &id, &error), 0);
        assert_null(error);
        assert_non_null(id);
        assert_true(image_id_is_valid(id));
        assert_int_equal(store_count(f, "tmp"), 0);

        assert_int_equal(image_store_lookup(f->s, "test", &i), 0);
        assert_string_equal(i->id, id);
        assert_int_equal(strv_length(i->references), 1);
        assert_string_equal(i->references[0], "test:latest");
        assert_int_equal(strv_length(i->layers), 1);
        assert_int_equal(strv_length(i->env), 1);
        assert_string_equal(i->env[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        assert_null(i->cmd);
        assert_null(i->entrypoint);
        assert_null(i->working_dir);
        assert_null(i->user);
        assert_null(i->stop_signal);
        assert_true(i->created > 1600000000LL * 1000000LL);
        assert_int_equal(i->size, strlen("#!/bin/sh\necho tool\n") + strlen("read only\n") +
                                      strlen("was absolute\n") + strlen("raind\n") +
                                      strlen("overwritten\n"));

        /* Layer id: the diff_id, the digest of the uncompressed tar, which is kept as the layer's blob;
         * image id: the digest of its config blob. A manifest names both. */
        assert_blob_is_layer(f, i);
        char config[PATH_MAX];
        snprintf(config, sizeof(config), "%s/blobs/sha256/%s", f->store, id);
        file_sha256(config, digest);
        assert_string_equal(digest, id);
        assert_string_equal(i->manifest.media_type, "application/vnd.oci.image.manifest.v1+json");
        assert_true(startswith(i->manifest.digest, "sha256:"));
        snprintf(config, sizeof(config), "%s/blobs/sha256/%s", f->store, i->manifest.digest + 7);
        file_sha256(config, digest);
        assert_string_equal(digest, i->manifest.digest + 7);

        /* The layer's files. */
        p = layer_file(f, i, "etc/hostname");
        assert_file_content(p, "overwritten\n");
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(st.st_mtime, MTIME + 12);
        free(p);

        p = layer_file(f, i, "bin/tool");
        assert_int_equal(lstat(p, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 04755);
        assert_int_equal(st.st_mtime, MTIME + 3);
        char value[64];
        ssize_t n = lgetxattr(p, "user.raind.test", value, sizeof(value));
        if (n >= 0) {
                assert_int_equal(n, 5);
                assert_memory_equal(value, "hello", 5);
        } else
                assert_true(errno == EOPNOTSUPP);
        free(p);

        p = layer_file(f, i, "bin/tool2");
        assert_int_equal(lstat(p, &st2), 0);
        assert_int_equal(st.st_ino, st2.st_ino);
        assert_int_equal(st2.st_nlink, 2);
        free(p);

        p = layer_file(f, i, "bin/sh");
        char target[PATH_MAX];
        n = readlink(p, target, sizeof(target) - 1);
        assert_true(n > 0);
        target[n] = 0;
        assert_string_equal(target, "/bin/tool");
        free(p);

        p = layer_file(f, i, "ro");
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0555);
        assert_int_equal(st.st_mtime, MTIME + 6);
        free(p);
        p = layer_file(f, i, "ro/file");
        assert_file_content(p, "read only\n");
        free(p);

        p = layer_file(f, i, "abs/file");
        assert_file_content(p, "was absolute\n");
        free(p);

        p = layer_file(f, i, "run/fifo");
        assert_int_equal(lstat(p, &st), 0);
        assert_true(S_ISFIFO(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0620);
        free(p);

        p = layer_file(f, i, "tmp");
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 01777);
        free(p);

        p = layer_file(f, i, "empty");
        assert_file_content(p, "");
        free(p);

        p = layer_file(f, i, "");
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
        assert_int_equal(st.st_mtime, MTIME);

        /* Complete layer with its metadata. */
        char layer_json[PATH_MAX];
        _cleanup_json_ struct json_object *lj = NULL;
        snprintf(layer_json, sizeof(layer_json), "%s/layers/%s/layer.json", f->store, i->layers[0]);
        assert_int_equal(json_read_file(layer_json, 1 << 16, &lj), 0);
        assert_string_equal(json_get_string(lj, "id"), i->layers[0]);
        assert_int_equal(json_get_int64(lj, "size", -1), (int64_t)i->size);
        char expected_digest[80];
        snprintf(expected_digest, sizeof(expected_digest), "sha256:%s", i->layers[0]);
        assert_string_equal(json_get_string(lj, "digest"), expected_digest);
}

static void test_lookup_and_list(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX], prefix[16], sha[80];
        const TarEntry entries[] = {{ENTRY_FILE, "hello", "world\n", 0644, NULL}};
        _cleanup_free_ char *id = NULL;
        _cleanup_image_list_free_ Image **l = NULL;
        Image *i = NULL;
        size_t n = 0;

        make_tar(tar_path(f, "hello.tar.gz", path), ARCHIVE_FILTER_GZIP, entries, 1);
        assert_int_equal(import_path(f->s, path, "docker.io/library/hello:1", &id, NULL), 0);

        assert_int_equal(image_store_lookup(f->s, "hello:1", &i), 0);
        assert_string_equal(i->id, id);
        assert_string_equal(i->references[0], "hello:1");
        i = image_free(i);
        assert_int_equal(image_store_lookup(f->s, id, &i), 0);
        i = image_free(i);
        snprintf(prefix, sizeof(prefix), "%.12s", id);
        assert_int_equal(image_store_lookup(f->s, prefix, &i), 0);
        assert_string_equal(i->id, id);
        i = image_free(i);
        snprintf(sha, sizeof(sha), "sha256:%s", id);
        assert_int_equal(image_store_lookup(f->s, sha, &i), 0);
        i = image_free(i);

        assert_int_equal(image_store_lookup(f->s, "hello", &i), -ENOENT); /* hello:latest */
        assert_int_equal(image_store_lookup(f->s, "nothere:1", &i), -ENOENT);
        assert_int_equal(image_store_lookup(f->s, "Not A Reference", &i), -ENOENT);
        assert_null(i);

        assert_int_equal(image_store_list(f->s, &l, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(l[0]->id, id);
        assert_null(l[1]);
}

static void test_ambiguous_prefix(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX];
        const TarEntry entries[] = {{ENTRY_FILE, "x", "x\n", 0644, NULL}};
        _cleanup_strv_free_ char **ids = NULL;
        _cleanup_image_list_free_ Image **l = NULL;
        Image *i = NULL;
        size_t n = 0;

        /* 17 images (one shared layer): two of them share their first hex digit. */
        make_tar(tar_path(f, "x.tar", path), ARCHIVE_FILTER_NONE, entries, 1);
        for (unsigned k = 0; k < 17; k++) {
                char *id = NULL;
                assert_int_equal(import_path(f->s, path, NULL, &id, NULL), 0);
                assert_int_equal(strv_push(&ids, id), 0);
        }
        assert_int_equal(store_count(f, "layers"), 1);
        assert_int_equal(image_store_list(f->s, &l, &n), 0);
        assert_int_equal(n, 17);
        for (size_t k = 1; k < n; k++)
                assert_true(l[k - 1]->created >= l[k]->created);

        bool found = false;
        for (char c = '0'; c <= 'f'; c = c == '9' ? 'a' : c + 1) {
                char p[2] = {c, 0};
                unsigned matches = 0;
                STRV_FOREACH (id, ids)
                        matches += (*id)[0] == c;
                int r = image_store_lookup(f->s, p, &i);
                if (matches > 1) {
                        assert_int_equal(r, -ENOTUNIQ);
                        assert_int_equal(image_store_remove(f->s, p, NULL), -ENOTUNIQ);
                        found = true;
                } else if (matches == 1) {
                        assert_int_equal(r, 0);
                        i = image_free(i);
                } else
                        assert_int_equal(r, -ENOENT);
        }
        assert_true(found);
}

static void test_compressions(void **state)
{
        Fixture *f = *state;
        static const struct {
                int filter;
                const char *name;
        } filters[] = {
            {ARCHIVE_FILTER_NONE, "t.tar"},     {ARCHIVE_FILTER_GZIP, "t.tar.gz"},
            {ARCHIVE_FILTER_XZ, "t.tar.xz"},    {ARCHIVE_FILTER_BZIP2, "t.tar.bz2"},
            {ARCHIVE_FILTER_ZSTD, "t.tar.zst"},
        };
        const TarEntry entries[] = {{ENTRY_FILE, "data", "compressed or not\n", 0644, NULL}};

        for (size_t k = 0; k < ELEMENTSOF(filters); k++) {
                char path[PATH_MAX];
                _cleanup_free_ char *id = NULL, *error = NULL, *p = NULL;
                _cleanup_image_free_ Image *i = NULL;

                make_tar(tar_path(f, filters[k].name, path), filters[k].filter, entries, 1);
                assert_int_equal(import_path(f->s, path, filters[k].name + 2, &id, &error), 0);
                assert_int_equal(image_store_lookup(f->s, id, &i), 0);
                p = layer_file(f, i, "data");
                assert_file_content(p, "compressed or not\n");
        }
        /* Same tar, compressed five ways: one diff_id, one layer. */
        assert_int_equal(store_count(f, "layers"), 1);
}

static void test_shared_layer_and_remove(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX];
        const TarEntry entries[] = {{ENTRY_DIR, "d", NULL, 0500, NULL},
                                    {ENTRY_FILE, "d/f", "shared\n", 0400, NULL}};
        _cleanup_free_ char *a = NULL, *b = NULL, *removed = NULL;
        _cleanup_image_free_ Image *ia = NULL, *ib = NULL;

        make_tar(tar_path(f, "shared.tar", path), ARCHIVE_FILTER_GZIP, entries, ELEMENTSOF(entries));
        assert_int_equal(import_path(f->s, path, "a", &a, NULL), 0);
        assert_int_equal(import_path(f->s, path, "b:v1", &b, NULL), 0);
        assert_string_not_equal(a, b);
        assert_int_equal(image_store_lookup(f->s, "a", &ia), 0);
        assert_int_equal(image_store_lookup(f->s, "b:v1", &ib), 0);
        /* Re-import of the same bytes: the layer is reused, the fresh extraction dropped. */
        assert_string_equal(ia->layers[0], ib->layers[0]);
        assert_int_equal(store_count(f, "layers"), 1);
        assert_int_equal(store_count(f, "tmp"), 0);

        assert_int_equal(image_store_remove(f->s, "a", &removed), 0);
        assert_string_equal(removed, a);
        free(removed);
        removed = NULL;
        assert_int_equal(store_count(f, "layers"), 1); /* b still uses it */
        assert_int_equal(store_count(f, "images"), 1);

        _cleanup_strv_free_ char **dirs = NULL;
        assert_int_equal(image_store_layer_dirs(f->s, ib, &dirs), 0);
        char expected[PATH_MAX];
        snprintf(expected, sizeof(expected), "%s/layers/%s/diff", image_store_root(f->s), ib->layers[0]);
        assert_string_equal(dirs[0], expected);
        assert_null(dirs[1]);
        assert_true(dirs[0][0] == '/');

        /* By id: the image with its references and the now unused layer (read-only dirs included). */
        assert_int_equal(image_store_remove(f->s, b, &removed), 0);
        assert_string_equal(removed, b);
        assert_store_empty(f);
        assert_int_equal(image_store_remove(f->s, "b:v1", &removed), -ENOENT);
        assert_int_equal(image_store_layer_dirs(f->s, ib, &dirs), -ENOENT);
}

static void test_tag_moves_and_untag(void **state)
{
        Fixture *f = *state;
        char p1[PATH_MAX], p2[PATH_MAX];
        const TarEntry e1[] = {{ENTRY_FILE, "v", "1\n", 0644, NULL}};
        const TarEntry e2[] = {{ENTRY_FILE, "v", "2\n", 0644, NULL}};
        _cleanup_free_ char *id1 = NULL, *id2 = NULL, *removed = NULL;
        _cleanup_json_ struct json_object *repos = NULL;
        Image *i = NULL;

        make_tar(tar_path(f, "1.tar", p1), ARCHIVE_FILTER_NONE, e1, 1);
        make_tar(tar_path(f, "2.tar", p2), ARCHIVE_FILTER_NONE, e2, 1);
        assert_int_equal(import_path(f->s, p1, "app", &id1, NULL), 0);
        assert_int_equal(import_path(f->s, p2, "app:latest", &id2, NULL), 0);

        assert_int_equal(image_store_lookup(f->s, "app", &i), 0);
        assert_string_equal(i->id, id2);
        i = image_free(i);
        /* The old image stays, untagged. */
        assert_int_equal(image_store_lookup(f->s, id1, &i), 0);
        assert_null(i->references);
        i = image_free(i);

        /* Two references on one image (no tag API yet: written as the store does). */
        assert_int_equal(repositories_load(f->s, &repos), 0);
        json_object_object_add(repos, "other:tag", json_object_new_string(id2));
        assert_int_equal(repositories_save(f->s, repos), 0);
        assert_int_equal(image_store_lookup(f->s, id2, &i), 0);
        assert_int_equal(strv_length(i->references), 2);
        assert_string_equal(i->references[0], "app:latest");
        assert_string_equal(i->references[1], "other:tag");
        i = image_free(i);

        /* Untagging one reference keeps the image... */
        char *untagged = (char *)"sentinel";
        assert_int_equal(image_store_remove(f->s, "app", &untagged), 0);
        assert_null(untagged);
        assert_int_equal(image_store_lookup(f->s, id2, &i), 0);
        assert_int_equal(strv_length(i->references), 1);
        i = image_free(i);
        /* ...the last one removes it. */
        assert_int_equal(image_store_remove(f->s, "other:tag", &removed), 0);
        assert_string_equal(removed, id2);
        assert_int_equal(image_store_lookup(f->s, id2, &i), -ENOENT);
        assert_int_equal(store_count(f, "layers"), 1);
        free(removed);
        removed = NULL;

        assert_int_equal(image_store_remove(f->s, id1, &removed), 0);
        assert_string_equal(removed, id1);
        assert_store_empty(f);
        assert_int_equal(image_store_remove(f->s, "", NULL), -EINVAL);
}

static void test_invalid_reference(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX];
        const TarEntry entries[] = {{ENTRY_FILE, "x", "x\n", 0644, NULL}};
        _cleanup_free_ char *id = NULL, *error = NULL;

        make_tar(tar_path(f, "x.tar", path), ARCHIVE_FILTER_NONE, entries, 1);
        assert_int_equal(import_path(f->s, path, "Bad Name", &id, &error), -EINVAL);
        assert_null(id);
        assert_non_null(strstr(error, "Bad Name"));
        assert_store_empty(f);
}

/* ".." anywhere in a path. */
static void test_evil_dotdot(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX];
        const TarEntry e1[] = {{ENTRY_FILE, "ok", "fine\n", 0644, NULL},
                               {ENTRY_FILE, "../evil", "x\n", 0644, NULL}};
        const TarEntry e2[] = {{ENTRY_FILE, "a/../../evil", "x\n", 0644, NULL}};
        const TarEntry e3[] = {{ENTRY_DIR, "..", NULL, 0755, NULL}};

        make_tar(tar_path(f, "dotdot.tar", path), ARCHIVE_FILTER_NONE, e1, ELEMENTSOF(e1));
        assert_import_fails(f, path, -EBADMSG, "tarball entry '../evil' escapes the root");
        make_tar(tar_path(f, "dotdot2.tar", path), ARCHIVE_FILTER_GZIP, e2, ELEMENTSOF(e2));
        assert_import_fails(f, path, -EBADMSG, "'a/../../evil'");
        /* The name is quoted to one line of valid UTF-8. */
        const TarEntry e4[] = {{ENTRY_FILE, "new\nline/\xff/\xc3\xa4/../../../x", "x\n", 0644, NULL}};
        make_tar(tar_path(f, "dotdot4.tar", path), ARCHIVE_FILTER_NONE, e4, ELEMENTSOF(e4));
        assert_import_fails(f, path, -EBADMSG,
                            "tarball entry 'new\\x0aline/\\xff/\xc3\xa4/../../../x' escapes");
        make_tar(tar_path(f, "dotdot3.tar", path), ARCHIVE_FILTER_NONE, e3, ELEMENTSOF(e3));
        assert_import_fails(f, path, -EBADMSG, "tarball entry '../' escapes the root");

        char evil[PATH_MAX];
        snprintf(evil, sizeof(evil), "%s/tmp/evil", f->store);
        assert_int_equal(access(evil, F_OK), -1);
        snprintf(evil, sizeof(evil), "%s/evil", f->store);
        assert_int_equal(access(evil, F_OK), -1);
}

/* A symlink the archive made, then an entry below it. */
static void test_evil_symlink_escape(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX], rel[PATH_MAX];
        const TarEntry abs[] = {{ENTRY_SYMLINK, "a", f->outside, 0, NULL},
                                {ENTRY_FILE, "a/pwned", "pwned\n", 0644, NULL}};
        const TarEntry dir[] = {{ENTRY_SYMLINK, "a", f->outside, 0, NULL},
                                {ENTRY_DIR, "a/sub", NULL, 0755, NULL}};
        const TarEntry link[] = {{ENTRY_SYMLINK, "a", f->outside, 0, NULL},
                                 {ENTRY_SYMLINK, "a/l", "/x", 0, NULL}};

        make_tar(tar_path(f, "abs.tar", path), ARCHIVE_FILTER_NONE, abs, ELEMENTSOF(abs));
        assert_import_fails(f, path, -EBADMSG, "tarball entry 'a/pwned' would be written through a symlink");
        make_tar(tar_path(f, "absdir.tar", path), ARCHIVE_FILTER_NONE, dir, ELEMENTSOF(dir));
        assert_import_fails(f, path, -EBADMSG, "'a/sub/'");
        make_tar(tar_path(f, "abslink.tar", path), ARCHIVE_FILTER_NONE, link, ELEMENTSOF(link));
        assert_import_fails(f, path, -EBADMSG, "'a/l'");

        /* Relative, climbing from store/tmp/<work>/diff/b up to the test directory. */
        snprintf(rel, sizeof(rel), "../../../../../outside");
        const TarEntry relative[] = {{ENTRY_SYMLINK, "x/b", rel, 0, NULL},
                                     {ENTRY_FILE, "x/b/pwned", "pwned\n", 0644, NULL}};
        make_tar(tar_path(f, "rel.tar", path), ARCHIVE_FILTER_NONE, relative, ELEMENTSOF(relative));
        assert_import_fails(f, path, -EBADMSG, "'x/b/pwned'");
}

/* A directory replaced by a symlink after entries went into it: the next entry below must not follow. */
static void test_evil_dir_replaced_by_symlink(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX];
        const TarEntry entries[] = {
            {ENTRY_DIR, "d", NULL, 0755, NULL},
            {ENTRY_FILE, "d/x", "x\n", 0644, NULL},
            {ENTRY_SYMLINK, "d", f->outside, 0, NULL},
            {ENTRY_FILE, "d/y", "pwned\n", 0644, NULL},
        };

        make_tar(tar_path(f, "replace.tar", path), ARCHIVE_FILTER_NONE, entries, ELEMENTSOF(entries));
        assert_import_fails(f, path, -EBADMSG, "'d/y'");
}

static void test_evil_hardlinks(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX], secret[PATH_MAX], abs_secret[PATH_MAX];
        struct stat st;

        snprintf(secret, sizeof(secret), "%s/secret", f->outside);
        assert_int_equal(write_file_atomic(secret, "secret\n", 7, 0600), 0);
        snprintf(abs_secret, sizeof(abs_secret), "%s", secret);

        const TarEntry dotdot[] = {{ENTRY_FILE, "ok", "ok\n", 0644, NULL},
                                   {ENTRY_HARDLINK, "h1", "../../etc/passwd", 0, NULL}};
        const TarEntry absolute[] = {{ENTRY_HARDLINK, "h2", "/etc/passwd", 0, NULL}};
        const TarEntry absolute_outside[] = {{ENTRY_HARDLINK, "h3", abs_secret, 0, NULL}};
        const TarEntry via_symlink[] = {{ENTRY_SYMLINK, "a", f->outside, 0, NULL},
                                        {ENTRY_HARDLINK, "h4", "a/secret", 0, NULL}};
        const TarEntry to_dir[] = {{ENTRY_DIR, "d", NULL, 0755, NULL}, {ENTRY_HARDLINK, "h5", "d", 0, NULL}};

        make_tar(tar_path(f, "hl1.tar", path), ARCHIVE_FILTER_NONE, dotdot, ELEMENTSOF(dotdot));
        assert_import_fails(f, path, -EBADMSG,
                            "tarball entry 'h1' is a hardlink to '../../etc/passwd' outside the root");
        make_tar(tar_path(f, "hl2.tar", path), ARCHIVE_FILTER_NONE, absolute, ELEMENTSOF(absolute));
        assert_import_fails(
            f, path, -EBADMSG,
            "tarball entry 'h2' is a hardlink to '/etc/passwd', which is not in the archive");
        make_tar(tar_path(f, "hl3.tar", path), ARCHIVE_FILTER_NONE, absolute_outside,
                 ELEMENTSOF(absolute_outside));
        assert_import_fails(f, path, -EBADMSG, "'h3'");
        make_tar(tar_path(f, "hl4.tar", path), ARCHIVE_FILTER_NONE, via_symlink, ELEMENTSOF(via_symlink));
        assert_import_fails(f, path, -EBADMSG,
                            "tarball entry 'h4' is a hardlink to 'a/secret' through a symlink");
        make_tar(tar_path(f, "hl5.tar", path), ARCHIVE_FILTER_NONE, to_dir, ELEMENTSOF(to_dir));
        assert_import_fails(f, path, -EBADMSG, "tarball entry 'h5' is a hardlink to directory 'd'");

        /* assert_import_fails() checked nothing else appeared outside. */
        assert_int_equal(stat(secret, &st), 0);
        assert_int_equal(st.st_nlink, 1);
        assert_int_equal(unlink(secret), 0);
        assert_int_equal(stat("/etc/passwd", &st), 0);
        assert_int_equal(st.st_nlink, 1);
}

/* Later entries replace earlier ones, never writing through them. */
static void test_overwrite_does_not_follow(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX], secret[PATH_MAX];
        _cleanup_free_ char *id = NULL, *p = NULL;
        _cleanup_image_free_ Image *i = NULL;
        struct stat st;

        snprintf(secret, sizeof(secret), "%s/secret", f->outside);
        assert_int_equal(write_file_atomic(secret, "secret\n", 7, 0600), 0);
        const TarEntry entries[] = {
            {ENTRY_SYMLINK, "s", secret, 0, NULL},
            {ENTRY_FILE, "s", "replaced\n", 0644, NULL},
            {ENTRY_SYMLINK, "t", secret, 0, NULL},
            {ENTRY_HARDLINK, "u", "t", 0, NULL}, /* a hardlink to the symlink itself */
            {ENTRY_FILE, "u", "replaced too\n", 0644, NULL},
            {ENTRY_DIR, "dir", NULL, 0755, NULL},
            {ENTRY_FILE, "dir/inner", "gone\n", 0644, NULL},
            {ENTRY_FILE, "dir", "a file now\n", 0644, NULL},
            {ENTRY_FILE, "self", "self\n", 0644, NULL},
            {ENTRY_HARDLINK, "self", "self", 0, NULL},
        };

        make_tar(tar_path(f, "over.tar", path), ARCHIVE_FILTER_NONE, entries, ELEMENTSOF(entries));
        assert_int_equal(import_path(f->s, path, "over", &id, NULL), 0);
        assert_file_content(secret, "secret\n");
        assert_int_equal(stat(secret, &st), 0);
        assert_int_equal(st.st_nlink, 1);

        assert_int_equal(image_store_lookup(f->s, "over", &i), 0);
        p = layer_file(f, i, "s");
        assert_file_content(p, "replaced\n");
        free(p);
        p = layer_file(f, i, "t");
        assert_int_equal(lstat(p, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        free(p);
        p = layer_file(f, i, "u");
        assert_file_content(p, "replaced too\n");
        free(p);
        p = layer_file(f, i, "dir");
        assert_file_content(p, "a file now\n");
        free(p);
        p = layer_file(f, i, "self");
        assert_file_content(p, "self\n");
}

static void test_corrupt_input(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX];
        TarEntry entries[8];
        char data[8][4096];

        /* Incompressible data, so that half the gzip stream is half the entries. */
        for (size_t k = 0; k < ELEMENTSOF(entries); k++) {
                for (size_t b = 0; b + 1 < sizeof(data[k]); b++)
                        data[k][b] = (char)('!' + (rand() % 90));
                data[k][sizeof(data[k]) - 1] = 0;
                char *name;
                assert_true(asprintf(&name, "file%zu", k) > 0);
                entries[k] = (TarEntry){ENTRY_FILE, name, data[k], 0644, NULL};
        }
        make_tar(tar_path(f, "full.tar.gz", path), ARCHIVE_FILTER_GZIP, entries, ELEMENTSOF(entries));
        for (size_t k = 0; k < ELEMENTSOF(entries); k++)
                free((char *)entries[k].path);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(truncate(path, st.st_size / 2), 0);
        assert_import_fails(f, path, -EBADMSG, "truncated");

        /* Random bytes. */
        uint8_t junk[4096];
        for (size_t k = 0; k < sizeof(junk); k++)
                junk[k] = (uint8_t)rand();
        tar_path(f, "junk.bin", path);
        assert_int_equal(write_file_atomic(path, junk, sizeof(junk), 0644), 0);
        assert_import_fails(f, path, -EBADMSG, "not a tar archive");

        /* Nothing at all. */
        tar_path(f, "empty", path);
        assert_int_equal(write_file_atomic(path, "", 0, 0644), 0);
        assert_import_fails(f, path, -EBADMSG, "not a tar archive");

        /* Text. */
        tar_path(f, "text", path);
        assert_int_equal(write_file_atomic(path, "hello\n", 6, 0644), 0);
        assert_import_fails(f, path, -EBADMSG, "not a tar archive");
}

static void test_limits(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX];
        TarEntry many[20];
        char names[20][8], big[4001], long_name[PATH_MAX + 100], deep[IMPORT_DEPTH_MAX * 2 + 10];

        for (size_t k = 0; k < ELEMENTSOF(many); k++) {
                snprintf(names[k], sizeof(names[k]), "f%zu", k);
                many[k] = (TarEntry){ENTRY_FILE, names[k], "x", 0644, NULL};
        }
        make_tar(tar_path(f, "many.tar", path), ARCHIVE_FILTER_NONE, many, ELEMENTSOF(many));
        f->s->max_entries = 10;
        assert_import_fails(f, path, -E2BIG, "more than 10 entries");
        f->s->max_entries = IMPORT_ENTRIES_MAX;

        memset(big, 'b', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        const TarEntry large[] = {{ENTRY_FILE, "big", big, 0644, NULL}};
        make_tar(tar_path(f, "big.tar", path), ARCHIVE_FILTER_NONE, large, 1);
        f->s->max_size = 19999; /* the (compressed) input passes, the fifth file does not fit */
        const TarEntry large2[] = {
            {ENTRY_FILE, "big1", big, 0644, NULL}, {ENTRY_FILE, "big2", big, 0644, NULL},
            {ENTRY_FILE, "big3", big, 0644, NULL}, {ENTRY_FILE, "big4", big, 0644, NULL},
            {ENTRY_FILE, "big5", big, 0644, NULL}, {ENTRY_FILE, "big6", big, 0644, NULL}};
        make_tar(tar_path(f, "big2.tar.gz", path), ARCHIVE_FILTER_GZIP, large2, ELEMENTSOF(large2));
        assert_import_fails(f, path, -EFBIG, "'big5'");
        f->s->max_size = 1000; /* the input itself is too large */
        make_tar(tar_path(f, "big.tar", path), ARCHIVE_FILTER_NONE, large, 1);
        assert_import_fails(f, path, -EFBIG, "tarball larger than 1000 bytes");
        f->s->max_size = IMPORT_SIZE_MAX;

        memset(long_name, 'n', sizeof(long_name) - 1);
        for (size_t k = 200; k < sizeof(long_name) - 1; k += 200)
                long_name[k] = '/';
        long_name[sizeof(long_name) - 1] = 0;
        const TarEntry too_long[] = {{ENTRY_FILE, long_name, "x", 0644, NULL}};
        make_tar(tar_path(f, "long.tar", path), ARCHIVE_FILTER_NONE, too_long, 1);
        assert_import_fails(f, path, -ENAMETOOLONG, "path too long");

        char component[NAME_MAX + 2];
        memset(component, 'c', sizeof(component) - 1);
        component[sizeof(component) - 1] = 0;
        const TarEntry long_component[] = {{ENTRY_FILE, component, "x", 0644, NULL}};
        make_tar(tar_path(f, "longc.tar", path), ARCHIVE_FILTER_NONE, long_component, 1);
        assert_import_fails(f, path, -ENAMETOOLONG, "path too long");

        for (size_t k = 0; k < IMPORT_DEPTH_MAX + 1; k++)
                memcpy(deep + 2 * k, "d/", 2);
        strcpy(deep + 2 * (IMPORT_DEPTH_MAX + 1), "f");
        const TarEntry too_deep[] = {{ENTRY_FILE, deep, "x", 0644, NULL}};
        make_tar(tar_path(f, "deep.tar", path), ARCHIVE_FILTER_NONE, too_deep, 1);
        assert_import_fails(f, path, -ENAMETOOLONG, "too deep");
}

/* As root device nodes and owners are kept, unprivileged not; overlayfs xattrs never. */
static void test_privileged_bits(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX];
        const TarEntry entries[] = {
            {ENTRY_CHAR, "dev/null", NULL, 0, NULL},
            {ENTRY_DIR, "opaque", NULL, 0755, "trusted.overlay.opaque=y"},
            {ENTRY_FILE, "file", "x\n", 0644, "user.overlay.redirect=/etc"},
            {ENTRY_FILE, "owned", "x\n", 02755, NULL, 1000},
            {ENTRY_DIR, "owned-dir", NULL, 0750, NULL, 1000},
        };
        _cleanup_free_ char *id = NULL, *error = NULL, *p = NULL;
        _cleanup_image_free_ Image *i = NULL;
        struct stat st;
        char v[16];

        make_tar(tar_path(f, "dev.tar", path), ARCHIVE_FILTER_NONE, entries, ELEMENTSOF(entries));
        assert_int_equal(import_path(f->s, path, "dev", &id, &error), 0);
        assert_int_equal(image_store_lookup(f->s, "dev", &i), 0);
        p = layer_file(f, i, "dev/null");
        if (geteuid() == 0) {
                assert_int_equal(lstat(p, &st), 0);
                assert_true(S_ISCHR(st.st_mode));
                assert_int_equal(major(st.st_rdev), 1);
                assert_int_equal(minor(st.st_rdev), 3);
                assert_int_equal(st.st_uid, 0);
        } else
                assert_int_equal(lstat(p, &st), -1);
        free(p);
        p = layer_file(f, i, "opaque");
        assert_int_equal(lgetxattr(p, "trusted.overlay.opaque", v, sizeof(v)), -1);
        free(p);
        p = layer_file(f, i, "file");
        assert_int_equal(lgetxattr(p, "user.overlay.redirect", v, sizeof(v)), -1);
        free(p);

        /* Owners only as root; the setgid bit survives the chown either way. */
        uid_t owner = geteuid() == 0 ? 1000 : geteuid();
        p = layer_file(f, i, "owned");
        assert_int_equal(lstat(p, &st), 0);
        assert_int_equal(st.st_uid, owner);
        assert_int_equal(st.st_mode & 07777, 02755);
        free(p);
        p = layer_file(f, i, "owned-dir");
        assert_int_equal(lstat(p, &st), 0);
        assert_int_equal(st.st_uid, owner);
        assert_int_equal(st.st_mode & 07777, 0750);
}

static void make_dir_at(const char *base, const char *rel, mode_t mode)
{
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/%s", base, rel);
        assert_int_equal(mkdir_p(p, 0755), 0);
        assert_int_equal(chmod(p, mode), 0);
}

static void write_at(const char *base, const char *rel, const char *content)
{
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/%s", base, rel);
        assert_int_equal(write_file_atomic(p, content, strlen(content), 0644), 0);
}

static bool exists_at(const char *base, const char *rel)
{
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/%s", base, rel);
        return access(p, F_OK) >= 0;
}

/* What a crash can leave behind, cleaned up by the next open; the good image survives it. */
static void test_crash_recovery(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX];
        const TarEntry entries[] = {{ENTRY_FILE, "keep", "keep\n", 0644, NULL}};
        _cleanup_free_ char *id = NULL;
        _cleanup_image_free_ Image *i = NULL;
        const char *incomplete = "1111111111111111111111111111111111111111111111111111111111111111";
        const char *orphan = "2222222222222222222222222222222222222222222222222222222222222222";
        const char *gone = "3333333333333333333333333333333333333333333333333333333333333333";

        make_tar(tar_path(f, "keep.tar", path), ARCHIVE_FILTER_NONE, entries, 1);
        assert_int_equal(import_path(f->s, path, "keep", &id, NULL), 0);
        f->s = image_store_free(f->s);

        /* An interrupted extraction, with a read-only directory in it. */
        make_dir_at(f->store, "tmp/abc/diff/usr", 0755);
        write_at(f->store, "tmp/abc/diff/usr/file", "partial");
        make_dir_at(f->store, "tmp/abc/diff/usr", 0555);
        /* A layer renamed into place by hand without layer.json, and a complete layer no image uses. */
        char sub[256];
        snprintf(sub, sizeof(sub), "layers/%s/diff", incomplete);
        make_dir_at(f->store, sub, 0755);
        snprintf(sub, sizeof(sub), "layers/%s/diff", orphan);
        make_dir_at(f->store, sub, 0555);
        snprintf(sub, sizeof(sub), "layers/%s/layer.json", orphan);
        write_at(f->store, sub, "{}");
        /* Temporary files of atomic writes, and a reference to an image that is gone. */
        write_at(f->store, ".#repositories.json.0123456789abcdef", "{");
        write_at(f->store, "images/.#aaaa.json.0123456789abcdef", "{");
        char repos[512];
        snprintf(repos, sizeof(repos), "{\"keep:latest\": \"%s\", \"gone:latest\": \"%s\"}", id, gone);
        write_at(f->store, "repositories.json", repos);
        /* Things the store does not know: left alone. */
        write_at(f->store, "layers/README", "not ours");
        write_at(f->store, ".#daemon-state.json.0123456789abcdef", "{");

        assert_int_equal(image_store_open(f->store, &f->s), 0);
        assert_int_equal(store_count(f, "tmp"), 0);
        snprintf(sub, sizeof(sub), "layers/%s", incomplete);
        assert_false(exists_at(f->store, sub));
        snprintf(sub, sizeof(sub), "layers/%s", orphan);
        assert_false(exists_at(f->store, sub));
        assert_false(exists_at(f->store, ".#repositories.json.0123456789abcdef"));
        assert_false(exists_at(f->store, "images/.#aaaa.json.0123456789abcdef"));
        assert_true(exists_at(f->store, "layers/README"));
        assert_true(exists_at(f->store, ".#daemon-state.json.0123456789abcdef"));
        assert_int_equal(image_store_lookup(f->s, "gone", &i), -ENOENT);

        assert_int_equal(image_store_lookup(f->s, "keep", &i), 0);
        assert_string_equal(i->id, id);
        _cleanup_free_ char *p = layer_file(f, i, "keep");
        assert_file_content(p, "keep\n");
        assert_int_equal(store_count(f, "layers"), 2); /* keep's layer and README */
        assert_int_equal(unlinkat(f->s->layers_fd, "README", 0), 0);
}

/* A damaged image file: not listed, not found, its layers kept until it is removed. */
static void test_damaged_image_file(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX], config[PATH_MAX];
        const TarEntry entries[] = {{ENTRY_FILE, "x", "x\n", 0644, NULL}};
        _cleanup_free_ char *id = NULL, *removed = NULL;
        _cleanup_image_list_free_ Image **l = NULL;
        Image *i = NULL;
        size_t n = 99;

        make_tar(tar_path(f, "x.tar", path), ARCHIVE_FILTER_NONE, entries, 1);
        assert_int_equal(import_path(f->s, path, "x", &id, NULL), 0);
        snprintf(config, sizeof(config), "%s/images/%s.json", f->store, id);
        assert_int_equal(write_file_atomic(config, "{\"damaged\":true}", 16, 0600), 0);

        assert_int_equal(image_store_list(f->s, &l, &n), 0);
        assert_int_equal(n, 0);
        assert_int_equal(image_store_lookup(f->s, "x", &i), -EBADMSG);
        f->s = image_store_free(f->s);
        assert_int_equal(image_store_open(f->store, &f->s), 0);
        assert_int_equal(store_count(f, "layers"), 1);

        assert_int_equal(image_store_remove(f->s, "x", &removed), 0);
        assert_string_equal(removed, id);
        f->s = image_store_free(f->s);
        assert_int_equal(image_store_open(f->store, &f->s), 0);
        assert_store_empty(f);
}

/* A layer directory without layer.json where the new layer goes: replaced, not taken. */
static void test_incomplete_layer_in_the_way(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX], digest[SHA256_HEX_SIZE], sub[256];
        const TarEntry entries[] = {{ENTRY_FILE, "real", "real\n", 0644, NULL}};
        _cleanup_free_ char *id = NULL, *p = NULL;
        _cleanup_image_free_ Image *i = NULL;

        make_tar(tar_path(f, "real.tar", path), ARCHIVE_FILTER_NONE, entries, 1);
        file_sha256(path, digest);
        snprintf(sub, sizeof(sub), "layers/%s/diff", digest);
        make_dir_at(f->store, sub, 0755);
        snprintf(sub, sizeof(sub), "layers/%s/diff/junk", digest);
        write_at(f->store, sub, "junk");

        assert_int_equal(import_path(f->s, path, "real", &id, NULL), 0);
        assert_int_equal(image_store_lookup(f->s, "real", &i), 0);
        assert_string_equal(i->layers[0], digest);
        p = layer_file(f, i, "real");
        assert_file_content(p, "real\n");
        assert_false(exists_at(f->store, sub));
        assert_int_equal(store_count(f, "tmp"), 0);
}

/* A non-blocking pipe fed slowly, with bytes after the end of the archive: all of them are read and
 * make the layer id. */
static void test_pipe_input(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX], digest[SHA256_HEX_SIZE];
        const TarEntry entries[] = {{ENTRY_FILE, "piped", "through a pipe\n", 0644, NULL}};
        _cleanup_free_ char *data = NULL, *id = NULL, *error = NULL, *p = NULL;
        _cleanup_image_free_ Image *i = NULL;
        int pipe_fds[2];
        size_t size;

        make_tar(tar_path(f, "piped.tar.gz", path), ARCHIVE_FILTER_GZIP, entries, 1);
        assert_int_equal(read_full_file(path, 1 << 20, &data, &size), 0);
        data = realloc(data, size + 3000);
        assert_non_null(data);
        memset(data + size, 'z', 3000);
        size += 3000;
        sha256_hex(data, size, digest);

        assert_int_equal(pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int w = pipe_fds[1];
                (void)fcntl(w, F_SETFL, 0);
                for (size_t off = 0; off < size; off += 100) {
                        if (loop_write(w, data + off, MIN((size_t)100, size - off)) < 0)
                                _exit(1);
                        usleep(200);
                }
                _exit(0);
        }
        close(pipe_fds[1]);
        assert_int_equal(image_store_import(f->s, pipe_fds[0], "piped", &id, &error), 0);
        close(pipe_fds[0]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

        assert_int_equal(image_store_lookup(f->s, "piped", &i), 0);
        assert_blob_is_layer(f, i);
        p = layer_file(f, i, "piped");
        assert_file_content(p, "through a pipe\n");
}

static int run_script(const char *interpreter, const char *script, const char *arg)
{
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                dup2(null, STDOUT_FILENO);
                execlp(interpreter, interpreter, script, arg, (char *)NULL);
                _exit(127);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The tarballs tests/lib/mktar-evil.py writes. */
static void test_evil_script_tarballs(void **state)
{
        Fixture *f = *state;
        static const struct {
                const char *name;
                const char *needle;
        } cases[] = {
            {"dotdot.tar", "'../evil'"},
            {"abs-symlink-escape.tar", "'a/pwned'"},
            {"rel-symlink-escape.tar", "'b/pwned'"},
            {"hardlink-out.tar", "'h1'"},
            {"whiteout-escape.tar", "'w/.wh.victim' would be written through a symlink"},
            {"bad-whiteout.tar", "'.wh..wh.plnk' is an unknown whiteout"},
            {"corrupt.tar.gz", "truncated"},
            {"notatar.bin", "not a tar archive"},
        };
        char path[PATH_MAX];

        if (run_script("python3", RAIND_TESTS_LIB_DIR "/mktar-evil.py", f->tars) != 0)
                skip();
        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                assert_import_fails(f, tar_path(f, cases[k].name, path), -EBADMSG, cases[k].needle);
                assert_int_equal(access("/tmp/raind-evil-target/pwned", F_OK), -1);
                assert_int_equal(access("/tmp/raind-evil-target/victim", F_OK), -1);
        }
}

/* The image tests/lib/mkimage-busybox.sh builds, when busybox-static is there. */
static void test_busybox_image(void **state)
{
        Fixture *f = *state;
        char path[PATH_MAX], target[PATH_MAX];
        _cleanup_free_ char *id = NULL, *error = NULL, *p = NULL;
        _cleanup_image_free_ Image *i = NULL;
        struct stat st;

        tar_path(f, "busybox.tar.gz", path);
        int r = run_script("bash", RAIND_TESTS_LIB_DIR "/mkimage-busybox.sh", path);
        if (r == 77) /* no busybox-static here */
                skip();
        assert_int_equal(r, 0);
        assert_int_equal(import_path(f->s, path, "busybox", &id, &error), 0);
        assert_int_equal(image_store_lookup(f->s, "busybox:latest", &i), 0);

        p = layer_file(f, i, "bin/busybox");
        assert_int_equal(stat(p, &st), 0);
        assert_true(S_ISREG(st.st_mode) && (st.st_mode & 0111));
        assert_int_equal(i->size >= (uint64_t)st.st_size, true);
        free(p);
        p = layer_file(f, i, "bin/sh");
        ssize_t n = readlink(p, target, sizeof(target) - 1);
        assert_true(n > 0);
        target[n] = 0;
        assert_string_equal(target, "busybox");
        free(p);
        p = layer_file(f, i, "tmp");
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 01777);
        free(p);
        p = layer_file(f, i, "etc/passwd");
        _cleanup_free_ char *passwd = NULL;
        assert_int_equal(read_full_file(p, 1 << 16, &passwd, NULL), 0);
        assert_non_null(strstr(passwd, "user:x:1000:1000:"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_import_good, setup, teardown),
            cmocka_unit_test_setup_teardown(test_lookup_and_list, setup, teardown),
            cmocka_unit_test_setup_teardown(test_ambiguous_prefix, setup, teardown),
            cmocka_unit_test_setup_teardown(test_compressions, setup, teardown),
            cmocka_unit_test_setup_teardown(test_shared_layer_and_remove, setup, teardown),
            cmocka_unit_test_setup_teardown(test_tag_moves_and_untag, setup, teardown),
            cmocka_unit_test_setup_teardown(test_invalid_reference, setup, teardown),
            cmocka_unit_test_setup_teardown(test_evil_dotdot, setup, teardown),
            cmocka_unit_test_setup_teardown(test_evil_symlink_escape, setup, teardown),
            cmocka_unit_test_setup_teardown(test_evil_dir_replaced_by_symlink, setup, teardown),
            cmocka_unit_test_setup_teardown(test_evil_hardlinks, setup, teardown),
            cmocka_unit_test_setup_teardown(test_overwrite_does_not_follow, setup, teardown),
            cmocka_unit_test_setup_teardown(test_corrupt_input, setup, teardown),
            cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
            cmocka_unit_test_setup_teardown(test_privileged_bits, setup, teardown),
            cmocka_unit_test_setup_teardown(test_crash_recovery, setup, teardown),
            cmocka_unit_test_setup_teardown(test_damaged_image_file, setup, teardown),
            cmocka_unit_test_setup_teardown(test_incomplete_layer_in_the_way, setup, teardown),
            cmocka_unit_test_setup_teardown(test_pipe_input, setup, teardown),
            cmocka_unit_test_setup_teardown(test_evil_script_tarballs, setup, teardown),
            cmocka_unit_test_setup_teardown(test_busybox_image, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
