/* SPDX-License-Identifier: Apache-2.0 */
#include <linux/capability.h>

#include "raind/json-util.h"
#include "raind/macro.h"
#include "raind/seccomp-profile.h"

/* Everything an ordinary program needs. Left out on purpose: module loading, kexec, reboot, swap,
 * accounting, keyrings, bpf, perf, userfaultfd, open_by_handle_at, mount and namespace syscalls,
 * clock setting, io_uring (a recurring source of kernel bugs), obsolete syscalls. */
static const char *const syscalls_default[] = {
    "accept",
    "accept4",
    "access",
    "alarm",
    "bind",
    "brk",
    "cachestat",
    "capget",
    "capset",
    "chdir",
    "chmod",
    "chown",
    "chown32",
    "clock_getres",
    "clock_getres_time64",
    "clock_gettime",
    "clock_gettime64",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "close",
    "close_range",
    "connect",
    "copy_file_range",
    "creat",
    "dup",
    "dup2",
    "dup3",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_ctl_old",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_wait",
    "epoll_wait_old",
    "eventfd",
    "eventfd2",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "faccessat",
    "faccessat2",
    "fadvise64",
    "fadvise64_64",
    "fallocate",
    "fanotify_mark",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "fchown",
    "fchown32",
    "fchownat",
    "fcntl",
    "fcntl64",
    "fdatasync",
    "fgetxattr",
    "flistxattr",
    "flock",
    "fork",
    "fremovexattr",
    "fsetxattr",
    "fstat",
    "fstat64",
    "fstatat64",
    "fstatfs",
    "fstatfs64",
    "fsync",
    "ftruncate",
    "ftruncate64",
    "futex",
    "futex_requeue",
    "futex_time64",
    "futex_wait",
    "futex_waitv",
    "futex_wake",
    "futimesat",
    "getcpu",
    "getcwd",
    "getdents",
    "getdents64",
    "getegid",
    "getegid32",
    "geteuid",
    "geteuid32",
    "getgid",
    "getgid32",
    "getgroups",
    "getgroups32",
    "getitimer",
    "getpeername",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getpriority",
    "getrandom",
    "getresgid",
    "getresgid32",
    "getresuid",
    "getresuid32",
    "getrlimit",
    "get_robust_list",
    "getrusage",
    "getsid",
    "getsockname",
    "getsockopt",
    "get_thread_area",
    "gettid",
    "gettimeofday",
    "getuid",
    "getuid32",
    "getxattr",
    "inotify_add_watch",
    "inotify_init",
    "inotify_init1",
    "inotify_rm_watch",
    "io_cancel",
    "ioctl",
    "io_destroy",
    "io_getevents",
    "io_pgetevents",
    "io_pgetevents_time64",
    "ioprio_get",
    "ioprio_set",
    "io_setup",
    "io_submit",
    "ipc",
    "kill",
    "landlock_add_rule",
    "landlock_create_ruleset",
    "landlock_restrict_self",
    "lchown",
    "lchown32",
    "lgetxattr",
    "link",
    "linkat",
    "listen",
    "listxattr",
    "llistxattr",
    "_llseek",
    "lremovexattr",
    "lseek",
    "lsetxattr",
    "lstat",
    "lstat64",
    "madvise",
    "map_shadow_stack",
    "membarrier",
    "memfd_create",
    "memfd_secret",
    "mincore",
    "mkdir",
    "mkdirat",
    "mknod",
    "mknodat",
    "mlock",
    "mlock2",
    "mlockall",
    "mmap",
    "mmap2",
    "mprotect",
    "mq_getsetattr",
    "mq_notify",
    "mq_open",
    "mq_timedreceive",
    "mq_timedreceive_time64",
    "mq_timedsend",
    "mq_timedsend_time64",
    "mq_unlink",
    "mremap",
    "msgctl",
    "msgget",
    "msgrcv",
    "msgsnd",
    "msync",
    "munlock",
    "munlockall",
    "munmap",
    "name_to_handle_at",
    "nanosleep",
    "newfstatat",
    "_newselect",
    "open",
    "openat",
    "openat2",
    "pause",
    "pidfd_open",
    "pidfd_send_signal",
    "pipe",
    "pipe2",
    "pkey_alloc",
    "pkey_free",
    "pkey_mprotect",
    "poll",
    "ppoll",
    "ppoll_time64",
    "prctl",
    "pread64",
    "preadv",
    "preadv2",
    "prlimit64",
    "process_mrelease",
    "pselect6",
    "pselect6_time64",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "read",
    "readahead",
    "readlink",
    "readlinkat",
    "readv",
    "recv",
    "recvfrom",
    "recvmmsg",
    "recvmmsg_time64",
    "recvmsg",
    "remap_file_pages",
    "removexattr",
    "rename",
    "renameat",
    "renameat2",
    "restart_syscall",
    "rmdir",
    "rseq",
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigqueueinfo",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo",
    "sched_getaffinity",
    "sched_getattr",
    "sched_getparam",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_getscheduler",
    "sched_rr_get_interval",
    "sched_rr_get_interval_time64",
    "sched_setaffinity",
    "sched_setattr",
    "sched_setparam",
    "sched_setscheduler",
    "sched_yield",
    "seccomp",
    "select",
    "semctl",
    "semget",
    "semop",
    "semtimedop",
    "semtimedop_time64",
    "send",
    "sendfile",
    "sendfile64",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "setfsgid",
    "setfsgid32",
    "setfsuid",
    "setfsuid32",
    "setgid",
    "setgid32",
    "setgroups",
    "setgroups32",
    "setitimer",
    "setpgid",
    "setpriority",
    "setregid",
    "setregid32",
    "setresgid",
    "setresgid32",
    "setresuid",
    "setresuid32",
    "setreuid",
    "setreuid32",
    "setrlimit",
    "set_robust_list",
    "setsid",
    "setsockopt",
    "set_thread_area",
    "set_tid_address",
    "setuid",
    "setuid32",
    "setxattr",
    "shmat",
    "shmctl",
    "shmdt",
    "shmget",
    "shutdown",
    "sigaltstack",
    "signalfd",
    "signalfd4",
    "sigprocmask",
    "sigreturn",
    "socketcall",
    "socketpair",
    "splice",
    "stat",
    "stat64",
    "statfs",
    "statfs64",
    "statx",
    "symlink",
    "symlinkat",
    "sync",
    "sync_file_range",
    "syncfs",
    "sysinfo",
    "tee",
    "tgkill",
    "time",
    "timer_create",
    "timer_delete",
    "timer_getoverrun",
    "timer_gettime",
    "timer_gettime64",
    "timer_settime",
    "timer_settime64",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_gettime64",
    "timerfd_settime",
    "timerfd_settime64",
    "times",
    "tkill",
    "truncate",
    "truncate64",
    "ugetrlimit",
    "umask",
    "uname",
    "unlink",
    "unlinkat",
    "utime",
    "utimensat",
    "utimensat_time64",
    "utimes",
    "vfork",
    "vmsplice",
    "wait4",
    "waitid",
    "waitpid",
    "write",
    "writev",
    /* Since Linux 4.8 seccomp is re-checked after a tracer changed a syscall, so ptrace can no
     * longer be used to escape the filter; Docker allows these on such kernels, and so do we. */
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
#if defined(__x86_64__) || defined(__i386__)
    "arch_prctl",
    "modify_ldt",
#endif
#if defined(__aarch64__) || defined(__arm__)
    "arm_fadvise64_64",
    "arm_sync_file_range",
    "sync_file_range2",
    "breakpoint",
    "cacheflush",
    "set_tls",
#endif
    NULL,
};

static const char *const syscalls_dac_read_search[] = {"open_by_handle_at", NULL};
static const char *const syscalls_sys_admin[] = {
    "bpf",       "clone",           "clone3",         "fanotify_init", "fsconfig",      "fsmount",
    "fsopen",    "fspick",          "lookup_dcookie", "mount",         "mount_setattr", "move_mount",
    "open_tree", "perf_event_open", "quotactl",       "quotactl_fd",   "setdomainname", "sethostname",
    "setns",     "syslog",          "umount",         "umount2",       "unshare",       NULL,
};
static const char *const syscalls_sys_boot[] = {"reboot", NULL};
static const char *const syscalls_sys_chroot[] = {"chroot", NULL};
static const char *const syscalls_sys_module[] = {"delete_module", "init_module", "finit_module", NULL};
static const char *const syscalls_sys_pacct[] = {"acct", NULL};
static const char *const syscalls_sys_ptrace[] = {"kcmp", "pidfd_getfd", "process_madvise", NULL};
static const char *const syscalls_sys_rawio[] = {"iopl", "ioperm", NULL};
static const char *const syscalls_sys_time[] = {
    "settimeofday", "stime",         "clock_settime",   "clock_settime64",
    "adjtimex",     "clock_adjtime", "clock_adjtime64", NULL,
};
static const char *const syscalls_sys_tty_config[] = {"vhangup", NULL};
static const char *const syscalls_sys_nice[] = {
    "get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node", NULL,
};
static const char *const syscalls_syslog[] = {"syslog", NULL};
static const char *const syscalls_bpf[] = {"bpf", NULL};
static const char *const syscalls_perfmon[] = {"perf_event_open", NULL};

static const struct {
        int capability;
        const char *const *names;
} capability_groups[] = {
    {CAP_DAC_READ_SEARCH, syscalls_dac_read_search},
    {CAP_SYS_ADMIN, syscalls_sys_admin},
    {CAP_SYS_BOOT, syscalls_sys_boot},
    {CAP_SYS_CHROOT, syscalls_sys_chroot},
    {CAP_SYS_MODULE, syscalls_sys_module},
    {CAP_SYS_PACCT, syscalls_sys_pacct},
    {CAP_SYS_PTRACE, syscalls_sys_ptrace},
    {CAP_SYS_RAWIO, syscalls_sys_rawio},
    {CAP_SYS_TIME, syscalls_sys_time},
    {CAP_SYS_TTY_CONFIG, syscalls_sys_tty_config},
    {CAP_SYS_NICE, syscalls_sys_nice},
    {CAP_SYSLOG, syscalls_syslog},
    {CAP_BPF, syscalls_bpf},
    {CAP_PERFMON, syscalls_perfmon},
};

/* personality(2) values a program may set: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32,
 * and 0xffffffff, which only queries the current persona. */
static const uint64_t personality_values[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

#define AF_VSOCK_FAMILY 40
/* CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET */
#define CLONE_NAMESPACE_FLAGS 0x7E020000ULL
#define ENOSYS_ERRNO          38

static int json_add(struct json_object *o, const char *key, struct json_object *v)
{
        if (!v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int json_append(struct json_object *array, struct json_object *v)
{
        if (!v)
                return -ENOMEM;
        if (json_object_array_add(array, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int rule_new(const char *const *names, const char *action, struct json_object **ret)
{
        _cleanup_json_ struct json_object *rule = json_object_new_object();
        _cleanup_json_ struct json_object *array = json_object_new_array();
        int r;

        if (!rule || !array)
                return -ENOMEM;
        for (const char *const *n = names; *n; n++) {
                r = json_append(array, json_object_new_string(*n));
                if (r < 0)
                        return r;
        }
        r = json_add(rule, "names", TAKE_PTR(array));
        if (r < 0)
                return r;
        r = json_add(rule, "action", json_object_new_string(action));
        if (r < 0)
                return r;
        *ret = TAKE_PTR(rule);
        return 0;
}

static int rule_add_arg(struct json_object *rule, unsigned index, uint64_t value, uint64_t value_two,
                        const char *op)
{
        _cleanup_json_ struct json_object *arg = json_object_new_object();
        struct json_object *args;
        int r;

        if (!arg)
                return -ENOMEM;
        if (!json_object_object_get_ex(rule, "args", &args)) {
                r = json_add(rule, "args", json_object_new_array());
                if (r < 0)
                        return r;
                json_object_object_get_ex(rule, "args", &args);
        }
        r = json_add(arg, "index", json_object_new_int(index));
        if (r < 0)
                return r;
        r = json_add(arg, "value", json_object_new_uint64(value));
        if (r < 0)
                return r;
        r = json_add(arg, "valueTwo", json_object_new_uint64(value_two));
        if (r < 0)
                return r;
        r = json_add(arg, "op", json_object_new_string(op));
        if (r < 0)
                return r;
        return json_append(args, TAKE_PTR(arg));
}

static int append_rule(struct json_object *syscalls, const char *const *names, const char *action,
                       struct json_object **ret_rule)
{
        struct json_object *rule;
        int r;

        r = rule_new(names, action, &rule);
        if (r < 0)
                return r;
        r = json_append(syscalls, rule);
        if (r < 0)
                return r;
        if (ret_rule)
                *ret_rule = rule;
        return 0;
}

static int append_restricted_rules(struct json_object *syscalls, bool sys_admin)
{
        static const char *const personality[] = {"personality", NULL};
        static const char *const socket[] = {"socket", NULL};
        static const char *const clone[] = {"clone", NULL};
        static const char *const clone3[] = {"clone3", NULL};
        struct json_object *rule;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(personality_values); i++) {
                r = append_rule(syscalls, personality, "SCMP_ACT_ALLOW", &rule);
                if (r < 0)
                        return r;
                r = rule_add_arg(rule, 0, personality_values[i], 0, "SCMP_CMP_EQ");
                if (r < 0)
                        return r;
        }

        /* Any socket family but AF_VSOCK, which talks to the hypervisor. */
        r = append_rule(syscalls, socket, "SCMP_ACT_ALLOW", &rule);
        if (r < 0)
                return r;
        r = rule_add_arg(rule, 0, AF_VSOCK_FAMILY, 0, "SCMP_CMP_NE");
        if (r < 0)
                return r;

        if (sys_admin) /* clone and clone3 come with the CAP_SYS_ADMIN group. */
                return 0;

        /* Without CAP_SYS_ADMIN: clone only without namespace flags; clone3 fails with ENOSYS, as its
         * flags live in memory a filter cannot inspect, so that libc falls back to clone. */
        r = append_rule(syscalls, clone, "SCMP_ACT_ALLOW", &rule);
        if (r < 0)
                return r;
        r = rule_add_arg(rule, 0, CLONE_NAMESPACE_FLAGS, 0, "SCMP_CMP_MASKED_EQ");
        if (r < 0)
                return r;
        r = append_rule(syscalls, clone3, "SCMP_ACT_ERRNO", &rule);
        if (r < 0)
                return r;
        return json_add(rule, "errnoRet", json_object_new_int(ENOSYS_ERRNO));
}

static int append_architectures(struct json_object *profile)
{
        static const char *const arches[] = {
#if defined(__x86_64__)
                "SCMP_ARCH_X86_64",
                "SCMP_ARCH_X86",
                "SCMP_ARCH_X32",
#elif defined(__i386__)
                "SCMP_ARCH_X86",
#elif defined(__aarch64__)
                "SCMP_ARCH_AARCH64",
                "SCMP_ARCH_ARM",
#elif defined(__arm__)
                "SCMP_ARCH_ARM",
#endif
        };
        _cleanup_json_ struct json_object *array = json_object_new_array();
        int r;

        if (!array)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(arches); i++) {
                r = json_append(array, json_object_new_string(arches[i]));
                if (r < 0)
                        return r;
        }
        return json_add(profile, "architectures", TAKE_PTR(array));
}

int seccomp_profile_default_json(const uint64_t *effective_caps, struct json_object **ret)
{
        _cleanup_json_ struct json_object *profile = json_object_new_object();
        _cleanup_json_ struct json_object *syscalls = json_object_new_array();
        uint64_t caps = effective_caps ? *effective_caps : 0;
        int r;

        if (!profile || !syscalls)
                return -ENOMEM;

        r = json_add(profile, "defaultAction", json_object_new_string("SCMP_ACT_ERRNO"));
        if (r < 0)
                return r;
        r = json_add(profile, "defaultErrnoRet", json_object_new_int(SECCOMP_PROFILE_DEFAULT_ERRNO));
        if (r < 0)
                return r;
        r = append_architectures(profile);
        if (r < 0)
                return r;

        r = append_rule(syscalls, syscalls_default, "SCMP_ACT_ALLOW", NULL);
        if (r < 0)
                return r;
        r = append_restricted_rules(syscalls, caps & (UINT64_C(1) << CAP_SYS_ADMIN));
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(capability_groups); i++) {
                if (!(caps & (UINT64_C(1) << capability_groups[i].capability)))
                        continue;
                r = append_rule(syscalls, capability_groups[i].names, "SCMP_ACT_ALLOW", NULL);
                if (r < 0)
                        return r;
        }

        r = json_add(profile, "syscalls", TAKE_PTR(syscalls));
        if (r < 0)
                return r;
        *ret = TAKE_PTR(profile);
        return 0;
}
