/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>

#include "raind/strv.h"

#include "image-internal.h"

int dir_read_names(int fd, char ***ret)
{
        _cleanup_strv_free_ char **names = NULL;
        size_t n = 0, allocated = 0;

        /* A new open file description: a dup would share (and move) the caller's directory offset. */
        int dir_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return -errno;
        _cleanup_(closedirp) DIR *d = fdopendir(dir_fd);
        if (!d) {
                safe_close(dir_fd);
                return -errno;
        }
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                return -errno;
                        break;
                }
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (n + 2 > allocated) {
                        allocated = MAX(allocated * 2, (size_t)16);
                        char **l = realloc(names, allocated * sizeof(char *));
                        if (!l)
                                return -ENOMEM;
                        names = l;
                }
                names[n] = strdup(de->d_name);
                if (!names[n])
                        return -ENOMEM;
                names[++n] = NULL;
        }
        *ret = TAKE_PTR(names);
        return 0;
}
