/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/macro.h"

#include "cli-detach.h"

#define CTRL_P "\x10"
#define CTRL_Q "\x11"

typedef struct Result {
        int detached;
        char out[256];
        size_t size;
} Result;

static Result feed(DetachKeys *d, const char *in)
{
        Result r = {};

        r.detached = detach_keys_filter(d, (const uint8_t *)in, strlen(in), (uint8_t *)r.out, &r.size);
        return r;
}

#define ASSERT_FEED(d, in, expected_detached, expected_out)         \
        do {                                                        \
                Result _r = feed(d, in);                            \
                assert_int_equal(_r.detached, expected_detached);   \
                assert_int_equal(_r.size, strlen(expected_out));    \
                assert_memory_equal(_r.out, expected_out, _r.size); \
        } while (0)

static void test_plain_input_passes(void **state)
{
        DetachKeys d = DETACH_KEYS_INIT;

        ASSERT_FEED(&d, "ls -l\r", 0, "ls -l\r");
        ASSERT_FEED(&d, CTRL_Q "x", 0, CTRL_Q "x");
        assert_int_equal(d.matched, 0);
}

static void test_sequence_in_one_read(void **state)
{
        DetachKeys d = DETACH_KEYS_INIT;

        ASSERT_FEED(&d, CTRL_P CTRL_Q, 1, "");
        /* What came before is still input; what comes after is dropped. */
        d = (DetachKeys)DETACH_KEYS_INIT;
        ASSERT_FEED(&d, "abc" CTRL_P CTRL_Q "ignored", 1, "abc");
}

static void test_sequence_across_reads(void **state)
{
        DetachKeys d = DETACH_KEYS_INIT;
        uint8_t out[DETACH_KEYS_MAX];

        /* Ctrl-P at the end of a read is held back until the next read decides. */
        ASSERT_FEED(&d, "ab" CTRL_P, 0, "ab");
        assert_int_equal(d.matched, 1);
        ASSERT_FEED(&d, CTRL_Q, 1, "");

        /* Nothing held back after a completed sequence. */
        assert_int_equal(detach_keys_flush(&d, out), 0);
}

static void test_ctrl_p_then_other_key_passes_both(void **state)
{
        DetachKeys d = DETACH_KEYS_INIT;

        ASSERT_FEED(&d, CTRL_P "x", 0, CTRL_P "x");

        /* Also across reads. */
        ASSERT_FEED(&d, CTRL_P, 0, "");
        ASSERT_FEED(&d, "x", 0, CTRL_P "x");

        /* Ctrl-P Ctrl-P Ctrl-Q: the first passes, the second starts the sequence. */
        ASSERT_FEED(&d, CTRL_P CTRL_P, 0, CTRL_P);
        ASSERT_FEED(&d, CTRL_Q, 1, "");
}

static void test_flush_at_end_of_input(void **state)
{
        DetachKeys d = DETACH_KEYS_INIT;
        uint8_t out[DETACH_KEYS_MAX];

        ASSERT_FEED(&d, "q" CTRL_P, 0, "q");
        assert_int_equal(detach_keys_flush(&d, out), 1);
        assert_int_equal(out[0], 0x10);
        assert_int_equal(d.matched, 0);
}

static void test_other_sequences(void **state)
{
        DetachKeys d = {.sequence = "\x1d"}; /* Ctrl-] alone, as telnet */
        DetachKeys e = {.sequence = "abc"}, f = {.sequence = "abc"};

        ASSERT_FEED(&d, "x\x1dy", 1, "x");
        ASSERT_FEED(&e, "xab", 0, "x");
        /* "ab" was held back; 'a' breaks it off and starts anew. */
        ASSERT_FEED(&e, "aabc", 1, "aba");
        ASSERT_FEED(&f, "aabc", 1, "a");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_plain_input_passes),
            cmocka_unit_test(test_sequence_in_one_read),
            cmocka_unit_test(test_sequence_across_reads),
            cmocka_unit_test(test_ctrl_p_then_other_key_passes_both),
            cmocka_unit_test(test_flush_at_end_of_input),
            cmocka_unit_test(test_other_sequences),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
