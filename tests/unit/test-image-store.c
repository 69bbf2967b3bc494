/* SPDX-License-Identifier: Apache-2.0 */
/* The content store's pure parts: image records, commits that must match their config, the
 * registries.conf reader and user names resolved in an image's layers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "raind/fileio.h"
#include "raind/image-pull.h"
#include "raind/sha256.h"
#include "raind/strv.h"
#include "raind/validate.h"

#include "image-internal.h"

static char *tmpdir_new(void)
{
        char *d = strdup("/tmp/raind-test-store.XXXXXX");
        assert_non_null(d);
        assert_non_null(mkdtemp(d));
        return d;
}

static void write_at(const char *dir, const char *rel, const char *content)
{
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/%s", dir, rel);
        _cleanup_free_ char *parent = strdup(p);
        *strrchr(parent, '/') = 0;
        assert_int_equal(mkdir_p(parent, 0755), 0);
        assert_int_equal(write_file_atomic(p, content, strlen(content), 0644), 0);
}

static void test_record_round_trip(void **state)
{
        char *diff_ids[] = {"1111111111111111111111111111111111111111111111111111111111111111",
                            "2222222222222222222222222222222222222222222222222222222222222222", NULL};
        ImageBlob layers[] = {
            {.digest = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
             .media_type = "application/vnd.oci.image.layer.v1.tar+gzip",
             .size = 10},
            {.digest = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
             .media_type = "application/vnd.oci.image.layer.v1.tar",
             .size = 20},
        };
        ImageRecord rec = {
            .manifest = {.digest = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
                         .media_type = "application/vnd.oci.image.manifest.v1+json",
                         .size = 500},
            .config = {.digest = "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
                       .media_type = "application/vnd.oci.image.config.v1+json",
                       .size = 300},
            .layers = layers,
            .diff_ids = diff_ids,
            .n_layers = 2,
            .size = 12345,
        };
        _cleanup_free_ char *json = NULL;
        _cleanup_image_free_ Image *i = new0(Image, 1);

        assert_int_equal(image_record_format(&rec, &json), 0);
        assert_int_equal(image_record_parse(json, strlen(json), i), 0);
        assert_string_equal(i->manifest.digest, rec.manifest.digest);
        assert_string_equal(i->config.media_type, rec.config.media_type);
        assert_int_equal(strv_length(i->layers), 2);
        assert_string_equal(i->layers[1], diff_ids[1]);
        assert_string_equal(i->layer_blobs[0].digest, layers[0].digest);
        assert_int_equal(i->layer_blobs[1].size, 20);
        assert_int_equal(i->size, 12345);

        /* A layer id that could be a path is refused. */
        const char *evil = "{\"manifest\":{\"mediaType\":\"m\",\"digest\":\"sha256:"
                           "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\",\"size\":1},"
                           "\"config\":{\"mediaType\":\"m\",\"digest\":\"sha256:"
                           "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\",\"size\":1},"
                           "\"layers\":[{\"mediaType\":\"m\",\"digest\":\"sha256:"
                           "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\",\"size\":1,"
                           "\"diffID\":\"sha256:../../etc\"}]}";
        _cleanup_image_free_ Image *j = new0(Image, 1);
        assert_int_equal(image_record_parse(evil, strlen(evil), j), -EBADMSG);
}

/* A commit whose config names other layers than the ones given is refused and changes nothing. */
static void test_commit_checks_diff_ids(void **state)
{
        _cleanup_free_ char *root = tmpdir_new(), *error = NULL;
        _cleanup_image_store_free_ ImageStore *s = NULL;
        _cleanup_image_list_free_ Image **l = NULL;
        char id[SHA256_HEX_SIZE];
        size_t n = 99;

        assert_int_equal(image_store_open(root, &s), 0);
        /* A layer and its blob, in place. */
        char layer_dir[PATH_MAX];
        snprintf(layer_dir, sizeof(layer_dir), "%s/layers/%s/diff", root,
                 "1111111111111111111111111111111111111111111111111111111111111111");
        assert_int_equal(mkdir_p(layer_dir, 0755), 0);
        write_at(root, "layers/1111111111111111111111111111111111111111111111111111111111111111/layer.json",
                 "{\"size\":3}");
        char blob_digest[BLOB_DIGEST_SIZE];
        assert_int_equal(blob_write(s, "tar", 3, blob_digest), 0);

        char *diff_ids[] = {"1111111111111111111111111111111111111111111111111111111111111111", NULL};
        ImageBlob layer = {
            .digest = blob_digest, .media_type = "application/vnd.oci.image.layer.v1.tar", .size = 3};
        const char *bad_config = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:"
                                 "2222222222222222222222222222222222222222222222222222222222222222\"]}}";
        char *refs[] = {"x:1", NULL};
        ImageCommit c = {
            .manifest = "{}",
            .manifest_size = 2,
            .manifest_media_type = "application/vnd.oci.image.manifest.v1+json",
            .config = bad_config,
            .config_size = strlen(bad_config),
            .config_media_type = "application/vnd.oci.image.config.v1+json",
            .layers = &layer,
            .diff_ids = diff_ids,
            .n_layers = 1,
            .references = refs,
        };
        assert_int_equal(image_store_commit(s, &c, id, &error), -EBADMSG);
        assert_non_null(strstr(error, "diff_ids"));
        assert_int_equal(image_store_list(s, &l, &n), 0);
        assert_int_equal(n, 0);

        /* With the right diff_id it goes in, tagged, and the config blob is the id. */
        const char *good_config = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:"
                                  "1111111111111111111111111111111111111111111111111111111111111111\"]},"
                                  "\"config\":{\"User\":\"app\"}}";
        c.config = good_config;
        c.config_size = strlen(good_config);
        assert_int_equal(image_store_commit(s, &c, id, &error), 0);
        char want[SHA256_HEX_SIZE];
        sha256_hex(good_config, strlen(good_config), want);
        assert_string_equal(id, want);
        _cleanup_image_free_ Image *i = NULL;
        assert_int_equal(image_store_lookup(s, "x:1", &i), 0);
        assert_string_equal(i->user, "app");
        assert_int_equal(i->size, 3);

        /* The same config through another manifest: the first manifest stays stored (digest references
         * may name it), through a garbage collection too. */
        char first[BLOB_DIGEST_SIZE];
        snprintf(first, sizeof(first), "%s", i->manifest.digest);
        c.manifest = "{\"other\":1}";
        c.manifest_size = strlen(c.manifest);
        assert_int_equal(image_store_commit(s, &c, id, &error), 0);
        assert_int_equal(blobs_remove_unused(s, NULL), 0);
        assert_true(blob_exists(s, first));
        _cleanup_image_free_ Image *again = NULL;
        assert_int_equal(image_store_lookup(s, "x:1", &again), 0);
        assert_string_not_equal(again->manifest.digest, first);
        assert_true(strv_contains(again->other_blobs, first));

        (void)rm_rf(root);
}

static void test_registries_conf(void **state)
{
        _cleanup_free_ char *dir = tmpdir_new();
        _cleanup_strv_free_ char **l = NULL;
        char p[PATH_MAX];

        snprintf(p, sizeof(p), "%s/registries.conf", dir);
        assert_int_equal(registries_conf_load(p, &l), -ENOENT);

        write_at(dir, "registries.conf",
                 "# comment\n[registries.search]\nother = 1\n"
                 "unqualified-search-registries = [\"quay.io\", \"localhost:5000\",\"docker.io\"]\n");
        assert_int_equal(registries_conf_load(p, &l), 0);
        assert_int_equal(strv_length(l), 3);
        assert_string_equal(l[0], "quay.io");
        assert_string_equal(l[1], "localhost:5000");
        assert_string_equal(l[2], "docker.io");
        l = strv_free(l);

        write_at(dir, "registries.conf", "unqualified-search-registries = [\"quay.io/evil\"]\n");
        assert_int_equal(registries_conf_load(p, &l), -EBADMSG);
        write_at(dir, "registries.conf", "unqualified-search-registries = \"quay.io\"\n");
        assert_int_equal(registries_conf_load(p, &l), -EBADMSG);
        write_at(dir, "registries.conf", "unqualified-search-registries = [\"quay.io\"\n");
        assert_int_equal(registries_conf_load(p, &l), -EBADMSG);
        (void)rm_rf(dir);
}

static void test_resolve_user(void **state)
{
        _cleanup_free_ char *dir = tmpdir_new();
        char lower[PATH_MAX], upper[PATH_MAX];
        uid_t uid = 0;
        gid_t gid = 0;

        snprintf(lower, sizeof(lower), "%s/lower", dir);
        snprintf(upper, sizeof(upper), "%s/upper", dir);
        write_at(lower, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnginx:x:101:102::/:/bin/false\n");
        write_at(lower, "etc/group", "root:x:0:\nnginx:x:102:\nstaff:x:50:nginx\n");
        assert_int_equal(mkdir_p(upper, 0755), 0);
        char *layers[] = {upper, lower, NULL};

        assert_int_equal(image_resolve_user(layers, "nginx", &uid, &gid, NULL), 0);
        assert_int_equal(uid, 101);
        assert_int_equal(gid, 102);
        assert_int_equal(image_resolve_user(layers, "nginx:staff", &uid, &gid, NULL), 0);
        assert_int_equal(gid, 50);
        assert_int_equal(image_resolve_user(layers, "101", &uid, &gid, NULL), 0);
        assert_int_equal(gid, 102); /* the known uid's primary group */
        assert_int_equal(image_resolve_user(layers, "4242", &uid, &gid, NULL), 0);
        assert_int_equal(uid, 4242);
        assert_int_equal(image_resolve_user(layers, "1000:1000", &uid, &gid, NULL), 0);
        assert_int_equal(gid, 1000);

        _cleanup_free_ char *error = NULL;
        assert_int_equal(image_resolve_user(layers, "nobody", &uid, &gid, &error), -ESRCH);
        assert_non_null(strstr(error, "unable to find user nobody"));
        error = mfree(error);
        assert_int_equal(image_resolve_user(layers, "nginx:wheel", &uid, &gid, &error), -ESRCH);
        assert_non_null(strstr(error, "group wheel"));

        /* The upper layer's passwd wins; a symlinked passwd is not followed out of the layer. */
        write_at(upper, "etc/passwd", "nginx:x:7:7::/:/bin/false\n");
        assert_int_equal(image_resolve_user(layers, "nginx", &uid, &gid, NULL), 0);
        assert_int_equal(uid, 7);
        char link[PATH_MAX + 16];
        snprintf(link, sizeof(link), "%s/etc/passwd", upper);
        assert_int_equal(unlink(link), 0);
        assert_int_equal(symlink("/etc/passwd", link), 0);
        assert_int_equal(image_resolve_user(layers, "root", &uid, &gid, NULL), -ESRCH);

        assert_true(user_spec_is_valid("nginx"));
        assert_true(user_spec_is_valid("app:staff"));
        assert_true(user_spec_is_valid("1000:users"));
        assert_false(user_spec_is_valid("a:b:c"));
        assert_false(user_spec_is_valid("-x"));
        assert_false(user_spec_is_valid("a b"));
        assert_false(user_spec_is_valid("99999999999"));
        assert_false(user_spec_is_valid(":1"));
        (void)rm_rf(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_record_round_trip),
            cmocka_unit_test(test_commit_checks_diff_ids),
            cmocka_unit_test(test_registries_conf),
            cmocka_unit_test(test_resolve_user),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
