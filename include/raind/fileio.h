/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Writes data to path atomically: temp file in the same directory, fsync, rename. */
int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode);
int write_file_atomicat(int dirfd, const char *name, const void *data, size_t size, mode_t mode);

/* Reads a whole file (at most max bytes, else -EFBIG); the result is NUL-terminated. */
int read_full_file(const char *path, size_t max, char **ret, size_t *ret_size);
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size);

/* Writes all of buf, retrying on EINTR and short writes. */
int loop_write(int fd, const void *buf, size_t size);

int mkdir_p(const char *path, mode_t mode);
/* Removes a directory tree without crossing into other mounts. */
int rm_rf(const char *path);
