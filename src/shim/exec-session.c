/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "child-report.h"
#include "exec-child.h"
#include "exec-session.h"
#include "raind/log.h"
#include "raind/strv.h"
#include "raind/util.h"

struct ExecSession {
        ExecSession *next;
        EventLoop *event;
        int pidfd; /* the process, a child of the shim */
        EventSource *exit_source;
        int report_fd;
        EventSource *report_source;
        EventSource *drain_timer;
        ProcessIo io;
        bool stdin;
        int child_error;     /* errno of the error a child reported, 0 if none */
        int child_exit_code; /* and the exit code it gave */
        bool exited;
        int status;
        bool drain_expired;
        uint64_t drained_bytes; /* output read when the drain timer last looked */
        bool hung_up;
        bool exit_sent;
};

/* The container's process with the request's changes: env entries override by key; another user
 * drops the init's supplementary groups. */
static int exec_process_config(const ProcessConfig *base, const ControlRequest *req, ProcessConfig *ret)
{
        _cleanup_(process_config_done) ProcessConfig p = {
            .uid = req->has_user ? req->uid : base->uid,
            .gid = req->has_user ? req->gid : base->gid,
            .has_capabilities = base->has_capabilities,
            .capabilities = base->capabilities,
            .no_new_privileges = base->no_new_privileges,
            .terminal = req->tty,
        };

        p.args = strv_copy(req->args);
        p.cwd = strdup(req->cwd ?: base->cwd);
        if (!p.args || !p.cwd)
                return -ENOMEM;
        STRV_FOREACH (e, base->env) {
                size_t k = strcspn(*e, "=") + 1;
                bool overridden = false;
                STRV_FOREACH (o, req->env)
                        overridden = overridden || strncmp(*e, *o, k) == 0;
                if (!overridden && strv_extend(&p.env, *e) < 0)
                        return -ENOMEM;
        }
        STRV_FOREACH (o, req->env)
                if (strv_extend(&p.env, *o) < 0)
                        return -ENOMEM;
        if (!p.env && !(p.env = calloc(1, sizeof(char *))))
                return -ENOMEM;
        if (!req->has_user && base->n_additional_gids > 0) {
                p.additional_gids = calloc(base->n_additional_gids, sizeof(gid_t));
                if (!p.additional_gids)
                        return -ENOMEM;
                memcpy(p.additional_gids, base->additional_gids, base->n_additional_gids * sizeof(gid_t));
                p.n_additional_gids = base->n_additional_gids;
        }
        *ret = p;
        p = (ProcessConfig){};
        return 0;
}

static void close_report(ExecSession *s)
{
        s->report_source = event_source_disable_unref(s->report_source);
        s->report_fd = safe_close(s->report_fd);
}

static void process_failed(ExecSession *s, const ChildMessage *m)
{
        log_debug("exec failed: %s", m->text);
        s->child_error = m->error;
        s->child_exit_code = m->exit_code;
        process_io_send_error(&s->io, m->text);
}

/* Reads what the children sent. Returns 1 at the end of the channel, 0 if there may be more,
 * negative errno. */
static int read_reports(ExecSession *s)
{
        for (;;) {
                ChildMessage m;
                _cleanup_close_ int fd = -EBADF;
                int r = child_report_receive_one(s->report_fd, true, &m, &fd);
                if (r == -EAGAIN)
                        return 0;
                if (r <= 0)
                        return r == 0 ? 1 : r;
                if (m.type == CHILD_MESSAGE_ERROR)
                        process_failed(s, &m);
                else if (m.type == CHILD_MESSAGE_PIDFD && fd >= 0 && s->pidfd < 0)
                        s->pidfd = TAKE_FD(fd);
                else if (m.type == CHILD_MESSAGE_PTY_MASTER && s->hung_up)
                        fd = safe_close(fd); /* the client is gone already: hang the terminal up */
                else if (m.type == CHILD_MESSAGE_PTY_MASTER && fd >= 0 && s->io.pty_master < 0) {
                        r = process_io_set_pty(&s->io, TAKE_FD(fd), s->stdin, NULL, NULL);
                        if (r < 0)
                                log_warning_errno(r, "Failed to watch an exec's terminal: %m");
                }
        }
}

static int on_report(EventSource *source, int fd, uint32_t revents, void *userdata)
{
        ExecSession *s = userdata;
        int r = read_reports(s);
        if (r < 0)
                log_warning_errno(r, "Failed to read from an exec's process: %m");
        if (r != 0)
                close_report(s);
        return 0;
}

static int exit_status(const siginfo_t *si)
{
        return si->si_code == CLD_EXITED ? si->si_status : 128 + si->si_status;
}

static int on_drain_timer(EventSource *source, uint64_t usec, void *userdata)
{
        ExecSession *s = userdata;
        uint64_t n = s->io.output[0].stream.n_read + s->io.output[1].stream.n_read;

        /* Output still coming, or the client still taking it: not stuck, look again later. */
        if (n != s->drained_bytes || (s->io.n_streams > 0 && stream_is_congested(s->io.streams[0]))) {
                s->drained_bytes = n;
                (void)event_source_set_time_relative(source, EXEC_DRAIN_IDLE_USEC);
                (void)event_source_set_enabled(source, EVENT_ONESHOT);
                return 0;
        }
        log_debug("exec's output still open %llus after it exited, giving up on it.",
                  EXEC_DRAIN_IDLE_USEC / USEC_PER_SEC);
        s->drain_expired = true;
        return 0;
}

static int on_process_exit(EventSource *source, int fd, uint32_t revents, void *userdata)
{
        ExecSession *s = userdata;
        siginfo_t si = {};

        if (waitid((idtype_t)P_PIDFD, (id_t)s->pidfd, &si, WEXITED | WNOHANG) < 0) {
                if (errno != EINTR)
                        log_warning_errno(-errno, "Failed to wait for an exec's process: %m");
                if (errno != ECHILD)
                        return 0;
                si = (siginfo_t){.si_pid = 1, .si_code = CLD_KILLED, .si_status = SIGKILL};
        }
        if (si.si_pid == 0)
                return 0;
        s->exited = true;
        s->status = exit_status(&si);
        s->exit_source = event_source_disable_unref(s->exit_source);
        s->drained_bytes = s->io.output[0].stream.n_read + s->io.output[1].stream.n_read;
        int r = event_add_time_relative(s->event, &s->drain_timer, CLOCK_MONOTONIC, EXEC_DRAIN_IDLE_USEC, 0,
                                        on_drain_timer, s);
        if (r < 0)
                s->drain_expired = true;
        return 0;
}

static int reap_quickly(pid_t pid)
{
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}

static int make_pipes(const ControlRequest *req, int in[2], int out[2], int err[2])
{
        if (req->tty)
                return 0;
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
                return -errno;
        if (req->stdin)
                return pipe2(in, O_CLOEXEC) < 0 ? -errno : 0;
        in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
        return in[0] < 0 ? -errno : 0;
}

static int set_nonblocking(int fd)
{
        return fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ? -errno : 0;
}

/* The shim's ends of the pipes, once the children have theirs. */
static int watch_pipes(ExecSession *s, int in[2], int out[2], int err[2])
{
        int r;

        if (s->io.tty)
                return 0;
        if ((r = set_nonblocking(out[0])) < 0 || (r = set_nonblocking(err[0])) < 0 ||
            (r = process_io_set_output(&s->io, 0, TAKE_FD(out[0]), LOG_INFO, NULL, NULL)) < 0 ||
            (r = process_io_set_output(&s->io, 1, TAKE_FD(err[0]), LOG_ERR, NULL, NULL)) < 0)
                return r;
        if (in[1] < 0)
                return 0;
        if ((r = set_nonblocking(in[1])) < 0)
                return r;
        return process_io_set_stdin(&s->io, TAKE_FD(in[1]));
}

static int error_reply(char *buf, size_t size, int r, const char *what)
{
        errno = abs(r);
        snprintf(buf, size, "%s: %m", what);
        return r;
}

static int spawn(ExecSession *s, const ExecTarget *t, const ControlRequest *req, char *error_buf,
                 size_t error_size)
{
        _cleanup_close_pair_ int report[2] = {-EBADF, -EBADF}, in[2] = {-EBADF, -EBADF},
                                 out[2] = {-EBADF, -EBADF}, err[2] = {-EBADF, -EBADF};
        _cleanup_(process_config_done) ProcessConfig process = {};
        char root[64];
        int r;

        r = exec_process_config(t->process, req, &process);
        if (r < 0)
                return error_reply(error_buf, error_size, r, "failed to prepare the exec");
        /* Before the mount namespace changes: exactly the init's root, whatever that namespace's is. */
        snprintf(root, sizeof(root), "/proc/%d/root", (int)t->init_pid);
        _cleanup_close_ int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return -ESRCH;
        if ((r = child_report_open(report)) < 0 || (r = make_pipes(req, in, out, err)) < 0)
                return error_reply(error_buf, error_size, r, "failed to set up the exec's stdio");

        ExecChild x = {
            .process = &process,
            .seccomp = t->seccomp,
            .init_pidfd = t->init_pidfd,
            .namespaces = t->namespaces,
            .root_fd = root_fd,
            .report_fd = report[1],
            .tty = req->tty,
            .stdin_fd = in[0],
            .stdout_fd = out[1],
            .stderr_fd = err[1],
        };
        pid_t pid = fork();
        if (pid < 0)
                return error_reply(error_buf, error_size, -errno, "failed to fork");
        if (pid == 0)
                exec_child_run(&x);
        /* Only the children may hold their ends, so that EOF means exec (or death). */
        report[1] = safe_close(report[1]);
        in[0] = safe_close(in[0]);
        out[1] = safe_close(out[1]);
        err[1] = safe_close(err[1]);
        s->report_fd = TAKE_FD(report[0]);

        /* The first child only joins and clones: its message (pidfd or error) is there once it is gone. */
        r = reap_quickly(pid);
        if (r < 0)
                return error_reply(error_buf, error_size, r, "failed to wait for the exec's child");
        r = read_reports(s);
        if (r < 0)
                return error_reply(error_buf, error_size, r, "failed to start the exec");
        if (r > 0)
                close_report(s);
        if (s->pidfd < 0 && s->child_error == ESRCH) /* the init is gone */
                return -ESRCH;
        if (s->pidfd < 0)
                return 0; /* it failed, and said why on the stream */

        if ((r = watch_pipes(s, in, out, err)) < 0 ||
            (r = event_add_io(s->event, &s->exit_source, s->pidfd, EPOLLIN, on_process_exit, s)) < 0 ||
            (s->report_fd >= 0 &&
             (r = event_add_io(s->event, &s->report_source, s->report_fd, EPOLLIN, on_report, s)) < 0)) {
                (void)pidfd_send_signal(s->pidfd, SIGKILL, NULL, 0);
                return error_reply(error_buf, error_size, r, "failed to watch the exec");
        }
        /* Output before exit, so that what it wrote before it ended is read before draining starts. */
        (void)event_source_set_priority(s->exit_source, EVENT_PRIORITY_NORMAL + 1);
        return 0;
}

int exec_session_start(EventLoop *event, const ExecTarget *target, const ControlRequest *request,
                       int stream_fd, ExecSession **ret, char *error_buf, size_t error_size)
{
        _cleanup_close_ int fd = stream_fd;
        int r;

        ExecSession *s = calloc(1, sizeof(ExecSession));
        if (!s)
                return -ENOMEM;
        *s = (ExecSession){.event = event, .pidfd = -EBADF, .report_fd = -EBADF, .stdin = request->stdin};
        process_io_init(&s->io, event, request->tty, true);
        /* The pty comes from the process once it is in the container: hold the input back until then. */
        s->io.stdin_pending = request->tty && request->stdin;
        r = process_io_attach(&s->io, TAKE_FD(fd), request->stdin);
        if (r < 0) {
                exec_session_free(s);
                if (r == -ENOTSOCK)
                        snprintf(error_buf, error_size, "the stream must be a SOCK_SEQPACKET socket");
                return r;
        }
        r = spawn(s, target, request, error_buf, error_size);
        if (r == -ESRCH)
                snprintf(error_buf, error_size, "container is not running");
        if (r < 0) {
                exec_session_free(s);
                return r;
        }
        if (s->pidfd < 0) { /* could not even clone: exit as the child said, or 125 */
                s->exited = true;
                s->status = s->child_exit_code ?: 125;
                s->drain_expired = true;
        }
        *ret = s;
        return 0;
}

ExecSession *exec_session_free(ExecSession *s)
{
        if (!s)
                return NULL;
        close_report(s);
        event_source_disable_unref(s->exit_source);
        event_source_disable_unref(s->drain_timer);
        safe_close(s->pidfd);
        process_io_done(&s->io);
        free(s);
        return NULL;
}

bool exec_session_update(ExecSession *s)
{
        process_io_update(&s->io);
        if (s->io.n_streams == 0 && !s->exit_sent && !s->hung_up) {
                log_debug("exec's client went away.");
                process_io_hangup(&s->io);
                s->hung_up = true;
        }
        /* Every message of the process (an error to pass on) is read before it is declared over. */
        if (!s->exited || s->report_fd >= 0)
                return false;
        if (!s->exit_sent) {
                if (!process_io_output_done(&s->io) && !s->drain_expired)
                        return false;
                process_io_finish_output(&s->io);
                process_io_send_exit(&s->io, s->status);
                s->exit_sent = true;
                process_io_update(&s->io);
        }
        return s->io.n_streams == 0;
}

bool exec_session_has_stream(const ExecSession *s)
{
        return s->io.n_streams > 0;
}

ExecSession *exec_session_next(const ExecSession *s)
{
        return s->next;
}

void exec_session_set_next(ExecSession *s, ExecSession *next)
{
        s->next = next;
}
