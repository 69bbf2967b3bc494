/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sys/stat.h>

#include "config.h"
#include "container-create.h"
#include "container.h"
#include "events.h"
#include "image-dbus.h"
#include "manager.h"
#include "polkit.h"
#include "raind/bus-errors.h"
#include "raind/log.h"
#include "raind/strv.h"
#include "raind/util.h"
#include "raind/validate.h"
#include "spec.h"

static int invalid(sd_bus_error *error, const char *fmt, const char *arg)
{
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, fmt, arg);
}

static int read_strv_option(sd_bus_message *m, const char *key, size_t max, char ***ret, sd_bus_error *error)
{
        _cleanup_strv_free_ char **l = NULL;
        int r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        if (strv_length(l) > max)
                return invalid(error, "Too many entries in option %s.", key);
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 0;
}

static int read_string_option(sd_bus_message *m, char **ret)
{
        const char *s;
        int r = sd_bus_message_read(m, "s", &s);
        if (r < 0)
                return r;
        return free_and_strdup(ret, s);
}

/* Reads the a{sv} of CreateContainer into config and name; every value is checked here, so that a
 * bad request is refused before anything is created. */
static int parse_create_options(sd_bus_message *m, ContainerConfig *cfg, char **name, sd_bus_error *error)
{
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;

        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key, *sig;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(m, NULL, &sig);
                if (r < 0)
                        return r;

                struct {
                        const char *key, *sig;
                } const known[] = {
                    {"Name", "s"},          {"Env", "as"},
                    {"Volumes", "as"},      {"WorkingDir", "s"},
                    {"User", "s"},          {"Hostname", "s"},
                    {"MemoryMax", "t"},     {"CPUQuotaPerSecUSec", "t"},
                    {"TasksMax", "t"},      {"CapAdd", "as"},
                    {"CapDrop", "as"},      {"ReadOnly", "b"},
                    {"Network", "s"},       {"AutoRemove", "b"},
                    {"Tty", "b"},           {"OpenStdin", "b"},
                    {"RestartPolicy", "s"}, {"StopSignal", "s"},
                    {"Entrypoint", "as"},   {"Labels", "as"},
                    {"ExposedPorts", "as"},
                };
                const char *want = NULL;
                for (size_t i = 0; i < ELEMENTSOF(known); i++)
                        if (streq(key, known[i].key))
                                want = known[i].sig;
                if (!want)
                        return invalid(error, "Unknown option '%s'.", key);
                if (!streq(sig, want))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Option '%s' must be of type '%s'.", key, want);
                r = sd_bus_message_enter_container(m, 'v', want);
                if (r < 0)
                        return r;

                int b;
                if (streq(key, "Name"))
                        r = read_string_option(m, name);
                else if (streq(key, "Env"))
                        r = read_strv_option(m, key, ENV_MAX, &cfg->env, error);
                else if (streq(key, "Volumes"))
                        r = read_strv_option(m, key, VOLUMES_MAX, &cfg->volumes, error);
                else if (streq(key, "WorkingDir"))
                        r = read_string_option(m, &cfg->working_dir);
                else if (streq(key, "User"))
                        r = read_string_option(m, &cfg->user);
                else if (streq(key, "Hostname"))
                        r = read_string_option(m, &cfg->hostname);
                else if (streq(key, "Network"))
                        r = read_string_option(m, &cfg->network);
                else if (streq(key, "MemoryMax"))
                        r = sd_bus_message_read(m, "t", &cfg->memory_max);
                else if (streq(key, "CPUQuotaPerSecUSec"))
                        r = sd_bus_message_read(m, "t", &cfg->cpu_quota_per_sec_usec);
                else if (streq(key, "TasksMax"))
                        r = sd_bus_message_read(m, "t", &cfg->tasks_max);
                else if (streq(key, "CapAdd"))
                        r = read_strv_option(m, key, 64, &cfg->cap_add, error);
                else if (streq(key, "CapDrop"))
                        r = read_strv_option(m, key, 64, &cfg->cap_drop, error);
                else if (streq(key, "RestartPolicy"))
                        r = read_string_option(m, &cfg->restart_policy);
                else if (streq(key, "StopSignal"))
                        r = read_string_option(m, &cfg->stop_signal);
                else if (streq(key, "Labels"))
                        r = read_strv_option(m, key, LABELS_MAX, &cfg->labels, error);
                else if (streq(key, "ExposedPorts"))
                        r = read_strv_option(m, key, LABELS_MAX, &cfg->exposed_ports, error);
                else if (streq(key, "Entrypoint")) {
                        r = read_strv_option(m, key, ARGV_MAX, &cfg->entrypoint, error);
                        cfg->entrypoint_set = true;
                } else if (streq(key, "ReadOnly")) {
                        r = sd_bus_message_read(m, "b", &b);
                        cfg->read_only = b;
                } else if (streq(key, "Tty")) {
                        r = sd_bus_message_read(m, "b", &b);
                        cfg->tty = b;
                } else if (streq(key, "OpenStdin")) {
                        r = sd_bus_message_read(m, "b", &b);
                        cfg->open_stdin = b;
                } else {
                        r = sd_bus_message_read(m, "b", &b);
                        cfg->auto_remove = b;
                }
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int validate_config(const ContainerConfig *cfg, sd_bus_error *error)
{
        STRV_FOREACH (e, cfg->env)
                if (!env_assignment_is_valid(*e))
                        return invalid(error, "Invalid environment entry '%s', expected KEY=VALUE.", *e);
        STRV_FOREACH (v, cfg->volumes) {
                _cleanup_free_ char *host = NULL, *ctr = NULL;
                struct stat st;
                bool ro;
                if (parse_volume(*v, &host, &ctr, &ro) < 0)
                        return invalid(
                            error,
                            "Invalid volume '%s', expected HOST:CONTAINER[:ro|rw] with absolute paths.", *v);
                if (stat(host, &st) < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Volume source %s does not exist: %s", host,
                                                 strerror(errno));
                if (streq(ctr, "/"))
                        return invalid(error, "Volume '%s' cannot be mounted over the container's root.",
                                       *v);
        }
        if (cfg->working_dir && !path_is_safe_absolute(cfg->working_dir))
                return invalid(error, "Working directory '%s' must be an absolute path without '..'.",
                               cfg->working_dir);
        if (cfg->user && !user_spec_is_valid(cfg->user))
                return invalid(error, "Invalid user '%s', expected USER[:GROUP] or UID[:GID].", cfg->user);
        if (cfg->hostname && !hostname_is_valid(cfg->hostname))
                return invalid(error, "Invalid host name '%s'.", cfg->hostname);
        if (cfg->network && !streq(cfg->network, "none") && !streq(cfg->network, "host"))
                return invalid(error, "Unknown network mode '%s', expected none or host.", cfg->network);
        if (cfg->cpu_quota_per_sec_usec > 0 && cfg->cpu_quota_per_sec_usec < 10000)
                return invalid(error, "%s", "CPU quota must be at least 1% of one CPU.");
        STRV_FOREACH (l, cfg->labels)
                if (!label_is_valid(*l))
                        return invalid(error, "Invalid label '%s', expected KEY=VALUE.", *l);
        STRV_FOREACH (p, cfg->exposed_ports)
                if (!port_spec_is_valid(*p))
                        return invalid(error, "Invalid port '%s', expected PORT[/tcp|udp|sctp].", *p);
        if (cfg->stop_signal) {
                int sig;
                if (parse_signal(cfg->stop_signal, &sig) < 0)
                        return invalid(error, "Invalid stop signal '%s'.", cfg->stop_signal);
        }
        if (cfg->restart_policy) {
                RestartPolicy p;
                unsigned n;
                if (parse_restart_policy(cfg->restart_policy, &p, &n) < 0)
                        return invalid(error,
                                       "Invalid restart policy '%s', expected no, on-failure[:N], always or "
                                       "unless-stopped.",
                                       cfg->restart_policy);
                if (p != RESTART_NO && cfg->auto_remove)
                        return invalid(error, "%s",
                                       "A restart policy cannot be combined with AutoRemove (--rm).");
        }
        STRV_FOREACH (s, cfg->cap_add)
                if (capability_from_name(*s) < 0)
                        return invalid(error, "Unknown capability '%s'.", *s);
        STRV_FOREACH (s, cfg->cap_drop)
                if (capability_from_name(*s) < 0)
                        return invalid(error, "Unknown capability '%s'.", *s);
        return 0;
}

/* The image's labels with the user's on top (by key), and the ports both expose ("80" is "80/tcp"). */
static int merge_image_metadata(ContainerConfig *cfg, const Image *image)
{
        _cleanup_strv_free_ char **labels = NULL, **ports = NULL;

        char **sources[] = {image->labels, cfg->labels};
        for (size_t k = 0; k < ELEMENTSOF(sources); k++)
                STRV_FOREACH (l, sources[k]) {
                        size_t n = strcspn(*l, "=");
                        bool replaced = false;
                        for (char **o = labels; o && *o; o++)
                                if (strncmp(*o, *l, n + 1) == 0) {
                                        if (free_and_strdup(o, *l) < 0)
                                                return -ENOMEM;
                                        replaced = true;
                                }
                        if (!replaced && strv_extend(&labels, *l) < 0)
                                return -ENOMEM;
                }
        char **port_sources[] = {image->exposed_ports, cfg->exposed_ports};
        for (size_t k = 0; k < ELEMENTSOF(port_sources); k++)
                STRV_FOREACH (p, port_sources[k]) {
                        _cleanup_free_ char *canonical = NULL;
                        if (asprintf(&canonical, strchr(*p, '/') ? "%s" : "%s/tcp", *p) < 0)
                                return -ENOMEM;
                        if (!strv_contains(ports, canonical) && strv_extend(&ports, canonical) < 0)
                                return -ENOMEM;
                }
        strv_free(cfg->labels);
        cfg->labels = TAKE_PTR(labels);
        strv_free(cfg->exposed_ports);
        cfg->exposed_ports = TAKE_PTR(ports);
        return 0;
}

static int method_create_container(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Manager *manager = userdata;
        _cleanup_(container_config_done) ContainerConfig cfg = {};
        _cleanup_strv_free_ char **command = NULL;
        _cleanup_free_ char *name = NULL, *image_ref = NULL, *message = NULL;
        _cleanup_(image_freep) Image *image = NULL;
        const char *image_arg;
        Container *c;
        int r;

        r = sd_bus_message_read(m, "s", &image_arg);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(m, &command);
        if (r < 0)
                return r;
        if (strv_length(command) > ARGV_MAX)
                return invalid(error, "%s", "Too many command arguments.");
        r = parse_create_options(m, &cfg, &name, error);
        if (r < 0)
                return r;

        manager_log_timing(manager, "create requested", name);
        r = polkit_verify_async(manager, m, POLKIT_ACTION_MANAGE_CONTAINERS, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        manager_log_timing(manager, "create authorized", name);

        if (name) {
                if (!container_name_is_valid(name))
                        return invalid(error,
                                       "Invalid container name '%s': use [a-zA-Z0-9][a-zA-Z0-9_.-]*, at "
                                       "most 128 characters.",
                                       name);
                Container *other = manager_container_by_name(manager, name);
                if (other)
                        return sd_bus_error_setf(
                            error, BUS_ERROR_NAME_IN_USE,
                            "The container name '%s' is already in use by container %.12s.", name,
                            other->id);
        } else {
                r = container_generate_name(manager, &name);
                if (r < 0)
                        return r;
        }

        r = validate_config(&cfg, error);
        if (r < 0)
                return r;

        r = image_store_lookup(manager->images, image_arg, &image);
        if (r == -ENOENT || r == -EINVAL) {
                _cleanup_free_ char *n = NULL;
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_IMAGE, "No such image: %s",
                                         image_reference_normalize(image_arg, &n) >= 0 ? n : image_arg);
        }
        if (r == -ENOTUNIQ)
                return sd_bus_error_setf(error, BUS_ERROR_AMBIGUOUS_ID, "Image id prefix %s is ambiguous.",
                                         image_arg);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to look up image %s: %m", image_arg);

        /* Like docker --entrypoint: it replaces the image's, and its Cmd goes with it. */
        if (cfg.entrypoint_set) {
                strv_free(image->entrypoint);
                image->entrypoint = TAKE_PTR(cfg.entrypoint);
                image->cmd = strv_free(image->cmd);
        }
        r = spec_resolve_command(command, image, &cfg.command);
        if (r == -ENOEXEC)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "No command specified: image %s has no default command.",
                                         image_arg);
        if (r < 0)
                return r;

        if (image_reference_normalize(image_arg, &image_ref) < 0 ||
            !strv_contains(image->references, image_ref)) {
                free(image_ref);
                image_ref = strdup(!strv_isempty(image->references) ? image->references[0] : image->id);
                if (!image_ref)
                        return -ENOMEM;
        }
        cfg.image = TAKE_PTR(image_ref);
        r = merge_image_metadata(&cfg, image);
        if (r < 0)
                return r;
        if (!cfg.stop_signal && image->stop_signal) {
                int sig;
                if (parse_signal(image->stop_signal, &sig) < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Image %s has an invalid StopSignal '%s'.", image_arg,
                                                 image->stop_signal);
                cfg.stop_signal = strdup(image->stop_signal);
                if (!cfg.stop_signal)
                        return -ENOMEM;
        }
        cfg.image_id = strdup(image->id);
        if (!cfg.image_id)
                return -ENOMEM;

        r = container_create(manager, name, &cfg, image, &c, &message);
        if (r == -EINVAL && message)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s", message);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to create container: %m");

        c->next = manager->containers;
        if (manager->containers)
                manager->containers->prev = c;
        manager->containers = c;
        manager->n_containers++;

        container_log_timing(c, "created");
        container_event(c, "create", EVENT_NO_DETAILS);
        log_info("Created container %s (%.12s) from %s.", c->name, c->id, c->config.image);
        (void)sd_bus_emit_object_added(manager->bus, c->object_path);
        (void)sd_bus_emit_signal(manager->bus, "/org/raind/raind1", "org.raind.raind1.Manager",
                                 "ContainerNew", "so", c->id, c->object_path);
        return sd_bus_reply_method_return(m, "o", c->object_path);
}

static int method_prune_containers(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Manager *manager = userdata;
        _cleanup_strv_free_ char **removed = NULL;
        int r = polkit_verify_async(manager, m, POLKIT_ACTION_MANAGE_CONTAINERS, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        for (Container *c = manager->containers, *next; c; c = next) {
                next = c->next;
                if (c->state != CONTAINER_EXITED && c->state != CONTAINER_CREATED)
                        continue;
                _cleanup_free_ char *id = strdup(c->id);
                if (!id)
                        return -ENOMEM;
                r = container_remove(c);
                if (r < 0) {
                        log_warning_errno(r, "Failed to prune container %s: %m", id);
                        continue;
                }
                r = strv_push(&removed, TAKE_PTR(id));
                if (r < 0)
                        return r;
        }
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, removed);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_list_containers(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Manager *manager = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(ssssstttio)");
        if (r < 0)
                return r;
        for (Container *c = manager->containers; c; c = c->next) {
                _cleanup_free_ char *cmd = strv_join(c->config.command, " ");
                if (!cmd)
                        return -ENOMEM;
                r = sd_bus_message_append(reply, "(ssssstttio)", c->id, c->name, c->config.image, cmd,
                                          container_state_to_string(c->state), c->created_at, c->started_at,
                                          c->finished_at, c->exit_status, c->object_path);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_get_container(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Manager *manager = userdata;
        const char *name;
        Container *c;
        int r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        r = manager_find_container(manager, name, &c);
        if (r == -ENOTUNIQ)
                return sd_bus_error_setf(error, BUS_ERROR_AMBIGUOUS_ID,
                                         "Container id prefix %s matches more than one container.", name);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_CONTAINER, "No such container: %s", name);
        return sd_bus_reply_method_return(m, "o", c->object_path);
}

static int property_get_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        return sd_bus_message_append(reply, "s", RAIND_VERSION);
}

static int property_get_state_dir(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s", m->state_dir);
}

static const sd_bus_vtable manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("StateDirectory", "s", property_get_state_dir, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_METHOD_WITH_ARGS("CreateContainer", SD_BUS_ARGS("s", image, "as", command, "a{sv}", options),
                            SD_BUS_RESULT("o", container), method_create_container,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("ListContainers", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ssssstttio)", containers),
                            method_list_containers, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetContainer", SD_BUS_ARGS("s", name_or_id), SD_BUS_RESULT("o", container),
                            method_get_container, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("PruneContainers", SD_BUS_NO_ARGS, SD_BUS_RESULT("as", removed),
                            method_prune_containers, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL_WITH_ARGS("Event", SD_BUS_ARGS("s", event, "s", id, "s", name, "a{sv}", details), 0),
    SD_BUS_SIGNAL_WITH_ARGS("ContainerNew", SD_BUS_ARGS("s", id, "o", container), 0),
    SD_BUS_SIGNAL_WITH_ARGS("ContainerStateChanged", SD_BUS_ARGS("s", id, "o", container, "s", state), 0),
    SD_BUS_SIGNAL_WITH_ARGS("ContainerRemoved", SD_BUS_ARGS("s", id, "o", container), 0),
    SD_BUS_VTABLE_END,
};

int manager_add_bus_objects(Manager *m)
{
        int r;

        r = sd_bus_add_object_vtable(m->bus, NULL, "/org/raind/raind1", "org.raind.raind1.Manager",
                                     manager_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add Manager object: %m");
        r = manager_image_bus_register(m);
        if (r < 0)
                return log_error_errno(r, "Failed to add Manager image methods: %m");
        r = image_bus_register(m);
        if (r < 0)
                return log_error_errno(r, "Failed to add image objects: %m");
        r = container_bus_register(m);
        if (r < 0)
                return log_error_errno(r, "Failed to add container objects: %m");
        r = sd_bus_add_object_manager(m->bus, NULL, "/org/raind/raind1");
        if (r < 0)
                return log_error_errno(r, "Failed to add object manager: %m");
        return 0;
}
