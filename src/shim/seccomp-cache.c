/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sys/stat.h>

#include "raind/fileio.h"
#include "raind/log.h"
#include "seccomp-filter.h"

#define CACHE_SUFFIX ".bpf"

/* Only a directory and files that nobody but us could have written are trusted: a forged filter
 * would be loaded into every container. */
static int check_owner(int fd, bool directory)
{
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (directory ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
                return -EBADFD;
        if (st.st_uid != geteuid() || (st.st_mode & 022))
                return -EPERM;
        return 0;
}

static int open_cache_dir(const char *cache_dir, bool create)
{
        if (create && mkdir(cache_dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        _cleanup_close_ int fd = open(cache_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = check_owner(fd, true);
        if (r < 0)
                return r;
        return TAKE_FD(fd);
}

static int cache_load(const char *cache_dir, const char *name, struct sock_fprog *ret)
{
        _cleanup_close_ int dfd = open_cache_dir(cache_dir, false);
        if (dfd < 0)
                return dfd;
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = check_owner(fd, false);
        if (r < 0)
                return r;

        _cleanup_free_ char *data = NULL;
        size_t size;
        r = read_full_fd(fd, BPF_MAXINSNS * sizeof(struct sock_filter), &data, &size);
        if (r < 0)
                return r;
        if (size == 0 || size % sizeof(struct sock_filter) != 0)
                return -EBADMSG;
        *ret = (struct sock_fprog){
            .len = (unsigned short)(size / sizeof(struct sock_filter)),
            .filter = (struct sock_filter *)TAKE_PTR(data),
        };
        return 0;
}

static void cache_store(const char *cache_dir, const char *name, const struct sock_fprog *p)
{
        _cleanup_close_ int dfd = open_cache_dir(cache_dir, true);
        int r = dfd;

        if (dfd >= 0)
                r = write_file_atomicat(dfd, name, p->filter, p->len * sizeof(struct sock_filter), 0600);
        if (r < 0)
                log_debug_errno(r, "Failed to store compiled seccomp filter in %s, ignoring: %m", cache_dir);
}

int seccomp_compile_cached(const SeccompConfig *c, const char *cache_dir, struct sock_fprog *ret)
{
        char name[SHA256_HEX_SIZE + sizeof(CACHE_SUFFIX)];
        int r;

        if (isempty(cache_dir))
                return seccomp_compile(c, ret);
        snprintf(name, sizeof(name), "%s" CACHE_SUFFIX, c->digest);
        r = cache_load(cache_dir, name, ret);
        if (r >= 0)
                return 0;
        if (r != -ENOENT)
                log_debug_errno(r, "Not using cached seccomp filter %s/%s: %m", cache_dir, name);

        r = seccomp_compile(c, ret);
        if (r < 0)
                return r;
        cache_store(cache_dir, name, ret);
        return 0;
}
