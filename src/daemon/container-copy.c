/* SPDX-License-Identifier: Apache-2.0 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "container-copy.h"
#include "container.h"
#include "manager.h"
#include "polkit.h"
#include "raind/bus-errors.h"
#include "raind/json-util.h"
#include "raind/log.h"
#include "raind/validate.h"

#define COPY_ERROR_MAX 512

typedef struct CopyJob {
        sd_bus_message *request;
        pid_t pid;
        int status_fd;
        sd_event_source *exit_source;
} CopyJob;

static CopyJob *copy_job_free(CopyJob *j)
{
        if (!j)
                return NULL;
        sd_event_source_disable_unref(j->exit_source);
        sd_bus_message_unref(j->request);
        safe_close(j->status_fd);
        free(j);
        return NULL;
}

/* Where the helper finds the container's files. */
typedef struct CopyRoot {
        pid_t main_pid; /* running: enter its mount namespace and root */
        char *rootfs;   /* stopped: mount the overlay here, privately */
        char *overlay_options;
} CopyRoot;

static void copy_root_done(CopyRoot *r)
{
        free(r->rootfs);
        free(r->overlay_options);
}

static int copy_root_prepare(Container *c, CopyRoot *ret)
{
        _cleanup_free_ char *bundle = container_bundle_dir(c), *config = NULL;
        _cleanup_json_ struct json_object *spec = NULL;
        struct json_object *ann;

        if (c->state == CONTAINER_RUNNING && c->main_pid > 0) {
                *ret = (CopyRoot){.main_pid = c->main_pid};
                return 0;
        }
        if (!bundle || asprintf(&config, "%s/config.json", bundle) < 0)
                return -ENOMEM;
        int r = json_read_file(config, 4 * 1024 * 1024, &spec);
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(spec, "annotations", &ann))
                return -EBADMSG;
        const char *lower = json_get_string(ann, "org.raind.overlay.lowerdir"),
                   *upper = json_get_string(ann, "org.raind.overlay.upperdir"),
                   *work = json_get_string(ann, "org.raind.overlay.workdir");
        if (!lower || !upper || !work)
                return -EBADMSG;
        CopyRoot root = {};
        if (asprintf(&root.rootfs, "%s/rootfs", bundle) < 0 ||
            asprintf(&root.overlay_options, "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work) < 0) {
                copy_root_done(&root);
                return -ENOMEM;
        }
        *ret = root;
        return 0;
}

/* In the forked helper: chroot into the container's root. */
static int copy_root_enter(const CopyRoot *root)
{
        if (root->main_pid > 0) {
                char p[64];
                snprintf(p, sizeof(p), "/proc/%d/root", (int)root->main_pid);
                _cleanup_close_ int rootfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)root->main_pid);
                _cleanup_close_ int mntfd = open(p, O_RDONLY | O_CLOEXEC);
                if (rootfd < 0 || mntfd < 0 || setns(mntfd, CLONE_NEWNS) < 0 || fchdir(rootfd) < 0)
                        return -errno;
        } else {
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                    mount("overlay", root->rootfs, "overlay", 0, root->overlay_options) < 0 ||
                    chdir(root->rootfs) < 0)
                        return -errno;
        }
        if (chroot(".") < 0 || chdir("/") < 0)
                return -errno;
        return 0;
}

/* In the helper: reports "PATH: WHY" to raindd and exits. */
static _noreturn_ void helper_fail(int status_fd, const char *path, const char *why)
{
        char buf[COPY_ERROR_MAX];
        snprintf(buf, sizeof(buf), "%s: %s", path, why);
        (void)!write(status_fd, buf, strlen(buf));
        _exit(1);
}

static int tar_path(int out_fd, const char *path)
{
        _cleanup_free_ char *copy = strdup(path), *dir_copy = strdup(path);
        if (!copy || !dir_copy)
                return -ENOMEM;
        /* Docker's names: copying /etc/hosts gives "hosts", copying /etc gives "etc/…". */
        const char *base = basename(copy), *dir = dirname(dir_copy);
        if (chdir(dir) < 0)
                return -errno;

        struct archive *disk = archive_read_disk_new(), *out = archive_write_new();
        int r = 0;
        if (!disk || !out)
                return -ENOMEM;
        archive_read_disk_set_standard_lookup(disk);
        /* Like tar -H: the path asked for is followed if it is a symlink (inside the chroot, so to the
         * container's file), links further down are copied as links. */
        archive_read_disk_set_symlink_hybrid(disk);
        archive_write_set_format_pax_restricted(out);
        if (archive_write_open_fd(out, out_fd) != ARCHIVE_OK ||
            archive_read_disk_open(disk, base) != ARCHIVE_OK)
                r = -EIO;
        while (r == 0) {
                struct archive_entry *e = archive_entry_new();
                int k = archive_read_next_header2(disk, e);
                if (k == ARCHIVE_EOF) {
                        archive_entry_free(e);
                        break;
                }
                if (k != ARCHIVE_OK) {
                        archive_entry_free(e);
                        r = -EIO;
                        break;
                }
                archive_read_disk_descend(disk);
                if (archive_write_header(out, e) != ARCHIVE_OK)
                        r = -EPIPE;
                if (r == 0 && archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
                        char buf[65536];
                        la_ssize_t n;
                        while (r == 0 && (n = archive_read_data(disk, buf, sizeof(buf))) > 0)
                                if (archive_write_data(out, buf, (size_t)n) < 0)
                                        r = -EPIPE;
                }
                archive_entry_free(e);
        }
        archive_read_free(disk);
        archive_write_close(out);
        archive_write_free(out);
        return r;
}

static int untar_into(int in_fd, const char *path, char **ret_error)
{
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if (chdir(path) < 0)
                return -errno;

        struct archive *in = archive_read_new(), *disk = archive_write_disk_new();
        int r = 0;
        if (!in || !disk)
                return -ENOMEM;
        archive_read_support_format_tar(in);
        archive_read_support_filter_all(in);
        archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                                 ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                 ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                 ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
        if (archive_read_open_fd(in, in_fd, 65536) != ARCHIVE_OK) {
                *ret_error = strdup(archive_error_string(in) ?: "not a tar archive");
                r = -EBADMSG;
        }
        while (r == 0) {
                struct archive_entry *e;
                int k = archive_read_next_header(in, &e);
                if (k == ARCHIVE_EOF)
                        break;
                if (k < ARCHIVE_WARN || archive_write_header(disk, e) < ARCHIVE_WARN) {
                        const char *msg = archive_error_string(k < ARCHIVE_WARN ? in : disk);
                        *ret_error = strdup(msg ?: "bad tar entry");
                        r = -EBADMSG;
                        break;
                }
                const void *buf;
                size_t size;
                la_int64_t offset;
                while ((k = archive_read_data_block(in, &buf, &size, &offset)) == ARCHIVE_OK)
                        if (archive_write_data_block(disk, buf, size, offset) < ARCHIVE_WARN) {
                                k = ARCHIVE_FATAL;
                                break;
                        }
                if (k != ARCHIVE_EOF) {
                        *ret_error = strdup(archive_error_string(disk) ?: archive_error_string(in) ?: "write failed");
                        r = -EIO;
                        break;
                }
                archive_write_finish_entry(disk);
        }
        archive_read_free(in);
        archive_write_close(disk);
        archive_write_free(disk);
        return r;
}

static int on_helper_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        CopyJob *j = userdata;
        siginfo_t si = {};
        char buf[COPY_ERROR_MAX + 1];

        (void)waitid(P_PID, (id_t)j->pid, &si, WEXITED | WNOHANG);
        ssize_t n = read(j->status_fd, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = 0;
        if (j->request) {
                if (si.si_code == CLD_EXITED && si.si_status == 0)
                        (void)sd_bus_reply_method_return(j->request, NULL);
                else
                        (void)sd_bus_reply_method_errorf(j->request, SD_BUS_ERROR_FAILED, "%s",
                                                         buf[0] ? buf : "copy failed");
        }
        copy_job_free(j);
        return 0;
}

/* Forks the helper; it reports "" (ok) or an error line on status_fd. */
static int copy_spawn(Container *c, const char *path, int data_fd, bool to_container, CopyJob **ret)
{
        _cleanup_(copy_root_done) CopyRoot root = {};
        int status[2];
        int r = copy_root_prepare(c, &root);
        if (r < 0)
                return r;
        if (pipe2(status, O_CLOEXEC) < 0)
                return -errno;

        pid_t pid = fork();
        if (pid < 0) {
                r = -errno;
                safe_close(status[0]);
                safe_close(status[1]);
                return r;
        }
        if (pid == 0) {
                _cleanup_free_ char *msg = NULL;
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                r = copy_root_enter(&root);
                if (r < 0)
                        helper_fail(status[1], "cannot enter the container", strerror(-r));
                if (!to_container) {
                        struct stat st;
                        if (stat(path, &st) < 0)
                                helper_fail(status[1], path, strerror(errno));
                        (void)!write(status[1], "", 1); /* ok: data follows */
                        r = tar_path(data_fd, path);
                        _exit(r < 0 ? 1 : 0);
                }
                r = untar_into(data_fd, path, &msg);
                if (r < 0)
                        helper_fail(status[1], path, msg ?: strerror(-r));
                _exit(0);
        }
        safe_close(status[1]);
        CopyJob *j = calloc(1, sizeof(*j));
        if (!j) {
                safe_close(status[0]);
                return -ENOMEM;
        }
        j->pid = pid;
        j->status_fd = status[0];
        *ret = j;
        return 0;
}

int method_copy_from(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Container *c = userdata;
        const char *path;
        int pipefd[2], r;

        r = sd_bus_message_read(m, "s", &path);
        if (r < 0)
                return r;
        if (!path_is_safe_absolute(path))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Path '%s' must be absolute and free of '..'.", path);
        r = polkit_verify_async(c->manager, m, POLKIT_ACTION_MANAGE_CONTAINERS, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        _cleanup_close_ int read_end = pipefd[0], write_end = pipefd[1];
        CopyJob *j = NULL;
        r = copy_spawn(c, path, write_end, false, &j);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot copy from container %s: %m", c->name);
        write_end = safe_close(write_end);

        /* The helper says first whether the path exists, so that the error is the reply. */
        char buf[COPY_ERROR_MAX + 1];
        ssize_t n = read(j->status_fd, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = 0;
        if (n <= 0 || buf[0] != 0) {
                (void)waitpid(j->pid, NULL, 0);
                copy_job_free(j);
                return sd_bus_error_setf(error, SD_BUS_ERROR_FILE_NOT_FOUND,
                                         "Cannot copy from container %s: %s", c->name,
                                         n > 0 ? buf : "the copy helper failed");
        }
        _cleanup_close_ int pidfd = pidfd_open(j->pid, 0);
        if (pidfd < 0 ||
            sd_event_add_io(c->manager->event, &j->exit_source, pidfd, EPOLLIN, on_helper_exit, j) < 0) {
                (void)waitpid(j->pid, NULL, 0);
                copy_job_free(j);
                return -EIO;
        }
        (void)sd_event_source_set_io_fd_own(j->exit_source, true);
        TAKE_FD(pidfd);
        return sd_bus_reply_method_return(m, "h", read_end);
}

int method_copy_to(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Container *c = userdata;
        const char *path;
        int fd, r;

        r = sd_bus_message_read(m, "sh", &path, &fd);
        if (r < 0)
                return r;
        if (!path_is_safe_absolute(path))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Path '%s' must be absolute and free of '..'.", path);
        r = polkit_verify_async(c->manager, m, POLKIT_ACTION_MANAGE_CONTAINERS, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        CopyJob *j = NULL;
        r = copy_spawn(c, path, fd, true, &j);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot copy into container %s: %m", c->name);
        _cleanup_close_ int pidfd = pidfd_open(j->pid, 0);
        if (pidfd < 0 ||
            sd_event_add_io(c->manager->event, &j->exit_source, pidfd, EPOLLIN, on_helper_exit, j) < 0) {
                (void)waitpid(j->pid, NULL, 0);
                copy_job_free(j);
                return -EIO;
        }
        (void)sd_event_source_set_io_fd_own(j->exit_source, true);
        TAKE_FD(pidfd);
        j->request = sd_bus_message_ref(m);
        return 1;
}
