/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sys/random.h>

#include "raind/fileio.h"
#include "raind/macro.h"
#include "raind/util.h"

uint64_t now_usec(clockid_t clock)
{
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / NSEC_PER_USEC;
}

int free_and_strdup(char **p, const char *s)
{
        char *c = NULL;
        if (s && !(c = strdup(s)))
                return -ENOMEM;
        free(*p);
        *p = c;
        return 0;
}

int random_id(char ret[65])
{
        static const char hex[] = "0123456789abcdef";
        uint8_t b[32];
        if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
                return -errno;
        for (size_t i = 0; i < sizeof(b); i++) {
                ret[2 * i] = hex[b[i] >> 4];
                ret[2 * i + 1] = hex[b[i] & 15];
        }
        ret[64] = 0;
        return 0;
}

int process_start_time(pid_t pid, uint64_t *ret)
{
        char path[64];
        _cleanup_free_ char *buf = NULL;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        int r = read_full_file(path, 4096, &buf, NULL);
        if (r < 0)
                return r;
        /* The command name may contain spaces and parentheses; fields resume after the last ')'. */
        char *p = strrchr(buf, ')');
        if (!p)
                return -EIO;
        /* p is at the end of field 2; step over the spaces before fields 3…22. */
        for (int field = 2; field < 22; field++) {
                p = strchr(p + 1, ' ');
                if (!p)
                        return -EIO;
        }
        unsigned long long v;
        if (sscanf(p, " %llu", &v) != 1)
                return -EIO;
        *ret = v;
        return 0;
}
