/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "exec-session.h"
#include "monitor.h"
#include "process-io.h"
#include "raind/log.h"
#include "raind/util.h"
#include "timing.h"

const int forwarded_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};
const size_t n_forwarded_signals = ELEMENTSOF(forwarded_signals);

typedef struct Monitor {
        EventLoop *event;
        const ContainerProcess *process;
        const ContainerConfig *config;
        const struct sock_fprog *seccomp;
        int signal_fd;
        ProcessIo io;
        ExecSession *sessions;
        bool exited;
        int status;
        uint64_t exit_usec;
        bool output_finished; /* the streams have been sent STREAM_EXIT */
        bool deadline_passed;
        EventSource *init_exit;
        EventSource *deadline;
} Monitor;

static int on_signal(EventSource *source, int fd, uint32_t revents, void *userdata)
{
        Monitor *m = userdata;
        struct signalfd_siginfo si;

        while (read(m->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (m->exited)
                        continue;
                log_debug("Forwarding signal %u to the container.", si.ssi_signo);
                if (pidfd_send_signal(m->process->pidfd, (int)si.ssi_signo, NULL, 0) < 0 && errno != ESRCH)
                        log_warning_errno(-errno, "Failed to forward signal %u: %m", si.ssi_signo);
        }
        return 0;
}

static int on_deadline(EventSource *source, uint64_t usec, void *userdata)
{
        Monitor *m = userdata;

        m->deadline_passed = true;
        return 0;
}

static int exit_status(const siginfo_t *si)
{
        if (si->si_code == CLD_EXITED)
                return si->si_status;
        return 128 + si->si_status;
}

static void reap(Monitor *m, int flags)
{
        siginfo_t si = {};

        if (waitid((idtype_t)P_PIDFD, (id_t)m->process->pidfd, &si, WEXITED | flags) < 0) {
                if (errno != EINTR)
                        log_error_errno(-errno, "Failed to wait for the container: %m");
                return;
        }
        if (si.si_pid == 0) /* Not yet: a spurious wakeup. */
                return;
        m->exited = true;
        m->status = exit_status(&si);
        m->exit_usec = now_usec(CLOCK_MONOTONIC);
        timing_log("exit seen");
        log_debug("Container exited with status %d.", m->status);
}

static int on_init_exit(EventSource *source, int fd, uint32_t revents, void *userdata)
{
        Monitor *m = userdata;

        reap(m, WNOHANG);
        if (m->exited)
                (void)event_source_set_enabled(source, EVENT_OFF);
        return 0;
}

/* Made only when there is something to wait for after the exit: mostly there is not. */
static void arm_deadline(Monitor *m)
{
        if (m->deadline || m->deadline_passed)
                return;
        int r = event_add_time(m->event, &m->deadline, CLOCK_MONOTONIC, m->exit_usec + MONITOR_DRAIN_USEC, 0,
                               on_deadline, m);
        if (r < 0)
                m->deadline_passed = true; /* no way to wait: do not */
}

static size_t count_streams(const Monitor *m)
{
        size_t n = m->io.n_streams;

        for (ExecSession *s = m->sessions; s; s = exec_session_next(s))
                n += exec_session_has_stream(s);
        return n;
}

static int start_exec(Monitor *m, const ControlRequest *req, int stream_fd, char *error, size_t size)
{
        ExecTarget target = {
            .init_pid = m->process->pid,
            .init_pidfd = m->process->pidfd,
            .namespaces = container_config_namespace_flags(m->config),
            .process = &m->config->process,
            .seccomp = m->seccomp,
        };
        ExecSession *s;

        int r = exec_session_start(m->event, &target, req, stream_fd, &s, error, size);
        if (r < 0)
                return r;
        exec_session_set_next(s, m->sessions);
        m->sessions = s;
        return 0;
}

static int on_control_request(const ControlRequest *req, int stream_fd, char *error, size_t size,
                              void *userdata)
{
        Monitor *m = userdata;
        _cleanup_close_ int fd = stream_fd;
        int r;

        if (m->exited) {
                snprintf(error, size, "container is not running");
                return -ESRCH;
        }
        if (count_streams(m) >= PROCESS_IO_STREAMS_MAX) {
                snprintf(error, size, "too many streams (at most %d)", PROCESS_IO_STREAMS_MAX);
                return -EBUSY;
        }
        if (req->type == CONTROL_REQUEST_EXEC)
                return start_exec(m, req, TAKE_FD(fd), error, size);

        r = process_io_attach(&m->io, TAKE_FD(fd), req->stdin);
        if (r == -ENOTSOCK)
                snprintf(error, size, "the stream must be a SOCK_SEQPACKET socket");
        return r;
}

static void update_sessions(Monitor *m)
{
        ExecSession *prev = NULL, *next;

        for (ExecSession *s = m->sessions; s; s = next) {
                next = exec_session_next(s);
                if (!exec_session_update(s)) {
                        prev = s;
                        continue;
                }
                if (prev)
                        exec_session_set_next(prev, next);
                else
                        m->sessions = next;
                exec_session_free(s);
        }
}

/* After every event: the state of each part is looked at in one place. */
static int on_post(EventSource *source, void *userdata)
{
        Monitor *m = userdata;

        process_io_update(&m->io);
        update_sessions(m);
        if (!m->exited)
                return 0;

        if (!m->output_finished) {
                if (!process_io_output_done(&m->io) && !m->deadline_passed) {
                        arm_deadline(m);
                        return 0;
                }
                if (!process_io_output_done(&m->io))
                        log_warning("Container output still open %llus after its exit, giving up on it.",
                                    MONITOR_DRAIN_USEC / USEC_PER_SEC);
                process_io_hangup(&m->io);
                process_io_send_exit(&m->io, m->status);
                m->output_finished = true;
                process_io_update(&m->io);
        }
        bool done = process_io_clients_done(&m->io) && !m->sessions;
        if (!done && !m->deadline_passed) {
                arm_deadline(m);
                return 0;
        }
        if (!done)
                log_warning("Client did not take the rest of the output within %llus, dropping it.",
                            MONITOR_DRAIN_USEC / USEC_PER_SEC);
        return event_exit(m->event, 0);
}

static ClientSink *open_client(EventLoop *event, int fd, const char *what)
{
        ClientSink *s = NULL;

        if (fd < 0)
                return NULL;
        int r = client_sink_open(event, fd, what, &s);
        if (r < 0)
                log_warning_errno(r, "Failed to set up copying output to client %s, journal only: %m", what);
        return s;
}

static int setup_io(Monitor *m, MonitorParams *p)
{
        ContainerProcess *c = p->process;
        ClientSink *out = open_client(m->event, p->stdout_fd, "stdout");
        int r;

        if (c->pty_master >= 0)
                r = process_io_set_pty(&m->io, TAKE_FD(c->pty_master), m->config->stdin_open, p->fields,
                                       out);
        else {
                ClientSink *err = open_client(m->event, p->stderr_fd, "stderr");
                r = process_io_set_output(&m->io, 0, TAKE_FD(c->stdout_fd), LOG_INFO, p->fields, out);
                if (r >= 0)
                        r = process_io_set_output(&m->io, 1, TAKE_FD(c->stderr_fd), LOG_ERR, p->fields, err);
                else
                        client_sink_free(err);
                if (r >= 0 && c->stdin_fd >= 0)
                        r = process_io_set_stdin(&m->io, TAKE_FD(c->stdin_fd));
        }
        if (r < 0)
                return log_error_errno(r, "Failed to watch the container's stdio: %m");
        if (p->stream_fd >= 0) {
                r = process_io_attach(&m->io, TAKE_FD(p->stream_fd), true);
                if (r < 0)
                        log_warning_errno(r, "Failed to attach --stream-fd, ignoring: %m");
        }
        return 0;
}

static int setup(Monitor *m, MonitorParams *p)
{
        int r;

        r = event_new(&m->event);
        if (r < 0)
                return log_error_errno(r, "Failed to create event loop: %m");
        process_io_init(&m->io, m->event, m->config->process.terminal, false);
        r = setup_io(m, p);
        if (r < 0)
                return r;
        if ((r = event_add_io(m->event, NULL, m->signal_fd, EPOLLIN, on_signal, m)) < 0 ||
            (r = event_add_io(m->event, &m->init_exit, m->process->pidfd, EPOLLIN, on_init_exit, m)) < 0 ||
            /* Output before exit: what the container wrote before it ended is read before draining. */
            (r = event_source_set_priority(m->init_exit, EVENT_PRIORITY_NORMAL + 1)) < 0 ||
            (r = event_add_post(m->event, NULL, on_post, m)) < 0 ||
            (p->control && (r = control_server_start(p->control, m->event, on_control_request, m)) < 0))
                return log_error_errno(r, "Failed to set up the event loop: %m");
        return 0;
}

static void monitor_done(Monitor *m, ControlServer *control)
{
        if (control)
                control_server_stop(control);
        while (m->sessions) {
                ExecSession *s = m->sessions;
                m->sessions = exec_session_next(s);
                exec_session_free(s);
        }
        process_io_done(&m->io);
        m->init_exit = event_source_disable_unref(m->init_exit);
        m->deadline = event_source_disable_unref(m->deadline);
        /* The sources not kept by pointer (signal, post) go with the loop. */
        m->event = event_unref(m->event);
}

int monitor_run(MonitorParams *p)
{
        Monitor m = {
            .process = p->process,
            .config = p->config,
            .seccomp = p->seccomp,
            .signal_fd = p->signal_fd,
        };
        int r;

        r = setup(&m, p);
        if (r >= 0)
                r = event_loop(m.event);
        if (r < 0) {
                log_error_errno(r, "Event loop failed, killing the container: %m");
                (void)pidfd_send_signal(p->process->pidfd, SIGKILL, NULL, 0);
                if (!m.exited)
                        reap(&m, 0);
        }
        monitor_done(&m, p->control);
        return m.status;
}
