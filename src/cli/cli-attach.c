/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <systemd/sd-event.h>

#include "raind/bus-errors.h"
#include "raind/log.h"
#include "raind/macro.h"
#include "raind/util.h"
#include "raind/validate.h"

#include "cli-attach.h"
#include "cli-bus.h"
#include "cli-error.h"

/* A second SIGINT this soon after the first one gives up waiting. */
#define DOUBLE_INTERRUPT_USEC (1 * USEC_PER_SEC)

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

typedef struct Attach {
        sd_bus *bus;
        sd_event *event;
        const char *path;
        bool remove_on_failure;
        /* The exit status as last announced by PropertiesChanged, -1 until then: with AutoRemove the
         * container may be gone before Wait() reaches it. */
        int announced_exit_status;
        uint64_t last_interrupt;
} Attach;

static int exit_loop(Attach *a, int status)
{
        return sd_event_exit(a->event, status);
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        Attach *a = userdata;
        const char *interface, *name;
        int r;

        r = sd_bus_message_read(m, "s", &interface);
        if (r < 0 || !streq(interface, RAIND_CONTAINER_INTERFACE))
                return 0;
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return 0;
        while (sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv") > 0) {
                if (sd_bus_message_read(m, "s", &name) < 0)
                        return 0;
                if (streq(name, "ExitStatus")) {
                        int32_t status;

                        if (sd_bus_message_read(m, "v", "i", &status) < 0)
                                return 0;
                        a->announced_exit_status = status;
                } else if (sd_bus_message_skip(m, "v") < 0)
                        return 0;
                if (sd_bus_message_exit_container(m) < 0)
                        return 0;
        }
        return 0;
}

static int on_wait_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        Attach *a = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        int32_t status;
        int r;

        if (e) {
                bool gone = sd_bus_error_has_names(e, BUS_ERROR_NO_SUCH_CONTAINER,
                                                   "org.freedesktop.DBus.Error.UnknownObject");

                if (gone && a->announced_exit_status >= 0) {
                        log_debug("The container is gone (%s); its exit status was announced as %d.",
                                  e->name, a->announced_exit_status);
                        return exit_loop(a, a->announced_exit_status);
                }
                if (gone) {
                        log_error("raind: The container was removed before its exit status could be read");
                        return exit_loop(a, EXIT_DAEMON_ERROR);
                }
                return exit_loop(a, cli_log_bus_error(e, sd_bus_message_get_errno(m), NULL, NULL, NULL));
        }

        r = sd_bus_message_read(m, "i", &status);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot read the exit status: %m");
                return exit_loop(a, EXIT_DAEMON_ERROR);
        }
        if (status < 0 || status > 255) {
                log_error("raind: The container has no exit status (%" PRIi32 ")", status);
                return exit_loop(a, EXIT_DAEMON_ERROR);
        }
        return exit_loop(a, status);
}

static int call_async(Attach *a, const char *member, uint64_t timeout, sd_bus_message_handler_t callback,
                      const char *types, ...)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(a->bus, &m, RAIND_BUS_NAME, a->path, RAIND_CONTAINER_INTERFACE,
                                           member);
        if (r < 0)
                return r;
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }
        log_debug("%s.%s() on %s (async)", RAIND_CONTAINER_INTERFACE, member, a->path);
        return sd_bus_call_async(a->bus, NULL, m, callback, a, timeout);
}

void container_remove_after_failure(sd_bus *bus, const char *path)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = cli_call(bus, path, RAIND_CONTAINER_INTERFACE, "Remove", CLI_CALL_TIMEOUT_USEC, &error, NULL,
                     "b", 1);
        /* With AutoRemove it may be gone already; anything else is worth a word. */
        if (r < 0 && !sd_bus_error_has_names(&error, BUS_ERROR_NO_SUCH_CONTAINER,
                                             "org.freedesktop.DBus.Error.UnknownObject"))
                cli_log_bus_error(&error, r, "Cannot remove the container", "remove containers",
                                  POLKIT_MANAGE_CONTAINERS);
}

static int on_start_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        Attach *a = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        int r, status;

        if (e) {
                status = cli_log_bus_error(e, sd_bus_message_get_errno(m), NULL, "start containers",
                                           POLKIT_MANAGE_CONTAINERS);
                if (a->remove_on_failure &&
                    !bus_error_means_unreachable(e->name, sd_bus_message_get_errno(m)))
                        container_remove_after_failure(a->bus, a->path);
                return exit_loop(a, status);
        }

        r = call_async(a, "Wait", CLI_CALL_NO_TIMEOUT, on_wait_reply, NULL);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot wait for the container: %m");
                return exit_loop(a, EXIT_DAEMON_ERROR);
        }
        return 0;
}

static int on_kill_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        const sd_bus_error *e = sd_bus_message_get_error(m);

        /* Not running (yet, or any more) is the race every forwarded signal may lose. */
        if (e && !sd_bus_error_has_name(e, BUS_ERROR_NOT_RUNNING))
                cli_log_bus_error(e, sd_bus_message_get_errno(m), "Cannot pass on the signal",
                                  "kill containers", POLKIT_MANAGE_CONTAINERS);
        return 0;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        Attach *a = userdata;
        int sig = (int)si->ssi_signo, r;

        if (sig == SIGINT) {
                uint64_t now = now_usec(CLOCK_MONOTONIC);

                if (a->last_interrupt > 0 && now - a->last_interrupt < DOUBLE_INTERRUPT_USEC) {
                        log_error("raind: Interrupted; the container was left as it is");
                        return exit_loop(a, 128 + SIGINT);
                }
                a->last_interrupt = now;
        }

        log_debug("Passing SIG%s on to the container.", signal_to_name(sig));
        r = call_async(a, "Kill", CLI_CALL_TIMEOUT_USEC, on_kill_reply, "i", sig);
        if (r < 0)
                log_error_errno(r, "raind: Cannot pass on SIG%s: %m", signal_to_name(sig));
        return 0;
}

int container_attach(sd_bus *bus, const char *path, bool remove_on_failure)
{
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        Attach a = {
            .bus = bus,
            .path = path,
            .remove_on_failure = remove_on_failure,
            .announced_exit_status = -1,
        };
        sigset_t mask;
        int r;

        r = sd_event_default(&event);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot set up the event loop: %m");
        a.event = event;

        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++)
                sigaddset(&mask, forwarded_signals[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(-errno, "raind: Cannot block signals: %m");
        for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++) {
                r = sd_event_add_signal(event, NULL, forwarded_signals[i], on_signal, &a);
                if (r < 0)
                        return log_error_errno(r, "raind: Cannot watch SIG%s: %m",
                                               signal_to_name(forwarded_signals[i]));
        }

        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot attach the bus to the event loop: %m");

        /* Installed before the start: the bus daemon handles our messages in order. Without it we
         * only lose the fallback for containers removed before Wait() arrives. */
        r = sd_bus_match_signal_async(bus, NULL, RAIND_BUS_NAME, path, "org.freedesktop.DBus.Properties",
                                      "PropertiesChanged", on_properties_changed, NULL, &a);
        if (r < 0)
                log_debug_errno(r, "Cannot watch the container's properties, ignoring: %m");

        r = call_async(&a, "StartAttached", CLI_CALL_TIMEOUT_USEC, on_start_reply, "hh", STDOUT_FILENO,
                       STDERR_FILENO);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot start the container: %m");

        r = sd_event_loop(event);
        sd_bus_detach_event(bus);
        if (r < 0)
                return log_error_errno(r, "raind: Event loop failed: %m");
        return r;
}
