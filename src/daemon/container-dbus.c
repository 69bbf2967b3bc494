/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <sys/socket.h>

#include "bus-util.h"
#include "container-copy.h"
#include "container-stream.h"
#include "container.h"
#include "events.h"
#include "manager.h"
#include "polkit.h"
#include "raind/bus-errors.h"
#include "raind/log.h"
#include "raind/strv.h"

static int property_get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        char **s = userdata;
        return sd_bus_message_append(reply, "s", strempty(*s));
}

static int property_get_strv(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        char ***l = userdata;
        return sd_bus_message_append_strv(reply, *l);
}

static int property_get_bool(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        bool *b = userdata;
        return sd_bus_message_append(reply, "b", (int)*b);
}

static int property_get_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        Container *c = userdata;
        return sd_bus_message_append(reply, "s", container_state_to_string(c->state));
}

static int property_get_network(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        Container *c = userdata;
        return sd_bus_message_append(reply, "s", c->config.network ?: "none");
}

static int property_get_restart_policy(sd_bus *bus, const char *path, const char *interface,
                                       const char *property, sd_bus_message *reply, void *userdata,
                                       sd_bus_error *error)
{
        Container *c = userdata;
        return sd_bus_message_append(reply, "s", c->config.restart_policy ?: "no");
}

static int property_get_bundle(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        _cleanup_free_ char *dir = container_bundle_dir(userdata);
        if (!dir)
                return -ENOMEM;
        return sd_bus_message_append(reply, "s", dir);
}

/* Checks polkit for a method call on c; > 0 means go on, 0 means answered later. */
static int verify(Container *c, sd_bus_message *m, sd_bus_error *error)
{
        return polkit_verify_async(c->manager, m, POLKIT_ACTION_MANAGE_CONTAINERS, error);
}

static int method_start(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Container *c = userdata;
        _cleanup_close_pair_ int pair[2] = {-EBADF, -EBADF};
        int stdout_fd = -EBADF, stderr_fd = -EBADF, r;
        const char *member = sd_bus_message_get_member(m);

        if (streq(member, "StartAttached")) {
                r = sd_bus_message_read(m, "hh", &stdout_fd, &stderr_fd);
                if (r < 0)
                        return r;
        } else if (streq(member, "StartInteractive")) {
                r = bus_message_skip_options(m, error);
                if (r < 0)
                        return r;
        }
        r = verify(c, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        if (streq(member, "StartInteractive")) {
                if (c->state == CONTAINER_STARTING || c->state == CONTAINER_RUNNING ||
                    c->state == CONTAINER_STOPPING)
                        return sd_bus_error_setf(error, BUS_ERROR_CONTAINER_RUNNING,
                                                 "Container %s is already running: attach to it instead.",
                                                 c->name);
                if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                        return -errno;
        }
        c->manually_stopped = false;
        c->restart_count = 0;
        c->restart_delay_usec = 0;
        r = container_start(c, m, stdout_fd, stderr_fd, pair[1], error);
        if (r < 0)
                return r;
        if (pair[0] >= 0) {
                /* Sent with the reply; if the start already failed, start_request is gone and so is this. */
                if (c->start_request)
                        c->start_stream_fd = TAKE_FD(pair[0]);
        }
        return 1; /* answered when the shim reports */
}

static int method_stop(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Container *c = userdata;
        uint32_t timeout;
        int r = sd_bus_message_read(m, "u", &timeout);
        if (r < 0)
                return r;
        if (timeout > 24 * 3600)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Stop timeout %u s is too long.",
                                         timeout);
        r = verify(c, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        /* An explicit stop ends the restart policy's say (for "always" until raindd starts again). */
        c->manually_stopped = true;
        if (c->state == CONTAINER_RESTARTING)
                container_cancel_restart(c);
        if (c->state == CONTAINER_RUNNING)
                container_event(c, "stop", EVENT_NO_DETAILS);
        (void)container_save(c);
        r = container_stop(c, timeout, m);
        return r < 0 ? r : 1;
}

static int method_kill(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Container *c = userdata;
        int32_t sig;
        int r = sd_bus_message_read(m, "i", &sig);
        if (r < 0)
                return r;
        if (sig < 1 || sig > SIGRTMAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid signal number %d.", sig);
        r = verify(c, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        if (c->state != CONTAINER_RUNNING && c->state != CONTAINER_STOPPING)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_RUNNING, "Container %s is not running.",
                                         c->name);
        r = container_kill(c, sig);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to send signal to container %s: %m",
                                               c->name);
        container_event(c, "kill", (EventDetails){.exit_status = -1, .signal = sig});
        return sd_bus_reply_method_return(m, NULL);
}

static int method_remove(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Container *c = userdata;
        int force, r;

        r = sd_bus_message_read(m, "b", &force);
        if (r < 0)
                return r;
        r = verify(c, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        if (c->state == CONTAINER_RESTARTING && force)
                container_cancel_restart(c);
        if (c->state == CONTAINER_CREATED || c->state == CONTAINER_EXITED) {
                r = container_remove(c);
                if (r < 0)
                        return sd_bus_error_set_errnof(error, r, "Failed to remove container: %m");
                return sd_bus_reply_method_return(m, NULL);
        }
        if (!force)
                return sd_bus_error_setf(error, BUS_ERROR_CONTAINER_RUNNING,
                                         "Container %s is %s: stop it first or remove it with force.",
                                         c->name, container_state_to_string(c->state));
        r = pending_call_add(&c->removers, m);
        if (r < 0)
                return r;
        if (c->state == CONTAINER_STARTING)
                return 1; /* removed once the start attempt has ended */
        r = container_kill(c, SIGKILL);
        if (r < 0)
                log_warning_errno(r, "Failed to kill container %s: %m", c->name);
        return 1;
}

static int method_rename(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Container *c = userdata;
        const char *name;
        int r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        if (!container_name_is_valid(name))
                return sd_bus_error_setf(
                    error, SD_BUS_ERROR_INVALID_ARGS,
                    "Invalid container name '%s': use [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 characters.",
                    name);
        r = verify(c, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        if (streq(name, c->name))
                return sd_bus_reply_method_return(m, NULL);
        Container *other = manager_container_by_name(c->manager, name);
        if (other)
                return sd_bus_error_setf(error, BUS_ERROR_NAME_IN_USE,
                                         "The container name '%s' is already in use by container %.12s.",
                                         name, other->id);
        _cleanup_free_ char *old = c->name;
        c->name = strdup(name);
        if (!c->name) {
                c->name = TAKE_PTR(old);
                return -ENOMEM;
        }
        r = container_save(c);
        if (r < 0) {
                free(c->name);
                c->name = TAKE_PTR(old);
                return sd_bus_error_set_errnof(error, r, "Failed to save the new name: %m");
        }
        (void)sd_bus_emit_properties_changed(c->manager->bus, c->object_path, "org.raind.raind1.Container",
                                             "Name", NULL);
        container_event(c, "rename", (EventDetails){.exit_status = -1, .old_name = old});
        log_info("Renamed container %s to %s.", old, c->name);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_wait(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Container *c = userdata;
        if (c->state == CONTAINER_EXITED)
                return sd_bus_reply_method_return(m, "i", c->exit_status);
        int r = pending_call_add(&c->waiters, m);
        return r < 0 ? r : 1;
}

#define P(name, sig, getter, field) \
        SD_BUS_PROPERTY(name, sig, getter, offsetof(Container, field), SD_BUS_VTABLE_PROPERTY_CONST)
#define PC(name, sig, getter, field) \
        SD_BUS_PROPERTY(name, sig, getter, offsetof(Container, field), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

static int property_get_id(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        return sd_bus_message_append(reply, "s", (const char *)userdata);
}

static const sd_bus_vtable container_vtable[] = {
    SD_BUS_VTABLE_START(0),
    P("Id", "s", property_get_id, id),
    PC("Name", "s", property_get_string, name),
    P("Image", "s", property_get_string, config.image),
    P("ImageId", "s", property_get_string, config.image_id),
    P("Command", "as", property_get_strv, config.command),
    SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    PC("MainPID", "u", NULL, main_pid),
    PC("ShimPID", "u", NULL, shim_pid),
    PC("Unit", "s", property_get_string, unit),
    P("CreatedAt", "t", NULL, created_at),
    PC("StartedAt", "t", NULL, started_at),
    PC("FinishedAt", "t", NULL, finished_at),
    PC("ExitStatus", "i", NULL, exit_status),
    P("Env", "as", property_get_strv, config.env),
    P("Volumes", "as", property_get_strv, config.volumes),
    P("WorkingDir", "s", property_get_string, config.working_dir),
    P("User", "s", property_get_string, config.user),
    P("Hostname", "s", property_get_string, config.hostname),
    SD_BUS_PROPERTY("Network", "s", property_get_network, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    P("MemoryMax", "t", NULL, config.memory_max),
    P("CPUQuotaPerSecUSec", "t", NULL, config.cpu_quota_per_sec_usec),
    P("TasksMax", "t", NULL, config.tasks_max),
    P("CapAdd", "as", property_get_strv, config.cap_add),
    P("CapDrop", "as", property_get_strv, config.cap_drop),
    P("ReadOnly", "b", property_get_bool, config.read_only),
    P("AutoRemove", "b", property_get_bool, config.auto_remove),
    P("Tty", "b", property_get_bool, config.tty),
    P("OpenStdin", "b", property_get_bool, config.open_stdin),
    SD_BUS_PROPERTY("RestartPolicy", "s", property_get_restart_policy, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    P("StopSignal", "s", property_get_string, config.stop_signal),
    P("Labels", "as", property_get_strv, config.labels),
    P("ExposedPorts", "as", property_get_strv, config.exposed_ports),
    PC("RestartCount", "u", NULL, restart_count),
    SD_BUS_PROPERTY("BundlePath", "s", property_get_bundle, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_METHOD("Start", NULL, NULL, method_start, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("StartAttached", SD_BUS_ARGS("h", stdout, "h", stderr), SD_BUS_NO_RESULT,
                            method_start, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("StartInteractive", SD_BUS_ARGS("a{sv}", options), SD_BUS_RESULT("h", stream),
                            method_start, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Attach", SD_BUS_ARGS("a{sv}", options), SD_BUS_RESULT("h", stream),
                            method_attach, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Exec", SD_BUS_ARGS("as", command, "a{sv}", options), SD_BUS_RESULT("h", stream),
                            method_exec, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Rename", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT, method_rename,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("CopyFrom", SD_BUS_ARGS("s", path), SD_BUS_RESULT("h", tar), method_copy_from,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("CopyTo", SD_BUS_ARGS("s", path, "h", tar), SD_BUS_NO_RESULT, method_copy_to,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Stop", SD_BUS_ARGS("u", timeout), SD_BUS_NO_RESULT, method_stop,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Kill", SD_BUS_ARGS("i", signal), SD_BUS_NO_RESULT, method_kill,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Remove", SD_BUS_ARGS("b", force), SD_BUS_NO_RESULT, method_remove,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Wait", SD_BUS_NO_ARGS, SD_BUS_RESULT("i", exit_status), method_wait,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

static int container_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                                 void **found, sd_bus_error *error)
{
        Manager *m = userdata;
        _cleanup_free_ char *id = NULL;

        if (sd_bus_path_decode(path, "/org/raind/raind1/container", &id) <= 0)
                return 0;
        Container *c = manager_container_by_id(m, id);
        if (!c)
                return 0;
        *found = c;
        return 1;
}

static int container_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                                     sd_bus_error *error)
{
        Manager *m = userdata;
        _cleanup_strv_free_ char **l = NULL;
        for (Container *c = m->containers; c; c = c->next)
                if (strv_extend(&l, c->object_path) < 0)
                        return -ENOMEM;
        *nodes = TAKE_PTR(l);
        return 1;
}

int container_emit_changed(Container *c)
{
        return sd_bus_emit_properties_changed(c->manager->bus, c->object_path, "org.raind.raind1.Container",
                                              "State", "MainPID", "ShimPID", "StartedAt", "FinishedAt",
                                              "ExitStatus", "RestartCount", NULL);
}

int container_bus_register(Manager *m)
{
        int r = sd_bus_add_fallback_vtable(m->bus, NULL, "/org/raind/raind1/container",
                                           "org.raind.raind1.Container", container_vtable,
                                           container_object_find, m);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(m->bus, NULL, "/org/raind/raind1/container",
                                          container_node_enumerator, m);
}
