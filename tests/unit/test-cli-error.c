/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/bus-errors.h"
#include "raind/macro.h"

#include "cli-error.h"

static void check(const char *name, const char *message, int error, const char *what, const char *action,
                  const char *expected_text, int expected_status)
{
        _cleanup_free_ char *text = NULL;
        int status = -1;

        assert_int_equal(bus_error_explain(name, message, error, what, action, &text, &status), 0);
        assert_string_equal(text, expected_text);
        assert_int_equal(status, expected_status);
}

static void test_permission_denied(void **state)
{
        check("org.freedesktop.DBus.Error.AccessDenied", "Access denied", -EACCES, "create containers",
              "org.raind.raind1.manage-containers",
              "permission denied: not authorized to create containers (polkit action "
              "org.raind.raind1.manage-containers)",
              EXIT_DAEMON_ERROR);
        check("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
              "Interactive authentication required.", -EACCES, "remove images",
              "org.raind.raind1.manage-images",
              "permission denied: not authorized to remove images (polkit action "
              "org.raind.raind1.manage-images)",
              EXIT_DAEMON_ERROR);
        /* Refused by the bus policy on a call that needs no polkit action. */
        check("org.freedesktop.DBus.Error.AccessDenied", "Rejected send message", -EACCES, NULL, NULL,
              "permission denied: Rejected send message", EXIT_DAEMON_ERROR);
}

static void test_unreachable(void **state)
{
        check("org.freedesktop.DBus.Error.ServiceUnknown",
              "The name org.raind.raind1 was not provided by any .service files", -EHOSTUNREACH, NULL, NULL,
              "cannot reach raindd on the system bus: The name org.raind.raind1 was not provided by any "
              ".service "
              "files (is raindd.service running?)",
              EXIT_DAEMON_ERROR);
        check("org.freedesktop.DBus.Error.NameHasNoOwner", "Could not get owner of name 'org.raind.raind1'",
              -ENXIO, NULL, NULL,
              "cannot reach raindd on the system bus: Could not get owner of name 'org.raind.raind1' (is "
              "raindd.service running?)",
              EXIT_DAEMON_ERROR);
        check("org.freedesktop.DBus.Error.NoReply", "Connection terminated", -ETIMEDOUT, NULL, NULL,
              "cannot reach raindd on the system bus: Connection terminated (is raindd.service running?)",
              EXIT_DAEMON_ERROR);
        /* Failures on our side of the connection carry only an errno. */
        check(NULL, NULL, -ECONNRESET, NULL, NULL,
              "cannot reach raindd on the system bus: Connection reset by peer (is raindd.service running?)",
              EXIT_DAEMON_ERROR);
        check(
            "System.Error.ENOTCONN", "Transport endpoint is not connected", -ENOTCONN, NULL, NULL,
            "cannot reach raindd on the system bus: Transport endpoint is not connected (is raindd.service "
            "running?)",
            EXIT_DAEMON_ERROR);

        assert_true(bus_error_means_unreachable("org.freedesktop.DBus.Error.ServiceUnknown", -EHOSTUNREACH));
        assert_true(bus_error_means_unreachable(NULL, -ECONNREFUSED));
        assert_false(bus_error_means_unreachable(BUS_ERROR_NO_SUCH_CONTAINER, -ENOENT));
        assert_false(bus_error_means_unreachable("System.Error.ENOENT", -ENOENT));
        assert_false(bus_error_means_unreachable("org.freedesktop.DBus.Error.AccessDenied", -EACCES));
}

static void test_daemon_errors(void **state)
{
        check(BUS_ERROR_NO_SUCH_CONTAINER, "No such container: web", -ENOENT, "stop containers",
              "org.raind.raind1.manage-containers", "No such container: web", EXIT_DAEMON_ERROR);
        check(BUS_ERROR_NAME_IN_USE, "The container name \"web\" is already in use by 0123456789ab", -EEXIST,
              "create containers", "org.raind.raind1.manage-containers",
              "The container name \"web\" is already in use by 0123456789ab", EXIT_DAEMON_ERROR);
        check(BUS_ERROR_START_FAILED, "Failed to mount /data: No such file or directory", -EIO,
              "start containers", "org.raind.raind1.manage-containers",
              "Failed to mount /data: No such file or directory", EXIT_DAEMON_ERROR);
        check("org.freedesktop.DBus.Error.InvalidArgs", "Invalid MemoryMax: 0", -EINVAL, NULL, NULL,
              "Invalid MemoryMax: 0", EXIT_DAEMON_ERROR);
        /* A daemon that returned a bare errno. */
        check("System.Error.EEXIST", "File exists", -EEXIST, NULL, NULL, "File exists", EXIT_DAEMON_ERROR);
}

static void test_exec_errors(void **state)
{
        check(BUS_ERROR_EXEC_NOT_FOUND, "exec: \"nosuchcmd\": executable file not found", -ENOENT,
              "start containers", "org.raind.raind1.manage-containers",
              "exec: \"nosuchcmd\": executable file not found", EXIT_NOT_FOUND);
        check(BUS_ERROR_EXEC_PERMISSION, "exec: \"/etc/passwd\": permission denied", -EACCES,
              "start containers", "org.raind.raind1.manage-containers",
              "exec: \"/etc/passwd\": permission denied", EXIT_CANNOT_EXEC);
}

static void test_one_line(void **state)
{
        check(BUS_ERROR_IMAGE_JOB_FAILED, "Import failed:\nentry ../etc/passwd\tleaves the root\n", -EINVAL,
              NULL, NULL, "Import failed: entry ../etc/passwd leaves the root ", EXIT_DAEMON_ERROR);
        /* No message: the error name is better than nothing. */
        check(BUS_ERROR_AMBIGUOUS_ID, NULL, -EINVAL, NULL, NULL, BUS_ERROR_AMBIGUOUS_ID, EXIT_DAEMON_ERROR);
        check(BUS_ERROR_AMBIGUOUS_ID, "", -EINVAL, NULL, NULL, BUS_ERROR_AMBIGUOUS_ID, EXIT_DAEMON_ERROR);
}

static void test_unreachable_text(void **state)
{
        _cleanup_free_ char *text = NULL;

        assert_int_equal(
            bus_unreachable_text("cannot connect to unix:path=/run/dbus/system_bus_socket: No such "
                                 "file or directory",
                                 &text),
            0);
        assert_string_equal(text, "cannot reach raindd on the system bus: cannot connect to "
                                  "unix:path=/run/dbus/system_bus_socket: No such file or directory (is "
                                  "raindd.service running?)");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_permission_denied), cmocka_unit_test(test_unreachable),
            cmocka_unit_test(test_daemon_errors),     cmocka_unit_test(test_exec_errors),
            cmocka_unit_test(test_one_line),          cmocka_unit_test(test_unreachable_text),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
