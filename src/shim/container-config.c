/* SPDX-License-Identifier: Apache-2.0 */
#include <limits.h>
#include <sched.h>

#include "container-config.h"
#include "raind/log.h"
#include "raind/strv.h"
#include "raind/validate.h"
#include "spec-json.h"

#define MOUNTS_MAX          1024
#define MASKED_PATHS_MAX    1024
#define MOUNT_OPTIONS_MAX   64
#define ADDITIONAL_GIDS_MAX NGROUPS_MAX
#define CAPABILITIES_MAX    64
#define NAMESPACE_PATHS_MAX 8

static const struct {
        const char *name;
        int type;
} namespace_table[] = {
    {"pid", CLONE_NEWPID}, {"network", CLONE_NEWNET},   {"mount", CLONE_NEWNS},  {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS}, {"cgroup", CLONE_NEWCGROUP}, {"user", CLONE_NEWUSER}, {"time", CLONE_NEWTIME},
};

const char *namespace_type_to_string(int type)
{
        for (size_t i = 0; i < ELEMENTSOF(namespace_table); i++)
                if (namespace_table[i].type == type)
                        return namespace_table[i].name;
        return NULL;
}

unsigned long container_config_namespace_flags(const ContainerConfig *c)
{
        unsigned long flags = 0;

        for (size_t i = 0; i < c->n_namespaces; i++)
                flags |= (unsigned long)c->namespaces[i].type;
        return flags;
}

void process_config_done(ProcessConfig *p)
{
        strv_free(p->args);
        strv_free(p->env);
        free(p->cwd);
        free(p->additional_gids);
        *p = (ProcessConfig){};
}

ContainerConfig *container_config_free(ContainerConfig *c)
{
        if (!c)
                return NULL;
        process_config_done(&c->process);
        free(c->rootfs);
        free(c->hostname);
        for (size_t i = 0; i < c->n_mounts; i++) {
                free(c->mounts[i].destination);
                free(c->mounts[i].type);
                free(c->mounts[i].source);
                mount_options_done(&c->mounts[i].options);
        }
        free(c->mounts);
        for (size_t i = 0; i < c->n_namespaces; i++)
                free(c->namespaces[i].path);
        free(c->namespaces);
        strv_free(c->masked_paths);
        strv_free(c->readonly_paths);
        seccomp_config_free(c->seccomp);
        free(c->overlay_lowerdir);
        free(c->overlay_upperdir);
        free(c->overlay_workdir);
        free(c);
        return NULL;
}

static int strdup_to(const char *s, char **ret)
{
        char *copy = strdup(s);
        if (!copy)
                return log_oom();
        free(*ret);
        *ret = copy;
        return 0;
}

/* Absolute paths stay, relative ones are taken relative to the bundle. */
static int path_in_bundle(const char *bundle, const char *path, char **ret)
{
        if (path[0] == '/')
                return strdup_to(path, ret);
        char *p;
        if (asprintf(&p, "%s/%s", bundle, path) < 0)
                return log_oom();
        free(*ret);
        *ret = p;
        return 0;
}

static int parse_capability_set(struct json_object *caps, const char *key, uint64_t *ret)
{
        _cleanup_strv_free_ char **names = NULL;
        uint64_t mask = 0;
        int r;

        r = spec_get_strv(caps, "process.capabilities", key, CAPABILITIES_MAX, &names);
        if (r <= 0)
                return r;
        STRV_FOREACH (n, names) {
                int cap = capability_from_name(*n);
                if (cap < 0 || cap >= 64) { /* also CAPABILITY_ALL, which is no name in a spec */
                        /* runc ignores what it does not know, so that newer specs still run. */
                        log_warning("config.json: unknown capability %s, ignoring.", *n);
                        continue;
                }
                mask |= UINT64_C(1) << cap;
        }
        *ret = mask;
        return 0;
}

static int parse_capabilities(struct json_object *process, ProcessConfig *c)
{
        struct json_object *caps;
        int r;

        r = spec_get_object(process, "process", "capabilities", &caps);
        if (r <= 0)
                return r;
        c->has_capabilities = true;
        if ((r = parse_capability_set(caps, "bounding", &c->capabilities.bounding)) < 0 ||
            (r = parse_capability_set(caps, "effective", &c->capabilities.effective)) < 0 ||
            (r = parse_capability_set(caps, "permitted", &c->capabilities.permitted)) < 0 ||
            (r = parse_capability_set(caps, "inheritable", &c->capabilities.inheritable)) < 0 ||
            (r = parse_capability_set(caps, "ambient", &c->capabilities.ambient)) < 0)
                return r;
        return 0;
}

static int parse_process_user(struct json_object *process, ProcessConfig *c)
{
        struct json_object *user, *gids = NULL;
        uint32_t uid = 0, gid = 0;
        int r;

        r = spec_get_object(process, "process", "user", &user);
        if (r <= 0)
                return r;
        if ((r = spec_get_uint32(user, "process.user", "uid", &uid)) < 0 ||
            (r = spec_get_uint32(user, "process.user", "gid", &gid)) < 0 ||
            (r = spec_get_array(user, "process.user", "additionalGids", &gids)) < 0)
                return r;
        if (uid == (uint32_t)-1 || gid == (uint32_t)-1)
                return log_error_errno(-EINVAL, "config.json: process.user: uid/gid -1 is not valid.");
        c->uid = uid;
        c->gid = gid;

        size_t n = gids ? json_object_array_length(gids) : 0;
        if (n > ADDITIONAL_GIDS_MAX)
                return log_error_errno(-E2BIG, "config.json: process.user.additionalGids is too long.");
        c->additional_gids = calloc(n + 1, sizeof(gid_t));
        if (!c->additional_gids)
                return log_oom();
        for (size_t i = 0; i < n; i++) {
                struct json_object *g = json_object_array_get_idx(gids, i);
                if (!json_object_is_type(g, json_type_int) || json_object_get_int64(g) < 0 ||
                    json_object_get_int64(g) >= UINT32_MAX)
                        return log_error_errno(
                            -EINVAL, "config.json: process.user.additionalGids must hold group ids.");
                c->additional_gids[i] = (gid_t)json_object_get_int64(g);
        }
        c->n_additional_gids = n;
        return 0;
}

static int parse_process(struct json_object *root, ProcessConfig *c)
{
        struct json_object *process;
        const char *cwd = "/";
        int r;

        r = spec_get_object(root, "", "process", &process);
        if (r < 0)
                return r;
        if (r == 0)
                return log_error_errno(-EINVAL, "config.json: process is missing.");

        if ((r = spec_get_strv(process, "process", "args", ARGV_MAX, &c->args)) < 0 ||
            (r = spec_get_strv(process, "process", "env", ENV_MAX, &c->env)) < 0 ||
            (r = spec_get_string(process, "process", "cwd", &cwd)) < 0 ||
            (r = spec_get_bool(process, "process", "terminal", &c->terminal)) < 0 ||
            (r = spec_get_bool(process, "process", "noNewPrivileges", &c->no_new_privileges)) < 0)
                return r;
        if (strv_isempty(c->args) || isempty(c->args[0]))
                return log_error_errno(-EINVAL, "config.json: process.args must name a command.");
        if (!c->env && !(c->env = calloc(1, sizeof(char *))))
                return log_oom();
        STRV_FOREACH (e, c->env)
                if (!env_assignment_is_valid(*e))
                        return log_error_errno(-EINVAL, "config.json: invalid environment entry \"%s\".",
                                               *e);
        if (!path_is_safe_absolute(cwd))
                return log_error_errno(-EINVAL, "config.json: process.cwd must be an absolute path.");
        r = strdup_to(cwd, &c->cwd);
        if (r < 0)
                return r;

        r = parse_process_user(process, c);
        if (r < 0)
                return r;
        return parse_capabilities(process, c);
}

static int parse_root(struct json_object *root, const char *bundle, ContainerConfig *c)
{
        struct json_object *o;
        const char *path = NULL;
        int r;

        r = spec_get_object(root, "", "root", &o);
        if (r < 0)
                return r;
        if (r == 0)
                return log_error_errno(-EINVAL, "config.json: root is missing.");
        if ((r = spec_get_string(o, "root", "path", &path)) < 0 ||
            (r = spec_get_bool(o, "root", "readonly", &c->root_readonly)) < 0)
                return r;
        if (isempty(path) || strstr(path, ".."))
                return log_error_errno(-EINVAL, "config.json: root.path is missing or not a plain path.");
        return path_in_bundle(bundle, path, &c->rootfs);
}

static int parse_mount(struct json_object *o, const char *bundle, MountSpec *m)
{
        const char *where = "mounts[]", *destination = NULL, *type = NULL, *source = NULL;
        _cleanup_strv_free_ char **options = NULL;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return log_error_errno(-EINVAL, "config.json: %s must be an object.", where);
        if ((r = spec_get_string(o, where, "destination", &destination)) < 0 ||
            (r = spec_get_string(o, where, "type", &type)) < 0 ||
            (r = spec_get_string(o, where, "source", &source)) < 0 ||
            (r = spec_get_strv(o, where, "options", MOUNT_OPTIONS_MAX, &options)) < 0)
                return r;
        if (!destination || !path_is_safe_absolute(destination))
                return log_error_errno(-EINVAL,
                                       "config.json: mount destination \"%s\" is not a clean absolute path.",
                                       strempty(destination));
        r = strdup_to(destination, &m->destination);
        if (r < 0)
                return r;
        if (mount_options_parse(options, &m->options) < 0)
                return log_oom();
        if (streq_ptr(type, "bind"))
                m->options.bind = true;
        if (!m->options.bind && isempty(type))
                return log_error_errno(-EINVAL, "config.json: mount %s has no type.", destination);
        if (m->options.bind && isempty(source))
                return log_error_errno(-EINVAL, "config.json: bind mount %s has no source.", destination);
        if ((r = strdup_to(type ?: "bind", &m->type)) < 0)
                return r;
        if (!source)
                return 0;
        return m->options.bind ? path_in_bundle(bundle, source, &m->source) : strdup_to(source, &m->source);
}

static int parse_mounts(struct json_object *root, const char *bundle, ContainerConfig *c)
{
        struct json_object *mounts;
        int r;

        r = spec_get_array(root, "", "mounts", &mounts);
        if (r <= 0)
                return r;
        size_t n = json_object_array_length(mounts);
        if (n > MOUNTS_MAX)
                return log_error_errno(-E2BIG, "config.json: more than %d mounts.", MOUNTS_MAX);
        c->mounts = calloc(n + 1, sizeof(MountSpec));
        if (!c->mounts)
                return log_oom();
        for (size_t i = 0; i < n; i++) {
                /* Count first so that the free function sees partially parsed entries too. */
                c->n_mounts++;
                r = parse_mount(json_object_array_get_idx(mounts, i), bundle, &c->mounts[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_namespace(struct json_object *o, ContainerConfig *c)
{
        const char *type = NULL, *path = NULL;
        NamespaceSpec *ns = &c->namespaces[c->n_namespaces];
        int r;

        if (!json_object_is_type(o, json_type_object))
                return log_error_errno(-EINVAL, "config.json: linux.namespaces[] must be an object.");
        if ((r = spec_get_string(o, "linux.namespaces[]", "type", &type)) < 0 ||
            (r = spec_get_string(o, "linux.namespaces[]", "path", &path)) < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(namespace_table); i++)
                if (streq_ptr(type, namespace_table[i].name))
                        ns->type = namespace_table[i].type;
        if (ns->type == 0)
                return log_error_errno(-EINVAL, "config.json: unknown namespace type \"%s\".",
                                       strempty(type));
        if (ns->type == CLONE_NEWUSER || ns->type == CLONE_NEWTIME)
                return log_error_errno(-EOPNOTSUPP, "config.json: %s namespaces are not supported yet.",
                                       type);
        for (size_t i = 0; i < c->n_namespaces; i++)
                if (c->namespaces[i].type == ns->type)
                        return log_error_errno(-EINVAL, "config.json: namespace %s is listed twice.", type);
        if (path && !path_is_safe_absolute(path))
                return log_error_errno(-EINVAL, "config.json: namespace path \"%s\" is not absolute.", path);
        if (path && (r = strdup_to(path, &ns->path)) < 0)
                return r;
        if (!path)
                c->clone_flags |= (unsigned long)ns->type;
        c->n_namespaces++;
        return 0;
}

static int parse_paths(struct json_object *linux_obj, const char *key, char ***ret)
{
        int r = spec_get_strv(linux_obj, "linux", key, MASKED_PATHS_MAX, ret);
        if (r <= 0)
                return r;
        STRV_FOREACH (p, *ret)
                if (!path_is_safe_absolute(*p))
                        return log_error_errno(
                            -EINVAL, "config.json: linux.%s: \"%s\" is not a clean absolute path.", key, *p);
        return 0;
}

static int parse_linux(struct json_object *root, ContainerConfig *c)
{
        struct json_object *linux_obj, *namespaces = NULL, *seccomp = NULL;
        int r;

        r = spec_get_object(root, "", "linux", &linux_obj);
        if (r <= 0)
                return r;
        if ((r = spec_get_array(linux_obj, "linux", "namespaces", &namespaces)) < 0 ||
            (r = spec_get_object(linux_obj, "linux", "seccomp", &seccomp)) < 0 ||
            (r = parse_paths(linux_obj, "maskedPaths", &c->masked_paths)) < 0 ||
            (r = parse_paths(linux_obj, "readonlyPaths", &c->readonly_paths)) < 0)
                return r;

        size_t n = namespaces ? json_object_array_length(namespaces) : 0;
        if (n > ELEMENTSOF(namespace_table))
                return log_error_errno(-E2BIG, "config.json: too many namespaces.");
        c->namespaces = calloc(n + 1, sizeof(NamespaceSpec));
        if (!c->namespaces)
                return log_oom();
        for (size_t i = 0; i < n; i++) {
                r = parse_namespace(json_object_array_get_idx(namespaces, i), c);
                if (r < 0)
                        return r;
        }
        if (seccomp)
                return seccomp_config_from_json(seccomp, &c->seccomp);
        return 0;
}

static bool overlay_path_is_valid(const char *p, bool list)
{
        /* The mount options are comma-separated, lowerdir entries colon-separated. */
        if (strchr(p, ','))
                return false;
        if (!list)
                return path_is_safe_absolute(p) && !strchr(p, ':');

        _cleanup_free_ char *copy = strdup(p);
        if (!copy)
                return false;
        char *save = NULL;
        size_t n = 0;
        for (char *e = strtok_r(copy, ":", &save); e; e = strtok_r(NULL, ":", &save), n++)
                if (!path_is_safe_absolute(e))
                        return false;
        return n > 0 && !strstr(p, "::") && p[strlen(p) - 1] != ':';
}

static int parse_overlay_annotation(struct json_object *annotations, const char *key, bool list, char **ret)
{
        const char *v = NULL;
        int r;

        r = spec_get_string(annotations, "annotations", key, &v);
        if (r <= 0)
                return r;
        if (!overlay_path_is_valid(v, list))
                return log_error_errno(-EINVAL, "config.json: annotation %s has an invalid path.", key);
        return strdup_to(v, ret);
}

static int parse_annotations(struct json_object *root, ContainerConfig *c)
{
        struct json_object *annotations;
        const char *stdin_open = NULL;
        int r;

        r = spec_get_object(root, "", "annotations", &annotations);
        if (r <= 0)
                return r;
        if ((r = parse_overlay_annotation(annotations, "org.raind.overlay.lowerdir", true,
                                          &c->overlay_lowerdir)) < 0 ||
            (r = parse_overlay_annotation(annotations, "org.raind.overlay.upperdir", false,
                                          &c->overlay_upperdir)) < 0 ||
            (r = parse_overlay_annotation(annotations, "org.raind.overlay.workdir", false,
                                          &c->overlay_workdir)) < 0 ||
            (r = spec_get_string(annotations, "annotations", "org.raind.stdin-open", &stdin_open)) < 0)
                return r;
        c->stdin_open = streq_ptr(stdin_open, "true");
        if (!!c->overlay_upperdir != !!c->overlay_workdir)
                return log_error_errno(-EINVAL, "config.json: overlay upperdir and workdir go together.");
        if (c->overlay_upperdir && !c->overlay_lowerdir)
                return log_error_errno(-EINVAL, "config.json: overlay upperdir needs a lowerdir.");
        return 0;
}

static int check_consistency(const ContainerConfig *c)
{
        bool has_mount_ns = false, has_uts_ns = false;

        for (size_t i = 0; i < c->n_namespaces; i++) {
                has_mount_ns = has_mount_ns || c->namespaces[i].type == CLONE_NEWNS;
                has_uts_ns = has_uts_ns || (c->namespaces[i].type == CLONE_NEWUTS && !c->namespaces[i].path);
        }
        /* The rootfs and every mount is set up inside the container's mount namespace; without one
         * they would land on the host. */
        if (!has_mount_ns)
                return log_error_errno(-EINVAL, "config.json: a mount namespace is required.");
        if (c->hostname && !has_uts_ns)
                return log_error_errno(-EINVAL, "config.json: hostname needs a new uts namespace.");
        return 0;
}

int container_config_from_json(struct json_object *root, const char *bundle, ContainerConfig **ret)
{
        _cleanup_(container_config_freep) ContainerConfig *c = calloc(1, sizeof(ContainerConfig));
        const char *hostname = NULL;
        int r;

        if (!c)
                return log_oom();
        if (!json_object_is_type(root, json_type_object))
                return log_error_errno(-EINVAL, "config.json: not a JSON object.");
        if ((r = parse_process(root, &c->process)) < 0 || (r = parse_root(root, bundle, c)) < 0 ||
            (r = parse_mounts(root, bundle, c)) < 0 || (r = parse_linux(root, c)) < 0 ||
            (r = parse_annotations(root, c)) < 0 ||
            (r = spec_get_string(root, "", "hostname", &hostname)) < 0)
                return r;
        if (!isempty(hostname)) {
                if (!hostname_is_valid(hostname))
                        return log_error_errno(-EINVAL, "config.json: invalid hostname \"%s\".", hostname);
                if ((r = strdup_to(hostname, &c->hostname)) < 0)
                        return r;
        }
        r = check_consistency(c);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

int container_config_load(const char *bundle, ContainerConfig **ret)
{
        _cleanup_json_ struct json_object *root = NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        if (asprintf(&path, "%s/config.json", bundle) < 0)
                return log_oom();
        r = json_read_file(path, CONFIG_FILE_MAX, &root);
        if (r == -EBADMSG)
                return log_error_errno(r, "Failed to parse %s: not valid JSON.", path);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s: %m", path);
        return container_config_from_json(root, bundle, ret);
}
