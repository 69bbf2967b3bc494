/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "raind/macro.h"

#include "cli-stream.h"

static void test_resize(void **state)
{
        uint8_t b[4];
        StreamPacket p;
        uint16_t rows, cols;
        uint8_t packet[5] = {STREAM_RESIZE};

        stream_resize_encode(50, 0x1234, b);
        /* uint16 rows, uint16 cols, little-endian */
        assert_memory_equal(b, ((uint8_t[]){50, 0, 0x34, 0x12}), 4);

        memcpy(packet + 1, b, 4);
        assert_int_equal(stream_packet_parse(packet, sizeof(packet), &p), 0);
        assert_int_equal(p.type, STREAM_RESIZE);
        assert_int_equal(p.size, 4);
        assert_int_equal(stream_resize_decode(&p, &rows, &cols), 0);
        assert_int_equal(rows, 50);
        assert_int_equal(cols, 0x1234);
}

static void test_exit(void **state)
{
        uint8_t packet[5] = {STREAM_EXIT};
        StreamPacket p;
        int status;

        stream_exit_encode(7, packet + 1);
        assert_memory_equal(packet + 1, ((uint8_t[]){7, 0, 0, 0}), 4);
        assert_int_equal(stream_packet_parse(packet, sizeof(packet), &p), 0);
        assert_int_equal(stream_exit_decode(&p, &status), 0);
        assert_int_equal(status, 7);

        stream_exit_encode(-1, packet + 1);
        assert_memory_equal(packet + 1, ((uint8_t[]){0xff, 0xff, 0xff, 0xff}), 4);
        assert_int_equal(stream_packet_parse(packet, sizeof(packet), &p), 0);
        assert_int_equal(stream_exit_decode(&p, &status), 0);
        assert_int_equal(status, -1);

        stream_exit_encode(0x01020304, packet + 1);
        assert_memory_equal(packet + 1, ((uint8_t[]){4, 3, 2, 1}), 4);

        /* Decoding another type is refused. */
        p.type = STREAM_RESIZE;
        assert_int_equal(stream_exit_decode(&p, &status), -EBADMSG);
}

static void test_parse_checks_sizes(void **state)
{
        uint8_t buf[8] = {};
        StreamPacket p;

        assert_int_equal(stream_packet_parse(buf, 0, &p), -EBADMSG);
        buf[0] = STREAM_EXIT;
        assert_int_equal(stream_packet_parse(buf, 4, &p), -EBADMSG);
        assert_int_equal(stream_packet_parse(buf, 6, &p), -EBADMSG);
        buf[0] = STREAM_RESIZE;
        assert_int_equal(stream_packet_parse(buf, 3, &p), -EBADMSG);
        buf[0] = STREAM_CLOSE_STDIN;
        assert_int_equal(stream_packet_parse(buf, 1, &p), 0);
        assert_int_equal(p.size, 0);
        assert_int_equal(stream_packet_parse(buf, 2, &p), -EBADMSG);

        /* Data packets may be empty; unknown types pass for the caller to skip. */
        buf[0] = STREAM_STDOUT;
        assert_int_equal(stream_packet_parse(buf, 1, &p), 0);
        buf[0] = 0x42;
        assert_int_equal(stream_packet_parse(buf, 8, &p), 0);
        assert_int_equal(p.type, 0x42);
        assert_int_equal(p.size, 7);
        assert_ptr_equal(p.payload, buf + 1);

        /* Longer than the protocol allows. */
        assert_int_equal(stream_packet_parse(buf, STREAM_PACKET_MAX + 1, &p), -EBADMSG);
}

static void test_error_text(void **state)
{
        static const char text[] = "\x07"
                                   "exec \"x\": executable\tfile not found in $PATH\r\n";
        _cleanup_free_ char *s = NULL;
        StreamPacket p;

        assert_int_equal(stream_packet_parse(text, sizeof(text) - 1, &p), 0);
        assert_int_equal(stream_error_text(&p, &s), 0);
        assert_string_equal(s, "exec \"x\": executable file not found in $PATH");
}

static void test_send_receive(void **state)
{
        _cleanup_close_pair_ int sv[2] = {-EBADF, -EBADF};
        uint8_t buf[STREAM_PACKET_MAX], big[STREAM_PAYLOAD_MAX + 1] = {};
        StreamPacket p;
        ssize_t n;

        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);

        assert_int_equal(stream_receive(sv[1], buf), -EAGAIN);
        assert_int_equal(stream_send(sv[0], STREAM_STDIN, "hello", 5), 0);
        assert_int_equal(stream_send(sv[0], STREAM_CLOSE_STDIN, NULL, 0), 0);
        assert_int_equal(stream_send(sv[0], STREAM_STDIN, big, STREAM_PAYLOAD_MAX), 0);
        assert_int_equal(stream_send(sv[0], STREAM_STDIN, big, sizeof(big)), -EMSGSIZE);

        /* One packet per receive, boundaries kept. */
        n = stream_receive(sv[1], buf);
        assert_int_equal(n, 6);
        assert_int_equal(stream_packet_parse(buf, (size_t)n, &p), 0);
        assert_int_equal(p.type, STREAM_STDIN);
        assert_memory_equal(p.payload, "hello", 5);
        n = stream_receive(sv[1], buf);
        assert_int_equal(n, 1);
        assert_int_equal(buf[0], STREAM_CLOSE_STDIN);
        n = stream_receive(sv[1], buf);
        assert_int_equal(n, STREAM_PACKET_MAX);

        /* The peer's end is the stream's end. */
        sv[0] = safe_close(sv[0]);
        assert_int_equal(stream_receive(sv[1], buf), 0);
        assert_int_equal(stream_send(sv[1], STREAM_STDIN, "x", 1), -EPIPE);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_resize),
            cmocka_unit_test(test_exit),
            cmocka_unit_test(test_parse_checks_sizes),
            cmocka_unit_test(test_error_text),
            cmocka_unit_test(test_send_receive),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
