/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/image-store.h"
#include "raind/macro.h"
#include "raind/registry.h"
#include "raind/validate.h"

#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void assert_normalized(const char *ref, const char *expected)
{
        _cleanup_free_ char *n = NULL;

        assert_int_equal(image_reference_normalize(ref, &n), 0);
        assert_string_equal(n, expected);
}

static void assert_full(const char *ref, const char *expected)
{
        _cleanup_free_ char *n = NULL;

        assert_int_equal(image_reference_full(ref, &n), 0);
        assert_string_equal(n, expected);
}

static void assert_invalid(const char *ref)
{
        char *n = (char *)0x1;

        assert_int_equal(image_reference_normalize(ref, &n), -EINVAL);
        /* Not written on failure. */
        assert_ptr_equal(n, (char *)0x1);
        assert_int_equal(image_reference_full(ref, &n), -EINVAL);
        assert_ptr_equal(n, (char *)0x1);
}

static void test_default_tag(void **state)
{
        assert_normalized("busybox", "busybox:latest");
        assert_normalized("busybox:1.36", "busybox:1.36");
        assert_normalized("library/busybox", "busybox:latest");
        assert_normalized("library/a/b", "library/a/b:latest");
        assert_normalized("my-org/my_app.v2", "my-org/my_app.v2:latest");
        assert_normalized("busybox:Latest_1.0-rc", "busybox:Latest_1.0-rc");
}

static void test_registry_host(void **state)
{
        assert_normalized("localhost:5000/busybox:tag", "localhost:5000/busybox:tag");
        assert_normalized("localhost:5000/busybox", "localhost:5000/busybox:latest");
        assert_normalized("registry.example.com/a/b", "registry.example.com/a/b:latest");
        assert_normalized("quay.io/org/app:v1", "quay.io/org/app:v1");
        assert_normalized("localhost/app", "localhost/app:latest");
        assert_normalized("[::1]:5000/app", "[::1]:5000/app:latest");
        assert_normalized("[fe80::1]/app:v2", "[fe80::1]/app:v2");
        assert_normalized("127.0.0.1:5000/test/busybox:1", "127.0.0.1:5000/test/busybox:1");
        assert_normalized("Registry.Example.com/a", "Registry.Example.com/a:latest");
        /* Only Docker Hub has an implicit "library/". */
        assert_normalized("quay.io/library/app", "quay.io/library/app:latest");
}

static void test_docker_hub_familiar(void **state)
{
        assert_normalized("docker.io/library/busybox", "busybox:latest");
        assert_normalized("docker.io/library/busybox:1.36", "busybox:1.36");
        assert_normalized("docker.io/someone/app", "someone/app:latest");
        assert_normalized("index.docker.io/library/alpine:3", "alpine:3");
        assert_normalized("registry-1.docker.io/library/alpine", "alpine:latest");
        assert_normalized("docker.io/busybox", "busybox:latest");
}

static void test_digest(void **state)
{
        assert_normalized("busybox@" DIGEST, "busybox@" DIGEST);
        /* The digest pins the image: a tag given along is dropped. */
        assert_normalized("docker.io/library/busybox:1.36@" DIGEST, "busybox@" DIGEST);
        assert_normalized("localhost:5000/x:y@" DIGEST, "localhost:5000/x@" DIGEST);
        assert_full("busybox:1.36@" DIGEST, "docker.io/library/busybox@" DIGEST);
        assert_invalid("busybox@sha256:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
        assert_invalid("busybox@" DIGEST "0");
        assert_invalid("busybox@");
}

static void test_full(void **state)
{
        assert_full("busybox", "docker.io/library/busybox:latest");
        assert_full("docker.io/library/busybox:latest", "docker.io/library/busybox:latest");
        assert_full("user/app", "docker.io/user/app:latest");
        assert_full("index.docker.io/user/app:v1", "docker.io/user/app:v1");
        assert_full("localhost:5000/x", "localhost:5000/x:latest");
        assert_full("[::1]:5000/x:y", "[::1]:5000/x:y");
}

/* The CLI's loose check (libbasic) accepts all the store's grammar does, and the plain mistakes it
 * refuses, the grammar refuses too. */
static void test_cli_check_agrees(void **state)
{
        static const char *const refs[] = {
            "busybox",
            "busybox:1.36",
            "busybox:Latest_1.0-rc",
            "library/busybox",
            "my-org/my_app.v2",
            "a__b/c-d.e",
            "a/b/c/d",
            "localhost/app",
            "localhost:5000/busybox:tag",
            "[::1]:5000/x",
            "[fe80::1]/x:v",
            "127.0.0.1:5000/test/busybox:1",
            "Registry.Example.com:443/a/b:V1",
            "Registry/x",
            "quay.io/org/app:v1",
            "busybox@" DIGEST,
            "busybox:1@" DIGEST,
            "localhost:5000/x@" DIGEST,
            "docker.io/library/busybox:latest@" DIGEST,
            /* Refused by both. */
            "BusyBox",
            "busybox:",
            ":tag",
            "busy box",
            "busybox:a/b",
            "-busybox",
            "busybox-",
            "a//b",
            "/busybox",
            "busybox/",
            "busybox:-tag",
            "busybox@",
            "../etc",
            "busybox\n",
            "a/Busybox",
            "[::1]:5000/X",
            "x@y",
            "",
            /* Refused by the grammar only. */
            "host:/b",
            "host:50a0/b",
            "busybox@sha256:abc",
            "a..b",
            "a___b",
            "[::1]",
            "localhost:123456/x",
        };
        size_t accepted = 0;

        for (size_t i = 0; i < ELEMENTSOF(refs); i++) {
                _cleanup_registry_reference_free_ RegistryReference *r = NULL;
                bool grammar = registry_reference_parse(refs[i], &r) >= 0;
                bool cli = image_reference_is_valid(refs[i]);

                if (grammar && !cli)
                        fail_msg("'%s' is valid, but the CLI's check refuses it", refs[i]);
                accepted += grammar;
        }
        assert_int_equal(accepted, 19);
        assert_false(image_reference_is_valid("BusyBox"));
        assert_false(image_reference_is_valid("busybox:"));
        assert_false(image_reference_is_valid("a/Busybox"));
        assert_false(image_reference_is_valid("busy box"));
        assert_true(image_reference_is_valid("[::1]:5000/x@" DIGEST));
}

static void test_invalid(void **state)
{
        char long_ref[300];

        assert_invalid(NULL);
        assert_invalid("");
        assert_invalid("BusyBox");
        assert_invalid("busybox:");
        assert_invalid(":tag");
        assert_invalid("busy box");
        assert_invalid("busybox:a/b");
        assert_invalid("host:/b");
        assert_invalid("host:50a0/b");
        assert_invalid("-busybox");
        assert_invalid("busybox-");
        assert_invalid("a//b");
        assert_invalid("/busybox");
        assert_invalid("busybox/");
        assert_invalid("busybox:-tag");
        assert_invalid("busybox@sha256:abc");
        assert_invalid("../etc");
        assert_invalid("busybox\n");
        assert_invalid("busybox@sha256:abc");
        assert_invalid("a/Busybox");
        assert_invalid("localhost:123456/x");

        memset(long_ref, 'a', sizeof(long_ref) - 1);
        long_ref[sizeof(long_ref) - 1] = 0;
        assert_invalid(long_ref);
        /* Fits on its own, but not with ":latest" appended. */
        long_ref[250] = 0;
        assert_invalid(long_ref);
        long_ref[248] = 0;
        char expected[320];
        snprintf(expected, sizeof(expected), "%s:latest", long_ref);
        assert_normalized(long_ref, expected);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_default_tag),
            cmocka_unit_test(test_registry_host),
            cmocka_unit_test(test_docker_hub_familiar),
            cmocka_unit_test(test_digest),
            cmocka_unit_test(test_full),
            cmocka_unit_test(test_cli_check_agrees),
            cmocka_unit_test(test_invalid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
