/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <limits.h>
#include <linux/capability.h>
#include <math.h>
#include <signal.h>
#include <strings.h>

#include "raind/macro.h"
#include "raind/validate.h"

static bool is_alnum_ascii(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool container_name_is_valid(const char *name)
{
        if (isempty(name) || strlen(name) > CONTAINER_NAME_MAX || !is_alnum_ascii(name[0]))
                return false;
        for (const char *p = name; *p; p++)
                if (!is_alnum_ascii(*p) && !strchr("_.-", *p))
                        return false;
        return true;
}

bool id_prefix_is_valid(const char *s)
{
        if (isempty(s) || strlen(s) > CONTAINER_ID_LEN)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

bool container_id_is_valid(const char *id)
{
        return id && strlen(id) == CONTAINER_ID_LEN && id_prefix_is_valid(id);
}

/* A cheap check before a reference is sent anywhere: the image store parses it with
 * registry_reference_parse(), the one grammar (libbasic cannot call it), which accepts a subset of
 * this: any registry host ("[::1]:5000", "Host.example:5000"), a tag, a digest. */
bool image_reference_is_valid(const char *ref)
{
        const char *last, *end;

        if (isempty(ref) || strlen(ref) > IMAGE_REF_MAX + strlen("@sha256:") + 64)
                return false;
        for (const char *p = ref; *p; p++)
                if (!is_alnum_ascii(*p) && !strchr("._-:/@[]", *p))
                        return false;

        /* No component is empty or starts with a separator: "a//b", "/x", "../etc", "-x", ":tag". */
        for (const char *c = ref;;) {
                if (*c == '\0' || strchr("/._-:@", *c))
                        return false;
                c = strchr(c, '/');
                if (!c)
                        break;
                c++;
        }

        /* The last component is the repository's, lowercase (only a registry host has capitals), then an
         * optional non-empty :TAG and @DIGEST. */
        last = strrchr(ref, '/');
        last = last ? last + 1 : ref;
        end = last + strcspn(last, ":@");
        for (const char *p = last; p < end; p++)
                if (*p >= 'A' && *p <= 'Z')
                        return false;
        if (*end == ':' && (end[1] == '\0' || end[1] == '@'))
                return false;
        const char *at = strchr(end, '@');
        return !at || at[1] != '\0';
}

bool hostname_is_valid(const char *s)
{
        if (isempty(s) || strlen(s) > 63 || s[0] == '-' || s[0] == '.')
                return false;
        char prev = 0;
        for (const char *p = s; *p; p++) {
                if (*p == '.' && (prev == '.' || prev == '-'))
                        return false;
                if (!is_alnum_ascii(*p) && *p != '-' && *p != '.')
                        return false;
                prev = *p;
        }
        return prev != '-' && prev != '.';
}

bool env_assignment_is_valid(const char *s)
{
        if (isempty(s) || s[0] == '=' || !strchr(s, '=') || strlen(s) > 131072)
                return false;
        return true;
}

bool path_is_safe_absolute(const char *p)
{
        if (!p || p[0] != '/' || strlen(p) >= PATH_MAX)
                return false;
        for (const char *c = p; *c;) {
                const char *e = strchrnul(c, '/');
                if (e - c == 2 && c[0] == '.' && c[1] == '.')
                        return false;
                c = *e ? e + 1 : e;
        }
        return true;
}

int parse_size(const char *s, uint64_t *ret)
{
        char *end;
        if (isempty(s) || !isdigit((unsigned char)s[0]))
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0)
                return -ERANGE;
        uint64_t mult = 1;
        if (*end) {
                switch (tolower((unsigned char)*end)) {
                case 'b':
                        mult = 1;
                        break;
                case 'k':
                        mult = 1ULL << 10;
                        break;
                case 'm':
                        mult = 1ULL << 20;
                        break;
                case 'g':
                        mult = 1ULL << 30;
                        break;
                case 't':
                        mult = 1ULL << 40;
                        break;
                default:
                        return -EINVAL;
                }
                end++;
                /* Accept "64mb"/"64MiB"-free forms like Docker: a trailing 'b' after the unit. */
                if (mult > 1 && (*end == 'b' || *end == 'B'))
                        end++;
                if (*end)
                        return -EINVAL;
        }
        if (v == 0)
                return -EINVAL;
        if (v > UINT64_MAX / mult)
                return -ERANGE;
        *ret = v * mult;
        return 0;
}

int parse_cpus(const char *s, uint64_t *ret_usec_per_sec)
{
        char *end;
        if (isempty(s) || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
                return -EINVAL;
        errno = 0;
        double v = strtod(s, &end);
        if (errno != 0 || *end || !isfinite(v))
                return -EINVAL;
        if (v <= 0 || v > 1024)
                return -ERANGE;
        uint64_t usec = (uint64_t)llround(v * 1000000.0);
        if (usec < 10000) /* systemd rounds below 1% to nothing useful */
                return -ERANGE;
        *ret_usec_per_sec = usec;
        return 0;
}

int parse_pids_limit(const char *s, uint64_t *ret)
{
        char *end;
        if (isempty(s))
                return -EINVAL;
        if (streq(s, "-1") || streq(s, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (!isdigit((unsigned char)s[0]))
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0 || *end)
                return -EINVAL;
        if (v == 0 || v > 4194304)
                return -ERANGE;
        *ret = v;
        return 0;
}

static int parse_id(const char *s, size_t len, uint32_t *ret)
{
        char buf[16];
        char *end;
        if (len == 0 || len >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, len);
        buf[len] = 0;
        for (size_t i = 0; i < len; i++)
                if (!isdigit((unsigned char)buf[i]))
                        return -EINVAL;
        errno = 0;
        unsigned long v = strtoul(buf, &end, 10);
        /* (uid_t) -1 is reserved by the kernel. */
        if (errno != 0 || *end || v >= UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t)v;
        return 0;
}

static bool user_part_is_valid(const char *s, size_t n)
{
        bool digits = true;
        uint32_t id;

        if (n == 0 || n > 256 || s[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++) {
                if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
                        return false;
                digits = digits && isdigit((unsigned char)s[i]);
        }
        return !digits || parse_id(s, n, &id) >= 0;
}

bool user_spec_is_valid(const char *s)
{
        const char *colon;

        if (isempty(s))
                return false;
        colon = strchr(s, ':');
        if (!colon)
                return user_part_is_valid(s, strlen(s));
        return user_part_is_valid(s, (size_t)(colon - s)) &&
               user_part_is_valid(colon + 1, strlen(colon + 1));
}

int parse_user(const char *s, uid_t *ret_uid, gid_t *ret_gid, bool *ret_has_gid)
{
        uint32_t uid, gid = 0;
        int r;
        if (isempty(s))
                return -EINVAL;
        const char *colon = strchr(s, ':');
        r = parse_id(s, colon ? (size_t)(colon - s) : strlen(s), &uid);
        if (r < 0)
                return r;
        if (colon) {
                r = parse_id(colon + 1, strlen(colon + 1), &gid);
                if (r < 0)
                        return r;
        }
        *ret_uid = uid;
        *ret_gid = colon ? gid : uid;
        *ret_has_gid = colon != NULL;
        return 0;
}

static const char *const signal_names[] = {
    [SIGHUP] = "HUP",       [SIGINT] = "INT",   [SIGQUIT] = "QUIT",   [SIGILL] = "ILL",   [SIGTRAP] = "TRAP",
    [SIGABRT] = "ABRT",     [SIGBUS] = "BUS",   [SIGFPE] = "FPE",     [SIGKILL] = "KILL", [SIGUSR1] = "USR1",
    [SIGSEGV] = "SEGV",     [SIGUSR2] = "USR2", [SIGPIPE] = "PIPE",   [SIGALRM] = "ALRM", [SIGTERM] = "TERM",
    [SIGSTKFLT] = "STKFLT", [SIGCHLD] = "CHLD", [SIGCONT] = "CONT",   [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",
    [SIGTTIN] = "TTIN",     [SIGTTOU] = "TTOU", [SIGURG] = "URG",     [SIGXCPU] = "XCPU", [SIGXFSZ] = "XFSZ",
    [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH", [SIGIO] = "IO",     [SIGPWR] = "PWR",
    [SIGSYS] = "SYS",
};

const char *signal_to_name(int sig)
{
        if (sig > 0 && (size_t)sig < ELEMENTSOF(signal_names))
                return signal_names[sig];
        return NULL;
}

int parse_signal(const char *s, int *ret)
{
        if (isempty(s))
                return -EINVAL;
        if (isdigit((unsigned char)s[0])) {
                char *end;
                errno = 0;
                long v = strtol(s, &end, 10);
                if (errno != 0 || *end || v < 1 || v > SIGRTMAX)
                        return -EINVAL;
                *ret = (int)v;
                return 0;
        }
        const char *n = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
        for (size_t i = 1; i < ELEMENTSOF(signal_names); i++)
                if (signal_names[i] && strcasecmp(n, signal_names[i]) == 0) {
                        *ret = (int)i;
                        return 0;
                }
        return -EINVAL;
}

int parse_volume(const char *s, char **ret_host, char **ret_ctr, bool *ret_readonly)
{
        if (isempty(s) || strlen(s) >= 2 * PATH_MAX)
                return -EINVAL;
        const char *c1 = strchr(s, ':');
        if (!c1)
                return -EINVAL;
        const char *c2 = strchr(c1 + 1, ':');
        bool ro = false;
        if (c2) {
                if (streq(c2 + 1, "ro"))
                        ro = true;
                else if (!streq(c2 + 1, "rw"))
                        return -EINVAL;
        }
        _cleanup_free_ char *host = strndup(s, (size_t)(c1 - s));
        _cleanup_free_ char *ctr = c2 ? strndup(c1 + 1, (size_t)(c2 - c1 - 1)) : strdup(c1 + 1);
        if (!host || !ctr)
                return -ENOMEM;
        if (!path_is_safe_absolute(host) || !path_is_safe_absolute(ctr))
                return -EINVAL;
        *ret_host = TAKE_PTR(host);
        *ret_ctr = TAKE_PTR(ctr);
        *ret_readonly = ro;
        return 0;
}

static const char *const cap_names[] = {
    [CAP_CHOWN] = "CHOWN",
    [CAP_DAC_OVERRIDE] = "DAC_OVERRIDE",
    [CAP_DAC_READ_SEARCH] = "DAC_READ_SEARCH",
    [CAP_FOWNER] = "FOWNER",
    [CAP_FSETID] = "FSETID",
    [CAP_KILL] = "KILL",
    [CAP_SETGID] = "SETGID",
    [CAP_SETUID] = "SETUID",
    [CAP_SETPCAP] = "SETPCAP",
    [CAP_LINUX_IMMUTABLE] = "LINUX_IMMUTABLE",
    [CAP_NET_BIND_SERVICE] = "NET_BIND_SERVICE",
    [CAP_NET_BROADCAST] = "NET_BROADCAST",
    [CAP_NET_ADMIN] = "NET_ADMIN",
    [CAP_NET_RAW] = "NET_RAW",
    [CAP_IPC_LOCK] = "IPC_LOCK",
    [CAP_IPC_OWNER] = "IPC_OWNER",
    [CAP_SYS_MODULE] = "SYS_MODULE",
    [CAP_SYS_RAWIO] = "SYS_RAWIO",
    [CAP_SYS_CHROOT] = "SYS_CHROOT",
    [CAP_SYS_PTRACE] = "SYS_PTRACE",
    [CAP_SYS_PACCT] = "SYS_PACCT",
    [CAP_SYS_ADMIN] = "SYS_ADMIN",
    [CAP_SYS_BOOT] = "SYS_BOOT",
    [CAP_SYS_NICE] = "SYS_NICE",
    [CAP_SYS_RESOURCE] = "SYS_RESOURCE",
    [CAP_SYS_TIME] = "SYS_TIME",
    [CAP_SYS_TTY_CONFIG] = "SYS_TTY_CONFIG",
    [CAP_MKNOD] = "MKNOD",
    [CAP_LEASE] = "LEASE",
    [CAP_AUDIT_WRITE] = "AUDIT_WRITE",
    [CAP_AUDIT_CONTROL] = "AUDIT_CONTROL",
    [CAP_SETFCAP] = "SETFCAP",
    [CAP_MAC_OVERRIDE] = "MAC_OVERRIDE",
    [CAP_MAC_ADMIN] = "MAC_ADMIN",
    [CAP_SYSLOG] = "SYSLOG",
    [CAP_WAKE_ALARM] = "WAKE_ALARM",
    [CAP_BLOCK_SUSPEND] = "BLOCK_SUSPEND",
    [CAP_AUDIT_READ] = "AUDIT_READ",
    [CAP_PERFMON] = "PERFMON",
    [CAP_BPF] = "BPF",
    [CAP_CHECKPOINT_RESTORE] = "CHECKPOINT_RESTORE",
};

const char *capability_to_name(int cap)
{
        if (cap >= 0 && (size_t)cap < ELEMENTSOF(cap_names))
                return cap_names[cap];
        return NULL;
}

int capability_from_name(const char *s)
{
        if (isempty(s))
                return -EINVAL;
        const char *n = strncasecmp(s, "CAP_", 4) == 0 ? s + 4 : s;
        if (strcasecmp(n, "ALL") == 0)
                return CAPABILITY_ALL;
        for (size_t i = 0; i < ELEMENTSOF(cap_names); i++)
                if (cap_names[i] && strcasecmp(n, cap_names[i]) == 0)
                        return (int)i;
        return -EINVAL;
}

const int default_capabilities[] = {
    CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,
    CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,           CAP_SETUID,
    CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
    CAP_KILL,    CAP_AUDIT_WRITE,
};
const size_t n_default_capabilities = ELEMENTSOF(default_capabilities);

int parse_restart_policy(const char *s, RestartPolicy *ret_policy, unsigned *ret_max_retries)
{
        const char *n;

        if (isempty(s))
                return -EINVAL;
        *ret_max_retries = 0;
        if (streq(s, "no"))
                *ret_policy = RESTART_NO;
        else if (streq(s, "always"))
                *ret_policy = RESTART_ALWAYS;
        else if (streq(s, "unless-stopped"))
                *ret_policy = RESTART_UNLESS_STOPPED;
        else if (streq(s, "on-failure"))
                *ret_policy = RESTART_ON_FAILURE;
        else if ((n = startswith(s, "on-failure:"))) {
                char *end;
                if (!isdigit((unsigned char)*n))
                        return -EINVAL;
                errno = 0;
                unsigned long v = strtoul(n, &end, 10);
                if (errno != 0 || *end || v > 1000000)
                        return -EINVAL;
                *ret_policy = RESTART_ON_FAILURE;
                *ret_max_retries = (unsigned)v;
        } else
                return -EINVAL;
        return 0;
}

bool label_is_valid(const char *s)
{
        if (isempty(s) || s[0] == '=' || !strchr(s, '=') || strlen(s) > 4096)
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char)*p < ' ' || *p == 0x7f)
                        return false;
        return true;
}

bool port_spec_is_valid(const char *s)
{
        const char *slash;
        unsigned long port;
        char *end;

        if (isempty(s) || !isdigit((unsigned char)s[0]))
                return false;
        errno = 0;
        port = strtoul(s, &end, 10);
        if (errno != 0 || port == 0 || port > 65535)
                return false;
        slash = end;
        if (*slash == 0)
                return true;
        return *slash == '/' &&
               (streq(slash + 1, "tcp") || streq(slash + 1, "udp") || streq(slash + 1, "sctp"));
}
