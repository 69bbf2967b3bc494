/* SPDX-License-Identifier: Apache-2.0 */
/* journald's native protocol (systemd.journal-fields(7), "Native Journal Protocol"): one datagram per
 * entry on /run/systemd/journal/socket, a field per line, "FIELD=value\n", or for a value with a
 * newline "FIELD\n", its length as 64-bit little endian, the value, "\n". An entry too large for a
 * datagram goes as a sealed memfd passed along. */

#include <endian.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/sockios.h>
#include <time.h>

#include "raind/fileio.h"
#include "raind/journal-send.h"
#include "raind/macro.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define FIELDS_MAX     64

static int journal_fd = -EBADF;
static bool journal_sent; /* since the last journal_drain() */

static int journal_socket(void)
{
        static const struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = JOURNAL_SOCKET};

        if (journal_fd >= 0)
                return journal_fd;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        journal_fd = fd;
        return fd;
}

/* The same bytes through a memfd, for an entry larger than a datagram. */
static int send_memfd(int fd, const struct iovec *iov, size_t n)
{
        _cleanup_close_ int mfd = memfd_create("journal-entry", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        union {
                struct cmsghdr h;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        int r;

        if (mfd < 0)
                return -errno;
        for (size_t i = 0; i < n; i++) {
                r = loop_write(mfd, iov[i].iov_base, iov[i].iov_len);
                if (r < 0)
                        return r;
        }
        if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                return -errno;
        struct msghdr mh = {.msg_control = &control, .msg_controllen = sizeof(control)};
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &mfd, sizeof(int));
        return sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

int journal_sendv(const struct iovec *fields, size_t n_fields)
{
        struct iovec iov[4 * FIELDS_MAX];
        uint64_t sizes[FIELDS_MAX];
        static const char nl = '\n';
        size_t n = 0;
        int fd, r;

        if (n_fields > FIELDS_MAX)
                return -E2BIG;
        fd = journal_socket();
        if (fd < 0)
                return fd;
        for (size_t i = 0; i < n_fields; i++) {
                const char *f = fields[i].iov_base, *eq = memchr(f, '=', fields[i].iov_len);
                size_t len = fields[i].iov_len;

                if (!eq || eq == f)
                        return -EINVAL;
                if (!memchr(f, '\n', len)) {
                        iov[n++] = fields[i];
                } else {
                        /* The name, a newline, the length, the value. */
                        size_t name = (size_t)(eq - f);
                        sizes[i] = htole64((uint64_t)(len - name - 1));
                        iov[n++] = (struct iovec){.iov_base = (char *)f, .iov_len = name};
                        iov[n++] = (struct iovec){.iov_base = (char *)&nl, .iov_len = 1};
                        iov[n++] = (struct iovec){.iov_base = &sizes[i], .iov_len = sizeof(uint64_t)};
                        iov[n++] = (struct iovec){.iov_base = (char *)eq + 1, .iov_len = len - name - 1};
                }
                iov[n++] = (struct iovec){.iov_base = (char *)&nl, .iov_len = 1};
        }
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = n};
        if (sendmsg(fd, &mh, MSG_NOSIGNAL) >= 0)
                r = 0;
        else if (errno == EMSGSIZE || errno == ENOBUFS)
                r = send_memfd(fd, iov, n);
        else
                r = -errno;
        if (r >= 0)
                journal_sent = true;
        return r;
}

int journal_send_string_fields(const char *const *fields, size_t n)
{
        struct iovec iov[FIELDS_MAX];

        if (n > FIELDS_MAX)
                return -E2BIG;
        for (size_t i = 0; i < n; i++)
                iov[i] = (struct iovec){.iov_base = (char *)fields[i], .iov_len = strlen(fields[i])};
        return journal_sendv(iov, n);
}

void journal_drain(void)
{
        int queued = 0;

        if (journal_fd < 0 || !journal_sent)
                return;
        journal_sent = false;
        for (unsigned ms = 0; ms < 200; ms++) {
                if (ioctl(journal_fd, SIOCOUTQ, &queued) < 0 || queued <= 0)
                        break;
                (void)nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
        }
        /* journald looks the sender up right after it took the last message. */
        (void)nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
}
