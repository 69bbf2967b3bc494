/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdarg.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/validate.h"

#include "cli-bus.h"
#include "cli-error.h"

int cli_bus_open(sd_bus **ret)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *text = NULL;
        const char *address;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                _cleanup_free_ char *reason = NULL;

                address = getenv("DBUS_SYSTEM_BUS_ADDRESS") ?: "unix:path=/run/dbus/system_bus_socket";
                if (asprintf(&reason, "cannot connect to %s: %s", address, strerror(-r)) < 0 ||
                    bus_unreachable_text(reason, &text) < 0)
                        return log_oom();
                log_error("raind: %s", text);
                return r;
        }

        /* polkit may ask for a password, but only if somebody is there to type it. */
        r = sd_bus_set_allow_interactive_authorization(bus, isatty(STDIN_FILENO));
        if (r < 0)
                return log_error_errno(r, "raind: Failed to set up the bus connection: %m");

        *ret = TAKE_PTR(bus);
        return 0;
}

int cli_call(sd_bus *bus, const char *path, const char *interface, const char *member, uint64_t timeout,
             sd_bus_error *error, sd_bus_message **ret_reply, const char *types, ...)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        uint64_t begin = now_usec(CLOCK_MONOTONIC);
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, RAIND_BUS_NAME, path, interface, member);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return sd_bus_error_set_errno(error, r);
        }

        r = sd_bus_call(bus, m, timeout, error, ret_reply);
        log_debug("%s.%s() on %s: %s (%" PRIu64 " ms)", interface, member, path,
                  r < 0 ? (sd_bus_error_is_set(error) ? error->name : strerror(-r)) : "ok",
                  (now_usec(CLOCK_MONOTONIC) - begin) / 1000);
        return r;
}

int cli_log_bus_error(const sd_bus_error *error, int r, const char *prefix, const char *what,
                      const char *polkit_action)
{
        _cleanup_free_ char *text = NULL;
        bool named = sd_bus_error_is_set(error);
        int status;

        if (bus_error_explain(named ? error->name : NULL, named ? error->message : NULL, r, what,
                              polkit_action, &text, &status) < 0) {
                log_oom();
                return EXIT_DAEMON_ERROR;
        }
        /* Whatever went to stdout so far belongs before this line. */
        fflush(stdout);
        if (prefix)
                log_error("raind: %s: %s", prefix, text);
        else
                log_error("raind: %s", text);
        return status;
}

int container_lookup(sd_bus *bus, const char *name_or_id, sd_bus_error *error, char **ret_path)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        char *p;
        int r;

        if (!container_name_is_valid(name_or_id))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid container name or id");

        r = cli_call(bus, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE, "GetContainer", 0, error, &reply, "s",
                     name_or_id);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);

        p = strdup(path);
        if (!p)
                return sd_bus_error_set_errno(error, -ENOMEM);
        *ret_path = p;
        return 0;
}

int container_get_string(sd_bus *bus, const char *path, const char *property, sd_bus_error *error,
                         char **ret)
{
        int r;

        r = sd_bus_get_property_string(bus, RAIND_BUS_NAME, path, RAIND_CONTAINER_INTERFACE, property, error,
                                       ret);
        log_debug("Get %s on %s: %s", property, path, r < 0 ? "failed" : "ok");
        return r;
}

int container_get_bool(sd_bus *bus, const char *path, const char *property, sd_bus_error *error, bool *ret)
{
        int b = 0, r;

        r = sd_bus_get_property_trivial(bus, RAIND_BUS_NAME, path, RAIND_CONTAINER_INTERFACE, property,
                                        error, 'b', &b);
        log_debug("Get %s on %s: %s", property, path, r < 0 ? "failed" : "ok");
        if (r < 0)
                return r;
        *ret = b;
        return 0;
}

int bus_reply_take_fd(sd_bus_message *reply, int *ret_fd)
{
        int fd, r;

        r = sd_bus_message_read(reply, "h", &fd);
        if (r < 0)
                return r;
        /* The message owns its fd; ours must not be 0-2, which the pump uses for the user's stdio. */
        fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}
