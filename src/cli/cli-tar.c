/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sys/stat.h>

#include "raind/log.h"
#include "raind/macro.h"

#include "cli-archive.h"
#include "cli-cp-args.h"
#include "cli-tar.h"

#define TAR_BLOCK_SIZE (64 * 1024)

struct TarReader {
        struct archive *archive;
        struct archive_entry *first; /* owned by archive; valid until the next header is read */
        char *root;
};

static void archive_read_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}

static void archive_write_freep(struct archive **a)
{
        if (*a)
                archive_write_free(*a);
}

static void archive_entry_freep(struct archive_entry **e)
{
        if (*e)
                archive_entry_free(*e);
}

static const char *archive_text(struct archive *a)
{
        return archive_error_string(a) ?: "unknown error";
}

TarReader *tar_reader_free(TarReader *t)
{
        if (!t)
                return NULL;
        if (t->archive)
                archive_read_free(t->archive);
        free(t->root);
        free(t);
        return NULL;
}

int tar_reader_open(int fd, TarReader **ret)
{
        _cleanup_(tar_reader_freep) TarReader *t = NULL;
        int r;

        r = cli_archive_load();
        if (r < 0)
                return r;
        t = calloc(1, sizeof(TarReader));
        if (!t)
                return log_oom();
        t->archive = archive_read_new();
        if (!t->archive)
                return log_oom();
        archive_read_support_format_tar(t->archive);
        archive_read_support_filter_all(t->archive);
        if (archive_read_open_fd(t->archive, fd, TAR_BLOCK_SIZE) != ARCHIVE_OK) {
                log_error("raind: Cannot read the archive: %s", archive_text(t->archive));
                return -EIO;
        }

        r = archive_read_next_header(t->archive, &t->first);
        if (r == ARCHIVE_EOF) {
                log_error("raind: The archive is empty: nothing to copy");
                return -ENODATA;
        }
        if (r < ARCHIVE_WARN) {
                log_error("raind: Cannot read the archive: %s", archive_text(t->archive));
                return -EIO;
        }
        t->root = tar_entry_root(archive_entry_pathname(t->first) ?: "");
        if (!t->root) {
                log_error("raind: The archive starts with an entry without a name");
                return -EBADMSG;
        }

        *ret = TAKE_PTR(t);
        return 0;
}

bool tar_reader_is_dir(const TarReader *t)
{
        return archive_entry_filetype(t->first) == AE_IFDIR;
}

mode_t tar_reader_mode(const TarReader *t)
{
        return archive_entry_filetype(t->first);
}

static int copy_data(struct archive *in, struct archive *out, const char *name)
{
        const void *buf;
        size_t size;
        la_int64_t offset;
        int r;

        for (;;) {
                r = archive_read_data_block(in, &buf, &size, &offset);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (r < ARCHIVE_WARN) {
                        log_error("raind: Cannot read %s from the archive: %s", name, archive_text(in));
                        return -EIO;
                }
                if (archive_write_data_block(out, buf, size, offset) < ARCHIVE_WARN) {
                        log_error("raind: Cannot write %s: %s", name, archive_text(out));
                        return -EIO;
                }
        }
}

/* Renames the entry (and the target of a hard link, which lives in the same archive) in place.
 * Returns 0 to skip it: the root of a "." copy, which is the existing destination directory. */
static int entry_rename(struct archive_entry *e, const char *root, const char *name)
{
        _cleanup_free_ char *path = NULL, *link = NULL;
        const char *entry = archive_entry_pathname(e) ?: "", *target = archive_entry_hardlink(e);

        if (tar_entry_rename(entry, root, name, &path) < 0) {
                log_error("raind: Refusing archive entry '%s': outside '%s' or with '..'", entry, root);
                return -EINVAL;
        }
        if (streq(path, "."))
                return 0;
        if (target) {
                if (tar_entry_rename(target, root, name, &link) < 0 || streq(link, ".")) {
                        log_error("raind: Refusing hard link '%s' to '%s'", entry, target);
                        return -EINVAL;
                }
                archive_entry_set_hardlink(e, link);
        }
        archive_entry_set_pathname(e, path);
        return 1;
}

int tar_extract(TarReader *t, const char *dir, const char *name)
{
        _cleanup_(archive_write_freep) struct archive *disk = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        struct archive_entry *e = t->first;
        int r;

        /* Relative names below dir: libarchive's symlink checks then cover what the archive
         * creates, not the user's own path to dir. */
        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0 || fchdir(dir_fd) < 0)
                return log_error_errno(-errno, "raind: Cannot open directory %s: %m", dir);

        disk = archive_write_disk_new();
        if (!disk)
                return log_oom();
        archive_write_disk_set_options(
            disk, ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                      ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM);

        for (;;) {
                _cleanup_free_ char *shown = strdup(archive_entry_pathname(e) ?: "");

                if (!shown)
                        return log_oom();
                r = entry_rename(e, t->root, name);
                if (r < 0)
                        return r;
                if (r > 0) {
                        r = archive_write_header(disk, e);
                        if (r < ARCHIVE_WARN) {
                                log_error("raind: Cannot create %s/%s: %s", dir, archive_entry_pathname(e),
                                          archive_text(disk));
                                return -EIO;
                        }
                        if (r == ARCHIVE_WARN)
                                log_warning("raind: %s/%s: %s", dir, archive_entry_pathname(e),
                                            archive_text(disk));
                        if (archive_entry_size(e) > 0) {
                                r = copy_data(t->archive, disk, shown);
                                if (r < 0)
                                        return r;
                        }
                        if (archive_write_finish_entry(disk) < ARCHIVE_WARN) {
                                log_error("raind: Cannot finish %s/%s: %s", dir, archive_entry_pathname(e),
                                          archive_text(disk));
                                return -EIO;
                        }
                }

                r = archive_read_next_header(t->archive, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN) {
                        log_error("raind: Cannot read the archive: %s", archive_text(t->archive));
                        return -EIO;
                }
        }

        /* Directory times and modes are set last, once nothing is written into them any more. */
        if (archive_write_close(disk) != ARCHIVE_OK) {
                log_error("raind: Cannot finish extracting into %s: %s", dir, archive_text(disk));
                return -EIO;
        }
        return 0;
}

/* The name an entry read from disk gets in the archive: its path below the source, under name. */
static int entry_name_for(const char *entry, const char *source, const char *name, char **ret)
{
        const char *rest = startswith(entry, source);

        if (!rest)
                return -EINVAL;
        rest += strspn(rest, "/");
        if (isempty(rest))
                return asprintf(ret, "%s", name) < 0 ? -ENOMEM : 0;
        if (streq(name, "."))
                return asprintf(ret, "%s", rest) < 0 ? -ENOMEM : 0;
        return asprintf(ret, "%s/%s", name, rest) < 0 ? -ENOMEM : 0;
}

static int write_file_data(struct archive *disk, struct archive *out, const char *path)
{
        char buf[TAR_BLOCK_SIZE];
        la_ssize_t n;

        while ((n = archive_read_data(disk, buf, sizeof(buf))) > 0)
                if (archive_write_data(out, buf, (size_t)n) < 0) {
                        if (archive_errno(out) == EPIPE)
                                return -EPIPE;
                        log_error("raind: Cannot write %s into the archive: %s", path, archive_text(out));
                        return -EIO;
                }
        if (n < 0) {
                log_error("raind: Cannot read %s: %s", path, archive_text(disk));
                return -EIO;
        }
        return 0;
}

int tar_create(int fd, const char *path, const char *name)
{
        _cleanup_(archive_read_freep) struct archive *disk = NULL;
        _cleanup_(archive_write_freep) struct archive *out = NULL;
        int r;

        r = cli_archive_load();
        if (r < 0)
                return r;
        disk = archive_read_disk_new();
        out = archive_write_new();
        if (!disk || !out)
                return log_oom();
        /* Links as links, as docker cp does without -L; metadata a container cannot take stays. */
        archive_read_disk_set_symlink_physical(disk);
        archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_XATTR | ARCHIVE_READDISK_NO_ACL |
                                                 ARCHIVE_READDISK_NO_FFLAGS);
        if (archive_read_disk_open(disk, path) != ARCHIVE_OK)
                return log_error_errno(-(archive_errno(disk) ?: EIO), "raind: Cannot read %s: %s", path,
                                       archive_text(disk));
        archive_write_set_format_pax_restricted(out);
        archive_write_set_bytes_in_last_block(out, 1);
        if (archive_write_open_fd(out, fd) != ARCHIVE_OK) {
                log_error("raind: Cannot write the archive: %s", archive_text(out));
                return -EIO;
        }

        for (;;) {
                _cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();
                _cleanup_free_ char *entry_name = NULL, *source = NULL;

                if (!e)
                        return log_oom();
                r = archive_read_next_header2(disk, e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN) {
                        log_error("raind: Cannot read %s: %s", path, archive_text(disk));
                        return -EIO;
                }
                if (r == ARCHIVE_WARN)
                        log_warning("raind: %s: %s", archive_entry_pathname(e), archive_text(disk));
                if (archive_read_disk_can_descend(disk))
                        (void)archive_read_disk_descend(disk);

                source = strdup(archive_entry_pathname(e) ?: "");
                if (!source)
                        return log_oom();
                r = entry_name_for(source, path, name, &entry_name);
                if (r < 0)
                        return log_error_errno(r, "raind: Unexpected file %s while copying %s", source,
                                               path);
                /* The root of a "." copy is the existing destination directory itself. */
                if (streq(entry_name, "."))
                        continue;
                archive_entry_set_pathname(e, entry_name);
                /* Owned by the container's root, as with docker cp. */
                archive_entry_set_uid(e, 0);
                archive_entry_set_gid(e, 0);
                archive_entry_set_uname(e, NULL);
                archive_entry_set_gname(e, NULL);

                r = archive_write_header(out, e);
                if (r < ARCHIVE_WARN) {
                        if (archive_errno(out) == EPIPE)
                                return -EPIPE;
                        log_error("raind: Cannot add %s to the archive: %s", source, archive_text(out));
                        return -EIO;
                }
                if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
                        r = write_file_data(disk, out, source);
                        if (r < 0)
                                return r;
                }
        }

        if (archive_write_close(out) != ARCHIVE_OK) {
                if (archive_errno(out) == EPIPE)
                        return -EPIPE;
                log_error("raind: Cannot finish the archive: %s", archive_text(out));
                return -EIO;
        }
        return 0;
}
