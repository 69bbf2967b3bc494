/* SPDX-License-Identifier: Apache-2.0 */
/* layer_unpack() on its own: digests, the tee, OCI whiteouts, unsafe entries. Tarballs are built here
 * with libarchive's writer, compressed separately so that the tar stream's bytes are known. As root
 * owners and the trusted.overlay.* xattrs are checked; unprivileged, the user.overlay.* ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "raind/fileio.h"
#include "raind/macro.h"
#include "raind/sha256.h"
#include "src/image/image-internal.h"

#define MTIME   1600000000
#define BUF_MAX (4U << 20)

typedef enum EntryType {
        ENTRY_FILE,
        ENTRY_DIR,
        ENTRY_SYMLINK,
        ENTRY_HARDLINK,
} EntryType;

typedef struct TarEntry {
        EntryType type;
        const char *path;
        const char *data; /* file content, or link target */
        const char *xattr;
} TarEntry;

typedef struct Buffer {
        uint8_t *data;
        size_t size;
} Buffer;

typedef struct Fixture {
        char dir[256];
        char layer[512];
        char outside[512];
        char secret[600];
        int layer_fd;
} Fixture;

static void buffer_done(Buffer *b)
{
        free(b->data);
        *b = (Buffer){};
}

static int setup(void **state)
{
        Fixture *f = calloc(1, sizeof(Fixture));
        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "%s/raind-test-unpack-XXXXXX", getenv("TMPDIR") ?: "/tmp");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->layer, sizeof(f->layer), "%s/layer", f->dir);
        snprintf(f->outside, sizeof(f->outside), "%s/outside", f->dir);
        snprintf(f->secret, sizeof(f->secret), "%s/secret", f->outside);
        assert_int_equal(mkdir(f->layer, 0755), 0);
        assert_int_equal(mkdir(f->outside, 0755), 0);
        assert_int_equal(write_file_atomic(f->secret, "secret\n", 7, 0644), 0);
        f->layer_fd = open(f->layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(f->layer_fd >= 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        Fixture *f = *state;
        safe_close(f->layer_fd);
        assert_int_equal(tree_remove_at(AT_FDCWD, f->dir), 0);
        free(f);
        return 0;
}

/* An uncompressed tar of the entries. */
static Buffer make_tar(const TarEntry *entries, size_t n)
{
        struct archive *a = archive_write_new();
        Buffer b = {.data = malloc(BUF_MAX)};
        size_t used = 0;

        assert_non_null(a);
        assert_non_null(b.data);
        assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
        assert_int_equal(archive_write_open_memory(a, b.data, BUF_MAX, &used), ARCHIVE_OK);
        for (size_t i = 0; i < n; i++) {
                const TarEntry *t = &entries[i];
                struct archive_entry *e = archive_entry_new();
                size_t size = 0;

                archive_entry_set_pathname(e, t->path);
                archive_entry_set_mtime(e, MTIME + (time_t)i, 0);
                switch (t->type) {
                case ENTRY_FILE:
                        size = strlen(t->data);
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_perm(e, 0644);
                        archive_entry_set_size(e, (la_int64_t)size);
                        break;
                case ENTRY_DIR:
                        archive_entry_set_filetype(e, AE_IFDIR);
                        archive_entry_set_perm(e, 0755);
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
                }
                if (t->xattr) {
                        const char *eq = strchr(t->xattr, '=');
                        _cleanup_free_ char *name = strndup(t->xattr, (size_t)(eq - t->xattr));
                        archive_entry_xattr_add_entry(e, name, eq + 1, strlen(eq + 1));
                }
                assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
                if (size > 0)
                        assert_int_equal(archive_write_data(a, t->data, size), (la_ssize_t)size);
                archive_entry_free(e);
        }
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        b.size = used;
        return b;
}

/* The bytes compressed as they are (libarchive's raw format: no tar around them). */
static Buffer compress_buffer(const Buffer *in, int filter)
{
        struct archive *a = archive_write_new();
        struct archive_entry *e = archive_entry_new();
        Buffer b = {.data = malloc(BUF_MAX)};
        size_t used = 0;

        assert_non_null(a);
        assert_non_null(e);
        assert_non_null(b.data);
        assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
        assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
        assert_int_equal(archive_write_set_bytes_per_block(a, 0), ARCHIVE_OK);
        assert_int_equal(archive_write_open_memory(a, b.data, BUF_MAX, &used), ARCHIVE_OK);
        archive_entry_set_pathname(e, "data");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, (la_int64_t)in->size);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, in->data, in->size), (la_ssize_t)in->size);
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        archive_entry_free(e);
        b.size = used;
        return b;
}

static int memfd_with(const void *data, size_t size)
{
        int fd = memfd_create("input", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, size), (ssize_t)size);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        return fd;
}

static int unpack_buffer(Fixture *f, const Buffer *input, int tee_fd, uint64_t max_size,
                         LayerUnpackResult *ret, char **ret_error)
{
        _cleanup_close_ int fd = memfd_with(input->data, input->size);
        LayerUnpackOptions o = {.max_entries = IMPORT_ENTRIES_MAX, .max_size = max_size, .tee_fd = tee_fd};

        return layer_unpack(fd, f->layer_fd, &o, ret, ret_error);
}

static void assert_unpacks(Fixture *f, const Buffer *input, LayerUnpackResult *ret)
{
        _cleanup_free_ char *error = NULL;
        int r = unpack_buffer(f, input, -EBADF, IMPORT_SIZE_MAX, ret, &error);
        if (r < 0)
                fail_msg("unpack failed: %s", strempty(error));
}

static char *layer_path(Fixture *f, const char *rel)
{
        char *p;
        assert_true(asprintf(&p, "%s/%s", f->layer, rel) > 0);
        return p;
}

static void assert_file_content(Fixture *f, const char *rel, const char *content)
{
        _cleanup_free_ char *p = layer_path(f, rel), *data = NULL;
        assert_int_equal(read_full_file(p, 1 << 20, &data, NULL), 0);
        assert_string_equal(data, content);
}

static void assert_whiteout(Fixture *f, const char *rel)
{
        _cleanup_free_ char *p = layer_path(f, rel);
        struct stat st;

        assert_int_equal(lstat(p, &st), 0);
        if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(0, 0))
                fail_msg("%s is not a whiteout (mode %o)", rel, st.st_mode);
        assert_int_equal(st.st_mode & 07777, 0);
        if (geteuid() == 0) {
                assert_int_equal(st.st_uid, 0);
                assert_int_equal(st.st_gid, 0);
        }
}

/* The xattr layer_unpack() writes: trusted.* as root, user.* (overlayfs' userxattr) unprivileged. */
static const char *opaque_xattr(void)
{
        return geteuid() == 0 ? "trusted.overlay.opaque" : "user.overlay.opaque";
}

static bool is_opaque(Fixture *f, const char *rel)
{
        _cleanup_free_ char *p = layer_path(f, rel);
        char value[8];
        struct stat st;

        assert_int_equal(lstat(p, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        ssize_t n = lgetxattr(p, opaque_xattr(), value, sizeof(value));
        if (n < 0) {
                assert_int_equal(errno, ENODATA);
                return false;
        }
        assert_int_equal(n, 1);
        assert_int_equal(value[0], 'y');
        return true;
}

static void assert_absent(Fixture *f, const char *rel)
{
        _cleanup_free_ char *p = layer_path(f, rel);
        struct stat st;
        assert_int_equal(lstat(p, &st), -1);
        assert_int_equal(errno, ENOENT);
}

/* Everything below the fixture directory but the layer, with what could change, as one string. */
static char *snapshot;
static size_t snapshot_skip_len;
static const char *snapshot_skip;

static int snapshot_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        char *line = NULL, *joined = NULL, value[64] = "";
        _cleanup_free_ char *data = NULL;

        (void)flag;
        (void)ftw;
        if (strncmp(path, snapshot_skip, snapshot_skip_len) == 0 &&
            (path[snapshot_skip_len] == 0 || path[snapshot_skip_len] == '/'))
                return 0;
        if (S_ISREG(st->st_mode))
                assert_int_equal(read_full_file(path, 1 << 20, &data, NULL), 0);
        ssize_t n = lgetxattr(path, "trusted.overlay.opaque", value, sizeof(value) - 1);
        if (n < 0)
                n = lgetxattr(path, "user.overlay.opaque", value, sizeof(value) - 1);
        assert_true(asprintf(&line, "%s %o %u:%u %lu %lld.%ld %s %zd\n", path, st->st_mode, st->st_uid,
                             st->st_gid, (unsigned long)st->st_nlink, (long long)st->st_mtim.tv_sec,
                             st->st_mtim.tv_nsec, strempty(data), n) > 0);
        assert_true(asprintf(&joined, "%s%s", strempty(snapshot), line) > 0);
        free(line);
        free(snapshot);
        snapshot = joined;
        return 0;
}

static char *snapshot_outside_layer(Fixture *f)
{
        snapshot = NULL;
        snapshot_skip = f->layer;
        snapshot_skip_len = strlen(f->layer);
        assert_int_equal(nftw(f->dir, snapshot_one, 16, FTW_PHYS), 0);
        return TAKE_PTR(snapshot);
}

/* Refused with a one-line message naming needle, nothing changed outside the layer directory. */
static void assert_refused(Fixture *f, const TarEntry *entries, size_t n, int expected, const char *needle)
{
        _cleanup_(buffer_done) Buffer tar = make_tar(entries, n);
        _cleanup_free_ char *before = snapshot_outside_layer(f), *after = NULL, *error = NULL;
        LayerUnpackResult result = {};

        assert_int_equal(unpack_buffer(f, &tar, -EBADF, IMPORT_SIZE_MAX, &result, &error), expected);
        assert_non_null(error);
        assert_null(strchr(error, '\n'));
        if (!strstr(error, needle))
                fail_msg("error '%s' does not name '%s'", error, needle);
        after = snapshot_outside_layer(f);
        assert_string_equal(before, after);
        /* The caller throws the half-unpacked layer away: so does the test, for the next case. */
        assert_int_equal(tree_remove_at(AT_FDCWD, f->layer), 0);
        assert_int_equal(mkdir(f->layer, 0755), 0);
        safe_close(f->layer_fd);
        f->layer_fd = open(f->layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(f->layer_fd >= 0);
}

static const TarEntry simple[] = {
    {ENTRY_DIR, "etc", NULL, NULL},
    {ENTRY_FILE, "etc/hostname", "layer\n", NULL},
    {ENTRY_SYMLINK, "etc/link", "hostname", NULL},
};

static void test_digests(void **state)
{
        Fixture *f = *state;
        static const struct {
                int filter;
                const char *name;
        } filters[] = {
            {ARCHIVE_FILTER_NONE, "none"}, {ARCHIVE_FILTER_GZIP, "gzip"},   {ARCHIVE_FILTER_ZSTD, "zstd"},
            {ARCHIVE_FILTER_XZ, "xz"},     {ARCHIVE_FILTER_BZIP2, "bzip2"},
        };
        _cleanup_(buffer_done) Buffer tar = make_tar(simple, ELEMENTSOF(simple));
        char diff_id[SHA256_HEX_SIZE];

        sha256_hex(tar.data, tar.size, diff_id);
        for (size_t k = 0; k < ELEMENTSOF(filters); k++) {
                _cleanup_(buffer_done) Buffer input = {};
                char digest[SHA256_HEX_SIZE];
                LayerUnpackResult result = {};

                if (filters[k].filter == ARCHIVE_FILTER_NONE) {
                        input.data = malloc(tar.size);
                        assert_non_null(input.data);
                        memcpy(input.data, tar.data, tar.size);
                        input.size = tar.size;
                } else
                        input = compress_buffer(&tar, filters[k].filter);
                sha256_hex(input.data, input.size, digest);

                assert_unpacks(f, &input, &result);
                assert_string_equal(result.digest, digest);
                assert_string_equal(result.diff_id, diff_id);
                if (filters[k].filter == ARCHIVE_FILTER_NONE)
                        assert_string_equal(result.digest, result.diff_id);
                else
                        assert_string_not_equal(result.digest, result.diff_id);
                assert_int_equal(result.n_entries, ELEMENTSOF(simple));
                assert_int_equal(result.size, strlen("layer\n"));
                assert_file_content(f, "etc/hostname", "layer\n");
        }
}

/* What follows the end-of-archive blocks, in the stream and after the compressed data, is hashed too. */
static void test_trailing_data(void **state)
{
        Fixture *f = *state;
        _cleanup_(buffer_done) Buffer tar = make_tar(simple, ELEMENTSOF(simple));
        char diff_id[SHA256_HEX_SIZE], digest[SHA256_HEX_SIZE];
        LayerUnpackResult result = {};

        /* More than the tar reader reads ahead. */
        for (size_t k = 0; k < (1U << 20); k++)
                tar.data[tar.size + k] = (uint8_t)(k * 7 + 1);
        tar.size += 1U << 20;
        sha256_hex(tar.data, tar.size, diff_id);

        _cleanup_(buffer_done) Buffer gz = compress_buffer(&tar, ARCHIVE_FILTER_GZIP);
        sha256_hex(gz.data, gz.size, digest);
        assert_unpacks(f, &gz, &result);
        assert_string_equal(result.diff_id, diff_id);
        assert_string_equal(result.digest, digest);
        assert_file_content(f, "etc/hostname", "layer\n");
}

static void test_tee(void **state)
{
        Fixture *f = *state;
        _cleanup_(buffer_done) Buffer tar = make_tar(simple, ELEMENTSOF(simple));
        _cleanup_(buffer_done) Buffer zst = compress_buffer(&tar, ARCHIVE_FILTER_ZSTD);
        _cleanup_close_ int tee = memfd_create("tee", MFD_CLOEXEC);
        _cleanup_free_ char *error = NULL;
        LayerUnpackResult result = {};
        uint8_t *copy = malloc(tar.size + 1);
        struct stat st;

        assert_non_null(copy);
        assert_true(tee >= 0);
        assert_int_equal(unpack_buffer(f, &zst, tee, IMPORT_SIZE_MAX, &result, &error), 0);
        assert_int_equal(fstat(tee, &st), 0);
        assert_int_equal(st.st_size, tar.size);
        assert_int_equal(pread(tee, copy, tar.size + 1, 0), (ssize_t)tar.size);
        assert_memory_equal(copy, tar.data, tar.size);
        free(copy);

        /* A tee that cannot be written fails the unpack. */
        _cleanup_close_ int ro = open(f->secret, O_RDONLY | O_CLOEXEC);
        assert_true(ro >= 0);
        assert_int_equal(unpack_buffer(f, &zst, ro, IMPORT_SIZE_MAX, &result, &error), -EBADF);
        assert_non_null(strstr(error, "cannot copy the tar stream"));
}

/* A small input that decompresses to much more than the limits allow. */
static void test_decompression_bomb(void **state)
{
        Fixture *f = *state;
        _cleanup_(buffer_done) Buffer tar = make_tar(simple, ELEMENTSOF(simple));
        _cleanup_free_ char *error = NULL;
        LayerUnpackResult result = {};

        memset(tar.data + tar.size, 0, 3U << 20);
        tar.size += 3U << 20;
        _cleanup_(buffer_done) Buffer zst = compress_buffer(&tar, ARCHIVE_FILTER_ZSTD);
        assert_true(zst.size < 100000);
        assert_int_equal(unpack_buffer(f, &zst, -EBADF, 1U << 20, &result, &error), -EFBIG);
        assert_non_null(strstr(error, "larger than 2097152 bytes decompressed"));
}

static void test_whiteouts(void **state)
{
        Fixture *f = *state;
        const TarEntry entries[] = {
            {ENTRY_DIR, "a", NULL, NULL},
            {ENTRY_FILE, "a/keep", "kept\n", NULL},
            {ENTRY_FILE, ".wh.gone", "", NULL},
            {ENTRY_FILE, "a/.wh.old", "", NULL},
            {ENTRY_DIR, "dir", NULL, NULL},
            {ENTRY_FILE, "dir/.wh..wh..opq", "", NULL},
            {ENTRY_FILE, "dir/new", "new\n", NULL},
            {ENTRY_FILE, "implicit/.wh..wh..opq", "", NULL},
            /* The archive's own overlay xattrs are not kept. */
            {ENTRY_DIR, "forged", NULL, "trusted.overlay.opaque=y"},
            {ENTRY_DIR, "forged-user", NULL, "user.overlay.opaque=y"},
        };
        _cleanup_(buffer_done) Buffer tar = make_tar(entries, ELEMENTSOF(entries));
        LayerUnpackResult result = {};

        assert_unpacks(f, &tar, &result);
        assert_whiteout(f, "gone");
        assert_whiteout(f, "a/old");
        assert_file_content(f, "a/keep", "kept\n");
        assert_true(is_opaque(f, "dir"));
        assert_file_content(f, "dir/new", "new\n");
        assert_absent(f, "dir/.wh..wh..opq");
        assert_true(is_opaque(f, "implicit"));
        assert_false(is_opaque(f, "a"));
        assert_false(is_opaque(f, "forged"));
        assert_false(is_opaque(f, "forged-user"));
        assert_absent(f, ".wh.gone");
        assert_absent(f, "a/.wh.old");
        /* Whiteouts are no content. */
        assert_int_equal(result.size, strlen("kept\n") + strlen("new\n"));
        assert_int_equal(result.n_entries, ELEMENTSOF(entries));
}

/* A whiteout replaces an entry of its own layer; an entry after it replaces the whiteout. */
static void test_whiteout_same_layer(void **state)
{
        Fixture *f = *state;
        const TarEntry entries[] = {
            {ENTRY_FILE, "file", "before\n", NULL},
            {ENTRY_FILE, ".wh.file", "", NULL},
            {ENTRY_DIR, "tree", NULL, NULL},
            {ENTRY_FILE, "tree/inner", "inner\n", NULL},
            {ENTRY_FILE, ".wh.tree", "", NULL},
            {ENTRY_FILE, ".wh.again", "", NULL},
            {ENTRY_FILE, "again", "recreated\n", NULL},
            {ENTRY_FILE, ".wh.newdir", "", NULL},
            {ENTRY_DIR, "newdir", NULL, NULL},
            {ENTRY_FILE, "newdir/f", "f\n", NULL},
        };
        _cleanup_(buffer_done) Buffer tar = make_tar(entries, ELEMENTSOF(entries));
        LayerUnpackResult result = {};

        assert_unpacks(f, &tar, &result);
        assert_whiteout(f, "file");
        assert_whiteout(f, "tree");
        assert_file_content(f, "again", "recreated\n");
        /* A directory where a whiteout was still hides the lower layers' directory. */
        assert_true(is_opaque(f, "newdir"));
        assert_file_content(f, "newdir/f", "f\n");
}

static void test_whiteout_refused(void **state)
{
        Fixture *f = *state;
        const TarEntry unknown[] = {{ENTRY_FILE, "d/.wh..wh.plnk", "", NULL}};
        const TarEntry empty[] = {{ENTRY_FILE, "d/.wh.", "", NULL}};
        const TarEntry dot[] = {{ENTRY_FILE, ".wh..", "", NULL}};
        const TarEntry dotdot[] = {{ENTRY_FILE, "d/.wh...", "", NULL}};
        const TarEntry below[] = {{ENTRY_FILE, "a/.wh.b/c", "x\n", NULL}};
        /* Through a symlink the archive made: the outside directory gets neither. */
        const TarEntry through[] = {{ENTRY_SYMLINK, "s", f->outside, NULL},
                                    {ENTRY_FILE, "s/.wh.secret", "", NULL}};
        const TarEntry opaque_through[] = {{ENTRY_SYMLINK, "s", f->outside, NULL},
                                           {ENTRY_FILE, "s/.wh..wh..opq", "", NULL}};

        assert_refused(f, unknown, ELEMENTSOF(unknown), -EBADMSG,
                       "tarball entry 'd/.wh..wh.plnk' is an unknown whiteout");
        assert_refused(f, empty, ELEMENTSOF(empty), -EBADMSG,
                       "tarball entry 'd/.wh.' is a whiteout of no file");
        assert_refused(f, dot, ELEMENTSOF(dot), -EBADMSG, "tarball entry '.wh..' is a whiteout of no file");
        assert_refused(f, dotdot, ELEMENTSOF(dotdot), -EBADMSG, "'d/.wh...' is a whiteout of no file");
        assert_refused(f, below, ELEMENTSOF(below), -EBADMSG,
                       "tarball entry 'a/.wh.b/c' is below a whiteout");
        assert_refused(f, through, ELEMENTSOF(through), -EBADMSG,
                       "tarball entry 's/.wh.secret' would be written through a symlink");
        assert_refused(f, opaque_through, ELEMENTSOF(opaque_through), -EBADMSG,
                       "tarball entry 's/.wh..wh..opq' would be written through a symlink");
}

static void test_escapes_refused(void **state)
{
        Fixture *f = *state;
        char relative_secret[PATH_MAX];
        const TarEntry dotdot[] = {{ENTRY_FILE, "ok", "ok\n", NULL}, {ENTRY_FILE, "../evil", "x\n", NULL}};
        const TarEntry dotdot_inner[] = {{ENTRY_FILE, "a/../../outside/secret", "pwned\n", NULL}};
        const TarEntry symlink_out[] = {{ENTRY_SYMLINK, "a", f->outside, NULL},
                                        {ENTRY_FILE, "a/secret", "pwned\n", NULL}};
        const TarEntry symlink_dir[] = {{ENTRY_SYMLINK, "a", f->outside, NULL},
                                        {ENTRY_DIR, "a/sub", NULL, NULL}};
        const TarEntry hardlink_abs[] = {{ENTRY_HARDLINK, "h", f->secret, NULL}};
        snprintf(relative_secret, sizeof(relative_secret), "../outside/secret");
        const TarEntry hardlink_rel[] = {{ENTRY_HARDLINK, "h", relative_secret, NULL}};
        const TarEntry hardlink_via[] = {{ENTRY_SYMLINK, "a", f->outside, NULL},
                                         {ENTRY_HARDLINK, "h", "a/secret", NULL}};

        assert_refused(f, dotdot, ELEMENTSOF(dotdot), -EBADMSG, "tarball entry '../evil' escapes the root");
        assert_refused(f, dotdot_inner, ELEMENTSOF(dotdot_inner), -EBADMSG, "escapes the root");
        assert_refused(f, symlink_out, ELEMENTSOF(symlink_out), -EBADMSG,
                       "tarball entry 'a/secret' would be written through a symlink");
        assert_refused(f, symlink_dir, ELEMENTSOF(symlink_dir), -EBADMSG, "'a/sub/'");
        /* Inside the root, the absolute target is a path the archive lacks. */
        assert_refused(f, hardlink_abs, ELEMENTSOF(hardlink_abs), -EBADMSG, "which is not in the archive");
        assert_refused(f, hardlink_rel, ELEMENTSOF(hardlink_rel), -EBADMSG,
                       "tarball entry 'h' is a hardlink to '../outside/secret' outside the root");
        assert_refused(f, hardlink_via, ELEMENTSOF(hardlink_via), -EBADMSG,
                       "tarball entry 'h' is a hardlink to 'a/secret' through a symlink");

        struct stat st;
        assert_int_equal(stat(f->secret, &st), 0);
        assert_int_equal(st.st_nlink, 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_digests, setup, teardown),
            cmocka_unit_test_setup_teardown(test_trailing_data, setup, teardown),
            cmocka_unit_test_setup_teardown(test_tee, setup, teardown),
            cmocka_unit_test_setup_teardown(test_decompression_bomb, setup, teardown),
            cmocka_unit_test_setup_teardown(test_whiteouts, setup, teardown),
            cmocka_unit_test_setup_teardown(test_whiteout_same_layer, setup, teardown),
            cmocka_unit_test_setup_teardown(test_whiteout_refused, setup, teardown),
            cmocka_unit_test_setup_teardown(test_escapes_refused, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
