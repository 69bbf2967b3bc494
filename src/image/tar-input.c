/* SPDX-License-Identifier: Apache-2.0 */
/* The tarball's bytes as libarchive reads them, hashed on the way (the blob digest), and the tar stream
 * they decompress to, hashed too (the diff_id).
 *
 * Two libarchive readers are chained: the decompressor (raw format, the named filters) reads TarInput;
 * its output is hashed, copied to the tee fd and handed to the tar reader through tar_stream_read(). */

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

/* poll() for events on a non-blocking pipe or socket. */
static int wait_for(int fd, short events)
{
        struct pollfd p = {.fd = fd, .events = events};

        if (poll(&p, 1, -1) < 0 && errno != EINTR)
                return -errno;
        return 0;
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
                int r = wait_for(fd, POLLIN);
                if (r < 0)
                        return r;
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

void tar_stream_done(TarStream *s)
{
        if (s->decompressor)
                archive_read_free(s->decompressor);
        s->decompressor = NULL;
}

int tar_stream_open(TarStream *s, TarInput *in, uint64_t max, int tee_fd)
{
        struct archive_entry *e;
        int r;

        *s = (TarStream){.max = max, .tee_fd = tee_fd};
        sha256_init(&s->hash);

        s->decompressor = archive_read_new();
        if (!s->decompressor)
                return -ENOMEM;
        /* Named filters only: support_filter_all() would also run external programs (lrzip, lzop...). */
        if (archive_read_support_format_raw(s->decompressor) < ARCHIVE_WARN ||
            archive_read_support_filter_gzip(s->decompressor) < ARCHIVE_WARN ||
            archive_read_support_filter_xz(s->decompressor) < ARCHIVE_WARN ||
            archive_read_support_filter_bzip2(s->decompressor) < ARCHIVE_WARN ||
            archive_read_support_filter_zstd(s->decompressor) < ARCHIVE_WARN)
                return -EOPNOTSUPP;
        if (archive_read_open(s->decompressor, in, NULL, tar_input_read, NULL) < ARCHIVE_WARN)
                return -EBADMSG;
        r = archive_read_next_header(s->decompressor, &e);
        /* The raw format takes any input of at least one byte: an empty stream is no archive, which the
         * tar reader says. */
        if (r == ARCHIVE_EOF || (r < ARCHIVE_WARN && in->error == 0 && in->n_read == 0))
                s->eof = true;
        else if (r < ARCHIVE_WARN)
                return -EBADMSG;
        return 0;
}

static int write_all_wait(int fd, const uint8_t *p, size_t size)
{
        while (size > 0) {
                ssize_t n = write(fd, p, size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                return -errno;
                        int r = wait_for(fd, POLLOUT);
                        if (r < 0)
                                return r;
                        continue;
                }
                p += n;
                size -= (size_t)n;
        }
        return 0;
}

/* The next block of decompressed bytes, hashed and teed: its size, 0 at the end, or a negative errno
 * (the decompressor's own failure is -EBADMSG, its message in its archive). */
static ssize_t tar_stream_next(TarStream *s, const void **ret_buffer)
{
        const void *buf;
        size_t n;
        la_int64_t offset;
        int r;

        if (s->eof)
                return 0;
        r = archive_read_data_block(s->decompressor, &buf, &n, &offset);
        if (r == ARCHIVE_EOF) {
                s->eof = true;
                return 0;
        }
        if (r < ARCHIVE_WARN)
                return -EBADMSG;
        /* The raw format has no holes. */
        if (offset < 0 || (uint64_t)offset != s->n_read)
                return -EBADMSG;
        if (n > s->max - MIN(s->n_read, s->max))
                return s->error = -EFBIG;
        if (s->tee_fd >= 0) {
                r = write_all_wait(s->tee_fd, buf, n);
                if (r < 0)
                        return s->error = r;
        }
        s->n_read += n;
        sha256_update(&s->hash, buf, n);
        *ret_buffer = buf;
        return (ssize_t)n;
}

ssize_t tar_stream_read(struct archive *a, void *userdata, const void **ret_buffer)
{
        TarStream *s = userdata;
        ssize_t n = tar_stream_next(s, ret_buffer);

        if (n == -EFBIG)
                archive_set_error(a, EFBIG, "decompressed input larger than %llu bytes",
                                  (unsigned long long)s->max);
        else if (n == -EBADMSG)
                archive_set_error(a, archive_errno(s->decompressor) ?: EIO, "%s",
                                  archive_error_string(s->decompressor) ?: "decompression failed");
        else if (n < 0)
                archive_set_error(a, (int)-n, "cannot write the tar stream: %s", strerror((int)-n));
        if (n < 0)
                return -1;
        if (n == 0)
                *ret_buffer = NULL;
        return n;
}

int tar_stream_drain(TarStream *s)
{
        for (;;) {
                const void *buf;
                ssize_t n = tar_stream_next(s, &buf);
                if (n <= 0)
                        return (int)n;
        }
}

void tar_stream_diff_id(TarStream *s, char ret[SHA256_HEX_SIZE])
{
        sha256_final_hex(&s->hash, ret);
}
