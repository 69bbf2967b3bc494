/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sys/epoll.h>

#include "process-io.h"
#include "pty.h"
#include "raind/log.h"
#include "raind/stream-protocol.h"

void process_io_init(ProcessIo *io, EventLoop *event, bool tty, bool flow_control)
{
        *io = (ProcessIo){.event = event, .pty_master = -EBADF, .tty = tty, .flow_control = flow_control};
        for (unsigned i = 0; i < 2; i++)
                io->output[i] = (ProcessOutput){
                    .io = io,
                    .stream = {.fd = -EBADF},
                    .packet_type = i == 0 ? STREAM_STDOUT : STREAM_STDERR,
                };
}

static void close_output(ProcessOutput *o)
{
        /* The event source before the fd: epoll must forget it while the number still means it. */
        o->source = event_source_disable_unref(o->source);
        output_stream_finish(&o->stream);
}

void process_io_done(ProcessIo *io)
{
        for (unsigned i = 0; i < 2; i++) {
                close_output(&io->output[i]);
                io->output[i].stream.client = client_sink_free(io->output[i].stream.client);
        }
        io->stdin = stdin_sink_free(io->stdin);
        io->pty_master = safe_close(io->pty_master);
        for (size_t i = 0; i < io->n_streams; i++)
                stream_free(io->streams[i]);
        free(io->streams);
        io->streams = NULL;
        io->n_streams = 0;
}

static void broadcast(ProcessIo *io, uint8_t type, const void *data, size_t size)
{
        for (size_t i = 0; i < io->n_streams; i++)
                stream_send(io->streams[i], type, data, size);
}

static int on_output(EventSource *source, int fd, uint32_t revents, void *userdata)
{
        ProcessOutput *o = userdata;
        const char *data;

        int r = output_stream_read(&o->stream, &data);
        if (r > 0)
                broadcast(o->io, o->packet_type, data, (size_t)r);
        else if (r != -EAGAIN)
                close_output(o);
        return 0;
}

int process_io_set_output(ProcessIo *io, unsigned i, int fd, int priority, const JournalFields *fields,
                          ClientSink *client)
{
        ProcessOutput *o = &io->output[i];

        o->stream.fd = fd;
        o->stream.priority = priority;
        o->stream.fields = fields;
        o->stream.client = client;
        o->stream.tty = io->tty;
        return event_add_io(io->event, &o->source, fd, EPOLLIN, on_output, o);
}

int process_io_set_stdin(ProcessIo *io, int fd)
{
        return stdin_sink_new(io->event, fd, &io->stdin);
}

/* The pty master is read, written and resized through separate fds, so that each can be closed on
 * its own; they share one open file, so one O_NONBLOCK covers them all. */
int process_io_set_pty(ProcessIo *io, int master, bool stdin_open, const JournalFields *fields,
                       ClientSink *client)
{
        int r;

        io->pty_master = master;
        io->stdin_pending = false;
        if (io->rows > 0)
                (void)pty_resize(master, io->rows, io->cols);
        if (fcntl(master, F_SETFL, O_NONBLOCK) < 0)
                return -errno;
        int fd = fcntl(master, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        r = process_io_set_output(io, 0, fd, LOG_INFO, fields, client);
        if (r < 0 || !stdin_open)
                return r;
        fd = fcntl(master, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        return process_io_set_stdin(io, fd);
}

static void resize(ProcessIo *io, const uint8_t *data, size_t size)
{
        if (size != 4)
                return (void)log_debug("Ignoring a resize packet of %zu bytes.", size);
        unsigned rows = data[0] | (unsigned)data[1] << 8, cols = data[2] | (unsigned)data[3] << 8;
        if (rows == 0 || cols == 0)
                return;
        io->rows = rows;
        io->cols = cols;
        if (io->pty_master >= 0) {
                int r = pty_resize(io->pty_master, rows, cols);
                if (r < 0)
                        log_debug_errno(r, "Failed to resize the terminal: %m");
        }
}

static void on_packet(Stream *s, uint8_t type, const uint8_t *data, size_t size, void *userdata)
{
        ProcessIo *io = userdata;

        switch (type) {
        case STREAM_STDIN:
                if (stream_has_stdin(s))
                        stdin_sink_write(io->stdin, data, size);
                break;
        case STREAM_CLOSE_STDIN:
                /* With a terminal, end of input is the client's ^D, sent as data. */
                if (stream_has_stdin(s) && !io->tty)
                        stdin_sink_close(io->stdin);
                break;
        case STREAM_RESIZE:
                resize(io, data, size);
                break;
        default:
                log_debug("Ignoring a stream packet of type %u.", type);
        }
}

int process_io_attach(ProcessIo *io, int fd, bool stdin)
{
        Stream *s;

        Stream **a = reallocarray(io->streams, io->n_streams + 1, sizeof(Stream *));
        if (!a) {
                safe_close(fd);
                return -ENOMEM;
        }
        io->streams = a;
        int r = stream_new(io->event, fd, !io->flow_control, on_packet, io, &s);
        if (r < 0)
                return r;
        stream_set_stdin(s, stdin);
        io->streams[io->n_streams++] = s;
        return 0;
}

void process_io_update(ProcessIo *io)
{
        bool hold_input = io->stdin_pending || stdin_sink_is_full(io->stdin), congested = false;

        for (size_t i = io->n_streams; i-- > 0;) {
                Stream *s = io->streams[i];
                if (stream_is_dead(s)) {
                        stream_free(s);
                        io->streams[i] = io->streams[--io->n_streams];
                        continue;
                }
                if (stream_has_stdin(s))
                        stream_set_reading(s, !hold_input);
                congested = congested || stream_is_congested(s);
        }
        if (!io->flow_control)
                return;
        for (unsigned i = 0; i < 2; i++)
                if (io->output[i].source)
                        (void)event_source_set_enabled(io->output[i].source,
                                                       congested ? EVENT_OFF : EVENT_ON);
}

bool process_io_output_done(const ProcessIo *io)
{
        return io->output[0].stream.fd < 0 && io->output[1].stream.fd < 0;
}

void process_io_finish_output(ProcessIo *io)
{
        for (unsigned i = 0; i < 2; i++)
                close_output(&io->output[i]);
}

void process_io_hangup(ProcessIo *io)
{
        process_io_finish_output(io);
        io->stdin = stdin_sink_free(io->stdin);
        io->pty_master = safe_close(io->pty_master);
}

void process_io_send_exit(ProcessIo *io, int status)
{
        for (size_t i = 0; i < io->n_streams; i++)
                stream_send_exit(io->streams[i], status);
}

void process_io_send_error(ProcessIo *io, const char *line)
{
        for (size_t i = 0; i < io->n_streams; i++)
                stream_send_error(io->streams[i], line);
}

bool process_io_clients_done(const ProcessIo *io)
{
        return io->n_streams == 0 && client_sink_is_flushed(io->output[0].stream.client) &&
               client_sink_is_flushed(io->output[1].stream.client);
}
