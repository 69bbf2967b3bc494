/* SPDX-License-Identifier: Apache-2.0 */
/* Unpacks a tar archive into a directory without ever leaving it.
 *
 * libarchive only reads and decompresses; writing is done here, relative to the directory's fd: every
 * parent directory is opened one component at a time with O_NOFOLLOW, so a symlink the archive made
 * (or anything else) is never followed, whatever order the entries come in. Paths with ".." are
 * refused, a leading "/" is dropped (as `docker import` does), hardlink targets are resolved the
 * same way inside the root. Files are created with O_EXCL and never opened if they exist: an existing
 * name is removed first, so nothing is written through an earlier symlink or hardlink.
 *
 * Directories are created 0700 and get their mode and timestamps at the end, deepest first, so
 * that a read-only directory can still be filled and its mtime is not changed by its children.
 *
 * The directory is an overlayfs lower directory: OCI whiteouts are turned into overlayfs ones as they
 * come, ".wh.NAME" into the character device 0/0 NAME, ".wh..wh..opq" into the opaque xattr on its
 * directory. Whiteouts hide what lower layers have, so an entry of this layer replaces a whiteout
 * of the same name, before or after it. */

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "image-internal.h"
#include "unpack.h"

/* The OCI image layer spec's whiteout names. */
#define WHITEOUT_PREFIX      ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE      ".wh..wh..opq"

typedef struct Unpacker {
        TarInput *input;
        TarStream *stream;
        int root_fd;
        bool privileged;
        uint64_t max_entries;
        uint64_t max_size;

        uint64_t n_entries;
        uint64_t size;
        uint64_t apparent_size;

        DirCache cache;
        DirFixups fixups;

        /* The entry at hand, quoted, for messages. */
        char *entry;
        char **error;
} Unpacker;

static void unpacker_done(Unpacker *u)
{
        dir_fixups_done(&u->fixups);
        dir_cache_forget(&u->cache);
        free(u->entry);
}

static void archive_read_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}

/* A failure libarchive reports: reading the input, or the archive itself. */
static int archive_failure(Unpacker *u, struct archive *a)
{
        const char *m = archive_error_string(a) ?: "unknown error";

        if (u->input->error == -EFBIG)
                return image_error(u->error, -EFBIG, "tarball larger than %llu bytes",
                                   (unsigned long long)u->input->max);
        if (u->input->error < 0)
                return image_error(u->error, u->input->error, "cannot read tarball: %m");
        if (u->stream->error == -EFBIG)
                return image_error(u->error, -EFBIG, "tarball larger than %llu bytes decompressed",
                                   (unsigned long long)u->stream->max);
        if (u->stream->error < 0)
                return image_error(u->error, u->stream->error, "cannot copy the tar stream: %m");
        if (u->n_entries == 0)
                return image_error(u->error, -EBADMSG, "not a tar archive: %s", m);
        return image_error(u->error, -EBADMSG, "corrupt tarball at entry '%s': %s", strempty(u->entry), m);
}

/* Maps a failure to open the directory an entry goes in (or, for a hardlink, its target's) to an
 * error message. */
static int parent_error(Unpacker *u, int r, const char *link_target)
{
        if (r == -ELOOP && link_target)
                return image_error(u->error, -EBADMSG,
                                   "tarball entry '%s' is a hardlink to '%s' through a symlink", u->entry,
                                   link_target);
        if (r == -ELOOP)
                return image_error(u->error, -EBADMSG,
                                   "tarball entry '%s' would be written through a symlink", u->entry);
        if (r == -ENOTDIR && link_target)
                return image_error(u->error, -EBADMSG,
                                   "tarball entry '%s' is a hardlink to '%s' below a non-directory",
                                   u->entry, link_target);
        if (r == -ENOTDIR)
                return image_error(u->error, -EBADMSG,
                                   "tarball entry '%s' would be written below a non-directory", u->entry);
        return image_error(u->error, r, "cannot unpack tarball entry '%s': %m", u->entry);
}

/* Makes room for an entry: removes what is at name unless both are directories (then 1 is returned
 * and the directory is kept). */
static int remove_existing(Unpacker *u, int dir_fd, const char *name, bool want_dir)
{
        struct stat st;
        int r;

        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISDIR(st.st_mode) && want_dir)
                return 1;
        /* The cached directory may be what goes away. */
        dir_cache_forget(&u->cache);
        r = tree_remove_at(dir_fd, name);
        return r < 0 ? r : 0;
}

static void entry_times(struct archive_entry *e, struct timespec ret[2])
{
        ret[1] = (struct timespec){archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
        if (archive_entry_atime_is_set(e))
                ret[0] = (struct timespec){archive_entry_atime(e), archive_entry_atime_nsec(e)};
        else
                ret[0] = ret[1];
}

static int add_dir_fixup(Unpacker *u, const char *path, unsigned depth, struct archive_entry *e)
{
        struct timespec ts[2];
        int r;

        entry_times(e, ts);
        r = dir_fixups_add(&u->fixups, path, depth, archive_entry_perm(e), ts);
        if (r == -E2BIG)
                return image_error(u->error, r, "tarball has too many directories");
        return r;
}

static int apply_dir_fixups(Unpacker *u)
{
        const char *failed = NULL;
        int r;

        dir_cache_forget(&u->cache);
        r = dir_fixups_apply(&u->fixups, u->root_fd, &failed);
        if (r < 0) {
                _cleanup_free_ char *q = image_error_quote(strempty(failed));
                return image_error(u->error, r, "cannot set mode and times of directory '%s': %m",
                                   strempty(q));
        }
        return 0;
}

static bool xattr_is_skipped(const char *name)
{
        /* overlayfs reads its own xattrs from the layer directories (opaque dirs, redirects, metacopy):
         * an archive must not be able to set them. SELinux labels come from the container, not the
         * image. */
        return startswith(name, "trusted.overlay.") || startswith(name, "user.overlay.") ||
               streq(name, "security.selinux");
}

static int apply_xattrs(Unpacker *u, int fd, struct archive_entry *e)
{
        const char *name;
        const void *value;
        size_t size;

        archive_entry_xattr_reset(e);
        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
                if (isempty(name) || xattr_is_skipped(name))
                        continue;
                if (strlen(name) > XATTR_NAME_MAX || size > XATTR_SIZE_MAX)
                        return image_error(u->error, -EBADMSG,
                                           "tarball entry '%s' has an oversized extended attribute",
                                           u->entry);
                if (fsetxattr(fd, name, value, size, 0) >= 0)
                        continue;
                /* The file system has none, or (unprivileged) the namespace is not ours: like the owner,
                 * that is what an unprivileged unpack cannot keep. */
                if (errno == EOPNOTSUPP || (!u->privileged && (errno == EPERM || errno == EACCES)))
                        continue;
                _cleanup_free_ char *q = image_error_quote(name);
                return image_error(u->error, -errno,
                                   "cannot set extended attribute '%s' of tarball entry '%s': %m",
                                   strempty(q), u->entry);
        }
        return 0;
}

static int entry_owner(Unpacker *u, struct archive_entry *e, uid_t *ret_uid, gid_t *ret_gid)
{
        int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);

        if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
                return image_error(u->error, -EBADMSG, "tarball entry '%s' has an invalid owner", u->entry);
        *ret_uid = (uid_t)uid;
        *ret_gid = (gid_t)gid;
        return 0;
}

/* Owner, xattrs, mode, times, in that order: chown clears setuid bits and file capabilities. */
static int apply_fd_metadata(Unpacker *u, int fd, struct archive_entry *e, bool is_dir)
{
        struct timespec ts[2];
        uid_t uid;
        gid_t gid;
        int r;

        if (u->privileged) {
                r = entry_owner(u, e, &uid, &gid);
                if (r < 0)
                        return r;
                if (fchown(fd, uid, gid) < 0)
                        return image_error(u->error, -errno, "cannot set owner of tarball entry '%s': %m",
                                           u->entry);
        }
        r = apply_xattrs(u, fd, e);
        if (r < 0)
                return r;
        if (is_dir)
                return 0; /* mode and times at the end */
        entry_times(e, ts);
        if (fchmod(fd, archive_entry_perm(e) & 07777) < 0 || futimens(fd, ts) < 0)
                return image_error(u->error, -errno, "cannot set mode of tarball entry '%s': %m", u->entry);
        return 0;
}

/* For nodes that cannot be opened (symlinks, devices, FIFOs). */
static int apply_at_metadata(Unpacker *u, int dir_fd, const char *name, struct archive_entry *e,
                             bool symlink)
{
        struct timespec ts[2];
        uid_t uid;
        gid_t gid;
        int r;

        if (u->privileged) {
                r = entry_owner(u, e, &uid, &gid);
                if (r < 0)
                        return r;
                if (fchownat(dir_fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return image_error(u->error, -errno, "cannot set owner of tarball entry '%s': %m",
                                           u->entry);
        }
        /* Just made by us in a directory only we can write, and not a symlink: fchmodat() follows. */
        if (!symlink && fchmodat(dir_fd, name, archive_entry_perm(e) & 07777, 0) < 0)
                return image_error(u->error, -errno, "cannot set mode of tarball entry '%s': %m", u->entry);
        entry_times(e, ts);
        if (utimensat(dir_fd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return image_error(u->error, -errno, "cannot set times of tarball entry '%s': %m", u->entry);
        return 0;
}

static int write_all_at(int fd, const void *buf, size_t size, off_t offset)
{
        const char *p = buf;

        while (size > 0) {
                ssize_t n = pwrite(fd, p, size, offset);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                size -= (size_t)n;
                offset += n;
        }
        return 0;
}

static int unpack_regular(Unpacker *u, struct archive *a, struct archive_entry *e, int dir_fd,
                          const char *name)
{
        int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (size < 0 || (uint64_t)size > u->max_size - MIN(u->apparent_size, u->max_size))
                return image_error(u->error, -EFBIG,
                                   "tarball entry '%s' exceeds the size limit of %llu bytes", u->entry,
                                   (unsigned long long)u->max_size);

        for (unsigned attempt = 0;; attempt++) {
                fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd >= 0 || errno != EEXIST || attempt > 0)
                        break;
                r = remove_existing(u, dir_fd, name, false);
                if (r < 0)
                        return image_error(u->error, r, "cannot replace '%s': %m", u->entry);
        }
        if (fd < 0)
                return image_error(u->error, -errno, "cannot create '%s': %m", u->entry);

        for (;;) {
                const void *buf;
                size_t n;
                la_int64_t offset;

                r = archive_read_data_block(a, &buf, &n, &offset);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return archive_failure(u, a);
                if (offset < 0 || (uint64_t)offset + n > (uint64_t)size)
                        return image_error(u->error, -EBADMSG,
                                           "corrupt tarball at entry '%s': data beyond its size", u->entry);
                r = write_all_at(fd, buf, n, (off_t)offset);
                if (r < 0)
                        return image_error(u->error, r, "cannot write '%s': %m", u->entry);
        }
        /* Sparse files end in a hole. */
        if (ftruncate(fd, (off_t)size) < 0)
                return image_error(u->error, -errno, "cannot write '%s': %m", u->entry);

        u->size += (uint64_t)size;
        u->apparent_size += (uint64_t)size;
        return apply_fd_metadata(u, fd, e, false);
}

static bool whiteout_at(int dir_fd, const char *name)
{
        struct stat st;

        return fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISCHR(st.st_mode) &&
               st.st_rdev == makedev(0, 0);
}

/* overlayfs reads trusted.overlay.* when mounted by root, user.overlay.* with "userxattr", the
 * option an unprivileged mount in a user namespace takes. */
static int mark_opaque(Unpacker *u, int fd)
{
        const char *xattr = u->privileged ? "trusted.overlay.opaque" : "user.overlay.opaque";

        if (fsetxattr(fd, xattr, "y", 1, 0) < 0)
                return image_error(u->error, -errno, "cannot make the directory of '%s' opaque: %m",
                                   u->entry);
        return 0;
}

static int unpack_directory(Unpacker *u, struct archive_entry *e, int dir_fd, const char *name,
                            const char *path, unsigned depth)
{
        _cleanup_close_ int fd = -EBADF;
        bool opaque = false;
        int r;

        if (mkdirat(dir_fd, name, 0700) < 0) {
                if (errno != EEXIST)
                        return image_error(u->error, -errno, "cannot create directory '%s': %m", u->entry);
                /* A directory in place of a whiteout still hides what lower layers have there. */
                opaque = whiteout_at(dir_fd, name);
                r = remove_existing(u, dir_fd, name, true);
                if (r < 0)
                        return image_error(u->error, r, "cannot replace '%s': %m", u->entry);
                if (r == 0 && mkdirat(dir_fd, name, 0700) < 0)
                        return image_error(u->error, -errno, "cannot create directory '%s': %m", u->entry);
        }
        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return image_error(u->error, -errno, "cannot open directory '%s': %m", u->entry);
        /* Until the fixup, the directory must stay ours to fill, whatever mode a kept one had. */
        if (fchmod(fd, 0700) < 0)
                return image_error(u->error, -errno, "cannot create directory '%s': %m", u->entry);
        if (opaque) {
                r = mark_opaque(u, fd);
                if (r < 0)
                        return r;
        }
        r = apply_fd_metadata(u, fd, e, true);
        if (r < 0)
                return r;
        return add_dir_fixup(u, path, depth, e);
}

static int unpack_symlink(Unpacker *u, struct archive_entry *e, int dir_fd, const char *name)
{
        const char *target = archive_entry_symlink(e);

        /* The target is kept as it is: it is resolved inside the container, never while unpacking. */
        if (isempty(target))
                return image_error(u->error, -EBADMSG, "tarball entry '%s' is a symlink without target",
                                   u->entry);
        if (strlen(target) >= PATH_MAX)
                return image_error(u->error, -ENAMETOOLONG,
                                   "tarball entry '%s' has a symlink target too long", u->entry);
        for (unsigned attempt = 0;; attempt++) {
                if (symlinkat(target, dir_fd, name) >= 0)
                        break;
                if (errno != EEXIST || attempt > 0)
                        return image_error(u->error, -errno, "cannot create symlink '%s': %m", u->entry);
                int r = remove_existing(u, dir_fd, name, false);
                if (r < 0)
                        return image_error(u->error, r, "cannot replace '%s': %m", u->entry);
        }
        return apply_at_metadata(u, dir_fd, name, e, true);
}

static int unpack_hardlink(Unpacker *u, const char *link, int dir_fd, const char *name)
{
        _cleanup_free_ char *target = NULL, *target_dir = NULL, *q = NULL;
        _cleanup_close_ int target_fd = -EBADF;
        const char *target_name;
        int r;

        q = image_error_quote(link);
        r = entry_path_normalize(link, &target, NULL);
        if (r == -EBADMSG)
                return image_error(u->error, r, "tarball entry '%s' is a hardlink to '%s' outside the root",
                                   u->entry, strempty(q));
        if (r < 0)
                return image_error(u->error, r, "tarball entry '%s' has an invalid hardlink target '%s'",
                                   u->entry, strempty(q));
        if (isempty(target))
                return image_error(u->error, -EBADMSG, "tarball entry '%s' is a hardlink to the root",
                                   u->entry);

        char *slash = strrchr(target, '/');
        if (slash) {
                target_dir = strndup(target, (size_t)(slash - target));
                if (!target_dir)
                        return -ENOMEM;
                target_name = slash + 1;
        } else
                target_name = target;

        target_fd = open_dir_beneath(u->root_fd, &u->cache, strempty(target_dir), false);
        if (target_fd < 0 && target_fd != -ENOENT)
                return parent_error(u, target_fd, strempty(q));

        for (unsigned attempt = 0;; attempt++) {
                /* No AT_SYMLINK_FOLLOW: a link to a symlink is a link to the symlink itself. */
                if (target_fd >= 0 && linkat(target_fd, target_name, dir_fd, name, 0) >= 0)
                        break;
                if (target_fd < 0 || errno == ENOENT)
                        return image_error(
                            u->error, -EBADMSG,
                            "tarball entry '%s' is a hardlink to '%s', which is not in the archive",
                            u->entry, strempty(q));
                if (errno == EPERM)
                        return image_error(u->error, -EBADMSG,
                                           "tarball entry '%s' is a hardlink to directory '%s'", u->entry,
                                           strempty(q));
                if (errno != EEXIST || attempt > 0)
                        return image_error(u->error, -errno, "cannot create hardlink '%s': %m", u->entry);
                /* Linking a name to itself leaves it as it is. */
                struct stat a, b;
                if (fstatat(target_fd, target_name, &a, AT_SYMLINK_NOFOLLOW) >= 0 &&
                    fstatat(dir_fd, name, &b, AT_SYMLINK_NOFOLLOW) >= 0 && a.st_dev == b.st_dev &&
                    a.st_ino == b.st_ino)
                        return 0;
                r = remove_existing(u, dir_fd, name, false);
                if (r < 0)
                        return image_error(u->error, r, "cannot replace '%s': %m", u->entry);
        }
        return 0;
}

static int unpack_special(Unpacker *u, struct archive_entry *e, int dir_fd, const char *name, mode_t type)
{
        dev_t dev = 0;

        if (type == AE_IFCHR || type == AE_IFBLK) {
                /* Device nodes only when we may make them at all; an unprivileged unpack skips them
                 * (as rootless Docker does), the container gets its /dev from the runtime anyway. */
                if (!u->privileged)
                        return 0;
                dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
        }
        for (unsigned attempt = 0;; attempt++) {
                if (mknodat(dir_fd, name,
                            (type == AE_IFCHR   ? S_IFCHR
                             : type == AE_IFBLK ? S_IFBLK
                                                : S_IFIFO) |
                                0600,
                            dev) >= 0)
                        break;
                /* Root in a user namespace may not make devices either. */
                if (errno == EPERM && type != AE_IFIFO)
                        return 0;
                if (errno != EEXIST || attempt > 0)
                        return image_error(u->error, -errno, "cannot create '%s': %m", u->entry);
                int r = remove_existing(u, dir_fd, name, false);
                if (r < 0)
                        return image_error(u->error, r, "cannot replace '%s': %m", u->entry);
        }
        return apply_at_metadata(u, dir_fd, name, e, false);
}

/* ".wh.NAME" becomes the character device 0/0 NAME (replacing an earlier entry of this layer),
 * ".wh..wh..opq" makes its directory opaque. Whatever type the entry has, its name decides. */
static int unpack_whiteout(Unpacker *u, struct archive_entry *e, int dir_fd, const char *name)
{
        const char *target = startswith(name, WHITEOUT_PREFIX);
        struct timespec ts[2];

        if (streq(name, WHITEOUT_OPAQUE))
                return mark_opaque(u, dir_fd);
        if (startswith(name, WHITEOUT_META_PREFIX))
                return image_error(u->error, -EBADMSG, "tarball entry '%s' is an unknown whiteout",
                                   u->entry);
        if (isempty(target) || streq(target, ".") || streq(target, ".."))
                return image_error(u->error, -EBADMSG, "tarball entry '%s' is a whiteout of no file",
                                   u->entry);

        for (unsigned attempt = 0;; attempt++) {
                if (mknodat(dir_fd, target, S_IFCHR | 0, makedev(0, 0)) >= 0)
                        break;
                if (errno != EEXIST || attempt > 0)
                        return image_error(u->error, -errno, "cannot create whiteout '%s': %m", u->entry);
                int r = remove_existing(u, dir_fd, target, false);
                if (r < 0)
                        return image_error(u->error, r, "cannot replace '%s' by a whiteout: %m", u->entry);
        }
        if (u->privileged && fchownat(dir_fd, target, 0, 0, AT_SYMLINK_NOFOLLOW) < 0)
                return image_error(u->error, -errno, "cannot set owner of whiteout '%s': %m", u->entry);
        entry_times(e, ts);
        if (utimensat(dir_fd, target, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return image_error(u->error, -errno, "cannot set times of whiteout '%s': %m", u->entry);
        return 0;
}

/* A whiteout name is only meaningful as the last component: one above it is refused, it could only
 * confuse whatever reads the layer later. */
static bool path_has_whiteout_dir(const char *parent)
{
        for (const char *p = parent; p;) {
                if (startswith(p, WHITEOUT_PREFIX))
                        return true;
                p = strchr(p, '/');
                if (p)
                        p++;
        }
        return false;
}

static int unpack_entry(Unpacker *u, struct archive *a, struct archive_entry *e)
{
        _cleanup_free_ char *path = NULL, *parent = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        const char *raw, *name, *link;
        mode_t type = archive_entry_filetype(e);
        unsigned depth;
        int r;

        raw = archive_entry_pathname(e) ?: archive_entry_pathname_utf8(e);
        if (!raw)
                return image_error(u->error, -EBADMSG, "tarball entry %llu has no name",
                                   (unsigned long long)u->n_entries);
        free(u->entry);
        u->entry = image_error_quote(raw);
        if (!u->entry)
                return -ENOMEM;

        r = entry_path_normalize(raw, &path, &depth);
        if (r == -EBADMSG)
                return image_error(u->error, r, "tarball entry '%s' escapes the root", u->entry);
        if (r == -ENAMETOOLONG)
                return image_error(u->error, r, "tarball entry '%s' has a path too long or too deep",
                                   u->entry);
        if (r < 0)
                return r;

        link = archive_entry_hardlink(e);
        if (isempty(path)) {
                /* "./" or "/": the root directory's own mode and times. */
                if (link || type != AE_IFDIR)
                        return image_error(u->error, -EBADMSG, "tarball entry '%s' replaces the root",
                                           u->entry);
                r = apply_fd_metadata(u, u->root_fd, e, true);
                if (r < 0)
                        return r;
                return add_dir_fixup(u, "", 0, e);
        }

        char *slash = strrchr(path, '/');
        if (slash) {
                parent = strndup(path, (size_t)(slash - path));
                if (!parent)
                        return -ENOMEM;
                name = slash + 1;
        } else
                name = path;

        if (parent && path_has_whiteout_dir(parent))
                return image_error(u->error, -EBADMSG, "tarball entry '%s' is below a whiteout", u->entry);

        dir_fd = open_dir_beneath(u->root_fd, &u->cache, strempty(parent), true);
        if (dir_fd < 0)
                return parent_error(u, dir_fd, NULL);

        if (startswith(name, WHITEOUT_PREFIX))
                return unpack_whiteout(u, e, dir_fd, name);
        if (link)
                return unpack_hardlink(u, link, dir_fd, name);

        switch (type) {
        case AE_IFREG:
                return unpack_regular(u, a, e, dir_fd, name);
        case AE_IFDIR:
                return unpack_directory(u, e, dir_fd, name, path, depth);
        case AE_IFLNK:
                return unpack_symlink(u, e, dir_fd, name);
        case AE_IFCHR:
        case AE_IFBLK:
        case AE_IFIFO:
                return unpack_special(u, e, dir_fd, name, type);
        case AE_IFSOCK:
                return 0; /* a socket is nothing without its listener */
        default:
                return image_error(u->error, -EBADMSG, "tarball entry '%s' has an unknown type", u->entry);
        }
}

static int unpack_archive(Unpacker *u, struct archive *a)
{
        struct archive_entry *e;
        int r;

        for (;;) {
                r = archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return archive_failure(u, a);
                /* ARCHIVE_WARN: e.g. a name not convertible to the locale; the raw bytes are used. */
                if (++u->n_entries > u->max_entries)
                        return image_error(u->error, -E2BIG, "tarball has more than %llu entries",
                                           (unsigned long long)u->max_entries);
                r = unpack_entry(u, a, e);
                if (r < 0)
                        return r;
        }
        if (u->n_entries == 0 && archive_format(a) == 0)
                return image_error(u->error, -EBADMSG, "not a tar archive: empty input");
        return apply_dir_fixups(u);
}

/* A tar stream is its files plus headers and padding: twice the size limit is more than any layer
 * within it needs, and still bounds what a small compressed input may expand to. */
static uint64_t stream_max(uint64_t max_size)
{
        return max_size > UINT64_MAX / 2 ? UINT64_MAX : 2 * max_size;
}

int layer_unpack(int input_fd, int dir_fd, const LayerUnpackOptions *o, LayerUnpackResult *ret, char **error)
{
        _cleanup_(archive_read_freep) struct archive *a = NULL;
        _cleanup_free_ TarInput *in = NULL;
        _cleanup_(tar_stream_done) TarStream stream = {};
        _cleanup_(unpacker_done) Unpacker u = {
            .root_fd = dir_fd,
            .privileged = geteuid() == 0,
            .max_entries = o->max_entries,
            .max_size = o->max_size,
            .cache.fd = -EBADF,
            .error = error,
        };
        int r;

        in = tar_input_new(input_fd, o->max_size);
        if (!in)
                return -ENOMEM;
        u.input = in;
        u.stream = &stream;

        r = tar_stream_open(&stream, in, stream_max(o->max_size), o->tee_fd);
        if (r == -EBADMSG)
                return archive_failure(&u, stream.decompressor);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return image_error(error, r, "cannot set up the decompressor: %s",
                                   archive_error_string(stream.decompressor) ?: "unknown error");

        a = archive_read_new();
        if (!a)
                return -ENOMEM;
        if (archive_read_support_format_tar(a) < ARCHIVE_WARN)
                return image_error(error, -EOPNOTSUPP, "cannot set up the tarball reader: %s",
                                   archive_error_string(a) ?: "unknown error");
        if (archive_read_open(a, &stream, NULL, tar_stream_read, NULL) < ARCHIVE_WARN)
                return archive_failure(&u, a);

        r = unpack_archive(&u, a);
        if (r < 0)
                return r;
        /* The digests cover everything: what follows the archive in the stream, and in the input. */
        r = tar_stream_drain(&stream);
        if (r < 0)
                return archive_failure(&u, stream.decompressor);
        r = tar_input_drain(in);
        if (r < 0)
                return archive_failure(&u, stream.decompressor);

        tar_input_digest(in, ret->digest);
        tar_stream_diff_id(&stream, ret->diff_id);
        ret->size = u.size;
        ret->n_entries = u.n_entries;
        return 0;
}
