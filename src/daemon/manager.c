/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "container.h"
#include "manager.h"
#include "image-job.h"
#include "polkit.h"
#include "raind/fileio.h"
#include "raind/log.h"
#include "raind/validate.h"
#include "scope.h"

int manager_new(Manager **ret)
{
        _cleanup_(manager_freep) Manager *m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;

        const char *state = getenv("RAIND_STATE_DIR"), *runtime = getenv("RAIND_RUNTIME_DIR"),
                   *shim = getenv("RAIND_SHIM");
        m->state_dir = strdup(state ?: RAIND_STATE_DIR);
        m->runtime_dir = strdup(runtime ?: RAIND_RUNTIME_DIR);
        m->shim_path = strdup(shim ?: RAIND_SHIM_PATH);
        if (!m->state_dir || !m->runtime_dir || !m->shim_path)
                return -ENOMEM;
        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m)
{
        if (!m)
                return NULL;
        while (m->containers) {
                Container *c = m->containers;
                m->containers = c->next;
                container_free(c);
        }
        polkit_queries_free(m);
        image_jobs_free(m);
        job_waiters_free(m);
        image_store_free(m->images);
        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        free(m->state_dir);
        free(m->runtime_dir);
        free(m->shim_path);
        free(m);
        return NULL;
}

Container *manager_container_by_name(Manager *m, const char *name)
{
        for (Container *c = m->containers; c; c = c->next)
                if (streq(c->name, name))
                        return c;
        return NULL;
}

Container *manager_container_by_id(Manager *m, const char *id)
{
        for (Container *c = m->containers; c; c = c->next)
                if (streq(c->id, id))
                        return c;
        return NULL;
}

int manager_find_container(Manager *m, const char *name_or_id, Container **ret)
{
        Container *found = NULL;

        /* Like Docker: a full id, then a name, then a unique id prefix. */
        if ((found = manager_container_by_id(m, name_or_id)) ||
            (found = manager_container_by_name(m, name_or_id))) {
                *ret = found;
                return 0;
        }
        if (!id_prefix_is_valid(name_or_id))
                return -ENOENT;
        size_t l = strlen(name_or_id);
        for (Container *c = m->containers; c; c = c->next)
                if (strncmp(c->id, name_or_id, l) == 0) {
                        if (found)
                                return -ENOTUNIQ;
                        found = c;
                }
        if (!found)
                return -ENOENT;
        *ret = found;
        return 0;
}

bool manager_image_in_use(Manager *m, const char *image_id, bool running_only)
{
        for (Container *c = m->containers; c; c = c->next)
                if (streq_ptr(c->config.image_id, image_id) &&
                    (!running_only || (c->state != CONTAINER_CREATED && c->state != CONTAINER_EXITED)))
                        return true;
        return false;
}

/* Reads every container record; drops the remains of creations that never finished. */
static int manager_load_containers(Manager *m)
{
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "%s/containers", m->state_dir) < 0)
                return -ENOMEM;
        _cleanup_(closedirp) DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : log_error_errno(-errno, "Failed to open %s: %m", dir);

        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.' && !streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        _cleanup_free_ char *p = NULL;
                        if (asprintf(&p, "%s/%s", dir, de->d_name) >= 0 && startswith(de->d_name, ".tmp-"))
                                (void)rm_rf(p);
                        continue;
                }
                if (!container_id_is_valid(de->d_name))
                        continue;

                Container *c;
                if (container_load(m, de->d_name, &c) < 0) {
                        _cleanup_free_ char *p = NULL, *record = NULL;
                        /* A directory without a record is a removal that was cut short. */
                        if (asprintf(&p, "%s/%s", dir, de->d_name) >= 0 &&
                            asprintf(&record, "%s/container.json", p) >= 0 && access(record, F_OK) < 0 &&
                            errno == ENOENT)
                                (void)rm_rf(p);
                        continue;
                }
                if (manager_container_by_name(m, c->name)) {
                        log_warning("Ignoring container %s: name %s is taken twice.", c->id, c->name);
                        container_free(c);
                        continue;
                }
                c->next = m->containers;
                if (m->containers)
                        m->containers->prev = c;
                m->containers = c;
                m->n_containers++;
        }

        for (Container *c = m->containers, *next; c; c = next) {
                next = c->next; /* adoption may remove an --rm container that exited meanwhile */
                (void)container_adopt(c);
        }
        return 0;
}

/* raindd holds two pidfds per running container: lift the soft file limit to the hard one (allowed
 * without privilege), so that a thousand containers do not exhaust the default 1024. */
static void manager_raise_nofile(Manager *m)
{
        if (getrlimit(RLIMIT_NOFILE, &m->saved_nofile) < 0)
                return;
        struct rlimit rl = {.rlim_cur = m->saved_nofile.rlim_max, .rlim_max = m->saved_nofile.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                log_warning_errno(-errno, "Failed to raise the file limit to %llu: %m",
                                  (unsigned long long)rl.rlim_cur);
}

int manager_startup(Manager *m)
{
        _cleanup_free_ char *containers = NULL, *rt = NULL;
        int r;

        if (asprintf(&containers, "%s/containers", m->state_dir) < 0 ||
            asprintf(&rt, "%s/containers", m->runtime_dir) < 0)
                return log_oom();
        r = mkdir_p(containers, 0700);
        if (r >= 0)
                r = mkdir_p(rt, 0700);
        if (r < 0)
                return log_error_errno(r, "Failed to create state directories: %m");

        manager_raise_nofile(m);
        r = image_store_open(m->state_dir, &m->images);
        if (r < 0)
                return log_error_errno(r, "Failed to open image store in %s: %m", m->state_dir);

        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate event loop: %m");
        (void)sd_event_set_watchdog(m->event, true);

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to handle signals: %m");

        r = sd_bus_open_system(&m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        r = sd_bus_attach_event(m->bus, m->event, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to attach bus to event loop: %m");

        r = scope_setup(m);
        if (r < 0)
                return r;
        r = manager_add_bus_objects(m);
        if (r < 0)
                return r;
        r = manager_load_containers(m);
        if (r < 0)
                return r;

        r = sd_bus_request_name(m->bus, "org.raind.raind1", 0);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire bus name org.raind.raind1: %m");

        for (Container *c = m->containers, *next; c; c = next) {
                next = c->next;
                container_start_on_boot(c);
        }
        return 0;
}

int manager_run(Manager *m)
{
        (void)sd_notifyf(false, "READY=1\nSTATUS=Managing %zu containers.", m->n_containers);
        int r = sd_event_loop(m->event);
        (void)sd_notify(false, "STOPPING=1");
        return r;
}
