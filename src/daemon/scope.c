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
        char *job; /* NULL until the StartTransientUnit reply came */
        sd_bus_slot *slot;
        scope_done_t done;
};

static JobWaiter *job_waiter_free(JobWaiter *w)
{
        if (!w)
                return NULL;
        sd_bus_slot_unref(w->slot);
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

static int on_start_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
        JobWaiter *w = userdata;
        Manager *m = w->container->manager;
        const char *job;

        w->slot = sd_bus_slot_unref(w->slot);

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

int scope_start(Container *c, pid_t pid, scope_done_t done)
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

        JobWaiter *w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->container = c;
        w->done = done;
        r = sd_bus_call_async(m->bus, &w->slot, msg, on_start_reply, w, 0);
        if (r < 0) {
                job_waiter_free(w);
                return r;
        }
        w->next = m->job_waiters;
        m->job_waiters = w;
        return 0;
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
