/* SPDX-License-Identifier: Apache-2.0 */
#include "raind/bus-errors.h"
#include "raind/macro.h"

#include "cli-error.h"

/* polkit (or the bus policy) said no. */
static const char *const denied_errors[] = {
    "org.freedesktop.DBus.Error.AccessDenied",
    "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
    NULL,
};

/* Nobody owns org.raind.raind1, or it went away while we waited for it. */
static const char *const unreachable_errors[] = {
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.NoReply",
    "org.freedesktop.DBus.Error.Disconnected",
    "org.freedesktop.DBus.Error.NoServer",
    "org.freedesktop.DBus.Error.Timeout",
    NULL,
};

static bool error_name_in(const char *name, const char *const *list)
{
        for (; *list; list++)
                if (streq(name, *list))
                        return true;
        return false;
}

static bool errno_means_unreachable(int error)
{
        switch (abs(error)) {
        case ECONNREFUSED:
        case ECONNRESET:
        case ENOTCONN:
        case EPIPE:
        case ESHUTDOWN:
                return true;
        default:
                return false;
        }
}

/* The daemon's text, on one line whatever it holds. */
static char *one_line(const char *s)
{
        char *c = strdup(s);

        if (!c)
                return NULL;
        for (char *p = c; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        *p = ' ';
        return c;
}

int bus_unreachable_text(const char *reason, char **ret_text)
{
        if (asprintf(ret_text, "cannot reach raindd on the system bus: %s (is raindd.service running?)",
                     reason) < 0)
                return -ENOMEM;
        return 0;
}

int bus_error_explain(const char *error_name, const char *error_message, int error, const char *what,
                      const char *polkit_action, char **ret_text, int *ret_exit_status)
{
        _cleanup_free_ char *message = NULL;
        char *text;
        int status = EXIT_DAEMON_ERROR, r;

        /* sd-bus names errors of our side of the connection after their errno. */
        if (isempty(error_name) || startswith(error_name, "System.Error.")) {
                const char *reason = isempty(error_message) ? strerror(abs(error)) : error_message;

                if (errno_means_unreachable(error))
                        r = bus_unreachable_text(reason, &text);
                else
                        r = (text = one_line(reason)) ? 0 : -ENOMEM;
                if (r < 0)
                        return r;
                *ret_text = text;
                *ret_exit_status = EXIT_DAEMON_ERROR;
                return 0;
        }

        message = one_line(isempty(error_message) ? error_name : error_message);
        if (!message)
                return -ENOMEM;

        if (error_name_in(error_name, denied_errors)) {
                if (what && polkit_action)
                        r = asprintf(&text, "permission denied: not authorized to %s (polkit action %s)",
                                     what, polkit_action);
                else
                        r = asprintf(&text, "permission denied: %s", message);
                if (r < 0)
                        return -ENOMEM;
        } else if (error_name_in(error_name, unreachable_errors)) {
                r = bus_unreachable_text(message, &text);
                if (r < 0)
                        return r;
        } else {
                if (streq(error_name, BUS_ERROR_EXEC_NOT_FOUND))
                        status = EXIT_NOT_FOUND;
                else if (streq(error_name, BUS_ERROR_EXEC_PERMISSION))
                        status = EXIT_CANNOT_EXEC;
                text = TAKE_PTR(message);
        }

        *ret_text = text;
        *ret_exit_status = status;
        return 0;
}

bool bus_error_means_unreachable(const char *error_name, int error)
{
        if (isempty(error_name) || startswith(error_name, "System.Error."))
                return errno_means_unreachable(error);
        return error_name_in(error_name, unreachable_errors);
}
