/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/macro.h"
#include "raind/sha256.h"

static void assert_hex(const void *data, size_t size, const char *expected)
{
        char hex[SHA256_HEX_SIZE];

        sha256_hex(data, size, hex);
        assert_string_equal(hex, expected);
}

/* FIPS 180-2, appendix B. */
static void test_fips_vectors(void **state)
{
        assert_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_hex(two_blocks, strlen(two_blocks),
                   "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

        /* One million 'a', fed in pieces that do not line up with blocks. */
        char buf[997];
        Sha256Context c;
        char hex[SHA256_HEX_SIZE];
        size_t left = 1000000;

        memset(buf, 'a', sizeof(buf));
        sha256_init(&c);
        while (left > 0) {
                size_t n = MIN(left, sizeof(buf));
                sha256_update(&c, buf, n);
                left -= n;
        }
        sha256_final_hex(&c, hex);
        assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_empty(void **state)
{
        assert_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* Lengths around the padding boundaries (55/56 bytes leave no room for the length). */
static void test_padding_boundaries(void **state)
{
        static const struct {
                size_t n;
                const char *hex;
        } v[] = {
            {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
            {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
            {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
            {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
            {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
            {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
        };
        char buf[128];

        memset(buf, 'a', sizeof(buf));
        for (size_t i = 0; i < ELEMENTSOF(v); i++)
                assert_hex(buf, v[i].n, v[i].hex);
}

/* Any split of the input gives the same digest as one update. */
static void test_streaming_splits(void **state)
{
        uint8_t data[300];
        char whole[SHA256_HEX_SIZE];

        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (uint8_t)(i * 7 + 3);
        sha256_hex(data, sizeof(data), whole);

        for (size_t chunk = 1; chunk <= 130; chunk++) {
                Sha256Context c;
                char hex[SHA256_HEX_SIZE];

                sha256_init(&c);
                for (size_t off = 0; off < sizeof(data); off += chunk)
                        sha256_update(&c, data + off, MIN(chunk, sizeof(data) - off));
                sha256_final_hex(&c, hex);
                assert_string_equal(hex, whole);
        }
}

static void test_digest_to_hex(void **state)
{
        uint8_t d[SHA256_DIGEST_SIZE];
        char hex[SHA256_HEX_SIZE];

        for (size_t i = 0; i < sizeof(d); i++)
                d[i] = (uint8_t)(i * 8 + 1);
        sha256_digest_to_hex(d, hex);
        assert_int_equal(strlen(hex), 64);
        assert_true(strncmp(hex, "0109111921293139", 16) == 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_fips_vectors),       cmocka_unit_test(test_empty),
            cmocka_unit_test(test_padding_boundaries), cmocka_unit_test(test_streaming_splits),
            cmocka_unit_test(test_digest_to_hex),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
