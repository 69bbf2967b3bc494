/* SPDX-License-Identifier: Apache-2.0 */
/* The stream pump against a fake raind-shim on a socketpair, with pipes for stdio: no bus, no
 * terminal (the pty side is for the integration tests, tests/integration/pty-run.py). */
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "raind/macro.h"

#include "cli-pump.h"
#include "cli-stream.h"

typedef struct Client {
        pid_t pid;
        int shim;     /* our end of the stream */
        int input;    /* writes the client's stdin */
        int stdin_fd; /* the client's stdin, read end, kept to see what it left unread */
        int output;   /* reads the client's stdout */
        int errors;   /* reads the client's stderr */
} Client;

/* Runs stream_pump() in a child whose stdio are pipes. */
static Client client_start(bool input)
{
        int sv[2], in[2], out[2], err[2];
        Client c;

        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        assert_int_equal(pipe2(in, O_CLOEXEC), 0);
        assert_int_equal(pipe2(out, O_CLOEXEC), 0);
        assert_int_equal(pipe2(err, O_CLOEXEC), 0);

        c.pid = fork();
        assert_true(c.pid >= 0);
        if (c.pid == 0) {
                PumpOptions o = {.input = input};

                /* No exec to close them: the parent's ends must go, or nothing ever ends. */
                safe_close(sv[1]);
                safe_close(in[1]);
                safe_close(out[0]);
                safe_close(err[0]);
                if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
                    dup2(err[1], STDERR_FILENO) < 0)
                        _exit(99);
                _exit(stream_pump(sv[0], &o));
        }
        safe_close(sv[0]);
        safe_close(out[1]);
        safe_close(err[1]);
        c.shim = sv[1];
        c.input = in[1];
        c.stdin_fd = in[0];
        c.output = out[0];
        c.errors = err[0];
        return c;
}

/* Everything left on fd, until its end. */
static char *read_all(int fd)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        char chunk[4096];
        ssize_t n;

        assert_non_null(f);
        while ((n = read(fd, chunk, sizeof(chunk))) > 0)
                fwrite(chunk, 1, (size_t)n, f);
        fclose(f);
        return buf;
}

static int client_wait(Client *c)
{
        int status;

        assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static void client_done(Client *c)
{
        safe_close(c->shim);
        safe_close(c->input);
        safe_close(c->stdin_fd);
        safe_close(c->output);
        safe_close(c->errors);
}

/* The next packet from the client, waiting for it. */
static ssize_t shim_receive(Client *c, uint8_t buf[static STREAM_PACKET_MAX])
{
        struct pollfd p = {.fd = c->shim, .events = POLLIN};
        ssize_t n;

        while ((n = stream_receive(c->shim, buf)) == -EAGAIN)
                assert_int_equal(poll(&p, 1, 5000), 1);
        return n;
}

static void shim_send(Client *c, uint8_t type, const void *payload, size_t size)
{
        struct pollfd p = {.fd = c->shim, .events = POLLOUT};
        int r;

        while ((r = stream_send(c->shim, type, payload, size)) == -EAGAIN)
                assert_int_equal(poll(&p, 1, 5000), 1);
        assert_int_equal(r, 0);
}

static void shim_exit(Client *c, int32_t status)
{
        uint8_t payload[4];

        stream_exit_encode(status, payload);
        shim_send(c, STREAM_EXIT, payload, sizeof(payload));
}

static void test_input_output_exit(void **state)
{
        static const char error_text[] = "exec \"x\": executable file not found in $PATH\n";
        Client c = client_start(true);
        uint8_t buf[STREAM_PACKET_MAX];
        _cleanup_free_ char *out = NULL, *err = NULL;
        ssize_t n;

        assert_int_equal(write(c.input, "hello\n", 6), 6);
        c.input = safe_close(c.input);

        n = shim_receive(&c, buf);
        assert_int_equal(n, 7);
        assert_int_equal(buf[0], STREAM_STDIN);
        assert_memory_equal(buf + 1, "hello\n", 6);
        /* The end of input, once. */
        n = shim_receive(&c, buf);
        assert_int_equal(n, 1);
        assert_int_equal(buf[0], STREAM_CLOSE_STDIN);

        shim_send(&c, STREAM_STDOUT, "to stdout\n", 10);
        shim_send(&c, STREAM_STDERR, "to stderr\n", 10);
        shim_send(&c, STREAM_ERROR, error_text, strlen(error_text));
        shim_exit(&c, 127);

        assert_int_equal(client_wait(&c), 127);
        out = read_all(c.output);
        err = read_all(c.errors);
        assert_string_equal(out, "to stdout\n");
        assert_string_equal(err, "to stderr\nraind: exec \"x\": executable file not found in $PATH\n");
        client_done(&c);
}

static void test_no_input_leaves_stdin(void **state)
{
        Client c = client_start(false);
        _cleanup_free_ char *left = NULL;

        assert_int_equal(write(c.input, "not for the container", 21), 21);
        c.input = safe_close(c.input);
        shim_send(&c, STREAM_STDOUT, "x", 1);
        shim_exit(&c, 0);
        assert_int_equal(client_wait(&c), 0);

        left = read_all(c.stdin_fd);
        assert_string_equal(left, "not for the container");
        client_done(&c);
}

static void test_end_without_status(void **state)
{
        Client c = client_start(false);
        _cleanup_free_ char *err = NULL;

        shim_send(&c, STREAM_STDOUT, "partial", 7);
        c.shim = safe_close(c.shim);
        /* No container to ask (exec): a failure of raind's. */
        assert_int_equal(client_wait(&c), 125);
        err = read_all(c.errors);
        assert_string_equal(err, "raind: The stream ended without an exit status\n");
        client_done(&c);
}

/* The shim closes with the client's input unread: the kernel reports ECONNRESET once, ahead of the
 * packets sent before the close, and the exit status must survive it. */
static void test_reset_keeps_exit_status(void **state)
{
        Client c = client_start(true);
        uint8_t buf[STREAM_PACKET_MAX];

        assert_int_equal(write(c.input, "unread\n", 7), 7);
        assert_int_equal(shim_receive(&c, buf), 8); /* the client has sent it */
        assert_int_equal(write(c.input, "unread too\n", 11), 11);
        c.input = safe_close(c.input);
        /* Let the second packet and the end of input reach our queue, unread. */
        usleep(100 * 1000);
        shim_exit(&c, 7);
        c.shim = safe_close(c.shim);

        assert_int_equal(client_wait(&c), 7);
        client_done(&c);
}

static void test_unknown_and_bad_packets_are_skipped(void **state)
{
        Client c = client_start(false);
        _cleanup_free_ char *out = NULL;

        shim_send(&c, 0x7e, "future", 6);
        shim_send(&c, STREAM_EXIT, "\x01", 1); /* too short: not an exit */
        shim_send(&c, STREAM_STDOUT, "ok", 2);
        shim_exit(&c, 3);
        assert_int_equal(client_wait(&c), 3);
        out = read_all(c.output);
        assert_string_equal(out, "ok");
        client_done(&c);
}

/* More input than the socket holds, while the other side does not read for a while: the pump
 * must keep it all, in order, and still show output meanwhile. */
static void test_backpressure(void **state)
{
        enum { TOTAL = 4 * 1024 * 1024 };
        Client c = client_start(true);
        _cleanup_free_ uint8_t *data = malloc(TOTAL);
        uint8_t buf[STREAM_PACKET_MAX];
        size_t written = 0, received = 0;
        bool closed = false;

        assert_non_null(data);
        for (size_t i = 0; i < TOTAL; i++)
                data[i] = (uint8_t)(i * 7 + i / 251);
        assert_int_equal(fcntl(c.input, F_SETFL, O_NONBLOCK), 0);

        /* Fill everything up before reading anything. */
        for (;;) {
                ssize_t n = write(c.input, data + written, TOTAL - written);

                if (n < 0) {
                        assert_int_equal(errno, EAGAIN);
                        break;
                }
                written += (size_t)n;
        }
        usleep(100 * 1000);
        shim_send(&c, STREAM_STDOUT, "still alive\n", 12);

        while (!closed) {
                ssize_t n = shim_receive(&c, buf);

                assert_true(n >= 1);
                if (buf[0] == STREAM_CLOSE_STDIN) {
                        closed = true;
                        break;
                }
                assert_int_equal(buf[0], STREAM_STDIN);
                assert_true(received + (size_t)n - 1 <= TOTAL);
                assert_memory_equal(buf + 1, data + received, (size_t)n - 1);
                received += (size_t)n - 1;

                while (written < TOTAL) {
                        ssize_t w = write(c.input, data + written, TOTAL - written);

                        if (w < 0) {
                                assert_int_equal(errno, EAGAIN);
                                break;
                        }
                        written += (size_t)w;
                }
                if (written == TOTAL && c.input >= 0)
                        c.input = safe_close(c.input);
        }
        assert_int_equal(received, TOTAL);
        shim_exit(&c, 0);
        assert_int_equal(client_wait(&c), 0);
        {
                _cleanup_free_ char *out = read_all(c.output);
                assert_string_equal(out, "still alive\n");
        }
        client_done(&c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_input_output_exit),
            cmocka_unit_test(test_no_input_leaves_stdin),
            cmocka_unit_test(test_end_without_status),
            cmocka_unit_test(test_reset_keeps_exit_status),
            cmocka_unit_test(test_unknown_and_bad_packets_are_skipped),
            cmocka_unit_test(test_backpressure),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
