/* SPDX-License-Identifier: Apache-2.0 */
/* Directory modes and times, set once everything is unpacked: deepest first, so that a read-only
 * directory could still be filled and no child changes its parent's mtime afterwards. */

#include <sys/stat.h>

#include "unpack.h"

/* Memory kept for the fixups (their paths), against archives made of nothing but directories with
 * long names. */
#define DIR_FIXUPS_BYTES_MAX (256U << 20)

void dir_fixups_done(DirFixups *f)
{
        for (size_t i = 0; i < f->n; i++)
                free(f->items[i].path);
        free(f->items);
        *f = (DirFixups){};
}

int dir_fixups_add(DirFixups *f, const char *path, unsigned depth, mode_t mode,
                   const struct timespec times[2])
{
        size_t l = strlen(path) + 1;
        DirFixup *d;

        if (f->bytes + l + sizeof(DirFixup) > DIR_FIXUPS_BYTES_MAX)
                return -E2BIG;
        if (f->n == f->allocated) {
                size_t n = MAX(f->allocated * 2, (size_t)64);
                d = realloc(f->items, n * sizeof(DirFixup));
                if (!d)
                        return -ENOMEM;
                f->items = d;
                f->allocated = n;
        }
        d = &f->items[f->n];
        *d = (DirFixup){
            .path = strdup(path),
            .depth = depth,
            .index = f->n,
            .mode = mode & 07777,
            .times = {times[0], times[1]},
        };
        if (!d->path)
                return -ENOMEM;
        f->n++;
        f->bytes += l + sizeof(DirFixup);
        return 0;
}

static int dir_fixup_compare(const void *a, const void *b)
{
        const DirFixup *x = a, *y = b;

        /* Deepest first; the same directory listed twice: the later entry last, so it wins. */
        if (x->depth != y->depth)
                return x->depth > y->depth ? -1 : 1;
        return x->index < y->index ? -1 : x->index > y->index;
}

int dir_fixups_apply(DirFixups *f, int root_fd, const char **ret_failed_path)
{
        if (f->n > 0)
                qsort(f->items, f->n, sizeof(DirFixup), dir_fixup_compare);

        for (size_t i = 0; i < f->n; i++) {
                DirFixup *d = &f->items[i];
                _cleanup_close_ int fd = open_dir_beneath(root_fd, NULL, d->path, false);
                int r = fd < 0 ? fd : 0;

                /* Replaced by a later entry: nothing to do. */
                if (r == -ENOENT || r == -ELOOP || r == -ENOTDIR)
                        continue;
                if (r >= 0 && (fchmod(fd, d->mode) < 0 || futimens(fd, d->times) < 0))
                        r = -errno;
                if (r < 0) {
                        *ret_failed_path = d->path;
                        return r;
                }
        }
        return 0;
}
