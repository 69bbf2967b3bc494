/* SPDX-License-Identifier: Apache-2.0 */
#include <sys/socket.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "sync.h"

#define SYNC_MESSAGE_MAX 1200

int sync_wait_for_go(int fd)
{
        char buf[16];
        ssize_t n;

        do
                n = recv(fd, buf, sizeof(buf), 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                log_debug_errno(-errno, "Failed to read from sync socket: %m");
        return n == 1 && buf[0] == 'g';
}

static void send_message(int fd, const char *m, size_t len)
{
        if (send(fd, m, len, MSG_NOSIGNAL) < 0)
                log_debug_errno(-errno, "Failed to send \"%s\" on sync socket, ignoring: %m", m);
}

void sync_send_ok(int fd, pid_t pid)
{
        char m[32];
        int n = snprintf(m, sizeof(m), "ok %d", (int)pid);

        send_message(fd, m, (size_t)n);
}

void sync_send_error(int fd, int error, int exit_code, const char *message)
{
        char m[SYNC_MESSAGE_MAX];
        int n = snprintf(m, sizeof(m), "err %d %d %s", abs(error), exit_code, message);

        if (n < 0)
                return;
        n = MIN(n, (int)sizeof(m) - 1);
        /* One line, whatever the message held. */
        for (char *p = m; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        send_message(fd, m, (size_t)n);
}
