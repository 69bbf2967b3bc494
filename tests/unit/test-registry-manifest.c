/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/registry.h"

#define D(c)                                                                                                \
        "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
            c c c c c c c c c c c c c c c c c c c

/* A Docker Hub style manifest list (trimmed). */
static const char docker_list[] =
    "{\"schemaVersion\":2,"
    "\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\","
    "\"manifests\":["
    "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" D(
        "1") "\","
             "\"size\":527,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
             "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" D(
                 "2") "\","
                      "\"size\":527,\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":"
                      "\"v6\"}},"
                      "{\"mediaType\":\"application/"
                      "vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" D(
                          "3") "\","
                               "\"size\":527,\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\","
                               "\"variant\":\"v7\"}},"
                               "{\"mediaType\":\"application/"
                               "vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" D(
                                   "4") "\","
                                        "\"size\":527,\"platform\":{\"architecture\":\"arm64\",\"os\":"
                                        "\"linux\",\"variant\":\"v8\"}},"
                                        "{\"mediaType\":\"application/"
                                        "vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" D(
                                            "5") "\","
                                                 "\"size\":527,\"platform\":{\"architecture\":\"amd64\","
                                                 "\"os\":\"windows\",\"os.version\":\"10.0\"}}"
                                                 "]}";

/* An OCI index with an attestation manifest (no usable platform) first, as buildkit writes them. */
static const char oci_index[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D(
        "a") "\",\"size\":566,"
             "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"}},"
             "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D(
                 "b") "\",\"size\":1,"
                      "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
                      "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D(
                          "c") "\",\"size\":1,"
                               "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";

static const char docker_manifest[] =
    "{\"schemaVersion\":2,"
    "\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
    "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":1457,"
    "\"digest\":\"" D(
        "e") "\"},"
             "\"layers\":[{\"mediaType\":\"application/"
             "vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":2152262,"
             "\"digest\":\"" D(
                 "f") "\"},"
                      "{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":32,"
                      "\"digest\":\"" D("0") "\"}]}\n";

/* OCI manifest without mediaType: allowed, recognized by its shape. */
static const char oci_manifest[] =
    "{\"schemaVersion\":2,"
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,\"digest\":\"" D(
        "e") "\"},"
             "\"layers\":[{\"mediaType\":\"application/"
             "vnd.oci.image.layer.v1.tar+zstd\",\"size\":3,\"digest\":\"" D("d") "\"}]}";

static void test_kind(void **state)
{
        RegistryManifestKind k;
        _cleanup_free_ char *error = NULL;
        const char schema1[] = "{\"schemaVersion\":1,\"fsLayers\":[]}";
        const char list_no_type[] = "{\"schemaVersion\":2,\"manifests\":[]}";

        assert_int_equal(registry_manifest_kind(docker_list, strlen(docker_list), NULL, &k, NULL), 0);
        assert_int_equal(k, REGISTRY_MANIFEST_INDEX);
        assert_int_equal(registry_manifest_kind(oci_index, strlen(oci_index), NULL, &k, NULL), 0);
        assert_int_equal(k, REGISTRY_MANIFEST_INDEX);
        assert_int_equal(registry_manifest_kind(docker_manifest, strlen(docker_manifest), NULL, &k, NULL),
                         0);
        assert_int_equal(k, REGISTRY_MANIFEST_IMAGE);
        assert_int_equal(registry_manifest_kind(oci_manifest, strlen(oci_manifest), NULL, &k, NULL), 0);
        assert_int_equal(k, REGISTRY_MANIFEST_IMAGE);
        assert_int_equal(registry_manifest_kind(list_no_type, strlen(list_no_type),
                                                MEDIA_TYPE_DOCKER_LIST "; charset=utf-8", &k, NULL),
                         0);
        assert_int_equal(k, REGISTRY_MANIFEST_INDEX);

        assert_int_equal(registry_manifest_kind(schema1, strlen(schema1),
                                                "application/vnd.docker.distribution.manifest.v1+prettyjws",
                                                &k, &error),
                         -EMEDIUMTYPE);
        assert_string_equal(
            error,
            "unsupported manifest media type 'application/vnd.docker.distribution.manifest.v1+prettyjws'");
}

static void assert_selected(const char *json, const char *os, const char *arch, const char *variant,
                            const char *expected)
{
        _cleanup_free_ char *digest = NULL, *error = NULL;
        RegistryPlatform p = {.os = os, .architecture = arch, .variant = variant};

        assert_int_equal(registry_index_select(json, strlen(json), &p, &digest, &error), 0);
        assert_string_equal(digest, expected);
        assert_null(error);
}

static void test_select(void **state)
{
        _cleanup_free_ char *digest = NULL, *error = NULL;
        RegistryPlatform p = {.os = "linux", .architecture = "mips64"};
        RegistryPlatform host;

        assert_selected(docker_list, "linux", "amd64", NULL, D("1"));
        assert_selected(docker_list, "linux", "arm", "v7", D("3"));
        assert_selected(docker_list, "linux", "arm", NULL, D("2"));
        assert_selected(docker_list, "linux", "arm64", NULL, D("4"));
        assert_selected(docker_list, "linux", "arm64", "v8", D("4"));
        assert_selected(docker_list, "windows", "amd64", NULL, D("5"));
        assert_selected(oci_index, "linux", "amd64", NULL, D("c"));
        assert_selected(oci_index, "linux", "arm64", NULL, D("b"));

        assert_int_equal(registry_index_select(docker_list, strlen(docker_list), &p, &digest, &error),
                         -ENOENT);
        assert_null(digest);
        assert_string_equal(error, "no manifest for linux/mips64 in the index");

        /* The host's platform by default. */
        assert_int_equal(registry_platform_host(&host), 0);
        assert_string_equal(host.os, "linux");
        if (streq(host.architecture, "amd64")) {
                assert_int_equal(
                    registry_index_select(docker_list, strlen(docker_list), NULL, &digest, NULL), 0);
                assert_string_equal(digest, D("1"));
        }
}

static void assert_select_fails(const char *json, int expected, const char *message)
{
        _cleanup_free_ char *digest = NULL, *error = NULL;
        RegistryPlatform p = {.os = "linux", .architecture = "amd64"};

        assert_int_equal(registry_index_select(json, strlen(json), &p, &digest, &error), expected);
        assert_null(digest);
        assert_string_equal(error, message);
}

static void test_select_malformed(void **state)
{
        assert_select_fails("{\"manifests\":{}}", -EBADMSG, "index has no 'manifests' array");
        assert_select_fails("{\"manifests\":[1]}", -EBADMSG, "index entry 0 is not an object");
        assert_select_fails("{\"manifests\":[{\"digest\":\"sha256:00\",\"platform\":"
                            "{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}",
                            -EBADMSG, "index entry 0 has no valid sha256 digest");
        assert_select_fails("[]", -EBADMSG, "manifest is not a JSON object");
        assert_select_fails("{\"manifests\":[]", -EBADMSG, "manifest is not valid JSON");
        assert_select_fails("{\"manifests\":[]} x", -EBADMSG, "manifest has data after its JSON");
        assert_select_fails("", -EBADMSG, "manifest is empty or not text");
}

static void test_parse(void **state)
{
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL, *o = NULL;

        assert_int_equal(registry_manifest_parse(docker_manifest, strlen(docker_manifest), &m, NULL), 0);
        assert_string_equal(m->media_type, MEDIA_TYPE_DOCKER_MANIFEST);
        assert_string_equal(m->config.digest, D("e"));
        assert_int_equal(m->config.size, 1457);
        assert_int_equal(m->n_layers, 2);
        assert_string_equal(m->layers[0].digest, D("f"));
        assert_int_equal(m->layers[0].size, 2152262);
        assert_string_equal(m->layers[0].media_type, "application/vnd.docker.image.rootfs.diff.tar.gzip");
        assert_string_equal(m->layers[1].digest, D("0"));

        assert_int_equal(registry_manifest_parse(oci_manifest, strlen(oci_manifest), &o, NULL), 0);
        assert_string_equal(o->media_type, MEDIA_TYPE_OCI_MANIFEST);
        assert_int_equal(o->n_layers, 1);
        assert_string_equal(o->layers[0].media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
}

static void assert_parse_fails(const char *json, int expected, const char *message)
{
        RegistryManifest *m = NULL;
        _cleanup_free_ char *error = NULL;

        assert_int_equal(registry_manifest_parse(json, strlen(json), &m, &error), expected);
        assert_null(m);
        assert_string_equal(error, message);
}

#define CONFIG                                     \
        "\"config\":{\"mediaType\":\"application/" \
        "vnd.oci.image.config.v1+json\",\"size\":2,\"digest\":\"" D("e") "\"}"
#define LAYER(type, size) "{\"mediaType\":\"" type "\",\"size\":" size ",\"digest\":\"" D("d") "\"}"
#define TGZ               "application/vnd.oci.image.layer.v1.tar+gzip"

static void test_parse_malformed(void **state)
{
        assert_parse_fails(docker_list, -EMEDIUMTYPE, "manifest is an index, not an image manifest");
        assert_parse_fails("{\"schemaVersion\":2,\"layers\":[" LAYER(TGZ, "1") "]}", -EBADMSG,
                           "manifest has no config");
        assert_parse_fails("{\"schemaVersion\":1," CONFIG ",\"layers\":[" LAYER(TGZ, "1") "]}", -EMEDIUMTYPE,
                           "manifest schemaVersion is not 2");
        assert_parse_fails("{\"schemaVersion\":2," CONFIG ",\"layers\":[]}", -EBADMSG,
                           "manifest has no layers");
        assert_parse_fails("{\"schemaVersion\":2," CONFIG ",\"layers\":{}}", -EBADMSG,
                           "manifest has no 'layers' array");
        assert_parse_fails("{\"schemaVersion\":2," CONFIG ",\"layers\":[" LAYER(TGZ, "-1") "]}", -EBADMSG,
                           "manifest layer 0 has a negative size");
        assert_parse_fails("{\"schemaVersion\":2," CONFIG ",\"layers\":[" LAYER(TGZ, "\"1\"") "]}", -EBADMSG,
                           "manifest layer 0 has no size");
        assert_parse_fails("{\"schemaVersion\":2," CONFIG
                           ",\"layers\":[" LAYER(TGZ, "1") "," LAYER(TGZ, "68719476737") "]}",
                           -EFBIG, "manifest layer 1 is larger than 68719476736 bytes");
        assert_parse_fails("{\"schemaVersion\":2," CONFIG ",\"layers\":[" LAYER(
                               "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "1") "]}",
                           -EMEDIUMTYPE,
                           "layer 0 has unsupported media type "
                           "'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'");
        assert_parse_fails(
            "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x/y\",\"size\":1,\"digest\":\"" D(
                "e") "\"},\"layers\":[" LAYER(TGZ, "1") "]}",
            -EMEDIUMTYPE, "manifest config has unsupported media type 'x/y'");
        assert_parse_fails(
            "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+"
            "json\",\"size\":1,\"digest\":\"md5:00\"},\"layers\":[" LAYER(TGZ, "1") "]}",
            -EBADMSG, "manifest config has no valid sha256 digest");
}

static void test_limits(void **state)
{
        _cleanup_free_ char *big = NULL, *many = NULL, *error = NULL;
        RegistryManifest *m = NULL;
        size_t n = REGISTRY_MANIFEST_SIZE_MAX + 1;
        FILE *f;
        size_t size;

        big = malloc(n);
        assert_non_null(big);
        memset(big, ' ', n);
        big[0] = '{';
        big[n - 1] = '}';
        assert_int_equal(registry_manifest_parse(big, n, &m, &error), -EFBIG);
        assert_string_equal(error, "manifest is larger than 4194304 bytes");

        f = open_memstream(&many, &size);
        assert_non_null(f);
        fputs("{\"schemaVersion\":2," CONFIG ",\"layers\":[", f);
        for (int i = 0; i <= REGISTRY_LAYERS_MAX; i++)
                fprintf(f, "%s" LAYER(TGZ, "1"), i ? "," : "");
        fputs("]}", f);
        assert_int_equal(fclose(f), 0);
        free(error);
        error = NULL;
        assert_int_equal(registry_manifest_parse(many, size, &m, &error), -E2BIG);
        assert_string_equal(error, "manifest has 129 layers, more than 128");
        assert_null(m);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_kind),
            cmocka_unit_test(test_select),
            cmocka_unit_test(test_select_malformed),
            cmocka_unit_test(test_parse),
            cmocka_unit_test(test_parse_malformed),
            cmocka_unit_test(test_limits),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
