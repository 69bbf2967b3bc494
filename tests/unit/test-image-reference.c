/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/image-store.h"
#include "raind/macro.h"

static void assert_normalized(const char *ref, const char *expected)
{
        _cleanup_free_ char *n = NULL;

        assert_int_equal(image_reference_normalize(ref, &n), 0);
        assert_string_equal(n, expected);
}

static void assert_invalid(const char *ref)
{
        char *n = (char *)0x1;

        assert_int_equal(image_reference_normalize(ref, &n), -EINVAL);
        /* Not written on failure. */
        assert_ptr_equal(n, (char *)0x1);
}

static void test_default_tag(void **state)
{
        assert_normalized("busybox", "busybox:latest");
        assert_normalized("busybox:1.36", "busybox:1.36");
        assert_normalized("library/busybox", "library/busybox:latest");
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
}

static void test_docker_hub_familiar(void **state)
{
        assert_normalized("docker.io/library/busybox", "busybox:latest");
        assert_normalized("docker.io/library/busybox:1.36", "busybox:1.36");
        assert_normalized("docker.io/someone/app", "someone/app:latest");
        assert_normalized("index.docker.io/library/alpine:3", "alpine:3");
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
            cmocka_unit_test(test_invalid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
