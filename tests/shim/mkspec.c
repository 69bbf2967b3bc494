/* SPDX-License-Identifier: Apache-2.0 */
/* Test helper: prints an OCI config.json with raind's defaults (Docker's mounts, masked paths,
 * capabilities and the default seccomp profile) for tests/shim/run.sh.
 *
 *   raind-shim-mkspec [--rootfs PATH] [--hostname NAME] [--user UID[:GID]] [--cwd DIR] [--env K=V]...
 *                     [--net | --net-path NSFILE] [--readonly] [--mount SRC:DST[:ro]]...
 *                     [--lower DIRS --upper DIR --work DIR] [--no-seccomp] [--new-privileges]
 *                     [--terminal] [--stdin-open] -- COMMAND [ARG...]
 *
 * --new-privileges leaves noNewPrivileges false (Docker's default); otherwise it is true.
 * --terminal sets process.terminal, --stdin-open the annotation org.raind.stdin-open. */
#include <getopt.h>
#include <stdio.h>

#include "raind/json-util.h"
#include "raind/seccomp-profile.h"
#include "raind/strv.h"
#include "raind/validate.h"

static const char *const masked_paths[] = {
    "/proc/asound",
    "/proc/acpi",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
    NULL,
};
static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static struct json_object *strv_json(const char *const *l)
{
        return json_new_strv((char *const *)l);
}

static void add_mount(struct json_object *mounts, const char *destination, const char *type,
                      const char *source, const char *const *options)
{
        struct json_object *m = json_object_new_object();
        json_add_string(m, "destination", destination);
        json_add_string(m, "type", type);
        json_add_string(m, "source", source);
        json_object_object_add(m, "options", strv_json(options));
        json_object_array_add(mounts, m);
}

static struct json_object *default_mounts(void)
{
        struct json_object *mounts = json_object_new_array();

        add_mount(mounts, "/proc", "proc", "proc", (const char *const[]){"nosuid", "noexec", "nodev", NULL});
        add_mount(mounts, "/dev", "tmpfs", "tmpfs",
                  (const char *const[]){"nosuid", "strictatime", "mode=755", "size=65536k", NULL});
        add_mount(mounts, "/dev/pts", "devpts", "devpts",
                  (const char *const[]){"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                                        "gid=5", NULL});
        add_mount(mounts, "/sys", "sysfs", "sysfs",
                  (const char *const[]){"nosuid", "noexec", "nodev", "ro", NULL});
        add_mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup",
                  (const char *const[]){"ro", "nosuid", "noexec", "nodev", NULL});
        add_mount(mounts, "/dev/mqueue", "mqueue", "mqueue",
                  (const char *const[]){"nosuid", "noexec", "nodev", NULL});
        add_mount(mounts, "/dev/shm", "tmpfs", "shm",
                  (const char *const[]){"nosuid", "noexec", "nodev", "mode=1777", "size=67108864", NULL});
        return mounts;
}

static void add_bind(struct json_object *mounts, const char *spec)
{
        _cleanup_free_ char *copy = strdup(spec);
        char *dst = strchr(copy, ':');
        if (!dst) {
                fprintf(stderr, "--mount wants SRC:DST[:ro]\n");
                exit(2);
        }
        *dst++ = 0;
        char *mode = strchr(dst, ':');
        if (mode)
                *mode++ = 0;
        bool ro = mode && strcmp(mode, "ro") == 0;
        add_mount(mounts, dst, "bind", copy,
                  ro ? (const char *const[]){"rbind", "ro", NULL} : (const char *const[]){"rbind", NULL});
}

static struct json_object *capabilities(uint64_t *ret_mask)
{
        struct json_object *caps = json_object_new_object(), *names = json_object_new_array();
        uint64_t mask = 0;

        for (size_t i = 0; i < n_default_capabilities; i++) {
                char n[64];
                snprintf(n, sizeof(n), "CAP_%s", capability_to_name(default_capabilities[i]));
                json_object_array_add(names, json_object_new_string(n));
                mask |= UINT64_C(1) << default_capabilities[i];
        }
        json_object_object_add(caps, "bounding", json_object_get(names));
        json_object_object_add(caps, "effective", json_object_get(names));
        json_object_object_add(caps, "permitted", names);
        *ret_mask = mask;
        return caps;
}

static struct json_object *namespaces(bool net)
{
        static const char *const types[] = {"pid", "ipc", "uts", "mount", "cgroup"};
        struct json_object *a = json_object_new_array();

        for (size_t i = 0; i < ELEMENTSOF(types) + net; i++) {
                struct json_object *ns = json_object_new_object();
                json_add_string(ns, "type", i < ELEMENTSOF(types) ? types[i] : "network");
                json_object_array_add(a, ns);
        }
        return a;
}

int main(int argc, char *argv[])
{
        enum {
                ARG_ROOTFS = 0x100,
                ARG_HOSTNAME,
                ARG_USER,
                ARG_NET,
                ARG_READONLY,
                ARG_LOWER,
                ARG_UPPER,
                ARG_WORK,
                ARG_MOUNT,
                ARG_CWD,
                ARG_ENV,
                ARG_NO_SECCOMP,
                ARG_NEW_PRIVILEGES,
                ARG_NET_PATH,
                ARG_TERMINAL,
                ARG_STDIN_OPEN
        };
        static const struct option options[] = {
            {"rootfs", required_argument, NULL, ARG_ROOTFS},
            {"hostname", required_argument, NULL, ARG_HOSTNAME},
            {"user", required_argument, NULL, ARG_USER},
            {"net", no_argument, NULL, ARG_NET},
            {"net-path", required_argument, NULL, ARG_NET_PATH},
            {"readonly", no_argument, NULL, ARG_READONLY},
            {"lower", required_argument, NULL, ARG_LOWER},
            {"upper", required_argument, NULL, ARG_UPPER},
            {"work", required_argument, NULL, ARG_WORK},
            {"mount", required_argument, NULL, ARG_MOUNT},
            {"cwd", required_argument, NULL, ARG_CWD},
            {"env", required_argument, NULL, ARG_ENV},
            {"no-seccomp", no_argument, NULL, ARG_NO_SECCOMP},
            {"new-privileges", no_argument, NULL, ARG_NEW_PRIVILEGES},
            {"terminal", no_argument, NULL, ARG_TERMINAL},
            {"stdin-open", no_argument, NULL, ARG_STDIN_OPEN},
            {},
        };
        const char *rootfs = "rootfs", *hostname = "raind-test", *lower = NULL, *upper = NULL, *work = NULL,
                   *cwd = "/", *net_path = NULL;
        _cleanup_strv_free_ char **env = NULL;
        bool net = false, readonly = false, seccomp = true, nnp = true, terminal = false, stdin_open = false;
        unsigned uid = 0, gid = 0;
        struct json_object *mounts = default_mounts();
        int c;

        strv_extend(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case ARG_ROOTFS:
                        rootfs = optarg;
                        break;
                case ARG_HOSTNAME:
                        hostname = optarg;
                        break;
                case ARG_USER:
                        if (sscanf(optarg, "%u:%u", &uid, &gid) < 1)
                                return 2;
                        break;
                case ARG_NET:
                        net = true;
                        break;
                case ARG_NET_PATH:
                        net_path = optarg;
                        break;
                case ARG_READONLY:
                        readonly = true;
                        break;
                case ARG_LOWER:
                        lower = optarg;
                        break;
                case ARG_UPPER:
                        upper = optarg;
                        break;
                case ARG_WORK:
                        work = optarg;
                        break;
                case ARG_MOUNT:
                        add_bind(mounts, optarg);
                        break;
                case ARG_CWD:
                        cwd = optarg;
                        break;
                case ARG_ENV:
                        strv_extend(&env, optarg);
                        break;
                case ARG_NO_SECCOMP:
                        seccomp = false;
                        break;
                case ARG_NEW_PRIVILEGES:
                        nnp = false;
                        break;
                case ARG_TERMINAL:
                        terminal = true;
                        break;
                case ARG_STDIN_OPEN:
                        stdin_open = true;
                        break;
                default:
                        return 2;
                }
        if (optind >= argc) {
                fprintf(stderr, "usage: %s [options] -- command [args...]\n", argv[0]);
                return 2;
        }

        uint64_t mask;
        struct json_object *spec = json_object_new_object(), *process = json_object_new_object(),
                           *user = json_object_new_object(), *root = json_object_new_object(),
                           *linux_obj = json_object_new_object(), *annotations = json_object_new_object();

        json_add_string(spec, "ociVersion", "1.0.2");
        json_object_object_add(process, "terminal", json_object_new_boolean(terminal));
        json_object_object_add(user, "uid", json_object_new_int64(uid));
        json_object_object_add(user, "gid", json_object_new_int64(gid));
        json_object_object_add(process, "user", user);
        json_object_object_add(process, "args", json_new_strv(argv + optind));
        json_object_object_add(process, "env", json_new_strv(env));
        json_add_string(process, "cwd", cwd);
        json_object_object_add(process, "capabilities", capabilities(&mask));
        json_object_object_add(process, "noNewPrivileges", json_object_new_boolean(nnp));
        json_object_object_add(spec, "process", process);

        json_add_string(root, "path", rootfs);
        json_object_object_add(root, "readonly", json_object_new_boolean(readonly));
        json_object_object_add(spec, "root", root);
        json_add_string(spec, "hostname", hostname);
        json_object_object_add(spec, "mounts", mounts);

        struct json_object *ns = namespaces(net);
        if (net_path) {
                struct json_object *n = json_object_new_object();
                json_add_string(n, "type", "network");
                json_add_string(n, "path", net_path);
                json_object_array_add(ns, n);
        }
        json_object_object_add(linux_obj, "namespaces", ns);
        json_object_object_add(linux_obj, "maskedPaths", strv_json(masked_paths));
        json_object_object_add(linux_obj, "readonlyPaths", strv_json(readonly_paths));
        if (seccomp) {
                struct json_object *profile;
                if (seccomp_profile_default_json(&mask, &profile) < 0)
                        return 1;
                json_object_object_add(linux_obj, "seccomp", profile);
        }
        json_object_object_add(spec, "linux", linux_obj);

        json_add_string(annotations, "org.raind.overlay.lowerdir", lower);
        json_add_string(annotations, "org.raind.overlay.upperdir", upper);
        json_add_string(annotations, "org.raind.overlay.workdir", work);
        if (stdin_open)
                json_add_string(annotations, "org.raind.stdin-open", "true");
        json_object_object_add(spec, "annotations", annotations);

        puts(json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(spec);
        return 0;
}
