/* SPDX-License-Identifier: Apache-2.0 */
#include <linux/sockios.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "output.h"
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

#define JOURNAL_SOCKET    "/run/systemd/journal/socket"
#define JOURNAL_DRAIN_MAX 200 /* ms */

/* The container's lines go to journald over a socket of our own rather than libsystemd's, so that
 * journal_drain() can see when journald has taken them: it learns the sender's unit (the container's
 * scope) from /proc when it reads a message, which must happen before the shim is gone. */
static int journal_fd = -EBADF;
static bool journal_sent;

static int journal_socket(void)
{
        static const struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = JOURNAL_SOCKET};

        if (journal_fd >= 0)
                return journal_fd;
        journal_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (journal_fd < 0)
                return -errno;
        if (connect(journal_fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int r = -errno;
                journal_fd = safe_close(journal_fd);
                return r;
        }
        return journal_fd;
}

/* Native protocol: "FIELD=value\n" each; a value with a newline (or any line that does not fit a
 * datagram) goes through sd_journal_sendv(), which knows the other encodings. */
static void journal_send(struct iovec *fields, size_t n)
{
        struct iovec iov[2 * ELEMENTSOF(((JournalFields *)NULL)->iov) + 8];
        static const char nl = '\n';
        int fd = journal_socket();

        for (size_t i = 0; fd >= 0 && i < n; i++)
                if (memchr(fields[i].iov_base, '\n', fields[i].iov_len))
                        fd = -EBADF;
        if (fd >= 0 && 2 * n <= ELEMENTSOF(iov)) {
                for (size_t i = 0; i < n; i++) {
                        iov[2 * i] = fields[i];
                        iov[2 * i + 1] = (struct iovec){.iov_base = (char *)&nl, .iov_len = 1};
                }
                struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2 * n};
                if (sendmsg(fd, &mh, MSG_NOSIGNAL) >= 0) {
                        journal_sent = true;
                        return;
                }
        }
        (void)sd_journal_sendv(fields, (int)n);
}

void journal_drain(void)
{
        int queued = 0;

        if (journal_fd < 0 || !journal_sent)
                return;
        for (unsigned ms = 0; ms < JOURNAL_DRAIN_MAX; ms++) {
                if (ioctl(journal_fd, SIOCOUTQ, &queued) < 0 || queued <= 0)
                        break;
                (void)nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
        }
        /* journald looks the sender up right after it took the last message. */
        (void)nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
        journal_sent = false;
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
        journal_send(iov, n);
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
