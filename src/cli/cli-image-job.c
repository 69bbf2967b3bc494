/* SPDX-License-Identifier: Apache-2.0 */
/* Following a pull or push job of raindd: progress from PropertiesChanged, the end from JobRemoved. */
#include <inttypes.h>
#include <signal.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/util.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-image-job.h"
#include "cli-progress.h"
#include "cli-terminal.h"

/* After Cancel(), how long we wait for the job to say it is gone. */
#define CANCEL_WAIT_USEC (10 * USEC_PER_SEC)
#define JOB_LAYERS_MAX   256

typedef struct LayerView {
        char digest[72];
        char state[16];
        uint64_t done;
        uint64_t total;
} LayerView;

typedef struct JobFollow {
        sd_bus *bus;
        sd_event *event;
        bool push, quiet, terminal;
        const char *name, *what, *polkit_action;
        char *path;  /* of the Job, once PullImage answered */
        bool cancel; /* interrupted: cancel as soon as the path is known */
        bool canceled;

        LayerView *layers, *shown; /* now, and as last printed */
        size_t n_layers, n_shown;
        size_t lines_drawn; /* on a terminal: how far up the next redraw starts */

        ImageJobResult result;
        int status; /* the exit status once ended */
} JobFollow;

void image_job_result_done(ImageJobResult *r)
{
        r->image_id = mfree(r->image_id);
        r->target = mfree(r->target);
}

/* For the steps before the loop runs: log_error_errno() said why; give up. */
static int fail(int r _unused_)
{
        return EXIT_DAEMON_ERROR;
}

static int follow_exit(JobFollow *f, int status)
{
        f->status = status;
        return sd_event_exit(f->event, status);
}

static void draw(JobFollow *f)
{
        uint16_t rows, cols = 0;

        if (f->quiet)
                return;
        if (f->terminal) {
                if (terminal_get_size(STDOUT_FILENO, &rows, &cols) < 0)
                        cols = 0;
                if (f->lines_drawn > 0)
                        printf("\033[%zuA", f->lines_drawn);
                for (size_t i = 0; i < f->n_layers; i++) {
                        _cleanup_free_ char *line = NULL;
                        const LayerView *l = f->layers + i;

                        /* One column short of the width: a full line would wrap on some terminals. */
                        if (progress_line_format(l->digest, l->state, l->done, l->total, f->push, true,
                                                 cols > 1 ? cols - 1 : 0, &line) < 0)
                                continue;
                        printf("\r\033[2K%s\n", line);
                }
                f->lines_drawn = MAX(f->lines_drawn, f->n_layers);
                for (size_t i = f->n_layers; i < f->lines_drawn; i++)
                        printf("\r\033[2K\n");
        } else
                for (size_t i = 0; i < f->n_layers; i++) {
                        _cleanup_free_ char *line = NULL;
                        const LayerView *l = f->layers + i;
                        bool changed = true;

                        for (size_t k = 0; k < f->n_shown; k++)
                                if (streq(f->shown[k].digest, l->digest))
                                        changed = !streq(f->shown[k].state, l->state);
                        if (!changed || progress_line_format(l->digest, l->state, l->done, l->total, f->push,
                                                             false, 0, &line) < 0)
                                continue;
                        puts(line);
                }
        fflush(stdout);

        free(f->shown);
        f->shown = f->n_layers > 0 ? new0(LayerView, f->n_layers) : NULL;
        f->n_shown = f->shown ? f->n_layers : 0;
        if (f->shown)
                memcpy(f->shown, f->layers, f->n_layers * sizeof(LayerView));
}

static int read_layers(JobFollow *f, sd_bus_message *m)
{
        _cleanup_free_ LayerView *layers = NULL;
        const char *digest, *state;
        uint64_t done, total;
        size_t n = 0;
        int r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, "a(sstt)");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "(sstt)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "(sstt)", &digest, &state, &done, &total)) > 0) {
                LayerView *grown;

                if (n >= JOB_LAYERS_MAX)
                        continue;
                grown = reallocarray(layers, n + 1, sizeof(LayerView));
                if (!grown)
                        return -ENOMEM;
                layers = grown;
                layers[n] = (LayerView){.done = done, .total = total};
                snprintf(layers[n].digest, sizeof(layers[n].digest), "%s", digest);
                snprintf(layers[n].state, sizeof(layers[n].state), "%s", state);
                if (streq(state, "downloading") || streq(state, "extracting") || streq(state, "done"))
                        f->result.transferred = true;
                n++;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;

        free(f->layers);
        f->layers = TAKE_PTR(layers);
        f->n_layers = n;
        return 0;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        JobFollow *f = userdata;
        const char *interface, *name, *target;
        bool layers = false;
        int r;

        if (!f->path || !streq_ptr(sd_bus_message_get_path(m), f->path))
                return 0;
        r = sd_bus_message_read(m, "s", &interface);
        if (r < 0 || !streq(interface, RAIND_JOB_INTERFACE))
                return 0;
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return 0;
        while (sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv") > 0) {
                if (sd_bus_message_read(m, "s", &name) < 0)
                        return 0;
                if (streq(name, "Layers")) {
                        if (read_layers(f, m) < 0)
                                return 0;
                        layers = true;
                } else if (streq(name, "Target")) {
                        if (sd_bus_message_read(m, "v", "s", &target) < 0)
                                return 0;
                        if (!isempty(target) && free_and_strdup(&f->result.target, target) < 0)
                                return log_oom();
                } else if (sd_bus_message_skip(m, "v") < 0)
                        return 0;
                if (sd_bus_message_exit_container(m) < 0)
                        return 0;
        }
        if (layers)
                draw(f);
        return 0;
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        JobFollow *f = userdata;
        const char *path, *type, *result, *image_id, *error;
        uint32_t id;
        int r;

        r = sd_bus_message_read(m, "uossss", &id, &path, &type, &result, &image_id, &error);
        if (r < 0 || !f->path || !streq(path, f->path))
                return 0;

        if (streq(result, "done")) {
                if (free_and_strdup(&f->result.image_id, image_id) < 0)
                        return log_oom();
                return follow_exit(f, 0);
        }
        fflush(stdout);
        if (streq(result, "canceled") || f->canceled) {
                log_error("raind: Canceled the %s of %s", type, f->result.target ?: f->name);
                return follow_exit(f, 128 + SIGINT);
        }
        log_error("raind: Cannot %s %s: %s", type, f->result.target ?: f->name, error);
        return follow_exit(f, EXIT_USAGE);
}

static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        JobFollow *f = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || !streq(name, RAIND_BUS_NAME))
                return 0;
        if (isempty(new_owner)) {
                fflush(stdout);
                log_error("raind: raindd went away before the job ended (is raindd.service running?)");
                return follow_exit(f, EXIT_DAEMON_ERROR);
        }
        return 0;
}

static int on_cancel_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        JobFollow *f = userdata;

        log_error("raind: Interrupted; raindd did not confirm that the job was canceled");
        return follow_exit(f, 128 + SIGINT);
}

static void job_cancel(JobFollow *f)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        if (f->canceled)
                return;
        f->canceled = true;
        r = cli_call(f->bus, f->path, RAIND_JOB_INTERFACE, "Cancel", CLI_CALL_TIMEOUT_USEC, &error, NULL,
                     NULL);
        if (r < 0) {
                /* Gone already: JobRemoved is on its way. */
                if (!sd_bus_error_has_name(&error, SD_BUS_ERROR_UNKNOWN_OBJECT))
                        cli_log_bus_error(&error, r, "Cannot cancel the job", f->what, f->polkit_action);
        }
        (void)sd_event_add_time_relative(f->event, NULL, CLOCK_MONOTONIC, CANCEL_WAIT_USEC, 0,
                                         on_cancel_timeout, f);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        JobFollow *f = userdata;

        if (f->canceled || f->cancel)
                /* Asked twice: stop waiting. */
                return follow_exit(f, 128 + SIGINT);
        f->cancel = true;
        if (f->path)
                job_cancel(f);
        return 0;
}

static int on_start_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        JobFollow *f = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        const char *path;
        int r;

        if (e)
                return follow_exit(
                    f, cli_log_bus_error(e, sd_bus_message_get_errno(m), NULL, f->what, f->polkit_action));
        r = sd_bus_message_read(m, "o", &path);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot read the job's path: %m");
                return follow_exit(f, EXIT_DAEMON_ERROR);
        }
        f->path = strdup(path);
        if (!f->path) {
                log_oom();
                return follow_exit(f, EXIT_DAEMON_ERROR);
        }
        log_debug("Following job %s.", f->path);
        if (f->cancel)
                job_cancel(f);
        return 0;
}

int image_job_follow(sd_bus *bus, sd_bus_message *call, const char *name, bool push, bool quiet,
                     const char *what, const char *polkit_action, ImageJobResult *ret)
{
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        JobFollow f = {
            .bus = bus,
            .name = name,
            .push = push,
            .quiet = quiet,
            .terminal = isatty(STDOUT_FILENO),
            .what = what,
            .polkit_action = polkit_action,
            .status = EXIT_DAEMON_ERROR,
        };
        sigset_t mask;
        int r;

        r = sd_event_default(&event);
        if (r < 0)
                return fail(log_error_errno(r, "raind: Cannot set up the event loop: %m"));
        f.event = event;

        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return fail(log_error_errno(-errno, "raind: Cannot block signals: %m"));
        r = sd_event_add_signal(event, NULL, SIGINT, on_signal, &f);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGTERM, on_signal, &f);
        if (r < 0)
                return fail(log_error_errno(r, "raind: Cannot watch signals: %m"));

        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return fail(log_error_errno(r, "raind: Cannot attach the bus to the event loop: %m"));

        /* Before the call: the job may report, and even end, before its path reaches us. The bus
         * daemon handles our messages in order, so synchronous matches are in place in time. */
        r = sd_bus_match_signal(bus, NULL, RAIND_BUS_NAME, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE,
                                "JobRemoved", on_job_removed, &f);
        if (r >= 0)
                r = sd_bus_add_match(
                    bus, NULL,
                    "type='signal',sender='" RAIND_BUS_NAME "',"
                    "interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
                    "path_namespace='" RAIND_JOB_PATH_PREFIX "'",
                    on_properties_changed, &f);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "NameOwnerChanged", on_owner_changed, &f);
        if (r < 0) {
                sd_bus_detach_event(bus);
                return fail(log_error_errno(r, "raind: Cannot watch the job: %m"));
        }

        r = sd_bus_call_async(bus, NULL, call, on_start_reply, &f, CLI_CALL_NO_TIMEOUT);
        if (r < 0) {
                sd_bus_detach_event(bus);
                return fail(log_error_errno(r, "raind: Cannot ask raindd: %m"));
        }

        r = sd_event_loop(event);
        sd_bus_detach_event(bus);
        if (r < 0 && f.status == EXIT_DAEMON_ERROR)
                log_error_errno(r, "raind: Lost track of the job: %m");

        free(f.path);
        free(f.layers);
        free(f.shown);
        if (f.status == 0)
                *ret = f.result;
        else
                image_job_result_done(&f.result);
        return f.status;
}

int bus_append_registry_options(sd_bus_message *m, const char *platform, bool tls_verify,
                                const char *username, const char *password)
{
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && platform)
                r = sd_bus_message_append(m, "{sv}", "Platform", "s", platform);
        if (r >= 0)
                r = sd_bus_message_append(m, "{sv}", "TLSVerify", "b", (int)tls_verify);
        if (r >= 0 && username)
                r = sd_bus_message_append(m, "{sv}", "Username", "s", username);
        if (r >= 0 && username)
                r = sd_bus_message_append(m, "{sv}", "Password", "s", strempty(password));
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}
