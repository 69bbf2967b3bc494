/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/socket.h>

#include "raind/macro.h"

#include "cli-json.h"

/* sd-bus makes messages only for a started bus; one end of a socketpair does, nobody listening. */
static int setup_bus(void **state)
{
        sd_bus *bus = NULL;
        int fds[2];

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        assert_int_equal(sd_bus_new(&bus), 0);
        assert_int_equal(sd_bus_set_fd(bus, fds[0], fds[0]), 0);
        assert_true(sd_bus_start(bus) >= 0);
        close(fds[1]);
        *state = bus;
        return 0;
}

static int teardown_bus(void **state)
{
        sd_bus_close_unref(*state);
        return 0;
}

static sd_bus_message *new_message(sd_bus *bus)
{
        sd_bus_message *m = NULL;

        assert_int_equal(sd_bus_message_new_method_call(bus, &m, "org.raind.raind1", "/org/raind/raind1",
                                                        "org.raind.raind1.Test", "Test"),
                         0);
        return m;
}

/* Makes the message readable from its start. */
static void seal(sd_bus_message *m)
{
        assert_int_equal(sd_bus_message_seal(m, 1, 0), 0);
        assert_int_equal(sd_bus_message_rewind(m, true), 1);
}

static void assert_json(json_object *o, const char *expected)
{
        assert_string_equal(
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
            expected);
}

static void test_timestamp(void **state)
{
        _cleanup_json_ json_object *t = NULL, *n = NULL;

        assert_int_equal(json_new_timestamp(1714566896500000ULL, &t), 0);
        assert_json(t, "\"2024-05-01T12:34:56.5Z\"");
        assert_int_equal(json_new_timestamp(0, &n), 0);
        assert_null(n);
}

static void test_properties(void **state)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = new_message(*state);
        _cleanup_json_ json_object *o = NULL;
        const char *env[] = {"PATH=/usr/bin", "A=1", NULL};

        assert_true(sd_bus_message_open_container(m, 'a', "{sv}") >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "Id", "s", "0123abcd") >= 0);
        assert_true(sd_bus_message_open_container(m, 'e', "sv") >= 0);
        assert_true(sd_bus_message_append(m, "s", "Env") >= 0);
        assert_true(sd_bus_message_open_container(m, 'v', "as") >= 0);
        assert_true(sd_bus_message_append_strv(m, (char **)env) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "Command", "as", 0) >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "MainPID", "u", (uint32_t)4242) >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "CreatedAt", "t", (uint64_t)1714566896000000ULL) >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "StartedAt", "t", (uint64_t)0) >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "ExitStatus", "i", (int32_t)-1) >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "MemoryMax", "t", UINT64_MAX) >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "ReadOnly", "b", 1) >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "BundlePath", "s", "/run/raind/containers/x/bundle") >=
                    0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        seal(m);

        assert_int_equal(bus_properties_read_json(m, &o), 0);
        assert_json(
            o, "{\"Id\":\"0123abcd\",\"Env\":[\"PATH=/usr/bin\",\"A=1\"],\"Command\":[],\"MainPID\":4242,"
               "\"CreatedAt\":\"2024-05-01T12:34:56Z\",\"CreatedAtUSec\":1714566896000000,"
               "\"StartedAt\":null,\"StartedAtUSec\":0,\"ExitStatus\":-1,"
               "\"MemoryMax\":18446744073709551615,\"ReadOnly\":true,"
               "\"BundlePath\":\"/run/raind/containers/x/bundle\"}");
        assert_int_equal(sd_bus_message_at_end(m, true), 1);
}

static void test_generic_values(void **state)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = new_message(*state);
        _cleanup_json_ json_object *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        assert_true(sd_bus_message_append(m, "a(si)", 2, "one", 1, "two", 2) >= 0);
        assert_true(sd_bus_message_append(m, "a{sa{su}}", 1, "outer", 2, "x", 1, "y", 2) >= 0);
        assert_true(sd_bus_message_append(m, "v", "v", "d", 0.5) >= 0);
        assert_true(sd_bus_message_append(m, "a{ib}", 1, 7, 0) >= 0);
        seal(m);

        assert_int_equal(bus_message_read_json(m, &a), 0);
        assert_json(a, "[[\"one\",1],[\"two\",2]]");
        assert_int_equal(bus_message_read_json(m, &b), 0);
        assert_json(b, "{\"outer\":{\"x\":1,\"y\":2}}");
        assert_int_equal(bus_message_read_json(m, &c), 0);
        assert_json(c, "0.5");
        /* Keys that are not strings become their JSON text. */
        assert_int_equal(bus_message_read_json(m, &d), 0);
        assert_json(d, "{\"7\":false}");
        assert_int_equal(sd_bus_message_at_end(m, true), 1);
}

static void test_print(void **state)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        assert_int_equal(json_add_new(o, "Path", json_object_new_string("/a/b")), 0);
        assert_int_equal(json_add_timestamp(o, "FinishedAt", 0), 0);
        f = open_memstream(&buf, &size);
        assert_non_null(f);
        assert_int_equal(json_print(o, f), 0);
        fclose(f);
        /* Pretty, slashes left alone, one newline at the end. */
        assert_string_equal(buf, "{\n  \"Path\": \"/a/b\",\n  \"FinishedAt\": null\n}\n");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_timestamp),
            cmocka_unit_test_setup_teardown(test_properties, setup_bus, teardown_bus),
            cmocka_unit_test_setup_teardown(test_generic_values, setup_bus, teardown_bus),
            cmocka_unit_test(test_print),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
