/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "config.h"
#include "container.h"
#include "events.h"
#include "image-dbus.h"
#include "image-job.h"
#include "image-worker.h"
#include "manager.h"
#include "polkit.h"
#include "raind/bus-errors.h"
#include "raind/fileio.h"
#include "raind/image-pull.h"
#include "raind/log.h"
#include "raind/strv.h"
#include "raind/util.h"

#define JOB_PATH_PREFIX "/org/raind/raind1/job"
#define JOB_INTERFACE   "org.raind.raind1.Job"
#define REPORT_LINE_MAX (64U * 1024)
#define JOB_LAYERS_MAX  128

static const char *const job_type_table[_IMAGE_JOB_TYPE_MAX] = {
    [IMAGE_JOB_IMPORT] = "import", [IMAGE_JOB_PULL] = "pull", [IMAGE_JOB_PUSH] = "push",
    [IMAGE_JOB_LOAD] = "load",     [IMAGE_JOB_SAVE] = "save", [IMAGE_JOB_LOGIN] = "login",
};

struct ImageJob {
        Manager *manager;
        ImageJob *next;
        uint32_t id;
        ImageJobParams params;
        char *path;
        sd_bus_slot *slot;
        sd_bus_message *request; /* answered at the end (import, load, save) */

        pid_t pid;
        int report_fd;
        sd_event_source *report_source;
        sd_event_source *exit_source;
        char *buffer;
        size_t buffered;

        char *reference; /* what the worker reports it works on */
        PullLayerStatus *layers;
        size_t n_layers;
        char *result; /* "ok …" or "err …" line from the worker */
        bool canceled;
};

void image_job_params_done(ImageJobParams *p)
{
        free(p->target);
        free(p->destination);
        strv_free(p->names);
        safe_close(p->fd);
        free(p->platform);
        free(p->username);
        if (p->password) {
                explicit_bzero(p->password, strlen(p->password));
                free(p->password);
        }
        *p = (ImageJobParams){.fd = -EBADF};
}

static ImageJob *image_job_free(ImageJob *j)
{
        if (!j)
                return NULL;
        if (j->pid > 0) {
                (void)kill(j->pid, SIGKILL);
                (void)waitpid(j->pid, NULL, 0);
        }
        sd_event_source_disable_unref(j->report_source);
        sd_event_source_disable_unref(j->exit_source);
        sd_bus_slot_unref(j->slot);
        sd_bus_message_unref(j->request);
        safe_close(j->report_fd);
        image_job_params_done(&j->params);
        free(j->path);
        free(j->buffer);
        free(j->reference);
        free(j->layers);
        free(j->result);
        free(j);
        return NULL;
}

void image_jobs_free(Manager *m)
{
        while (m->image_jobs) {
                ImageJob *j = m->image_jobs;
                m->image_jobs = j->next;
                image_job_free(j);
        }
}

static void job_unlink(Manager *m, ImageJob *j)
{
        for (ImageJob **p = &m->image_jobs; *p; p = &(*p)->next)
                if (*p == j) {
                        *p = j->next;
                        break;
                }
}

/* ---- the Job object ---- */

static int property_get_layers(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        ImageJob *j = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(sstt)");
        for (size_t k = 0; r >= 0 && k < j->n_layers; k++)
                r = sd_bus_message_append(reply, "(sstt)", j->layers[k].digest,
                                          pull_layer_state_to_string(j->layers[k].state), j->layers[k].done,
                                          j->layers[k].total);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int property_get_type(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        ImageJob *j = userdata;
        return sd_bus_message_append(reply, "s", job_type_table[j->params.type]);
}

static int property_get_target(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        ImageJob *j = userdata;
        return sd_bus_message_append(reply, "s", j->reference ?: strempty(j->params.target));
}

static int method_cancel(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        ImageJob *j = userdata;
        int r;

        r = polkit_verify_async(j->manager, m, POLKIT_ACTION_MANAGE_IMAGES, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        /* Downloads stay in root/downloads for the next pull to resume; the worker's work directory
         * goes when it has exited. */
        if (j->pid > 0 && !j->canceled) {
                j->canceled = true;
                (void)kill(j->pid, SIGKILL);
                log_info("Canceled %s job %" PRIu32 " (%s).", job_type_table[j->params.type], j->id,
                         strempty(j->params.target));
        }
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable job_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Id", "u", NULL, offsetof(ImageJob, id), SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Type", "s", property_get_type, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Target", "s", property_get_target, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Layers", "a(sstt)", property_get_layers, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_METHOD("Cancel", NULL, NULL, method_cancel, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

/* ---- reports from the worker ---- */

/* "progress <reference> <n> <digest>,<state>,<done>,<total> …" */
static int job_parse_progress(ImageJob *j, char *line)
{
        _cleanup_free_ PullLayerStatus *layers = NULL;
        char *save = NULL, *ref, *count;
        unsigned n;

        ref = strtok_r(line, " ", &save);
        count = strtok_r(NULL, " ", &save);
        if (!ref || !count || sscanf(count, "%u", &n) != 1 || n > JOB_LAYERS_MAX)
                return -EBADMSG;
        layers = new0(PullLayerStatus, n ?: 1);
        if (!layers)
                return -ENOMEM;
        for (unsigned k = 0; k < n; k++) {
                char *item = strtok_r(NULL, " ", &save), state[16];
                int used = 0;

                if (!item ||
                    sscanf(item, "%71[^,],%15[^,],%" SCNu64 ",%" SCNu64 "%n", layers[k].digest, state,
                           &layers[k].done, &layers[k].total, &used) != 4 ||
                    item[used] != 0)
                        return -EBADMSG;
                layers[k].state = _PULL_LAYER_STATE_MAX;
                for (PullLayerState s = 0; s < _PULL_LAYER_STATE_MAX; s++)
                        if (streq(state, pull_layer_state_to_string(s)))
                                layers[k].state = s;
                if (layers[k].state == _PULL_LAYER_STATE_MAX)
                        return -EBADMSG;
        }
        if (!streq_ptr(j->reference, ref) && free_and_strdup(&j->reference, ref) < 0)
                return -ENOMEM;
        free(j->layers);
        j->layers = TAKE_PTR(layers);
        j->n_layers = n;
        if (j->path)
                (void)sd_bus_emit_properties_changed(j->manager->bus, j->path, JOB_INTERFACE, "Target",
                                                     "Layers", NULL);
        return 0;
}

static void job_handle_line(ImageJob *j, char *line)
{
        const char *rest;

        if ((rest = startswith(line, "progress "))) {
                if (job_parse_progress(j, (char *)rest) < 0)
                        log_debug("Job %" PRIu32 ": malformed progress report.", j->id);
        } else if (startswith(line, "ok ") || startswith(line, "err ")) {
                if (free_and_strdup(&j->result, line) < 0)
                        log_oom();
        }
}

static int on_report(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        ImageJob *j = userdata;

        for (;;) {
                if (!j->buffer && !(j->buffer = malloc(REPORT_LINE_MAX + 1)))
                        return log_oom();
                ssize_t n = read(fd, j->buffer + j->buffered, REPORT_LINE_MAX - j->buffered);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) /* EAGAIN: all read; anything else ends with the worker's exit */
                        return 0;
                if (n == 0) {
                        /* The worker is gone or done; its exit finishes the job. */
                        (void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
                        return 0;
                }
                j->buffered += (size_t)n;
                char *start = j->buffer, *nl;
                while ((nl = memchr(start, '\n', j->buffered - (size_t)(start - j->buffer)))) {
                        *nl = 0;
                        job_handle_line(j, start);
                        start = nl + 1;
                }
                j->buffered -= (size_t)(start - j->buffer);
                memmove(j->buffer, start, j->buffered);
                if (j->buffered == REPORT_LINE_MAX)
                        j->buffered = 0; /* a line that long is not one of ours */
        }
}

/* Layers and blobs that removals made unused while workers ran go once none runs. */
static void image_store_gc(Manager *m)
{
        int r;

        if (!m->image_gc_pending)
                return;
        m->image_gc_pending = false;
        r = image_store_collect(m->images);
        if (r < 0)
                log_warning_errno(r, "Cannot remove unused layers and blobs: %m");
}

void image_store_removed(Manager *m)
{
        if (m->image_jobs)
                m->image_gc_pending = true;
}

/* The image events a finished job stands for. */
static void job_event(ImageJob *j, const char *value)
{
        Manager *m = j->manager;
        _cleanup_free_ char *familiar = NULL;

        switch (j->params.type) {
        case IMAGE_JOB_PULL:
                (void)image_reference_normalize(j->reference ?: j->params.target, &familiar);
                image_event(m, "pull", value, familiar ?: j->params.target);
                image_object_added(m, value);
                break;
        case IMAGE_JOB_PUSH:
                image_event(m, "push", value, j->reference ?: j->params.target);
                break;
        case IMAGE_JOB_IMPORT:
                image_event(m, "import", value, j->params.target);
                image_object_added(m, value);
                break;
        case IMAGE_JOB_LOAD:
                for (const char *p = value; *p;) {
                        size_t n = strcspn(p, " ");
                        _cleanup_free_ char *ref = strndup(p, n);
                        if (ref && n > 0)
                                image_event(m, "load", NULL, ref);
                        p += n + strspn(p + n, " ");
                }
                break;
        case IMAGE_JOB_SAVE:
                STRV_FOREACH (name, j->params.names)
                        image_event(m, "save", NULL, *name);
                break;
        default:
                break;
        }
}

static void job_finish(ImageJob *j, bool ok, const char *value)
{
        Manager *m = j->manager;
        const char *type = job_type_table[j->params.type];
        const char *target = j->reference ?: strempty(j->params.target);
        const char *result = ok ? "done" : j->canceled ? "canceled" : "failed";

        if (ok) {
                log_info("Image %s of %s done%s%.12s.", type, target, isempty(value) ? "" : ": ",
                         strempty(value));
                job_event(j, value);
        } else
                log_info("Image %s of %s %s: %s", type, target, result, value);

        if (j->request) {
                if (ok)
                        (void)bus_reply_image_job(j->request, j->params.type, value);
                else
                        (void)sd_bus_reply_method_errorf(j->request, BUS_ERROR_IMAGE_JOB_FAILED,
                                                         "Cannot %s %s: %s", type, target, value);
        }
        if (j->path) {
                (void)sd_bus_emit_signal(m->bus, "/org/raind/raind1", "org.raind.raind1.Manager",
                                         "JobRemoved", "uossss", j->id, j->path, type, result,
                                         ok ? strempty(value) : "", ok ? "" : value);
                (void)sd_bus_emit_object_removed(m->bus, j->path);
        }
}

static int on_worker_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        ImageJob *j = userdata;
        Manager *m = j->manager;
        siginfo_t si = {};

        (void)waitid(P_PID, (id_t)j->pid, &si, WEXITED);
        j->pid = 0;
        /* What it wrote before it exited. */
        (void)on_report(j->report_source, j->report_fd, EPOLLIN, j);

        image_worker_cleanup(m, j->id);
        const char *ok = startswith(strempty(j->result), "ok ");
        const char *err = startswith(strempty(j->result), "err ");
        if (si.si_code == CLD_EXITED && si.si_status == 0 && ok)
                job_finish(j, true, ok);
        else
                job_finish(j, false, j->canceled ? "canceled" : err ? err : "the worker died");

        job_unlink(m, j);
        image_job_free(j);
        if (!m->image_jobs)
                image_store_gc(m);
        return 0;
}

int image_job_start(Manager *m, sd_bus_message *request, ImageJobParams *p)
{
        _cleanup_close_pair_ int report[2] = {-EBADF, -EBADF};
        ImageJob *j;
        int r;

        j = new0(ImageJob, 1);
        if (!j)
                return -ENOMEM;
        j->manager = m;
        j->report_fd = -EBADF;
        j->id = ++m->image_job_next_id;
        j->params = *p;
        *p = (ImageJobParams){.fd = -EBADF};

        if (pipe2(report, O_CLOEXEC) < 0) {
                r = -errno;
                goto fail;
        }
        pid_t pid = fork();
        if (pid < 0) {
                r = -errno;
                goto fail;
        }
        if (pid == 0) {
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                report[0] = safe_close(report[0]);
                _exit(image_worker_run(m, j->id, &j->params, report[1]) < 0 ? 1 : 0);
        }
        j->pid = pid;
        j->report_fd = TAKE_FD(report[0]);
        (void)fcntl(j->report_fd, F_SETFL, O_NONBLOCK);

        r = sd_event_add_io(m->event, &j->report_source, j->report_fd, EPOLLIN, on_report, j);
        if (r < 0)
                goto fail;
        int pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                r = -errno;
                goto fail;
        }
        r = sd_event_add_io(m->event, &j->exit_source, pidfd, EPOLLIN, on_worker_exit, j);
        if (r < 0) {
                safe_close(pidfd);
                goto fail;
        }
        (void)sd_event_source_set_io_fd_own(j->exit_source, true);

        if (j->params.type == IMAGE_JOB_PULL || j->params.type == IMAGE_JOB_PUSH) {
                if (asprintf(&j->path, JOB_PATH_PREFIX "/%" PRIu32, j->id) < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = sd_bus_add_object_vtable(m->bus, &j->slot, j->path, JOB_INTERFACE, job_vtable, j);
                if (r < 0)
                        goto fail;
                (void)sd_bus_emit_object_added(m->bus, j->path);
                r = sd_bus_reply_method_return(request, "o", j->path);
                if (r < 0)
                        goto fail;
        } else
                j->request = sd_bus_message_ref(request);

        j->next = m->image_jobs;
        m->image_jobs = j;
        log_debug("Started image %s job %" PRIu32 " (worker %d).", job_type_table[j->params.type], j->id,
                  (int)pid);
        return 0;

fail:
        if (j->pid > 0) {
                (void)kill(j->pid, SIGKILL);
                (void)waitpid(j->pid, NULL, 0);
                j->pid = 0;
                image_worker_cleanup(m, j->id);
        }
        image_job_free(j);
        return r;
}
