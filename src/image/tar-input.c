/* SPDX-License-Identifier: Apache-2.0 */
/* The tarball's bytes as libarchive reads them, hashed on the way: the digest is the layer's id. */

#include <poll.h>

#include "unpack.h"

TarInput *tar_input_new(int fd, uint64_t max)
{
        TarInput *in = malloc(sizeof(TarInput));

        if (!in)
                return NULL;
        in->fd = fd;
        in->n_read = 0;
        in->max = max;
        in->error = 0;
        sha256_init(&in->hash);
        return in;
}

/* read(), waiting when fd is a non-blocking pipe or socket. */
static ssize_t read_wait(int fd, void *buf, size_t size)
{
        for (;;) {
                ssize_t n = read(fd, buf, size);
                if (n >= 0)
                        return n;
                if (errno == EINTR)
                        continue;
                if (errno != EAGAIN)
                        return -errno;
                struct pollfd p = {.fd = fd, .events = POLLIN};
                if (poll(&p, 1, -1) < 0 && errno != EINTR)
                        return -errno;
        }
}

static ssize_t tar_input_fill(TarInput *in)
{
        ssize_t n = read_wait(in->fd, in->buffer, sizeof(in->buffer));
        if (n > 0 && (uint64_t)n > in->max - in->n_read)
                n = -EFBIG;
        if (n < 0) {
                in->error = (int)n;
                return n;
        }
        in->n_read += (uint64_t)n;
        sha256_update(&in->hash, in->buffer, (size_t)n);
        return n;
}

ssize_t tar_input_read(struct archive *a, void *userdata, const void **ret_buffer)
{
        TarInput *in = userdata;
        ssize_t n = tar_input_fill(in);

        if (n == -EFBIG) {
                archive_set_error(a, EFBIG, "input larger than %llu bytes", (unsigned long long)in->max);
                return -1;
        }
        if (n < 0) {
                archive_set_error(a, (int)-n, "read error: %s", strerror((int)-n));
                return -1;
        }
        *ret_buffer = in->buffer;
        return n;
}

int tar_input_drain(TarInput *in)
{
        for (;;) {
                ssize_t n = tar_input_fill(in);
                if (n <= 0)
                        return (int)n;
        }
}

void tar_input_digest(TarInput *in, char ret[SHA256_HEX_SIZE])
{
        sha256_final_hex(&in->hash, ret);
}
