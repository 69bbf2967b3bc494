/* SPDX-License-Identifier: Apache-2.0 */
#include <linux/capability.h>
#include <stdio.h>

#include "container.h"
#include "raind/json-util.h"
#include "raind/seccomp-profile.h"
#include "raind/strv.h"
#include "raind/validate.h"
#include "spec.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *const masked_paths[] = {
    "/proc/acpi",        "/proc/asound",        "/proc/interrupts", "/proc/kcore",
    "/proc/keys",        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
    "/proc/sched_debug", "/proc/scsi",          "/sys/firmware",    "/sys/devices/virtual/powercap",
};

static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static int set_error(char **ret_error, const char *fmt, const char *arg)
{
        if (ret_error && asprintf(ret_error, fmt, arg) < 0)
                *ret_error = NULL;
        return -EINVAL;
}

static struct json_object *json_strings(const char *const *l, size_t n)
{
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, json_object_new_string(l[i]));
        return a;
}

int spec_resolve_command(char **command, const Image *image, char ***ret)
{
        _cleanup_strv_free_ char **argv = NULL;
        char **tail = !strv_isempty(command) ? command : image->cmd;

        STRV_FOREACH (s, image->entrypoint)
                if (strv_extend(&argv, *s) < 0)
                        return -ENOMEM;
        STRV_FOREACH (s, tail)
                if (strv_extend(&argv, *s) < 0)
                        return -ENOMEM;
        if (strv_isempty(argv))
                return -ENOEXEC;
        *ret = TAKE_PTR(argv);
        return 0;
}

/* Image environment first, the user's entries override by key; PATH and HOSTNAME as Docker sets them. */
static int build_env(const ContainerConfig *config, const Image *image, const char *hostname, char ***ret)
{
        _cleanup_strv_free_ char **env = NULL;
        char *const *sources[] = {image->env, config->env};

        for (size_t k = 0; k < ELEMENTSOF(sources); k++)
                STRV_FOREACH (e, sources[k]) {
                        size_t keylen = strcspn(*e, "=");
                        bool replaced = false;
                        for (char **o = env; o && *o; o++)
                                if (strncmp(*o, *e, keylen + 1) == 0) {
                                        char *n = strdup(*e);
                                        if (!n)
                                                return -ENOMEM;
                                        free(*o);
                                        *o = n;
                                        replaced = true;
                                        break;
                                }
                        if (!replaced && strv_extend(&env, *e) < 0)
                                return -ENOMEM;
                }

        bool has_path = false, has_hostname = false, has_home = false;
        STRV_FOREACH (e, env) {
                has_path = has_path || startswith(*e, "PATH=");
                has_hostname = has_hostname || startswith(*e, "HOSTNAME=");
                has_home = has_home || startswith(*e, "HOME=");
        }
        if (!has_path && strv_extend(&env, DEFAULT_PATH) < 0)
                return -ENOMEM;
        if (!has_hostname) {
                _cleanup_free_ char *h = NULL;
                if (asprintf(&h, "HOSTNAME=%s", hostname) < 0 || strv_push(&env, h) < 0)
                        return -ENOMEM;
                h = NULL;
        }
        if (!has_home && strv_extend(&env, "HOME=/root") < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(env);
        return 0;
}

static int build_capabilities(const ContainerConfig *config, uint64_t *ret, char **ret_error)
{
        uint64_t caps = 0;
        for (size_t i = 0; i < n_default_capabilities; i++)
                caps |= UINT64_C(1) << default_capabilities[i];

        STRV_FOREACH (s, config->cap_add) {
                int cap = capability_from_name(*s);
                if (cap < 0)
                        return set_error(ret_error, "unknown capability to add: %s", *s);
                if (cap == CAPABILITY_ALL)
                        caps = (UINT64_C(1) << (CAP_LAST_CAP + 1)) - 1;
                else
                        caps |= UINT64_C(1) << cap;
        }
        STRV_FOREACH (s, config->cap_drop) {
                int cap = capability_from_name(*s);
                if (cap < 0)
                        return set_error(ret_error, "unknown capability to drop: %s", *s);
                if (cap == CAPABILITY_ALL)
                        caps = 0;
                else
                        caps &= ~(UINT64_C(1) << cap);
        }
        *ret = caps;
        return 0;
}

static struct json_object *json_caps(uint64_t caps)
{
        struct json_object *a = json_object_new_array();
        for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
                if (caps & (UINT64_C(1) << cap)) {
                        char name[64];
                        const char *n = capability_to_name(cap);
                        if (!n)
                                continue;
                        snprintf(name, sizeof(name), "CAP_%s", n);
                        json_object_array_add(a, json_object_new_string(name));
                }
        return a;
}

static struct json_object *json_mount(const char *destination, const char *type, const char *source,
                                      const char *const *options, size_t n_options)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "destination", json_object_new_string(destination));
        json_object_object_add(o, "type", json_object_new_string(type));
        json_object_object_add(o, "source", json_object_new_string(source));
        json_object_object_add(o, "options", json_strings(options, n_options));
        return o;
}

#define MOUNT(dst, type, src, ...)                                     \
        json_mount(dst, type, src, (const char *const[]){__VA_ARGS__}, \
                   ELEMENTSOF(((const char *const[]){__VA_ARGS__})))

static int build_mounts(const ContainerConfig *config, bool own_netns, struct json_object **ret,
                        char **ret_error)
{
        _cleanup_json_ struct json_object *mounts = json_object_new_array();

        json_object_array_add(mounts, MOUNT("/proc", "proc", "proc", "nosuid", "noexec", "nodev"));
        json_object_array_add(
            mounts, MOUNT("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"));
        json_object_array_add(mounts, MOUNT("/dev/pts", "devpts", "devpts", "nosuid", "noexec",
                                            "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        json_object_array_add(mounts, MOUNT("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev",
                                            "mode=1777", "size=65536k"));
        json_object_array_add(mounts, MOUNT("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"));
        if (own_netns)
                json_object_array_add(mounts,
                                      MOUNT("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"));
        else
                json_object_array_add(
                    mounts, MOUNT("/sys", "bind", "/sys", "rbind", "nosuid", "noexec", "nodev", "ro"));
        json_object_array_add(mounts, MOUNT("/sys/fs/cgroup", "cgroup2", "cgroup", "nosuid", "noexec",
                                            "nodev", "relatime", "ro"));

        STRV_FOREACH (v, config->volumes) {
                _cleanup_free_ char *host = NULL, *ctr = NULL;
                bool ro;
                if (parse_volume(*v, &host, &ctr, &ro) < 0)
                        return set_error(ret_error, "invalid volume '%s', expected HOST:CONTAINER[:ro]", *v);
                if (ro)
                        json_object_array_add(mounts, MOUNT(ctr, "bind", host, "rbind", "rprivate", "ro"));
                else
                        json_object_array_add(mounts, MOUNT(ctr, "bind", host, "rbind", "rprivate"));
        }
        *ret = TAKE_PTR(mounts);
        return 0;
}

static struct json_object *build_namespaces(bool own_netns)
{
        static const char *const types[] = {"pid", "mount", "uts", "ipc", "cgroup", "network"};
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                if (!own_netns && streq(types[i], "network"))
                        continue;
                struct json_object *o = json_object_new_object();
                json_object_object_add(o, "type", json_object_new_string(types[i]));
                json_object_array_add(a, o);
        }
        return a;
}

int spec_generate(const char *id, const char *name, const ContainerConfig *config, const Image *image,
                  const SpecPaths *paths, struct json_object **ret, char **ret_error)
{
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_json_ struct json_object *spec = NULL, *mounts = NULL;
        uid_t uid = 0;
        gid_t gid = 0;
        bool has_gid;
        uint64_t caps;
        int r;

        const char *user = config->user ?: image->user;
        if (paths->have_ids) {
                uid = paths->uid;
                gid = paths->gid;
        } else if (!isempty(user) && parse_user(user, &uid, &gid, &has_gid) < 0)
                return set_error(ret_error, "invalid user '%s', expected UID[:GID]", user);

        const char *cwd = config->working_dir ?: (!isempty(image->working_dir) ? image->working_dir : "/");
        if (!path_is_safe_absolute(cwd))
                return set_error(ret_error, "working directory '%s' is not an absolute path", cwd);

        char short_id[SHORT_ID_LEN + 1];
        snprintf(short_id, sizeof(short_id), "%s", id);
        const char *hostname = config->hostname ?: short_id;

        r = build_env(config, image, hostname, &env);
        if (r < 0)
                return r;
        r = build_capabilities(config, &caps, ret_error);
        if (r < 0)
                return r;
        bool own_netns = !streq_ptr(config->network, "host");
        r = build_mounts(config, own_netns, &mounts, ret_error);
        if (r < 0)
                return r;

        /* As Docker does: a non-root user keeps only the bounding set. */
        uint64_t effective = uid == 0 ? caps : 0;

        struct json_object *process = json_object_new_object();
        json_object_object_add(process, "terminal", json_object_new_boolean(config->tty));
        struct json_object *juser = json_object_new_object();
        json_object_object_add(juser, "uid", json_object_new_int64(uid));
        json_object_object_add(juser, "gid", json_object_new_int64(gid));
        json_object_object_add(process, "user", juser);
        json_object_object_add(process, "args", json_new_strv(config->command));
        json_object_object_add(process, "env", json_new_strv(env));
        json_object_object_add(process, "cwd", json_object_new_string(cwd));
        struct json_object *jcaps = json_object_new_object();
        json_object_object_add(jcaps, "bounding", json_caps(caps));
        json_object_object_add(jcaps, "effective", json_caps(effective));
        json_object_object_add(jcaps, "permitted", json_caps(effective));
        json_object_object_add(jcaps, "inheritable", json_object_new_array());
        json_object_object_add(jcaps, "ambient", json_object_new_array());
        json_object_object_add(process, "capabilities", jcaps);
        json_object_object_add(process, "noNewPrivileges", json_object_new_boolean(true));

        struct json_object *root = json_object_new_object();
        json_object_object_add(root, "path", json_object_new_string("rootfs"));
        json_object_object_add(root, "readonly", json_object_new_boolean(config->read_only));

        struct json_object *seccomp = NULL;
        r = seccomp_profile_default_json(&caps, &seccomp);
        if (r < 0)
                return r;

        struct json_object *linux_ = json_object_new_object();
        json_object_object_add(linux_, "namespaces", build_namespaces(own_netns));
        json_object_object_add(linux_, "maskedPaths", json_strings(masked_paths, ELEMENTSOF(masked_paths)));
        json_object_object_add(linux_, "readonlyPaths",
                               json_strings(readonly_paths, ELEMENTSOF(readonly_paths)));
        json_object_object_add(linux_, "seccomp", seccomp);

        struct json_object *annotations = json_object_new_object();
        _cleanup_free_ char *lower = strv_join(paths->lowerdirs, ":");
        if (!lower)
                return -ENOMEM;
        json_object_object_add(annotations, "org.raind.overlay.lowerdir", json_object_new_string(lower));
        json_object_object_add(annotations, "org.raind.overlay.upperdir",
                               json_object_new_string(paths->upperdir));
        json_object_object_add(annotations, "org.raind.overlay.workdir",
                               json_object_new_string(paths->workdir));
        json_object_object_add(annotations, "org.raind.container.name", json_object_new_string(name));
        if (config->open_stdin)
                json_object_object_add(annotations, "org.raind.stdin-open", json_object_new_string("true"));
        json_object_object_add(annotations, "org.raind.image.name", json_object_new_string(config->image));

        spec = json_object_new_object();
        json_object_object_add(spec, "ociVersion", json_object_new_string("1.0.2"));
        json_object_object_add(spec, "process", process);
        json_object_object_add(spec, "root", root);
        json_object_object_add(spec, "hostname", json_object_new_string(hostname));
        json_object_object_add(spec, "mounts", TAKE_PTR(mounts));
        json_object_object_add(spec, "linux", linux_);
        json_object_object_add(spec, "annotations", annotations);
        *ret = TAKE_PTR(spec);
        return 0;
}
