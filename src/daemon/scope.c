/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>

#include "container.h"
#include "manager.h"
#include "raind/log.h"
#include "raind/util.h"
#include "scope.h"

/* Containers live in a transient scope each. The shim is put into it before it creates anything,
 * so everything the container ever forks is accounted to the scope, never to raindd.service. */

struct JobWaiter {
        JobWaiter *next;
        Container *container;
        pid_t pid;
        unsigned attempts;
        sd_event_source *retry_timer;
        char *job; /* NULL until the StartTransientUnit reply came */
        sd_bus_slot *slot;
        scope_done_t done;
};

static JobWaiter *job_waiter_free(JobWaiter *w)
{
        if (!w)
                return NULL;
        sd_bus_slot_unref(w->slot);
        sd_event_source_disable_unref(w->retry_timer);
        free(w->job);
        free(w);
        return NULL;
}

static void job_waiter_unlink(Manager *m, JobWaiter *w)
{
        for (JobWaiter **p = &m->job_waiters; *p; p = &(*p)->next)
                if (*p == w) {
                        *p = w->next;
                        return;
                }
}

void job_waiters_free(Manager *m)
{
        while (m->job_waiters) {
                JobWaiter *w = m->job_waiters;
                m->job_waiters = w->next;
                job_waiter_free(w);
        }
        for (size_t i = 0; i < ELEMENTSOF(m->finished_jobs); i++) {
                free(m->finished_jobs[i].path);
                free(m->finished_jobs[i].result);
        }
}

static void job_finish(Manager *m, JobWaiter *w, const char *result)
{
        Container *c = w->container;
        scope_done_t done = w->done;
        job_waiter_unlink(m, w);
        job_waiter_free(w);

        if (streq(result, "done"))
                done(c, 0, NULL);
        else {
                char msg[256];
                snprintf(msg, sizeof(msg), "systemd could not start the scope %s (job result: %s)", c->unit,
                         result);
                done(c, -EIO, msg);
        }
}

static int on_job_removed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
        Manager *m = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(message, "uoss", &id, &path, &unit, &result) < 0)
                return 0;

        for (JobWaiter *w = m->job_waiters; w; w = w->next)
                if (w->job && streq(w->job, path)) {
                        job_finish(m, w, result);
                        return 0;
                }

        /* Remember it: the StartTransientUnit reply for it may still be on its way. */
        unsigned i = m->finished_jobs_next++ % ELEMENTSOF(m->finished_jobs);
        free(m->finished_jobs[i].path);
        free(m->finished_jobs[i].result);
        m->finished_jobs[i].path = strdup(path);
        m->finished_jobs[i].result = strdup(result);
        return 0;
}

int scope_setup(Manager *m)
{
        int r;

        r = sd_bus_match_signal_async(m->bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                      "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, NULL,
                                      m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch systemd jobs: %m");
        r = sd_bus_call_method_async(m->bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                     "org.freedesktop.systemd1.Manager", "Subscribe", NULL, NULL, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to systemd: %m");
        return 0;
}

static int scope_send_start(JobWaiter *w);

#define SCOPE_RETRIES    50
#define SCOPE_RETRY_USEC (20 * 1000ULL)

static int on_retry_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        JobWaiter *w = userdata;
        w->retry_timer = sd_event_source_disable_unref(w->retry_timer);
        int r = scope_send_start(w);
        if (r < 0) {
                Container *c = w->container;
                scope_done_t done = w->done;
                job_waiter_unlink(c->manager, w);
                job_waiter_free(w);
                done(c, r, "Failed to ask systemd for a scope");
        }
        return 0;
}

static int on_start_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
        JobWaiter *w = userdata;
        Manager *m = w->container->manager;
        const char *job;

        w->slot = sd_bus_slot_unref(w->slot);

        if (sd_bus_message_is_method_error(reply, "org.freedesktop.systemd1.UnitExists") &&
            w->attempts++ < SCOPE_RETRIES) {
                /* The scope of the container's last run (or of a removed namesake) is still loaded:
                 * systemd collects it in a moment. */
                if (sd_event_add_time_relative(m->event, &w->retry_timer, CLOCK_MONOTONIC, SCOPE_RETRY_USEC,
                                               0, on_retry_timer, w) >= 0)
                        return 0;
        }
        if (sd_bus_message_is_method_error(reply, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(reply);
                Container *c = w->container;
                scope_done_t done = w->done;
                char msg[512];
                snprintf(msg, sizeof(msg), "systemd refused to create %s: %s", c->unit, e->message);
                job_waiter_unlink(m, w);
                job_waiter_free(w);
                done(c, -sd_bus_error_get_errno(e) ?: -EIO, msg);
                return 0;
        }
        if (sd_bus_message_read(reply, "o", &job) < 0 || !(w->job = strdup(job))) {
                Container *c = w->container;
                scope_done_t done = w->done;
                job_waiter_unlink(m, w);
                job_waiter_free(w);
                done(c, -EIO, "unexpected reply from systemd");
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(m->finished_jobs); i++)
                if (streq_ptr(m->finished_jobs[i].path, job)) {
                        job_finish(m, w, m->finished_jobs[i].result);
                        return 0;
                }
        return 0;
}

static int append_property_t(sd_bus_message *msg, const char *name, uint64_t value)
{
        return sd_bus_message_append(msg, "(sv)", name, "t", value);
}

static int scope_build_start_message(Container *c, pid_t pid, sd_bus_message **ret)
{
        Manager *m = c->manager;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = NULL;
        char description[256];
        int r;

        r = sd_bus_message_new_method_call(m->bus, &msg, "org.freedesktop.systemd1",
                                           "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                           "StartTransientUnit");
        if (r < 0)
                return r;
        r = sd_bus_message_append(msg, "ss", c->unit, "fail");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(msg, 'a', "(sv)");
        if (r < 0)
                return r;
        snprintf(description, sizeof(description), "raind container %s", c->name);
        r = sd_bus_message_append(msg, "(sv)(sv)(sv)(sv)(sv)", "Description", "s", description, "Slice", "s",
                                  "raind.slice", "Delegate", "b", 1, "CollectMode", "s",
                                  "inactive-or-failed", "PIDs", "au", 1, (uint32_t)pid);
        if (r < 0)
                return r;
        /* Like `docker stop`: ten seconds from SIGTERM to SIGKILL when systemd stops the scope. */
        r = append_property_t(msg, "TimeoutStopUSec", 10 * USEC_PER_SEC);
        /* What `raind container stats` reads back (enforced only where the controllers exist). */
        if (r >= 0)
                r = sd_bus_message_append(msg, "(sv)(sv)(sv)(sv)", "CPUAccounting", "b", 1,
                                          "MemoryAccounting", "b", 1, "TasksAccounting", "b", 1,
                                          "IOAccounting", "b", 1);
        if (r >= 0 && c->config.memory_max > 0)
                r = append_property_t(msg, "MemoryMax", c->config.memory_max);
        if (r >= 0 && c->config.cpu_quota_per_sec_usec > 0)
                r = append_property_t(msg, "CPUQuotaPerSecUSec", c->config.cpu_quota_per_sec_usec);
        if (r >= 0 && c->config.tasks_max > 0)
                r = append_property_t(msg, "TasksMax", c->config.tasks_max);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(msg);
        if (r >= 0)
                r = sd_bus_message_append(msg, "a(sa(sv))", 0);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(msg);
        return 0;
}

static int scope_send_start(JobWaiter *w)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = NULL;
        int r = scope_build_start_message(w->container, w->pid, &msg);
        if (r < 0)
                return r;
        return sd_bus_call_async(w->container->manager->bus, &w->slot, msg, on_start_reply, w, 0);
}

int scope_start(Container *c, pid_t pid, scope_done_t done)
{
        Manager *m = c->manager;
        JobWaiter *w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->container = c;
        w->done = done;
        w->pid = pid;
        int r = scope_send_start(w);
        if (r < 0) {
                job_waiter_free(w);
                return r;
        }
        w->next = m->job_waiters;
        m->job_waiters = w;
        return 0;
}

/* After a failed start the scope may still be there, holding nothing: stop it. */
void scope_stop(Container *c)
{
        int r = sd_bus_call_method_async(c->manager->bus, NULL, "org.freedesktop.systemd1",
                                         "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                         "StopUnit", NULL, NULL, "ss", c->unit, "replace");
        if (r < 0)
                log_debug_errno(r, "Failed to stop %s: %m", c->unit);
}

void scope_cancel(Container *c)
{
        Manager *m = c->manager;
        for (JobWaiter *w = m->job_waiters; w;) {
                JobWaiter *next = w->next;
                if (w->container == c) {
                        job_waiter_unlink(m, w);
                        job_waiter_free(w);
                }
                w = next;
        }
}
