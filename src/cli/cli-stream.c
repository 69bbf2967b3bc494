/* SPDX-License-Identifier: Apache-2.0 */
#include <sys/socket.h>
#include <sys/uio.h>

#include "raind/macro.h"

#include "cli-stream.h"

int stream_packet_parse(const void *buf, size_t size, StreamPacket *ret)
{
        const uint8_t *b = buf;
        StreamPacket p;

        if (size < 1 || size > STREAM_PACKET_MAX)
                return -EBADMSG;
        p = (StreamPacket){.type = b[0], .payload = b + 1, .size = size - 1};

        switch (p.type) {
        case STREAM_RESIZE:
        case STREAM_EXIT:
                if (p.size != 4)
                        return -EBADMSG;
                break;
        case STREAM_CLOSE_STDIN:
                if (p.size != 0)
                        return -EBADMSG;
                break;
        default:
                break;
        }

        *ret = p;
        return 0;
}

static void put_le16(uint8_t *b, uint16_t v)
{
        b[0] = (uint8_t)(v & 0xff);
        b[1] = (uint8_t)(v >> 8);
}

static uint16_t get_le16(const uint8_t *b)
{
        return (uint16_t)(b[0] | (b[1] << 8));
}

void stream_resize_encode(uint16_t rows, uint16_t cols, uint8_t ret[static 4])
{
        put_le16(ret, rows);
        put_le16(ret + 2, cols);
}

int stream_resize_decode(const StreamPacket *p, uint16_t *ret_rows, uint16_t *ret_cols)
{
        if (p->type != STREAM_RESIZE || p->size != 4)
                return -EBADMSG;
        *ret_rows = get_le16(p->payload);
        *ret_cols = get_le16(p->payload + 2);
        return 0;
}

void stream_exit_encode(int32_t status, uint8_t ret[static 4])
{
        uint32_t v = (uint32_t)status;

        put_le16(ret, (uint16_t)(v & 0xffff));
        put_le16(ret + 2, (uint16_t)(v >> 16));
}

int stream_exit_decode(const StreamPacket *p, int *ret_status)
{
        uint32_t v;

        if (p->type != STREAM_EXIT || p->size != 4)
                return -EBADMSG;
        v = (uint32_t)get_le16(p->payload) | ((uint32_t)get_le16(p->payload + 2) << 16);
        *ret_status = (int32_t)v;
        return 0;
}

int stream_error_text(const StreamPacket *p, char **ret)
{
        size_t n = p->size;
        char *s;

        if (p->type != STREAM_ERROR)
                return -EBADMSG;
        while (n > 0 && (p->payload[n - 1] == '\n' || p->payload[n - 1] == '\r'))
                n--;
        s = malloc(n + 1);
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                s[i] = p->payload[i] < 0x20 || p->payload[i] == 0x7f ? ' ' : (char)p->payload[i];
        s[n] = 0;
        *ret = s;
        return 0;
}

int stream_send(int fd, uint8_t type, const void *payload, size_t size)
{
        struct iovec iov[2] = {
            {.iov_base = &type, .iov_len = 1},
            {.iov_base = (void *)payload, .iov_len = size},
        };
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = size > 0 ? 2 : 1};
        ssize_t n;

        if (size > STREAM_PAYLOAD_MAX)
                return -EMSGSIZE;
        do
                n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        /* SOCK_SEQPACKET sends all of a packet or nothing. */
        return 0;
}

ssize_t stream_receive(int fd, uint8_t buf[static STREAM_PACKET_MAX])
{
        struct iovec iov = {.iov_base = buf, .iov_len = STREAM_PACKET_MAX};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        ssize_t n;

        do
                n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        if (mh.msg_flags & MSG_TRUNC)
                return -EBADMSG;
        return n;
}
