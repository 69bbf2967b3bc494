/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "line-buffer.h"
#include "raind/macro.h"

typedef struct Line {
        size_t len;
        bool partial;
        char first, last;
} Line;

typedef struct Collected {
        Line lines[16];
        size_t n;
} Collected;

static void collect(const char *line, size_t len, bool partial, void *userdata)
{
        Collected *c = userdata;
        assert_true(c->n < ELEMENTSOF(c->lines));
        assert_true(len <= LINE_PART_MAX);
        assert_null(memchr(line, '\n', len));
        c->lines[c->n++] = (Line){
            .len = len, .partial = partial, .first = len ? line[0] : 0, .last = len ? line[len - 1] : 0};
}

static LineBuffer buffer;

static void test_simple_lines(void **state)
{
        Collected c = {};
        buffer.n = 0;
        line_buffer_feed(&buffer, "hello\nworld\n", 12, collect, &c);
        line_buffer_finish(&buffer, collect, &c);
        assert_int_equal(c.n, 2);
        assert_int_equal(c.lines[0].len, 5);
        assert_false(c.lines[0].partial);
        assert_int_equal(c.lines[1].first, 'w');
        assert_false(c.lines[1].partial);
}

static void test_split_across_reads(void **state)
{
        Collected c = {};
        buffer.n = 0;
        line_buffer_feed(&buffer, "hel", 3, collect, &c);
        assert_int_equal(c.n, 0);
        line_buffer_feed(&buffer, "lo\n\nx", 5, collect, &c);
        assert_int_equal(c.n, 2);
        assert_int_equal(c.lines[0].len, 5);
        assert_int_equal(c.lines[0].last, 'o');
        assert_int_equal(c.lines[1].len, 0); /* an empty line is a line */
        line_buffer_finish(&buffer, collect, &c);
        assert_int_equal(c.n, 3);
        assert_int_equal(c.lines[2].len, 1);
        assert_true(c.lines[2].partial); /* no newline at EOF */
}

static void test_long_line(void **state)
{
        size_t n = 2 * LINE_PART_MAX + 10;
        _cleanup_free_ char *s = malloc(n + 1);
        Collected c = {};

        memset(s, 'a', n);
        s[0] = 'b';
        s[n] = '\n';
        buffer.n = 0;
        line_buffer_feed(&buffer, s, n + 1, collect, &c);
        line_buffer_finish(&buffer, collect, &c);
        assert_int_equal(c.n, 3);
        assert_int_equal(c.lines[0].len, LINE_PART_MAX);
        assert_int_equal(c.lines[0].first, 'b');
        assert_true(c.lines[0].partial);
        assert_true(c.lines[1].partial);
        assert_int_equal(c.lines[2].len, 10);
        assert_false(c.lines[2].partial);
}

static void test_exact_part_size(void **state)
{
        _cleanup_free_ char *s = malloc(LINE_PART_MAX + 1);
        Collected c = {};

        /* Exactly one part followed by its newline, fed byte by byte around the boundary. */
        memset(s, 'x', LINE_PART_MAX);
        s[LINE_PART_MAX] = '\n';
        buffer.n = 0;
        line_buffer_feed(&buffer, s, LINE_PART_MAX, collect, &c);
        assert_int_equal(c.n, 0);
        line_buffer_feed(&buffer, s + LINE_PART_MAX, 1, collect, &c);
        line_buffer_finish(&buffer, collect, &c);
        assert_int_equal(c.n, 1);
        assert_int_equal(c.lines[0].len, LINE_PART_MAX);
        assert_false(c.lines[0].partial);
}

static void test_exact_part_size_then_more(void **state)
{
        _cleanup_free_ char *s = malloc(LINE_PART_MAX + 3);
        Collected c = {};

        memset(s, 'x', LINE_PART_MAX + 2);
        s[LINE_PART_MAX + 2] = '\n';
        buffer.n = 0;
        line_buffer_feed(&buffer, s, LINE_PART_MAX + 3, collect, &c);
        assert_int_equal(c.n, 2);
        assert_true(c.lines[0].partial);
        assert_int_equal(c.lines[1].len, 2);
        assert_false(c.lines[1].partial);
}

static void test_binary_data(void **state)
{
        Collected c = {};
        buffer.n = 0;
        line_buffer_feed(&buffer, "a\0b\n", 4, collect, &c);
        assert_int_equal(c.n, 1);
        assert_int_equal(c.lines[0].len, 3);
        assert_int_equal(c.lines[0].last, 'b');
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_simple_lines),
            cmocka_unit_test(test_split_across_reads),
            cmocka_unit_test(test_long_line),
            cmocka_unit_test(test_exact_part_size),
            cmocka_unit_test(test_exact_part_size_then_more),
            cmocka_unit_test(test_binary_data),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
