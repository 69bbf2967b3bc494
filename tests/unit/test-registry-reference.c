/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/registry.h"

#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void assert_parsed(const char *s, const char *registry, const char *repository, const char *tag,
                          const char *digest)
{
        _cleanup_registry_reference_free_ RegistryReference *r = NULL;

        assert_int_equal(registry_reference_parse(s, &r), 0);
        assert_string_equal(r->registry, registry);
        assert_string_equal(r->repository, repository);
        assert_true(streq_ptr(r->tag, tag));
        assert_true(streq_ptr(r->digest, digest));
}

static void assert_invalid(const char *s)
{
        RegistryReference *r = (RegistryReference *)0x1;

        assert_int_equal(registry_reference_parse(s, &r), -EINVAL);
        assert_ptr_equal(r, (RegistryReference *)0x1);
}

static void test_docker_hub(void **state)
{
        assert_parsed("busybox", "docker.io", "library/busybox", "latest", NULL);
        assert_parsed("busybox:1.36", "docker.io", "library/busybox", "1.36", NULL);
        assert_parsed("docker.io/library/busybox:latest", "docker.io", "library/busybox", "latest", NULL);
        assert_parsed("docker.io/busybox", "docker.io", "library/busybox", "latest", NULL);
        assert_parsed("index.docker.io/busybox", "docker.io", "library/busybox", "latest", NULL);
        assert_parsed("library/busybox", "docker.io", "library/busybox", "latest", NULL);
        assert_parsed("grafana/grafana:10.0", "docker.io", "grafana/grafana", "10.0", NULL);
        assert_parsed("a/b/c", "docker.io", "a/b/c", "latest", NULL);
}

static void test_registry_host(void **state)
{
        assert_parsed("localhost:5000/x:y", "localhost:5000", "x", "y", NULL);
        assert_parsed("localhost/x", "localhost", "x", "latest", NULL);
        assert_parsed("127.0.0.1:5000/test/busybox:1", "127.0.0.1:5000", "test/busybox", "1", NULL);
        assert_parsed("[::1]:5000/x", "[::1]:5000", "x", "latest", NULL);
        assert_parsed("quay.io/coreos/etcd", "quay.io", "coreos/etcd", "latest", NULL);
        assert_parsed("Registry/x", "Registry", "x", "latest", NULL);
}

static void test_digest(void **state)
{
        assert_parsed("busybox@" DIGEST, "docker.io", "library/busybox", NULL, DIGEST);
        assert_parsed("busybox:1@" DIGEST, "docker.io", "library/busybox", "1", DIGEST);
        assert_parsed("localhost:5000/x@" DIGEST, "localhost:5000", "x", NULL, DIGEST);
        assert_invalid("busybox@sha256:0123");
        assert_invalid("busybox@sha512:"
                       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        assert_invalid("busybox@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef");
        assert_invalid("busybox@");
}

static void test_invalid(void **state)
{
        assert_invalid("");
        assert_invalid(NULL);
        assert_invalid("Busybox");
        assert_invalid("busybox:");
        assert_invalid("busybox:-x");
        assert_invalid("/busybox");
        assert_invalid("busybox/");
        assert_invalid("a//b");
        assert_invalid("a..b");
        assert_invalid("-a");
        assert_invalid("a-");
        assert_invalid("a___b");
        assert_invalid("localhost:50x0/x");
        assert_invalid("localhost:/x");
        assert_invalid("bad_host.io/x");
        assert_invalid("host.io/x y");
        assert_invalid("../x");
}

static void test_to_string(void **state)
{
        _cleanup_registry_reference_free_ RegistryReference *r = NULL;
        _cleanup_free_ char *s = NULL, *t = NULL;

        assert_int_equal(registry_reference_parse("busybox", &r), 0);
        assert_int_equal(registry_reference_to_string(r, &s), 0);
        assert_string_equal(s, "docker.io/library/busybox:latest");
        r = registry_reference_free(r);
        assert_int_equal(registry_reference_parse("localhost:5000/x@" DIGEST, &r), 0);
        assert_int_equal(registry_reference_to_string(r, &t), 0);
        assert_string_equal(t, "localhost:5000/x@" DIGEST);
}

static void assert_url(const char *registry, bool tls_verify, const char *expected)
{
        _cleanup_free_ char *url = NULL;
        RegistryOptions o = {.tls_verify = tls_verify};

        assert_int_equal(registry_base_url(registry, &o, &url), 0);
        assert_string_equal(url, expected);
}

static void test_base_url(void **state)
{
        _cleanup_free_ char *url = NULL;

        assert_url("docker.io", true, "https://registry-1.docker.io");
        assert_url("quay.io", true, "https://quay.io");
        assert_url("registry.example.com:5000", true, "https://registry.example.com:5000");
        assert_url("registry.example.com:5000", false, "http://registry.example.com:5000");
        assert_url("localhost", true, "http://localhost");
        assert_url("localhost:5000", true, "http://localhost:5000");
        assert_url("127.0.0.1:5000", true, "http://127.0.0.1:5000");
        assert_url("[::1]:5000", true, "http://[::1]:5000");
        /* Only the whole host counts as loopback. */
        assert_url("localhost.example.com", true, "https://localhost.example.com");
        assert_url("127.0.0.10", true, "https://127.0.0.10");

        assert_int_equal(registry_base_url("quay.io", NULL, &url), 0);
        assert_string_equal(url, "https://quay.io");
        assert_int_equal(registry_base_url("a b", NULL, &url), -EINVAL);
        assert_int_equal(registry_base_url("", NULL, &url), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_docker_hub), cmocka_unit_test(test_registry_host),
            cmocka_unit_test(test_digest),     cmocka_unit_test(test_invalid),
            cmocka_unit_test(test_to_string),  cmocka_unit_test(test_base_url),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
