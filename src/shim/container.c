/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "clone-pidfd.h"
#include "container.h"
#include "devices.h"
#include "masked-paths.h"
#include "mount.h"
#include "network.h"
#include "process.h"
#include "pty.h"
#include "raind/log.h"
#include "rootfs.h"
#include "timing.h"

#define NAMESPACES_MAX 8

typedef struct ChildContext {
        const ContainerConfig *config;
        const struct sock_fprog *seccomp;
        bool debug;
        int report_fd;
        int stdin_fd; /* all three -EBADF with a terminal */
        int stdout_fd;
        int stderr_fd;
        int namespace_fds[NAMESPACES_MAX]; /* per config->namespaces[], -EBADF unless joined by path */
} ChildContext;

void container_process_done(ContainerProcess *p)
{
        p->pidfd = safe_close(p->pidfd);
        p->stdout_fd = safe_close(p->stdout_fd);
        p->stderr_fd = safe_close(p->stderr_fd);
        p->stdin_fd = safe_close(p->stdin_fd);
        p->pty_master = safe_close(p->pty_master);
}

static void report_timing(const ChildContext *ctx, const char *step)
{
        if (ctx->debug)
                child_report_timing(ctx->report_fd, step, timing_elapsed());
}

static int setup_stdio(const ChildContext *ctx)
{
        /* A terminal comes later: it is allocated in the container's devpts once that is mounted. */
        if (!ctx->config->process.terminal &&
            (dup2(ctx->stdin_fd, STDIN_FILENO) < 0 || dup2(ctx->stdout_fd, STDOUT_FILENO) < 0 ||
             dup2(ctx->stderr_fd, STDERR_FILENO) < 0))
                return child_error(errno, 125, "Failed to set up stdio: %m");
        /* Nothing the shim holds may reach the container: not the sync socket, not client fds. */
        if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return child_error(errno, 125, "Failed to mark file descriptors close-on-exec: %m");
        return 0;
}

static int join_namespaces(const ChildContext *ctx)
{
        const ContainerConfig *c = ctx->config;

        /* The mount namespace last: joining it changes the root the other paths were opened in. */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < c->n_namespaces; i++) {
                        int type = c->namespaces[i].type;
                        if (ctx->namespace_fds[i] < 0 || type == CLONE_NEWPID ||
                            (type == CLONE_NEWNS) != (pass == 1))
                                continue;
                        if (setns(ctx->namespace_fds[i], type) < 0)
                                return child_error(errno, 125, "Failed to join %s namespace %s: %m",
                                                   namespace_type_to_string(type), c->namespaces[i].path);
                }
        return 0;
}

static int setup_rootfs(const ChildContext *ctx)
{
        const ContainerConfig *c = ctx->config;
        _cleanup_close_ int rootfd = -EBADF;
        int r;

        if ((r = rootfs_prepare(c, &rootfd)) < 0 || (r = mounts_apply(c, rootfd)) < 0 ||
            (r = devices_setup(rootfd)) < 0 || (r = paths_make_readonly(c->readonly_paths, rootfd)) < 0 ||
            (r = paths_mask(c->masked_paths, rootfd)) < 0 ||
            (r = rootfs_pivot(rootfd, c->root_readonly)) < 0)
                return r;
        report_timing(ctx, "rootfs mounted");
        return 0;
}

static int container_setup(const ChildContext *ctx)
{
        const ContainerConfig *c = ctx->config;
        int r;

        if ((r = setup_stdio(ctx)) < 0 || (r = join_namespaces(ctx)) < 0)
                return r;
        if ((c->clone_flags & CLONE_NEWNET) && (r = loopback_up()) < 0)
                return r;
        if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
                return child_error(errno, 125, "Failed to set hostname: %m");
        r = setup_rootfs(ctx);
        if (r < 0)
                return r;
        if (c->process.terminal && (r = pty_setup_child(ctx->report_fd, c->process.uid)) < 0)
                return r;
        return process_exec(&c->process, ctx->seccomp, true);
}

_noreturn_ static void container_child(const ChildContext *ctx)
{
        child_exit_with_error(ctx->report_fd, container_setup(ctx));
}

static int open_namespaces(const ContainerConfig *c, int fds[static NAMESPACES_MAX])
{
        for (size_t i = 0; i < NAMESPACES_MAX; i++)
                fds[i] = -EBADF;
        for (size_t i = 0; i < c->n_namespaces && i < NAMESPACES_MAX; i++) {
                const NamespaceSpec *ns = &c->namespaces[i];
                if (!ns->path)
                        continue;
                fds[i] = open(ns->path, O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0)
                        return log_error_errno(-errno, "Failed to open %s namespace %s: %m",
                                               namespace_type_to_string(ns->type), ns->path);
                /* A pid namespace applies to the children of the caller: join it here. */
                if (ns->type == CLONE_NEWPID && setns(fds[i], CLONE_NEWPID) < 0)
                        return log_error_errno(-errno, "Failed to join pid namespace %s: %m", ns->path);
        }
        return 0;
}

static void close_namespaces(int fds[static NAMESPACES_MAX])
{
        for (size_t i = 0; i < NAMESPACES_MAX; i++)
                fds[i] = safe_close(fds[i]);
}

static int make_pipe(int fds[2])
{
        if (pipe2(fds, O_CLOEXEC) < 0)
                return log_error_errno(-errno, "Failed to create pipe: %m");
        return 0;
}

/* stdout and stderr pipes, and stdin: a pipe with org.raind.stdin-open, else /dev/null. */
static int make_stdio(const ContainerConfig *c, int in[2], int out[2], int err[2])
{
        int r;

        if (c->process.terminal)
                return 0;
        if ((r = make_pipe(out)) < 0 || (r = make_pipe(err)) < 0)
                return r;
        if (c->stdin_open)
                return make_pipe(in);
        in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (in[0] < 0)
                return log_error_errno(-errno, "Failed to open /dev/null: %m");
        return 0;
}

static void reap(int pidfd)
{
        siginfo_t si;

        while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 && errno == EINTR)
                ;
}

static int wait_for_exec(int report_fd, int pidfd, ChildMessage *ret_error, int *ret_pty_master)
{
        int r = child_report_receive(report_fd, ret_error, ret_pty_master);
        if (r == 0)
                return 0;
        if (r < 0) {
                (void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                log_error_errno(r, "Failed to read from container init: %m");
        }
        reap(pidfd);
        return r;
}

int container_start(const ContainerConfig *c, const struct sock_fprog *seccomp, bool debug,
                    ContainerProcess *ret, ChildMessage *ret_error)
{
        _cleanup_close_pair_ int report[2] = {-EBADF, -EBADF}, in[2] = {-EBADF, -EBADF},
                                 out[2] = {-EBADF, -EBADF}, err[2] = {-EBADF, -EBADF};
        _cleanup_close_ int pidfd = -EBADF, pty_master = -EBADF;
        ChildContext ctx = {.config = c, .seccomp = seccomp, .debug = debug};
        int r;

        if (c->n_namespaces > NAMESPACES_MAX)
                return log_error_errno(-E2BIG, "Too many namespaces.");
        if ((r = child_report_open(report)) < 0 || (r = make_stdio(c, in, out, err)) < 0)
                return r;
        r = open_namespaces(c, ctx.namespace_fds);
        if (r < 0) {
                close_namespaces(ctx.namespace_fds);
                return r;
        }

        ctx.report_fd = report[1];
        ctx.stdin_fd = in[0];
        ctx.stdout_fd = out[1];
        ctx.stderr_fd = err[1];
        pid_t pid = clone_with_pidfd(c->clone_flags, &pidfd);
        if (pid == 0)
                container_child(&ctx);
        close_namespaces(ctx.namespace_fds);
        if (pid < 0)
                return log_error_errno(-errno, "Failed to create container process: %m");
        timing_log("clone done");

        /* Only the child may hold its ends, so that EOF means exec (or death). */
        report[1] = safe_close(report[1]);
        in[0] = safe_close(in[0]);
        out[1] = safe_close(out[1]);
        err[1] = safe_close(err[1]);

        r = wait_for_exec(report[0], pidfd, ret_error, &pty_master);
        if (r != 0)
                return r;
        timing_log("exec done");
        if (c->process.terminal && pty_master < 0) {
                (void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                reap(pidfd);
                return log_error_errno(-EPROTO, "The container's init did not pass its terminal on.");
        }

        /* The shim never blocks on the container: it polls these. */
        int fds[] = {out[0], err[0], in[1], pty_master};
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                if (fds[i] >= 0 && fcntl(fds[i], F_SETFL, O_NONBLOCK) < 0)
                        log_warning_errno(-errno, "Failed to make container stdio non-blocking: %m");
        *ret = (ContainerProcess){
            .pid = pid,
            .pidfd = TAKE_FD(pidfd),
            .stdout_fd = TAKE_FD(out[0]),
            .stderr_fd = TAKE_FD(err[0]),
            .stdin_fd = TAKE_FD(in[1]),
            .pty_master = TAKE_FD(pty_master),
        };
        return 0;
}
