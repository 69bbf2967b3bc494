/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <syslog.h>

#include "output.h"
#include "raind/journal-send.h"
#include "raind/log.h"
#include "raind/validate.h"

#define READ_CHUNK (64U * 1024U)
#define STRLEN(s)  (sizeof(s) - 1)
/* An iovec of a string literal, without its NUL. */
#define IOVEC_LITERAL(s) ((struct iovec){.iov_base = (char *)(s), .iov_len = STRLEN(s)})

static int add_field(JournalFields *f, const char *fmt, ...)
{
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        f->iov[f->n++] = (struct iovec){.iov_base = s, .iov_len = (size_t)r};
        return 0;
}

int journal_fields_init(JournalFields *f, const char *id, const char *name, const char *image)
{
        int r;

        *f = (JournalFields){};
        if ((r = add_field(f, "CONTAINER_ID=%.*s", SHORT_ID_LEN, id)) < 0 ||
            (r = add_field(f, "CONTAINER_ID_FULL=%s", id)) < 0 ||
            (r = add_field(f, "CONTAINER_NAME=%s", name)) < 0 ||
            (r = add_field(f, "SYSLOG_IDENTIFIER=%s", name)) < 0 ||
            (image && (r = add_field(f, "IMAGE_NAME=%s", image)) < 0)) {
                journal_fields_done(f);
                return r;
        }
        return 0;
}

void journal_fields_done(JournalFields *f)
{
        for (size_t i = 0; i < f->n; i++)
                free(f->iov[i].iov_base);
        f->n = 0;
}

static void journal_line(const char *line, size_t len, bool partial, void *userdata)
{
        static char message[STRLEN("MESSAGE=") + LINE_PART_MAX];
        const OutputStream *s = userdata;
        struct iovec iov[ELEMENTSOF(s->fields->iov) + 3];
        size_t n = 0;

        /* A terminal ends lines with \r\n (\r\r\n if the program wrote \r\n): no part of the message. */
        while (s->tty && len > 0 && line[len - 1] == '\r')
                len--;

        memcpy(message, "MESSAGE=", STRLEN("MESSAGE="));
        memcpy(message + STRLEN("MESSAGE="), line, len);
        iov[n++] = (struct iovec){.iov_base = message, .iov_len = STRLEN("MESSAGE=") + len};
        iov[n++] = s->priority == LOG_ERR ? IOVEC_LITERAL("PRIORITY=3") : IOVEC_LITERAL("PRIORITY=6");
        if (partial)
                iov[n++] = IOVEC_LITERAL("CONTAINER_PARTIAL_MESSAGE=true");
        for (size_t i = 0; i < s->fields->n; i++)
                iov[n++] = s->fields->iov[i];

        /* Without a journal (standalone runs) there is nobody to tell; the client copy remains. */
        (void)journal_sendv(iov, n);
}

void output_stream_finish(OutputStream *s)
{
        if (s->fields)
                line_buffer_finish(&s->lines, journal_line, s);
        s->fd = safe_close(s->fd);
}

int output_stream_read(OutputStream *s, const char **ret_data)
{
        static char buf[READ_CHUNK];

        if (s->fd < 0)
                return 0;
        ssize_t n = read(s->fd, buf, sizeof(buf));
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return -EAGAIN;
        if (n < 0 && errno == EIO && s->tty) /* every fd of the slave side is closed */
                return 0;
        if (n < 0)
                return log_warning_errno(-errno, "Failed to read container output: %m");
        if (n == 0)
                return 0;
        s->n_read += (uint64_t)n;
        client_sink_write(s->client, buf, (size_t)n);
        if (s->fields)
                line_buffer_feed(&s->lines, buf, (size_t)n, journal_line, s);
        *ret_data = buf;
        return (int)n;
}
