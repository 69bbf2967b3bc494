/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/base64.h"
#include "raind/macro.h"

/* RFC 4648 §10. */
static const char *const vectors[][2] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_encode(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                _cleanup_free_ char *s = NULL;

                assert_int_equal(base64_encode(vectors[i][0], strlen(vectors[i][0]), &s), 0);
                assert_string_equal(s, vectors[i][1]);
        }
}

static void test_decode(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                _cleanup_free_ void *d = NULL;
                size_t n;

                assert_int_equal(base64_decode(vectors[i][1], strlen(vectors[i][1]), &d, &n), 0);
                assert_int_equal(n, strlen(vectors[i][0]));
                assert_string_equal(d, vectors[i][0]);
        }
}

static void test_binary_round_trip(void **state)
{
        unsigned char all[256];
        _cleanup_free_ char *s = NULL;
        _cleanup_free_ void *d = NULL;
        size_t n;

        for (size_t i = 0; i < sizeof(all); i++)
                all[i] = (unsigned char)(255 - i);
        assert_int_equal(base64_encode(all, sizeof(all), &s), 0);
        assert_int_equal(strlen(s), 344);
        assert_int_equal(base64_decode(s, strlen(s), &d, &n), 0);
        assert_int_equal(n, sizeof(all));
        assert_memory_equal(d, all, sizeof(all));
}

static void test_unpadded_and_invalid(void **state)
{
        _cleanup_free_ void *d = NULL;
        void *x = NULL;
        size_t n;

        /* Docker writes padded auth strings, but some tools drop the padding. */
        assert_int_equal(base64_decode("Zm9vYg", 6, &d, &n), 0);
        assert_int_equal(n, 4);
        assert_memory_equal(d, "foob", 4);

        assert_int_equal(base64_decode("Zm9v YmFy", 9, &x, &n), -EINVAL);
        assert_int_equal(base64_decode("Zm9vY", 5, &x, &n), -EINVAL);  /* a lone sextet */
        assert_int_equal(base64_decode("Zg===", 5, &x, &n), -EINVAL);  /* too much padding */
        assert_int_equal(base64_decode("Zg=", 3, &x, &n), -EINVAL);    /* padding short of a quantum */
        assert_int_equal(base64_decode("Z=g=", 4, &x, &n), -EINVAL);   /* padding inside */
        assert_int_equal(base64_decode("Zh==", 4, &x, &n), -EINVAL);   /* non-zero leftover bits */
        assert_int_equal(base64_decode("Zm9v-_", 6, &x, &n), -EINVAL); /* base64url is another alphabet */
        assert_null(x);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_encode),
            cmocka_unit_test(test_decode),
            cmocka_unit_test(test_binary_round_trip),
            cmocka_unit_test(test_unpadded_and_invalid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
