/* SPDX-License-Identifier: Apache-2.0 */
/* raind-shim: the low-level runtime and monitor of one container. It reads an OCI bundle, creates
 * the container (namespaces, rootfs, credentials, seccomp, terminal), then stays its parent: output to
 * the journal and the clients, input from them, execs in the container, signals to the container,
 * exit status to the state directory. */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>

#include "config.h"
#include "container-config.h"
#include "container.h"
#include "control.h"
#include "monitor.h"
#include "output.h"
#include "raind/journal-send.h"
#include "raind/log.h"
#include "raind/validate.h"
#include "seccomp-filter.h"
#include "state.h"
#include "stream.h"
#include "sync.h"
#include "timing.h"

#define EXIT_START_FAILED 125
#define EXIT_SYNC_ABORT   1
#define IMAGE_NAME_MAX    1024

typedef struct ShimArgs {
        const char *bundle;
        const char *id;
        const char *name;
        const char *image;
        const char *state_dir;
        const char *seccomp_cache_dir;
        int sync_fd;
        int stdout_fd;
        int stderr_fd;
        int stream_fd;
        bool debug;
} ShimArgs;

static int parse_fd(const char *s, const char *option, int *ret)
{
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end || v < 0 || v > INT_MAX)
                return log_error_errno(-EINVAL, "Invalid file descriptor for %s: %s", option, s);
        if (fcntl((int)v, F_GETFD) < 0)
                return log_error_errno(-errno, "File descriptor %ld given with %s is not open: %m", v,
                                       option);
        *ret = (int)v;
        return 0;
}

/* The image name only labels log lines (a reference, a digest or an id): printable and bounded. */
static bool image_name_is_printable(const char *s)
{
        if (isempty(s) || strlen(s) > IMAGE_NAME_MAX)
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

static int parse_args(int argc, char *argv[], ShimArgs *a)
{
        enum {
                ARG_BUNDLE = 0x100,
                ARG_ID,
                ARG_NAME,
                ARG_IMAGE,
                ARG_STATE_DIR,
                ARG_SYNC_FD,
                ARG_STDOUT_FD,
                ARG_STDERR_FD,
                ARG_STREAM_FD,
                ARG_DEBUG,
                ARG_SECCOMP_CACHE_DIR
        };
        static const struct option options[] = {
            {"bundle", required_argument, NULL, ARG_BUNDLE},
            {"id", required_argument, NULL, ARG_ID},
            {"name", required_argument, NULL, ARG_NAME},
            {"image", required_argument, NULL, ARG_IMAGE},
            {"state-dir", required_argument, NULL, ARG_STATE_DIR},
            {"sync-fd", required_argument, NULL, ARG_SYNC_FD},
            {"stdout-fd", required_argument, NULL, ARG_STDOUT_FD},
            {"stderr-fd", required_argument, NULL, ARG_STDERR_FD},
            {"stream-fd", required_argument, NULL, ARG_STREAM_FD},
            {"debug", no_argument, NULL, ARG_DEBUG},
            {"seccomp-cache-dir", required_argument, NULL, ARG_SECCOMP_CACHE_DIR},
            {},
        };
        int c, r = 0;

        *a = (ShimArgs){
            .seccomp_cache_dir = RAIND_RUNTIME_DIR "/seccomp",
            .sync_fd = -1,
            .stdout_fd = -1,
            .stderr_fd = -1,
            .stream_fd = -1,
        };
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                switch (c) {
                case ARG_BUNDLE:
                        a->bundle = optarg;
                        break;
                case ARG_ID:
                        a->id = optarg;
                        break;
                case ARG_NAME:
                        a->name = optarg;
                        break;
                case ARG_IMAGE:
                        a->image = optarg;
                        break;
                case ARG_STATE_DIR:
                        a->state_dir = optarg;
                        break;
                case ARG_SYNC_FD:
                        r = parse_fd(optarg, "--sync-fd", &a->sync_fd);
                        break;
                case ARG_STDOUT_FD:
                        r = parse_fd(optarg, "--stdout-fd", &a->stdout_fd);
                        break;
                case ARG_STDERR_FD:
                        r = parse_fd(optarg, "--stderr-fd", &a->stderr_fd);
                        break;
                case ARG_STREAM_FD:
                        r = parse_fd(optarg, "--stream-fd", &a->stream_fd);
                        break;
                case ARG_DEBUG:
                        a->debug = true;
                        break;
                case ARG_SECCOMP_CACHE_DIR: /* "" disables the cache */
                        a->seccomp_cache_dir = optarg;
                        break;
                default:
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        if (optind < argc)
                return log_error_errno(-EINVAL, "Unexpected argument: %s", argv[optind]);
        if (!a->bundle || !a->id || !a->name || !a->state_dir)
                return log_error_errno(-EINVAL, "--bundle, --id, --name and --state-dir are required.");
        if (!container_id_is_valid(a->id))
                return log_error_errno(-EINVAL, "Invalid container id: %s", a->id);
        if (!container_name_is_valid(a->name))
                return log_error_errno(-EINVAL, "Invalid container name: %s", a->name);
        if (a->image && !image_name_is_printable(a->image))
                return log_error_errno(-EINVAL, "Invalid image name: %s", a->image);
        return 0;
}

/* The pipes the shim creates must not get fd 0-2, which the container's stdio takes over. */
static void ensure_stdio_open(void)
{
        for (int fd = 0; fd < 3; fd++)
                if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
                        (void)open("/dev/null", O_RDWR); /* lands on fd, the lowest free number */
}

static int int_cmp(const void *a, const void *b)
{
        return *(const int *)a - *(const int *)b;
}

/* Whatever raindd's process left open besides what we were given has no business here. */
static void close_other_fds(const ShimArgs *a)
{
        int keep[] = {a->sync_fd, a->stdout_fd, a->stderr_fd, a->stream_fd};
        unsigned from = 3;

        qsort(keep, ELEMENTSOF(keep), sizeof(int), int_cmp);
        for (size_t i = 0; i < ELEMENTSOF(keep); i++) {
                if (keep[i] < (int)from)
                        continue;
                if ((unsigned)keep[i] > from)
                        (void)close_range(from, (unsigned)keep[i] - 1, 0);
                from = (unsigned)keep[i] + 1;
        }
        (void)close_range(from, ~0U, 0);
}

/* The code and constants only the start ran (reading the bundle, compiling seccomp, building the
 * container) would stay resident for the container's whole life: they are clean pages of the
 * executable's read-only mappings, which the kernel reads in again should they be needed (an exec). */
static void release_startup_pages(void)
{
        char exe[PATH_MAX], line[PATH_MAX + 128];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

        if (n <= 0)
                return;
        exe[n] = 0;
        _cleanup_fclose_ FILE *f = fopen("/proc/self/maps", "re");
        if (!f)
                return;
        while (fgets(line, sizeof(line), f)) {
                unsigned long start, end;
                char perms[5], path[PATH_MAX];

                if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %4095s", &start, &end, perms, path) != 4 ||
                    !streq(path, exe) || perms[1] != '-' || perms[3] != 'p')
                        continue;
                (void)madvise((void *)start, end - start, MADV_DONTNEED);
        }
}

static int fail_start(const ShimArgs *a, int error, int exit_code, const char *message)
{
        /* Logged first: once raindd hears of the failure it stops the scope, and the shim with it. */
        log_error("%s", message);
        if (a->sync_fd >= 0)
                sync_send_error(a->sync_fd, error, exit_code, message);
        /* A client on --stream-fd hears why, as from an exec that could not run. */
        if (a->stream_fd >= 0)
                stream_fd_send_failure(a->stream_fd, exit_code, message);
        (void)state_write_exit(a->state_dir, exit_code);
        return exit_code;
}

static int fail_start_errno(const ShimArgs *a, int error, const char *what)
{
        char message[512];

        errno = abs(error);
        snprintf(message, sizeof(message), "%s: %m", what);
        return fail_start(a, error, EXIT_START_FAILED, message);
}

static int block_signals(int *ret_fd)
{
        sigset_t mask;

        sigemptyset(&mask);
        for (size_t i = 0; i < n_forwarded_signals; i++)
                sigaddset(&mask, forwarded_signals[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(-errno, "Failed to block signals: %m");
        int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "Failed to create signalfd: %m");
        *ret_fd = fd;
        return 0;
}

static int load_config(const ShimArgs *a, ContainerConfig **ret, struct sock_fprog *ret_seccomp)
{
        _cleanup_(container_config_freep) ContainerConfig *c = NULL;
        _cleanup_free_ char *bundle = realpath(a->bundle, NULL);
        int r;

        if (!bundle)
                return log_error_errno(-errno, "Failed to resolve bundle %s: %m", a->bundle);
        r = container_config_load(bundle, &c);
        if (r < 0)
                return r;
        if (c->seccomp) {
                r = seccomp_compile_cached(c->seccomp, a->seccomp_cache_dir, ret_seccomp);
                if (r < 0)
                        return r;
                /* The program is all the init and every exec need. */
                c->seccomp = seccomp_config_free(c->seccomp);
        }
        *ret = TAKE_PTR(c);
        return 0;
}

static int monitor_container(const ShimArgs *a, ContainerProcess *p, int signal_fd, ControlServer *control,
                             const ContainerConfig *c, const struct sock_fprog *seccomp)
{
        JournalFields fields;

        if (journal_fields_init(&fields, a->id, a->name, a->image) < 0)
                fields = (JournalFields){}; /* Out of memory: lines go out without them. */
        int status = monitor_run(&(MonitorParams){
            .process = p,
            .signal_fd = signal_fd,
            .fields = &fields,
            .stdout_fd = a->stdout_fd,
            .stderr_fd = a->stderr_fd,
            .stream_fd = a->stream_fd,
            .control = control,
            .config = c,
            .seccomp = seccomp->filter ? seccomp : NULL,
        });
        journal_fields_done(&fields);
        return status;
}

static int run(const ShimArgs *a)
{
        _cleanup_(container_config_freep) ContainerConfig *c = NULL;
        _cleanup_(seccomp_program_done) struct sock_fprog seccomp = {};
        _cleanup_(container_process_done) ContainerProcess process = CONTAINER_PROCESS_NULL;
        _cleanup_(control_server_freep) ControlServer *control = NULL;
        _cleanup_close_ int signal_fd = -EBADF;
        ChildMessage child_error = {};
        int r, k;

        /* Parse and compile while raindd is still moving us into the scope. */
        r = load_config(a, &c, &seccomp);
        timing_log("config parsed");
        if (a->sync_fd >= 0) {
                if (sync_wait_for_go(a->sync_fd) <= 0)
                        return EXIT_SYNC_ABORT;
                timing_log("sync received");
        }
        if (r < 0)
                return fail_start_errno(a, r,
                                        "Invalid container configuration (the shim's log names the field)");

        r = block_signals(&signal_fd);
        if (r < 0)
                return fail_start_errno(a, r, "Failed to set up signal forwarding");
        r = control_server_listen(a->state_dir, &control);
        if (r < 0)
                return fail_start_errno(a, r, "Failed to set up the control socket");
        r = container_start(c, seccomp.filter ? &seccomp : NULL, a->debug, &process, &child_error);
        if (r < 0)
                return fail_start_errno(a, r, "Failed to start container");
        if (r > 0)
                return fail_start(a, child_error.error, child_error.exit_code, child_error.text);

        k = state_write_pid(a->state_dir, process.pid);
        if (k < 0) {
                (void)pidfd_send_signal(process.pidfd, SIGKILL, NULL, 0);
                (void)monitor_container(a, &process, signal_fd, NULL, c, &seccomp);
                return fail_start_errno(a, k, "Failed to record the container's pid");
        }
        if (a->sync_fd >= 0)
                sync_send_ok(a->sync_fd, process.pid);
        /* The shim lives as long as the container: give back what only the start needed. */
        (void)malloc_trim(0);
        release_startup_pages();

        int status = monitor_container(a, &process, signal_fd, control, c, &seccomp);
        /* Gone before raindd hears of the exit, so that a new run's shim never loses its socket. */
        control = control_server_free(control);
        journal_drain();
        (void)state_write_exit(a->state_dir, status);
        return status;
}

int main(int argc, char *argv[])
{
        ShimArgs args;

        timing_start();
        ensure_stdio_open();
        (void)signal(SIGPIPE, SIG_IGN);
        if (parse_args(argc, argv, &args) < 0)
                return EXIT_START_FAILED;
        /* Started by raindd (with a sync socket): diagnostics to the journal; by hand: to stderr. */
        if (args.sync_fd >= 0) {
                char field[128];
                snprintf(field, sizeof(field), "RAIND_CONTAINER_ID_FULL=%s", args.id);
                log_open_journal("raind-shim");
                log_set_journal_field(field);
        }
        if (args.debug)
                log_set_max_level(LOG_DEBUG);
        close_other_fds(&args);
        return run(&args);
}
