/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "container.h"
#include "manager.h"
#include "raind/bus-errors.h"
#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/log.h"
#include "raind/strv.h"
#include "raind/unit-name.h"
#include "raind/util.h"
#include "events.h"
#include "scope.h"

#define CONTAINER_JSON_MAX (4U * 1024 * 1024)
/* Exit status recorded when nobody saw how the container ended (e.g. raindd found its shim gone
 * without an exit file after a reboot), as Docker does. */
#define EXIT_STATUS_UNKNOWN 255

static const char *const state_table[_CONTAINER_STATE_MAX] = {
    [CONTAINER_CREATED] = "created", [CONTAINER_STARTING] = "starting",
    [CONTAINER_RUNNING] = "running", [CONTAINER_STOPPING] = "stopping",
    [CONTAINER_EXITED] = "exited",   [CONTAINER_RESTARTING] = "restarting",
};

const char *container_state_to_string(ContainerState s)
{
        return s >= 0 && s < _CONTAINER_STATE_MAX ? state_table[s] : NULL;
}

ContainerState container_state_from_string(const char *s)
{
        for (int i = 0; i < _CONTAINER_STATE_MAX; i++)
                if (streq_ptr(state_table[i], s))
                        return (ContainerState)i;
        return _CONTAINER_STATE_MAX;
}

void manager_log_timing(Manager *m, const char *step, const char *name)
{
        if (m->debug)
                log_debug("timing: %s container=%s mono=%llu", step, strempty(name),
                          (unsigned long long)now_usec(CLOCK_MONOTONIC));
}

void container_log_timing(Container *c, const char *step)
{
        manager_log_timing(c->manager, step, c->name);
}

char *container_object_path(const char *id)
{
        char *p = NULL;
        if (sd_bus_path_encode("/org/raind/raind1/container", id, &p) < 0)
                return NULL;
        return p;
}

int container_new(Manager *m, const char *id, Container **ret)
{
        Container *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->manager = m;
        snprintf(c->id, sizeof(c->id), "%s", id);
        c->exit_status = -1;
        c->shim_pidfd = c->main_pidfd = c->sync_fd = c->start_stream_fd = -EBADF;
        c->object_path = container_object_path(id);
        if (!c->object_path) {
                free(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

void container_config_done(ContainerConfig *c)
{
        free(c->image);
        free(c->image_id);
        strv_free(c->command);
        strv_free(c->env);
        strv_free(c->volumes);
        free(c->working_dir);
        free(c->user);
        free(c->hostname);
        free(c->network);
        free(c->restart_policy);
        free(c->stop_signal);
        strv_free(c->labels);
        strv_free(c->exposed_ports);
        strv_free(c->entrypoint);
        strv_free(c->cap_add);
        strv_free(c->cap_drop);
        memset(c, 0, sizeof(*c));
}

static void container_close_process(Container *c)
{
        c->shim_exit_source = sd_event_source_disable_unref(c->shim_exit_source);
        c->stop_timer = sd_event_source_disable_unref(c->stop_timer);
        c->shim_pidfd = safe_close(c->shim_pidfd);
        c->main_pidfd = safe_close(c->main_pidfd);
        c->shim_pid = c->main_pid = 0;
        free(c->cgroup);
        c->cgroup = NULL;
}

static void container_close_start(Container *c)
{
        scope_cancel(c);
        c->sync_source = sd_event_source_disable_unref(c->sync_source);
        c->sync_fd = safe_close(c->sync_fd);
        c->start_request = sd_bus_message_unref(c->start_request);
        c->start_stream_fd = safe_close(c->start_stream_fd);
        free(c->start_job);
        c->start_job = NULL;
}

Container *container_free(Container *c)
{
        if (!c)
                return NULL;
        container_close_start(c);
        container_close_process(c);
        c->restart_timer = sd_event_source_disable_unref(c->restart_timer);
        pending_calls_free(&c->waiters);
        pending_calls_free(&c->stoppers);
        pending_calls_free(&c->removers);
        container_config_done(&c->config);
        free(c->name);
        free(c->unit);
        free(c->object_path);
        free(c);
        return NULL;
}

char *container_bundle_dir(Container *c)
{
        char *p;
        if (asprintf(&p, "%s/containers/%s", c->manager->state_dir, c->id) < 0)
                return NULL;
        return p;
}

char *container_runtime_dir(Container *c)
{
        char *p;
        if (asprintf(&p, "%s/containers/%s", c->manager->runtime_dir, c->id) < 0)
                return NULL;
        return p;
}

static struct json_object *config_to_json(const ContainerConfig *cfg)
{
        struct json_object *o = json_object_new_object();
        json_add_string(o, "image", cfg->image);
        json_add_string(o, "imageId", cfg->image_id);
        json_object_object_add(o, "command", json_new_strv(cfg->command));
        json_object_object_add(o, "env", json_new_strv(cfg->env));
        json_object_object_add(o, "volumes", json_new_strv(cfg->volumes));
        json_add_string(o, "workingDir", cfg->working_dir);
        json_add_string(o, "user", cfg->user);
        json_add_string(o, "hostname", cfg->hostname);
        json_add_string(o, "network", cfg->network);
        json_object_object_add(o, "capAdd", json_new_strv(cfg->cap_add));
        json_object_object_add(o, "capDrop", json_new_strv(cfg->cap_drop));
        json_object_object_add(o, "memoryMax", json_object_new_uint64(cfg->memory_max));
        json_object_object_add(o, "cpuQuotaPerSecUSec", json_object_new_uint64(cfg->cpu_quota_per_sec_usec));
        json_object_object_add(o, "tasksMax", json_object_new_uint64(cfg->tasks_max));
        json_object_object_add(o, "readOnly", json_object_new_boolean(cfg->read_only));
        json_object_object_add(o, "autoRemove", json_object_new_boolean(cfg->auto_remove));
        json_object_object_add(o, "tty", json_object_new_boolean(cfg->tty));
        json_object_object_add(o, "openStdin", json_object_new_boolean(cfg->open_stdin));
        json_add_string(o, "restartPolicy", cfg->restart_policy);
        json_add_string(o, "stopSignal", cfg->stop_signal);
        json_object_object_add(o, "labels", json_new_strv(cfg->labels));
        json_object_object_add(o, "exposedPorts", json_new_strv(cfg->exposed_ports));
        return o;
}

static uint64_t json_get_uint64(struct json_object *o, const char *key)
{
        struct json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return 0;
        return json_object_get_uint64(v);
}

static int config_from_json(struct json_object *o, ContainerConfig *cfg)
{
        int r = 0;
        if (!json_get_string(o, "image") || !json_get_string(o, "imageId"))
                return -EBADMSG;
        if (free_and_strdup(&cfg->image, json_get_string(o, "image")) < 0 ||
            free_and_strdup(&cfg->image_id, json_get_string(o, "imageId")) < 0 ||
            free_and_strdup(&cfg->working_dir, json_get_string(o, "workingDir")) < 0 ||
            free_and_strdup(&cfg->user, json_get_string(o, "user")) < 0 ||
            free_and_strdup(&cfg->hostname, json_get_string(o, "hostname")) < 0 ||
            free_and_strdup(&cfg->network, json_get_string(o, "network")) < 0 ||
            free_and_strdup(&cfg->restart_policy, json_get_string(o, "restartPolicy")) < 0 ||
            free_and_strdup(&cfg->stop_signal, json_get_string(o, "stopSignal")) < 0)
                return -ENOMEM;
        if ((r = json_get_strv(o, "command", &cfg->command)) < 0 ||
            (r = json_get_strv(o, "env", &cfg->env)) < 0 ||
            (r = json_get_strv(o, "volumes", &cfg->volumes)) < 0 ||
            (r = json_get_strv(o, "capAdd", &cfg->cap_add)) < 0 ||
            (r = json_get_strv(o, "capDrop", &cfg->cap_drop)) < 0 ||
            (r = json_get_strv(o, "labels", &cfg->labels)) < 0 ||
            (r = json_get_strv(o, "exposedPorts", &cfg->exposed_ports)) < 0)
                return r;
        cfg->memory_max = json_get_uint64(o, "memoryMax");
        cfg->cpu_quota_per_sec_usec = json_get_uint64(o, "cpuQuotaPerSecUSec");
        cfg->tasks_max = json_get_uint64(o, "tasksMax");
        cfg->read_only = json_get_bool(o, "readOnly", false);
        cfg->auto_remove = json_get_bool(o, "autoRemove", false);
        cfg->tty = json_get_bool(o, "tty", false);
        cfg->open_stdin = json_get_bool(o, "openStdin", false);
        return 0;
}

int container_save(Container *c)
{
        _cleanup_free_ char *dir = container_bundle_dir(c), *path = NULL;
        _cleanup_json_ struct json_object *o = json_object_new_object();
        /* A start in progress is persisted as created: if raindd dies now, the shim aborts. */
        ContainerState s = c->state == CONTAINER_STARTING     ? CONTAINER_CREATED
                           : c->state == CONTAINER_STOPPING   ? CONTAINER_RUNNING
                           : c->state == CONTAINER_RESTARTING ? CONTAINER_EXITED
                                                              : c->state;

        if (!dir || asprintf(&path, "%s/container.json", dir) < 0)
                return -ENOMEM;
        json_add_string(o, "id", c->id);
        json_add_string(o, "name", c->name);
        json_add_string(o, "state", container_state_to_string(s));
        json_object_object_add(o, "createdAt", json_object_new_uint64(c->created_at));
        json_object_object_add(o, "startedAt", json_object_new_uint64(c->started_at));
        json_object_object_add(o, "finishedAt", json_object_new_uint64(c->finished_at));
        json_object_object_add(o, "exitStatus", json_object_new_int(c->exit_status));
        json_object_object_add(o, "restartCount", json_object_new_int64(c->restart_count));
        json_object_object_add(o, "manuallyStopped", json_object_new_boolean(c->manually_stopped));
        json_object_object_add(o, "config", config_to_json(&c->config));
        int r = json_write_file_atomic(path, o, JSON_C_TO_STRING_PLAIN);
        if (r < 0)
                return log_error_errno(r, "Failed to save state of container %s: %m", c->name);
        return 0;
}

int container_load(Manager *m, const char *id, Container **ret)
{
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_free_ char *path = NULL;
        struct json_object *cfg;
        Container *c;
        int r;

        if (asprintf(&path, "%s/containers/%s/container.json", m->state_dir, id) < 0)
                return -ENOMEM;
        r = json_read_file(path, CONTAINER_JSON_MAX, &o);
        if (r < 0)
                return log_warning_errno(r, "Failed to read %s: %m", path);

        const char *name = json_get_string(o, "name");
        if (!streq_ptr(json_get_string(o, "id"), id) || !container_name_is_valid(name) ||
            !json_object_object_get_ex(o, "config", &cfg))
                return log_warning_errno(-EBADMSG, "Ignoring container %s: %s is malformed.", id, path);

        r = container_new(m, id, &c);
        if (r < 0)
                return r;
        c->name = strdup(name);
        c->unit = container_scope_name(name);
        if (!c->name || !c->unit) {
                container_free(c);
                return -ENOMEM;
        }
        r = config_from_json(cfg, &c->config);
        if (r < 0) {
                container_free(c);
                return log_warning_errno(r, "Ignoring container %s: bad config in %s: %m", id, path);
        }
        c->state = container_state_from_string(json_get_string(o, "state"));
        if (c->state == _CONTAINER_STATE_MAX)
                c->state = CONTAINER_EXITED;
        c->created_at = (uint64_t)json_get_int64(o, "createdAt", 0);
        c->started_at = (uint64_t)json_get_int64(o, "startedAt", 0);
        c->finished_at = (uint64_t)json_get_int64(o, "finishedAt", 0);
        c->exit_status = (int)json_get_int64(o, "exitStatus", -1);
        c->restart_count = (unsigned)json_get_int64(o, "restartCount", 0);
        c->manually_stopped = json_get_bool(o, "manuallyStopped", false);
        *ret = c;
        return 0;
}

static int on_shim_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        container_exited(userdata);
        return 0;
}

int container_watch_shim(Container *c)
{
        return sd_event_add_io(c->manager->event, &c->shim_exit_source, c->shim_pidfd, EPOLLIN, on_shim_exit,
                               c);
}

/* Opens a pidfd for pid, making sure it is still the process that started at start_time. */
static int pidfd_open_verified(pid_t pid, uint64_t start_time)
{
        uint64_t t;
        if (pid <= 0)
                return -ESRCH;
        _cleanup_close_ int fd = pidfd_open(pid, 0);
        if (fd < 0)
                return -errno;
        if (process_start_time(pid, &t) < 0 || t != start_time)
                return -ESRCH;
        return TAKE_FD(fd);
}

/* After a raindd restart: find the shim of a container that was running and watch it again. */
int container_adopt(Container *c)
{
        _cleanup_free_ char *dir = container_runtime_dir(c), *pidpath = NULL;
        _cleanup_json_ struct json_object *o = NULL;
        int r;

        if (c->state != CONTAINER_RUNNING)
                return 0;
        if (!dir || asprintf(&pidpath, "%s/pid", dir) < 0)
                return -ENOMEM;

        r = json_read_file(pidpath, 4096, &o);
        if (r >= 0) {
                pid_t shim = (pid_t)json_get_int64(o, "shimPid", 0),
                      main_pid = (pid_t)json_get_int64(o, "containerPid", 0);
                int shim_fd = pidfd_open_verified(shim, (uint64_t)json_get_int64(o, "shimStartTime", 0));
                if (shim_fd >= 0) {
                        c->shim_pidfd = shim_fd;
                        c->shim_pid = shim;
                        c->main_pidfd = pidfd_open_verified(
                            main_pid, (uint64_t)json_get_int64(o, "containerStartTime", 0));
                        c->main_pid = c->main_pidfd >= 0 ? main_pid : 0;
                        container_read_cgroup(c);
                        r = container_watch_shim(c);
                        if (r < 0)
                                return log_error_errno(r, "Failed to watch shim of %s: %m", c->name);
                        log_info("Adopted running container %s (shim %d, pid %d).", c->name, (int)shim,
                                 (int)c->main_pid);
                        return 0;
                }
        }
        /* The shim is gone: it either left its exit file or died with the machine. */
        container_exited(c);
        return 0;
}

static void container_read_exit_file(Container *c)
{
        _cleanup_free_ char *dir = container_runtime_dir(c), *path = NULL;
        _cleanup_json_ struct json_object *o = NULL;

        c->exit_status = EXIT_STATUS_UNKNOWN;
        c->finished_at = now_usec(CLOCK_REALTIME);
        if (!dir || asprintf(&path, "%s/exit", dir) < 0)
                return;
        if (json_read_file(path, 4096, &o) < 0) {
                /* The shim was killed together with the container (SIGKILL to the whole scope). */
                if (c->shim_pid > 0)
                        c->exit_status = 128 + SIGKILL;
                return;
        }
        c->exit_status = (int)json_get_int64(o, "exitStatus", EXIT_STATUS_UNKNOWN);
        c->finished_at = (uint64_t)json_get_int64(o, "finishedAt", (int64_t)c->finished_at);
}

/* The kernel counts OOM kills in memory.events of the scope's cgroup, where the memory controller is
 * enabled; that is as far as raindd can tell an OOM kill from any other SIGKILL. */
static bool container_was_oom_killed(Container *c)
{
        _cleanup_free_ char *path = NULL, *events = NULL;
        if (!c->cgroup || asprintf(&path, "/sys/fs/cgroup%s/memory.events", c->cgroup) < 0)
                return false;
        if (read_full_file(path, 4096, &events, NULL) < 0)
                return false;
        const char *p = strstr(events, "oom_kill ");
        return p && strtoull(p + strlen("oom_kill "), NULL, 10) > 0;
}

/* Remembers the scope's cgroup (from /proc/PID/cgroup, "0::/raind.slice/raind-web.scope"). */
void container_read_cgroup(Container *c)
{
        char path[64];
        _cleanup_free_ char *buf = NULL;
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)c->main_pid);
        if (c->main_pid <= 0 || read_full_file(path, 65536, &buf, NULL) < 0)
                return;
        for (char *line = buf, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                const char *v2 = startswith(line, "0::");
                if (v2) {
                        free(c->cgroup);
                        c->cgroup = strdup(v2);
                        return;
                }
        }
}

void container_exited(Container *c)
{
        if (c->shim_pid > 0) /* reap it if it is our child; adopted shims belong to PID 1 */
                (void)waitpid(c->shim_pid, NULL, WNOHANG);

        container_log_timing(c, "exit seen");
        container_read_exit_file(c);
        container_close_process(c);
        _cleanup_free_ char *dir = container_runtime_dir(c);
        if (dir)
                (void)rm_rf(dir);

        log_info("Container %s exited with status %d.", c->name, c->exit_status);
        container_set_state(c, CONTAINER_EXITED);
        (void)container_save(c);

        if (c->exit_status == 128 + SIGKILL && container_was_oom_killed(c))
                container_event(c, "oom", EVENT_NO_DETAILS);
        container_event(c, "die", (EventDetails){.exit_status = c->exit_status});
        pending_calls_reply_wait(&c->waiters, c->exit_status);
        pending_calls_reply_empty(&c->stoppers);

        if (c->removers || c->config.auto_remove) {
                int r = container_remove(c);
                /* c is gone now if r >= 0 */
                if (r < 0)
                        log_error_errno(r, "Failed to remove container: %m");
                return;
        }
        (void)container_schedule_restart(c);
}

int container_kill(Container *c, int sig)
{
        if (c->main_pidfd < 0)
                return -ESRCH;
        if (pidfd_send_signal(c->main_pidfd, sig, NULL, 0) < 0)
                return -errno;
        return 0;
}

static int on_stop_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        Container *c = userdata;
        log_info("Container %s did not stop in time, killing it.", c->name);
        int r = container_kill(c, SIGKILL);
        if (r < 0)
                log_warning_errno(r, "Failed to kill container %s: %m", c->name);
        return 0;
}

int container_stop(Container *c, unsigned timeout_sec, sd_bus_message *request)
{
        int r, sig = SIGTERM;

        /* The image's StopSignal or --stop-signal; validated when the container was created. */
        if (c->config.stop_signal && parse_signal(c->config.stop_signal, &sig) < 0)
                sig = SIGTERM;
        if (c->state != CONTAINER_RUNNING && c->state != CONTAINER_STOPPING)
                return sd_bus_reply_method_return(request, NULL);

        r = pending_call_add(&c->stoppers, request);
        if (r < 0)
                return r;
        if (c->state == CONTAINER_STOPPING)
                return 0;

        container_set_state(c, CONTAINER_STOPPING);
        r = container_kill(c, timeout_sec == 0 ? SIGKILL : sig);
        if (r < 0)
                log_warning_errno(r, "Failed to signal container %s: %m", c->name);
        if (timeout_sec > 0) {
                r = sd_event_add_time_relative(c->manager->event, &c->stop_timer, CLOCK_MONOTONIC,
                                               (uint64_t)timeout_sec * USEC_PER_SEC, 0, on_stop_timeout, c);
                if (r < 0)
                        return r;
        }
        return 0;
}

int container_remove(Container *c)
{
        Manager *m = c->manager;
        _cleanup_free_ char *bundle = container_bundle_dir(c), *runtime = container_runtime_dir(c);
        _cleanup_free_ char *id = strdup(c->id), *path = strdup(c->object_path);
        int r;

        if (!bundle || !runtime || !id || !path)
                return -ENOMEM;

        /* The record goes first: a crash half-way leaves a directory without container.json, which the
         * next start cleans up, never a container pointing at half its files. */
        _cleanup_free_ char *record = NULL;
        if (asprintf(&record, "%s/container.json", bundle) < 0)
                return -ENOMEM;
        if (unlink(record) < 0 && errno != ENOENT)
                return log_error_errno(-errno, "Failed to remove %s: %m", record);
        r = rm_rf(bundle);
        if (r < 0)
                log_warning_errno(r, "Failed to remove %s completely: %m", bundle);
        (void)rm_rf(runtime);

        pending_calls_reply_empty(&c->removers);
        pending_calls_reply_error(&c->waiters, BUS_ERROR_NO_SUCH_CONTAINER, "The container was removed.");

        if (c->prev)
                c->prev->next = c->next;
        else
                m->containers = c->next;
        if (c->next)
                c->next->prev = c->prev;
        m->n_containers--;

        container_event(c, "remove", EVENT_NO_DETAILS);
        log_info("Removed container %s.", c->name);
        (void)sd_bus_emit_signal(m->bus, "/org/raind/raind1", "org.raind.raind1.Manager", "ContainerRemoved",
                                 "so", id, path);
        (void)sd_bus_emit_object_removed(m->bus, path);
        container_free(c);
        return 0;
}

void container_set_state(Container *c, ContainerState s)
{
        if (c->state == s)
                return;
        c->state = s;
        (void)sd_bus_emit_signal(c->manager->bus, "/org/raind/raind1", "org.raind.raind1.Manager",
                                 "ContainerStateChanged", "sos", c->id, c->object_path,
                                 container_state_to_string(s));
        (void)container_emit_changed(c);
}
