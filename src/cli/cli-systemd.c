/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdarg.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/util.h"

#include "cli-systemd.h"

int systemd_call(sd_bus *bus, const char *member, sd_bus_error *error, sd_bus_message **ret_reply,
                 const char *types, ...)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        uint64_t begin = now_usec(CLOCK_MONOTONIC);
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_BUS_NAME, SYSTEMD_MANAGER_PATH,
                                           SYSTEMD_MANAGER_INTERFACE, member);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return sd_bus_error_set_errno(error, r);
        }

        r = sd_bus_call(bus, m, 0, error, ret_reply);
        log_debug("%s.%s(): %s (%" PRIu64 " ms)", SYSTEMD_MANAGER_INTERFACE, member,
                  r < 0 ? (sd_bus_error_is_set(error) ? error->name : strerror(-r)) : "ok",
                  (now_usec(CLOCK_MONOTONIC) - begin) / 1000);
        return r;
}

int systemd_get_unit_path(sd_bus *bus, const char *unit, sd_bus_error *error, char **ret_path)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        char *p;
        int r;

        r = systemd_call(bus, "GetUnit", error, &reply, "s", unit);
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
