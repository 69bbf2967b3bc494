/* SPDX-License-Identifier: Apache-2.0 */
#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "monitor.h"
#include "raind/log.h"
#include "raind/util.h"
#include "timing.h"

const int forwarded_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};
const size_t n_forwarded_signals = ELEMENTSOF(forwarded_signals);

enum {
        POLL_SIGNAL,
        POLL_PIDFD,
        POLL_STDOUT,
        POLL_STDERR,
        POLL_CLIENT_STDOUT,
        POLL_CLIENT_STDERR,
        _POLL_MAX,
};

typedef struct Monitor {
        const ContainerProcess *process;
        int signal_fd;
        OutputStream *streams;
        bool exited;
        int status;
        uint64_t deadline;
} Monitor;

static void forward_signals(Monitor *m)
{
        struct signalfd_siginfo si;

        while (read(m->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (m->exited)
                        continue;
                log_debug("Forwarding signal %u to the container.", si.ssi_signo);
                if (pidfd_send_signal(m->process->pidfd, (int)si.ssi_signo, NULL, 0) < 0 && errno != ESRCH)
                        log_warning_errno(-errno, "Failed to forward signal %u: %m", si.ssi_signo);
        }
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
        m->deadline = now_usec(CLOCK_MONOTONIC) + MONITOR_DRAIN_USEC;
        timing_log("exit seen");
        log_debug("Container exited with status %d.", m->status);
}

static bool drained(const Monitor *m)
{
        return m->streams[0].fd < 0 && m->streams[1].fd < 0 &&
               client_sink_poll_fd(m->streams[0].client) < 0 &&
               client_sink_poll_fd(m->streams[1].client) < 0;
}

static int poll_timeout(const Monitor *m)
{
        if (!m->exited)
                return -1;
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        if (now >= m->deadline)
                return 0;
        return (int)((m->deadline - now + 999) / 1000);
}

static void setup_pollfds(const Monitor *m, struct pollfd p[static _POLL_MAX])
{
        p[POLL_SIGNAL] = (struct pollfd){.fd = m->signal_fd, .events = POLLIN};
        p[POLL_PIDFD] = (struct pollfd){.fd = m->exited ? -1 : m->process->pidfd, .events = POLLIN};
        p[POLL_STDOUT] = (struct pollfd){.fd = m->streams[0].fd, .events = POLLIN};
        p[POLL_STDERR] = (struct pollfd){.fd = m->streams[1].fd, .events = POLLIN};
        p[POLL_CLIENT_STDOUT] =
            (struct pollfd){.fd = client_sink_poll_fd(m->streams[0].client), .events = POLLOUT};
        p[POLL_CLIENT_STDERR] =
            (struct pollfd){.fd = client_sink_poll_fd(m->streams[1].client), .events = POLLOUT};
}

static void handle_events(Monitor *m, const struct pollfd p[static _POLL_MAX])
{
        if (p[POLL_SIGNAL].revents)
                forward_signals(m);
        for (int i = 0; i < 2; i++) {
                if (p[POLL_STDOUT + i].revents)
                        (void)output_stream_read(&m->streams[i]);
                if (p[POLL_CLIENT_STDOUT + i].revents)
                        client_sink_flush(m->streams[i].client);
        }
        /* Output first: what the container wrote before it exited is read before draining starts. */
        if (p[POLL_PIDFD].revents)
                reap(m, WNOHANG);
}

int monitor_run(const ContainerProcess *p, int signal_fd, OutputStream streams[static 2])
{
        Monitor m = {.process = p, .signal_fd = signal_fd, .streams = streams};
        struct pollfd pfd[_POLL_MAX];

        while (!(m.exited && drained(&m))) {
                int timeout = poll_timeout(&m);
                if (timeout == 0) {
                        if (streams[0].fd >= 0 || streams[1].fd >= 0)
                                log_warning(
                                    "Container output still open %llus after its exit, giving up on it.",
                                    MONITOR_DRAIN_USEC / USEC_PER_SEC);
                        else
                                log_warning(
                                    "Client did not take the rest of the output within %llus, dropping it.",
                                    MONITOR_DRAIN_USEC / USEC_PER_SEC);
                        break;
                }
                setup_pollfds(&m, pfd);
                if (poll(pfd, _POLL_MAX, timeout) < 0) {
                        if (errno == EINTR)
                                continue;
                        log_error_errno(-errno, "poll() failed, killing the container: %m");
                        (void)pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
                        if (!m.exited)
                                reap(&m, 0);
                        break;
                }
                handle_events(&m, pfd);
        }
        for (int i = 0; i < 2; i++)
                output_stream_finish(&streams[i]);
        return m.status;
}
