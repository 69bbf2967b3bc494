/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "container.h"
#include "events.h"
#include "raind/unit-name.h"
#include "manager.h"
#include "raind/bus-errors.h"
#include "raind/fileio.h"
#include "raind/log.h"
#include "raind/util.h"
#include "scope.h"

/* Starting a container, in four steps that never block raindd:
 *   1. fork+exec raind-shim; it waits on the sync socket before it creates anything;
 *   2. StartTransientUnit puts the shim into raind-<name>.scope; wait for the job to finish;
 *   3. send "g"; the shim clones the container and execs its command;
 *   4. the shim answers "ok PID" or "err ERRNO EXITCODE MESSAGE"; reply to Start. */

enum {
        SHIM_FD_SYNC = 3,
        SHIM_FD_STDOUT = 4,
        SHIM_FD_STDERR = 5,
        SHIM_FD_STREAM = 6,
};

static void start_fail(Container *c, const char *error_name, const char *message)
{
        log_info("Failed to start container %s: %s", c->name, message);
        if (c->start_request)
                (void)sd_bus_reply_method_errorf(c->start_request, error_name, "%s", message);
        c->start_request = sd_bus_message_unref(c->start_request);
        c->start_stream_fd = safe_close(c->start_stream_fd);
        c->sync_source = sd_event_source_disable_unref(c->sync_source);
        c->sync_fd = safe_close(c->sync_fd);

        /* The shim aborts by itself when the sync socket closes; make sure it is gone either way. */
        if (c->shim_pidfd >= 0) {
                (void)pidfd_send_signal(c->shim_pidfd, SIGKILL, NULL, 0);
                (void)waitpid(c->shim_pid, NULL, 0);
        }
        c->shim_pidfd = safe_close(c->shim_pidfd);
        c->shim_pid = 0;
        if (c->scope_started)
                scope_stop(c);
        c->scope_started = false;
        _cleanup_free_ char *dir = container_runtime_dir(c);
        if (dir)
                (void)rm_rf(dir);
        container_set_state(c, c->exit_status >= 0 ? CONTAINER_EXITED : CONTAINER_CREATED);
        (void)container_save(c);
        if (c->exit_status >= 0)
                pending_calls_reply_wait(&c->waiters, c->exit_status);
        /* A forced Remove that came in while the start was under way. */
        if (c->removers) {
                int r = container_remove(c);
                if (r < 0)
                        log_error_errno(r, "Failed to remove container: %m");
        }
}

static void start_succeeded(Container *c, pid_t main_pid)
{
        c->scope_started = false;
        container_log_timing(c, "started");
        c->main_pid = main_pid;
        c->main_pidfd = pidfd_open(main_pid, 0);
        container_read_cgroup(c);
        /* A short-lived command may be gone already; its shim reports the exit all the same. */
        if (c->main_pidfd < 0)
                log_debug_errno(-errno, "Failed to open pidfd for %s: %m", c->name);
        c->started_at = now_usec(CLOCK_REALTIME);
        c->finished_at = 0;
        c->exit_status = -1;

        container_set_state(c, CONTAINER_RUNNING);
        (void)container_save(c);
        if (c->start_request) {
                if (c->start_stream_fd >= 0)
                        (void)sd_bus_reply_method_return(c->start_request, "h", c->start_stream_fd);
                else
                        (void)sd_bus_reply_method_return(c->start_request, NULL);
        }
        c->start_request = sd_bus_message_unref(c->start_request);
        c->start_stream_fd = safe_close(c->start_stream_fd);
        container_event(c, "start", EVENT_NO_DETAILS);
        log_info("Started container %s (pid %d) in %s.", c->name, (int)main_pid, c->unit);
        if (c->removers)
                (void)container_kill(c, SIGKILL); /* removed once it has exited */
}

static int on_sync_message(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Container *c = userdata;
        char buf[1024];

        ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0) {
                start_fail(c, BUS_ERROR_START_FAILED,
                           "raind-shim exited before starting the container (see journalctl -t raind-shim)");
                return 0;
        }
        buf[n] = 0;
        c->sync_source = sd_event_source_disable_unref(c->sync_source);

        pid_t pid;
        if (sscanf(buf, "ok %d", &pid) == 1 && pid > 0) {
                start_succeeded(c, pid);
                c->sync_fd = safe_close(c->sync_fd);
                int r = container_watch_shim(c);
                if (r < 0)
                        log_error_errno(r, "Failed to watch shim of %s: %m", c->name);
                return 0;
        }

        int err = 0, code = 125, off = 0;
        if (sscanf(buf, "err %d %d %n", &err, &code, &off) >= 2 && off > 0) {
                c->exit_status = code;
                c->finished_at = now_usec(CLOCK_REALTIME);
                start_fail(c,
                           code == 127   ? BUS_ERROR_EXEC_NOT_FOUND
                           : code == 126 ? BUS_ERROR_EXEC_PERMISSION
                                         : BUS_ERROR_START_FAILED,
                           buf + off);
                return 0; /* c may be gone: a forced Remove may have been waiting */
        }
        start_fail(c, BUS_ERROR_START_FAILED, "raind-shim sent a malformed start report");
        return 0;
}

static void on_scope_ready(Container *c, int r, const char *message)
{
        if (r < 0) {
                start_fail(c, BUS_ERROR_START_FAILED, message);
                return;
        }
        container_log_timing(c, "scope ready");
        c->scope_started = true;
        if (send(c->sync_fd, "g", 1, MSG_NOSIGNAL) != 1) {
                start_fail(c, BUS_ERROR_START_FAILED,
                           "raind-shim went away before the container was created");
                return;
        }
        r = sd_event_add_io(c->manager->event, &c->sync_source, c->sync_fd, EPOLLIN, on_sync_message, c);
        if (r < 0)
                start_fail(c, BUS_ERROR_START_FAILED, "internal error: cannot watch raind-shim");
}

/* The fds the shim gets, by number: {source, target}. */
typedef struct ShimFd {
        int fd;
        int target;
} ShimFd;

static int shim_spawn(Container *c, int sync_fd, int stdout_fd, int stderr_fd, int stream_fd, pid_t *ret_pid)
{
        _cleanup_free_ char *bundle = container_bundle_dir(c), *runtime = container_runtime_dir(c);
        char fdbuf[4][16];
        ShimFd fds[4];
        size_t n_fds = 0;
        if (!bundle || !runtime)
                return -ENOMEM;

        const char *argv[24];
        size_t n = 0;
        argv[n++] = c->manager->shim_path;
        argv[n++] = "--bundle";
        argv[n++] = bundle;
        argv[n++] = "--id";
        argv[n++] = c->id;
        argv[n++] = "--name";
        argv[n++] = c->name;
        argv[n++] = "--image";
        argv[n++] = c->config.image;
        argv[n++] = "--state-dir";
        argv[n++] = runtime;

        struct {
                int fd;
                int target;
                const char *option;
        } const wanted[] = {
            {sync_fd, SHIM_FD_SYNC, "--sync-fd"},
            {stdout_fd, SHIM_FD_STDOUT, "--stdout-fd"},
            {stderr_fd, SHIM_FD_STDERR, "--stderr-fd"},
            {stream_fd, SHIM_FD_STREAM, "--stream-fd"},
        };
        for (size_t i = 0; i < ELEMENTSOF(wanted); i++) {
                if (wanted[i].fd < 0)
                        continue;
                snprintf(fdbuf[n_fds], sizeof(fdbuf[n_fds]), "%d", wanted[i].target);
                argv[n++] = wanted[i].option;
                argv[n++] = fdbuf[n_fds];
                fds[n_fds++] = (ShimFd){wanted[i].fd, wanted[i].target};
        }
        if (c->manager->debug)
                argv[n++] = "--debug";
        argv[n] = NULL;

        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                /* Child: only async-signal-safe calls until exec. */
                int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                sigset_t all;
                sigemptyset(&all);
                sigprocmask(SIG_SETMASK, &all, NULL);
                setsid();
                if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0)
                        _exit(125);
                /* Move every source out of the way first, so that no dup2() clobbers another one. */
                for (size_t i = 0; i < n_fds; i++)
                        if ((fds[i].fd = fcntl(fds[i].fd, F_DUPFD_CLOEXEC, 100)) < 0)
                                _exit(125);
                for (size_t i = 0; i < n_fds; i++)
                        if (dup2(fds[i].fd, fds[i].target) < 0)
                                _exit(125);
                close_range(SHIM_FD_STREAM + 1, ~0U, 0);
                /* Containers get the file limit raindd was given, not the one it raised for itself; only
                 * now, with raindd's many descriptors closed, does the lower limit fit. */
                if (c->manager->saved_nofile.rlim_max > 0)
                        (void)setrlimit(RLIMIT_NOFILE, &c->manager->saved_nofile);
                execv(argv[0], (char *const *)argv);
                _exit(125);
        }
        *ret_pid = pid;
        return 0;
}

int container_start(Container *c, sd_bus_message *request, int stdout_fd, int stderr_fd, int stream_fd,
                    sd_bus_error *error)
{
        _cleanup_close_pair_ int pair[2] = {-EBADF, -EBADF};
        _cleanup_free_ char *runtime = container_runtime_dir(c);
        pid_t pid;
        int r;

        if (!runtime)
                return -ENOMEM;
        container_log_timing(c, "start requested");
        if (c->state == CONTAINER_RUNNING || c->state == CONTAINER_STOPPING)
                return sd_bus_error_setf(error, BUS_ERROR_CONTAINER_RUNNING,
                                         "Container %s is already running.", c->name);
        if (c->state == CONTAINER_STARTING)
                return sd_bus_error_setf(error, BUS_ERROR_CONTAINER_RUNNING,
                                         "Container %s is being started.", c->name);

        /* A new run gets the scope of the current name (the container may have been renamed). */
        _cleanup_free_ char *unit = container_scope_name(c->name);
        if (!unit)
                return -ENOMEM;
        free(c->unit);
        c->unit = TAKE_PTR(unit);

        (void)rm_rf(runtime);
        r = mkdir_p(runtime, 0700);
        if (r < 0)
                return log_error_errno(r, "Failed to create %s: %m", runtime);

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return log_error_errno(-errno, "Failed to create sync socket: %m");

        container_cancel_restart(c);
        r = shim_spawn(c, pair[1], stdout_fd, stderr_fd, stream_fd, &pid);
        if (r < 0)
                return log_error_errno(r, "Failed to spawn %s: %m", c->manager->shim_path);
        container_log_timing(c, "shim spawned");
        c->shim_pid = pid;
        c->shim_pidfd = pidfd_open(pid, 0);
        c->sync_fd = TAKE_FD(pair[0]);
        c->start_request = sd_bus_message_ref(request);
        container_set_state(c, CONTAINER_STARTING);

        r = scope_start(c, pid, on_scope_ready);
        if (r < 0) {
                start_fail(c, BUS_ERROR_START_FAILED, "Failed to ask systemd for a scope");
                return 0;
        }
        return 0;
}
