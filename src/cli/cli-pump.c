/* SPDX-License-Identifier: Apache-2.0 */
#include <poll.h>
#include <signal.h>
#include <systemd/sd-event.h>

#include "raind/bus-errors.h"
#include "raind/log.h"
#include "raind/macro.h"
#include "raind/strv.h"
#include "raind/util.h"
#include "raind/validate.h"

#include "cli-bus.h"
#include "cli-detach.h"
#include "cli-error.h"
#include "cli-pump.h"
#include "cli-stream.h"
#include "cli-terminal.h"

/* Input is read in chunks that still fit one packet after held-back detach keys went in front. */
#define PUMP_INPUT_CHUNK (STREAM_PAYLOAD_MAX - DETACH_KEYS_MAX)
/* Packets handled per wake-up, so that input and signals get their turn under heavy output. */
#define PUMP_PACKETS_PER_WAKEUP 64
/* STREAM_ERROR is one line before STREAM_EXIT; more than a few is noise. */
#define PUMP_ERRORS_MAX 16
/* A second SIGINT this soon after the first one gives up passing signals on. */
#define DOUBLE_INTERRUPT_USEC (1 * USEC_PER_SEC)

typedef enum PumpEnd {
        PUMP_END_EXIT,   /* STREAM_EXIT arrived */
        PUMP_END_DETACH, /* Ctrl-P Ctrl-Q */
        PUMP_END_EOF,    /* the stream ended without STREAM_EXIT */
        PUMP_END_SIGNAL, /* a signal ended raind; exit_status is 128+N */
        PUMP_END_FAILED, /* said so already */
} PumpEnd;

typedef struct Pump {
        const PumpOptions *options;
        sd_event *event;
        int fd;
        sd_event_source *stream_source, *input_source;
        Terminal terminal;
        bool raw; /* the user's terminal is (to be) in raw mode: keys are input, not signals */
        bool detect_detach;
        DetachKeys detach;
        bool input_done; /* end of stdin reached, or nobody reads the stream any more */
        bool stdout_broken, stderr_broken;
        /* A packet of input that did not fit into the socket; input pauses until it is sent. */
        bool has_pending;
        size_t pending_size;
        bool resize_pending, close_stdin_pending;
        uint16_t rows, cols;
        char **errors; /* STREAM_ERROR texts, printed once the terminal is restored */
        int exit_status;
        uint64_t last_interrupt;
        uint8_t pending[STREAM_PAYLOAD_MAX];
        uint8_t packet[STREAM_PACKET_MAX];
        uint8_t input[PUMP_INPUT_CHUNK];
} Pump;

static Pump *pump_free(Pump *p)
{
        if (!p)
                return NULL;
        terminal_restore(&p->terminal);
        sd_event_source_disable_unref(p->stream_source);
        sd_event_source_disable_unref(p->input_source);
        sd_event_unref(p->event);
        safe_close(p->fd);
        strv_free(p->errors);
        free(p);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Pump *, pump_free);

static int pump_end(Pump *p, PumpEnd end)
{
        return sd_event_exit(p->event, (int)end);
}

/* Writes all of buf to stdout or stderr, waiting when the fd is non-blocking (a terminal shared
 * with somebody who set O_NONBLOCK). A reader that went away loses the rest, quietly: the
 * container goes on, as it would with docker. */
static void write_output(int fd, bool *broken, const uint8_t *buf, size_t size)
{
        while (size > 0 && !*broken) {
                ssize_t n = write(fd, buf, size);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                struct pollfd pfd = {.fd = fd, .events = POLLOUT};

                                (void)poll(&pfd, 1, -1);
                                continue;
                        }
                        log_debug_errno(-errno, "Cannot write to fd %d, dropping output from now on: %m",
                                        fd);
                        *broken = true;
                        return;
                }
                buf += n;
                size -= (size_t)n;
        }
}

static int update_stream_events(Pump *p)
{
        uint32_t events = EPOLLIN;

        if (p->has_pending || p->resize_pending || p->close_stdin_pending)
                events |= EPOLLOUT;
        return sd_event_source_set_io_events(p->stream_source, events);
}

static void input_stop(Pump *p)
{
        p->input_done = true;
        p->has_pending = false;
        p->close_stdin_pending = false;
        if (p->input_source)
                (void)sd_event_source_set_enabled(p->input_source, SD_EVENT_OFF);
}

/* Sends what waits, in order: input, then the end of input; window sizes whenever there is room. */
static int flush_pending(Pump *p)
{
        int r;

        if (p->resize_pending) {
                uint8_t payload[4];

                stream_resize_encode(p->rows, p->cols, payload);
                r = stream_send(p->fd, STREAM_RESIZE, payload, sizeof(payload));
                if (r < 0 && r != -EAGAIN)
                        log_debug_errno(r, "Cannot send the window size, ignoring: %m");
                if (r != -EAGAIN)
                        p->resize_pending = false;
        }

        if (p->has_pending) {
                r = stream_send(p->fd, STREAM_STDIN, p->pending, p->pending_size);
                if (r == -EAGAIN)
                        return update_stream_events(p);
                if (r < 0) {
                        /* The other side stopped reading: keep showing its output. */
                        log_debug_errno(r, "Cannot send input, no longer reading stdin: %m");
                        input_stop(p);
                        return update_stream_events(p);
                }
                p->has_pending = false;
                if (!p->input_done && p->input_source)
                        (void)sd_event_source_set_enabled(p->input_source, SD_EVENT_ON);
        }

        if (p->close_stdin_pending) {
                r = stream_send(p->fd, STREAM_CLOSE_STDIN, NULL, 0);
                if (r == -EAGAIN)
                        return update_stream_events(p);
                if (r < 0)
                        log_debug_errno(r, "Cannot send the end of input, ignoring: %m");
                p->close_stdin_pending = false;
        }

        return update_stream_events(p);
}

static int queue_input(Pump *p, const uint8_t *buf, size_t size)
{
        if (size == 0)
                return 0;
        memcpy(p->pending, buf, size);
        p->pending_size = size;
        p->has_pending = true;
        /* Nothing more is read until this is gone. */
        (void)sd_event_source_set_enabled(p->input_source, SD_EVENT_OFF);
        return flush_pending(p);
}

static int handle_packet(Pump *p, const StreamPacket *packet)
{
        _cleanup_free_ char *text = NULL;
        int r;

        switch (packet->type) {
        case STREAM_STDOUT:
                write_output(STDOUT_FILENO, &p->stdout_broken, packet->payload, packet->size);
                return 0;
        case STREAM_STDERR:
                write_output(STDERR_FILENO, &p->stderr_broken, packet->payload, packet->size);
                return 0;
        case STREAM_ERROR:
                r = stream_error_text(packet, &text);
                if (r < 0)
                        return r;
                if (strv_length(p->errors) >= PUMP_ERRORS_MAX)
                        return 0;
                if (strv_push(&p->errors, text) < 0)
                        return -ENOMEM;
                TAKE_PTR(text);
                return 0;
        case STREAM_EXIT:
                r = stream_exit_decode(packet, &p->exit_status);
                if (r < 0)
                        return r;
                log_debug("The stream says the process exited with status %d.", p->exit_status);
                return pump_end(p, PUMP_END_EXIT);
        default:
                /* A newer shim may know more; what we do not know is not for us. */
                log_debug("Ignoring a stream packet of type 0x%02x (%zu bytes).", packet->type,
                          packet->size);
                return 0;
        }
}

static int on_stream(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Pump *p = userdata;
        int r;

        if (revents & EPOLLOUT) {
                r = flush_pending(p);
                if (r < 0)
                        return r;
        }
        if (!(revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                return 0;

        for (unsigned i = 0; i < PUMP_PACKETS_PER_WAKEUP; i++) {
                StreamPacket packet;
                ssize_t n = stream_receive(fd, p->packet);

                if (n == -EAGAIN)
                        return 0;
                /* A unix socket closed by the shim while our input was still unread reports ECONNRESET
                 * once, ahead of the packets it sent before closing (STREAM_EXIT among them): the error
                 * is cleared by reporting it, so read on; the end is a read of 0. */
                if (n == -ECONNRESET)
                        continue;
                if (n == 0) {
                        log_debug("The stream ended without an exit status.");
                        return pump_end(p, PUMP_END_EOF);
                }
                if (n < 0) {
                        log_error_errno((int)n, "raind: Cannot read from the stream: %m");
                        return pump_end(p, PUMP_END_FAILED);
                }
                r = stream_packet_parse(p->packet, (size_t)n, &packet);
                if (r < 0) {
                        log_debug("Ignoring a malformed stream packet (%zd bytes).", n);
                        continue;
                }
                r = handle_packet(p, &packet);
                if (r < 0) {
                        log_error_errno(r, "raind: Cannot handle the stream: %m");
                        return pump_end(p, PUMP_END_FAILED);
                }
                if (packet.type == STREAM_EXIT)
                        return 0;
        }
        return 0;
}

static int on_input(Pump *p)
{
        uint8_t out[PUMP_INPUT_CHUNK + DETACH_KEYS_MAX];
        size_t size;
        ssize_t n;

        n = read(STDIN_FILENO, p->input, sizeof(p->input));
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return 0;
                /* EIO: the terminal hung up. Either way there is no more input. */
                log_debug_errno(-errno, "Cannot read stdin, taking it as its end: %m");
                n = 0;
        }

        if (n == 0) {
                size = p->detect_detach ? detach_keys_flush(&p->detach, out) : 0;
                p->input_done = true;
                (void)sd_event_source_set_enabled(p->input_source, SD_EVENT_OFF);
                p->close_stdin_pending = true;
                if (size > 0) {
                        memcpy(p->pending, out, size);
                        p->pending_size = size;
                        p->has_pending = true;
                }
                return flush_pending(p);
        }

        if (!p->detect_detach)
                return queue_input(p, p->input, (size_t)n);
        if (detach_keys_filter(&p->detach, p->input, (size_t)n, out, &size) > 0) {
                /* What came before the keys in the same read was typed for the container. */
                if (size > 0)
                        (void)stream_send(p->fd, STREAM_STDIN, out, size);
                log_debug("Detach keys read, leaving the container running.");
                return pump_end(p, PUMP_END_DETACH);
        }
        return queue_input(p, out, size);
}

static int on_input_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        return on_input(userdata);
}

static int on_input_defer(sd_event_source *s, void *userdata)
{
        return on_input(userdata);
}

static void send_window_size(Pump *p)
{
        uint16_t rows, cols;

        /* Either end of the user's terminal knows the size. */
        if (terminal_get_size(STDIN_FILENO, &rows, &cols) < 0 &&
            terminal_get_size(STDOUT_FILENO, &rows, &cols) < 0)
                return;
        p->rows = rows;
        p->cols = cols;
        p->resize_pending = true;
        log_debug("Window size %ux%u.", rows, cols);
        (void)flush_pending(p);
}

static int on_winch(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        send_window_size(userdata);
        return 0;
}

static int on_kill_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        const sd_bus_error *e = sd_bus_message_get_error(m);

        if (e && !sd_bus_error_has_name(e, BUS_ERROR_NOT_RUNNING))
                cli_log_bus_error(e, sd_bus_message_get_errno(m), "Cannot pass on the signal",
                                  "kill containers", POLKIT_MANAGE_CONTAINERS);
        return 0;
}

static bool forwards_signals(const Pump *p)
{
        return p->options->container_path && !p->raw;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        Pump *p = userdata;
        int sig = (int)si->ssi_signo, r;

        if (!forwards_signals(p)) {
                log_debug("SIG%s received, leaving.", signal_to_name(sig));
                p->exit_status = 128 + sig;
                return pump_end(p, PUMP_END_SIGNAL);
        }

        if (sig == SIGINT) {
                uint64_t now = now_usec(CLOCK_MONOTONIC);

                if (p->last_interrupt > 0 && now - p->last_interrupt < DOUBLE_INTERRUPT_USEC) {
                        log_error("raind: Interrupted; the container was left as it is");
                        p->exit_status = 128 + SIGINT;
                        return pump_end(p, PUMP_END_SIGNAL);
                }
                p->last_interrupt = now;
        }

        log_debug("Passing SIG%s on to the container.", signal_to_name(sig));
        r = sd_bus_message_new_method_call(p->options->bus, &m, RAIND_BUS_NAME, p->options->container_path,
                                           RAIND_CONTAINER_INTERFACE, "Kill");
        if (r >= 0)
                r = sd_bus_message_append(m, "i", sig);
        if (r >= 0)
                r = sd_bus_call_async(p->options->bus, NULL, m, on_kill_reply, p, CLI_CALL_TIMEOUT_USEC);
        if (r < 0)
                log_error_errno(r, "raind: Cannot pass on SIG%s: %m", signal_to_name(sig));
        return 0;
}

static int watch_input(Pump *p)
{
        int r;

        r = sd_event_add_io(p->event, &p->input_source, STDIN_FILENO, EPOLLIN, on_input_io, p);
        if (r == -EPERM)
                /* A regular file or /dev/null cannot be polled, and never blocks: read it in turns. */
                r = sd_event_add_defer(p->event, &p->input_source, on_input_defer, p);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(p->input_source, SD_EVENT_ON);
}

static int watch_signals(Pump *p, sigset_t *ret_old_mask)
{
        static const int ending[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
        static const int forwarded_only[] = {SIGUSR1, SIGUSR2};
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGWINCH);
        for (size_t i = 0; i < ELEMENTSOF(ending); i++)
                sigaddset(&mask, ending[i]);
        if (forwards_signals(p))
                for (size_t i = 0; i < ELEMENTSOF(forwarded_only); i++)
                        sigaddset(&mask, forwarded_only[i]);
        if (sigprocmask(SIG_BLOCK, &mask, ret_old_mask) < 0)
                return -errno;

        for (size_t i = 0; i < ELEMENTSOF(ending); i++) {
                r = sd_event_add_signal(p->event, NULL, ending[i], on_signal, p);
                if (r < 0)
                        return r;
        }
        if (forwards_signals(p))
                for (size_t i = 0; i < ELEMENTSOF(forwarded_only); i++) {
                        r = sd_event_add_signal(p->event, NULL, forwarded_only[i], on_signal, p);
                        if (r < 0)
                                return r;
                }
        if (p->options->tty) {
                r = sd_event_add_signal(p->event, NULL, SIGWINCH, on_winch, p);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The stream ended without a status: the container's is still known to raindd. */
static int wait_for_exit_status(const PumpOptions *o)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int32_t status;
        int r;

        if (!o->container_path) {
                log_error("raind: The stream ended without an exit status");
                return EXIT_DAEMON_ERROR;
        }
        r = cli_call(o->bus, o->container_path, RAIND_CONTAINER_INTERFACE, "Wait", CLI_CALL_NO_TIMEOUT,
                     &error, &reply, NULL);
        if (r < 0)
                return cli_log_bus_error(&error, r, "The stream ended early and the exit status is unknown",
                                         NULL, NULL);
        r = sd_bus_message_read(reply, "i", &status);
        if (r < 0 || status < 0 || status > 255) {
                log_error("raind: The stream ended early and the container has no exit status");
                return EXIT_DAEMON_ERROR;
        }
        return status;
}

static int pump_run(Pump *p, sigset_t *old_mask)
{
        const PumpOptions *o = p->options;
        int r;

        r = sd_event_new(&p->event);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot set up the event loop: %m");

        p->raw = o->input && o->tty && isatty(STDIN_FILENO);
        /* Keys can only be typed on a terminal; a pipe may carry any byte. */
        p->detect_detach = o->input && isatty(STDIN_FILENO);

        /* Signals first: from raw mode on, none may end us before the terminal is restored. */
        r = watch_signals(p, old_mask);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot watch signals: %m");
        if (p->raw) {
                r = terminal_make_raw(STDIN_FILENO, &p->terminal);
                if (r < 0)
                        return log_error_errno(r, "raind: Cannot put the terminal into raw mode: %m");
        }
        r = sd_event_add_io(p->event, &p->stream_source, p->fd, EPOLLIN, on_stream, p);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot watch the stream: %m");
        if (o->input) {
                r = watch_input(p);
                if (r == -EBADF) {
                        /* No stdin at all: that is an empty one. */
                        p->input_done = true;
                        p->close_stdin_pending = true;
                } else if (r < 0)
                        return log_error_errno(r, "raind: Cannot read stdin: %m");
        }
        if (o->bus) {
                r = sd_bus_attach_event(o->bus, p->event, SD_EVENT_PRIORITY_NORMAL);
                if (r < 0)
                        return log_error_errno(r, "raind: Cannot attach the bus to the event loop: %m");
        }
        if (o->tty)
                send_window_size(p);
        (void)flush_pending(p);

        r = sd_event_loop(p->event);
        if (o->bus)
                sd_bus_detach_event(o->bus);
        if (r < 0)
                return log_error_errno(r, "raind: Event loop failed: %m");
        return r;
}

int stream_pump(int fd, const PumpOptions *o)
{
        _cleanup_(pump_freep) Pump *p = NULL;
        struct sigaction sa_pipe = {.sa_handler = SIG_IGN}, old_pipe;
        sigset_t old_mask;
        int r, status;

        sigprocmask(SIG_SETMASK, NULL, &old_mask);
        p = calloc(1, sizeof(Pump));
        if (!p) {
                safe_close(fd);
                return log_oom();
        }
        p->fd = fd;
        p->options = o;
        p->terminal = TERMINAL_NULL;
        p->detach = (DetachKeys)DETACH_KEYS_INIT;
        p->exit_status = -1;

        /* A reader of our output that goes away must not kill us while the container runs. */
        sigaction(SIGPIPE, &sa_pipe, &old_pipe);
        r = pump_run(p, &old_mask);
        terminal_restore(&p->terminal);

        if (r == PUMP_END_DETACH)
                /* The prompt comes back on a line of its own. */
                fputc('\n', stdout);
        fflush(stdout);
        STRV_FOREACH (e, p->errors)
                log_error("raind: %s", *e);

        switch (r) {
        case PUMP_END_EXIT:
                status = p->exit_status;
                if (status < 0 || status > 255) {
                        log_error("raind: The process has no valid exit status (%d)", status);
                        status = EXIT_DAEMON_ERROR;
                }
                break;
        case PUMP_END_SIGNAL:
                status = p->exit_status;
                break;
        case PUMP_END_DETACH:
                status = 0;
                break;
        case PUMP_END_EOF:
                p = pump_free(p);
                status = wait_for_exit_status(o);
                break;
        default:
                status = EXIT_DAEMON_ERROR;
        }

        pump_free(TAKE_PTR(p));
        sigaction(SIGPIPE, &old_pipe, NULL);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        return status;
}
