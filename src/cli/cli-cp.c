/* SPDX-License-Identifier: Apache-2.0 */
/* raind container cp: files between the host and a container, as tar streams through
 * Container.CopyFrom() and Container.CopyTo(). */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "raind/fileio.h"
#include "raind/log.h"
#include "raind/macro.h"

#include "cli-bus.h"
#include "cli-cp-args.h"
#include "cli-error.h"
#include "cli-tar.h"
#include "cli-usage.h"
#include "cli.h"

/* The exit status of the writer child when the reader went away: raindd says why. */
#define WRITER_EXIT_PIPE 3

static void copy_args_donep(CopyArgs *a)
{
        copy_args_done(a);
}

static int copy_from(sd_bus *bus, const char *path, const char *container_path, sd_bus_error *error,
                     int *ret_fd)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = cli_call(bus, path, RAIND_CONTAINER_INTERFACE, "CopyFrom", CLI_CALL_TIMEOUT_USEC, error, &reply,
                     "s", container_path);
        if (r < 0)
                return r;
        r = bus_reply_take_fd(reply, ret_fd);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        return 0;
}

/* A tar stream to stdout, as it comes. */
static int copy_fd_to_stdout(int fd)
{
        char buf[64 * 1024];

        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                int r;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return log_error_errno(-errno, "raind: Cannot read the archive: %m");
                if (n == 0)
                        return 0;
                r = loop_write(STDOUT_FILENO, buf, (size_t)n);
                if (r < 0)
                        return log_error_errno(r, "raind: Cannot write the archive to stdout: %m");
        }
}

static int container_to_host(sd_bus *bus, const char *path, const CopyArgs *a)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(tar_reader_freep) TarReader *tar = NULL;
        _cleanup_free_ char *dir = NULL, *name = NULL, *text = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        mode_t dst_mode = 0;
        int r;

        r = copy_from(bus, path, a->container_path, &error, &fd);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, "copy files from containers",
                                         POLKIT_MANAGE_CONTAINERS);

        if (streq(a->host_path, "-"))
                return copy_fd_to_stdout(fd) < 0 ? EXIT_USAGE : 0;

        r = tar_reader_open(fd, &tar);
        if (r < 0)
                return EXIT_USAGE;

        /* A destination that is a link to a directory counts as that directory, as with cp. */
        if (stat(a->host_path, &st) >= 0)
                dst_mode = st.st_mode & S_IFMT;
        else if (errno != ENOENT) {
                log_error_errno(-errno, "raind: Cannot access %s: %m", a->host_path);
                return EXIT_USAGE;
        }

        r = cp_resolve_target(a->container_path, tar_reader_is_dir(tar), a->host_path, dst_mode, &dir, &name,
                              &text);
        if (r == -EINVAL) {
                log_error("raind: %s", text);
                return EXIT_USAGE;
        }
        if (r < 0) {
                log_oom();
                return EXIT_USAGE;
        }

        r = tar_extract(tar, dir, name);
        return r < 0 ? EXIT_USAGE : 0;
}

/* What is at path in the container: S_IFDIR, S_IFREG, …, or 0 when nothing is. CopyFrom() is
 * the only way to look; only the first header of its archive is read. */
static int container_path_mode(sd_bus *bus, const char *path, const char *container_path, mode_t *ret)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(tar_reader_freep) TarReader *tar = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = copy_from(bus, path, container_path, &error, &fd);
        if (sd_bus_error_has_name(&error, SD_BUS_ERROR_FILE_NOT_FOUND)) {
                log_debug("%s is not in the container (%s), creating it.", container_path, error.message);
                *ret = 0;
                return 0;
        }
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, "copy files into containers",
                                         POLKIT_MANAGE_CONTAINERS);
        /* An empty archive reads as nothing there. */
        if (tar_reader_open(fd, &tar) < 0) {
                *ret = 0;
                return 0;
        }
        *ret = tar_reader_mode(tar);
        return 0;
}

static bool path_asserts_directory(const char *p)
{
        size_t l = strlen(p);

        return (l > 0 && p[l - 1] == '/') || (l > 1 && streq(p + l - 2, "/."));
}

/* Writes the tar stream in a child process, so that raindd can read it while we wait for its
 * reply: neither side blocks the other on a full pipe. */
static int fork_writer(const char *source, const char *name, int *ret_read_fd, pid_t *ret_pid)
{
        _cleanup_close_pair_ int pipe_fds[2] = {-EBADF, -EBADF};
        pid_t pid;

        if (pipe2(pipe_fds, O_CLOEXEC) < 0)
                return log_error_errno(-errno, "raind: Cannot make a pipe: %m");
        pid = fork();
        if (pid < 0)
                return log_error_errno(-errno, "raind: Cannot fork: %m");
        if (pid == 0) {
                int r;

                /* Nothing of the parent's bus connection is touched here. */
                signal(SIGPIPE, SIG_IGN);
                pipe_fds[0] = safe_close(pipe_fds[0]);
                r = tar_create(pipe_fds[1], source, name);
                _exit(r == -EPIPE ? WRITER_EXIT_PIPE : r < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
        }

        *ret_read_fd = TAKE_FD(pipe_fds[0]);
        *ret_pid = pid;
        return 0;
}

static int wait_writer(pid_t pid)
{
        siginfo_t si = {};

        while (waitid(P_PID, (id_t)pid, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return -errno;
        if (si.si_code != CLD_EXITED)
                return -EPROTO;
        return si.si_status;
}

/* Takes fd. */
static int copy_to(sd_bus *bus, const char *path, const char *dir, int fd, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_close_ int owned = fd;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, RAIND_BUS_NAME, path, RAIND_CONTAINER_INTERFACE,
                                           "CopyTo");
        if (r >= 0)
                /* The message holds a copy of fd from here on. */
                r = sd_bus_message_append(m, "sh", dir, fd);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        /* Only raindd may hold the read end, so that the writer learns when it stops reading. */
        owned = safe_close(owned);
        r = sd_bus_call(bus, m, CLI_CALL_NO_TIMEOUT, error, NULL);
        log_debug("%s.CopyTo(%s) on %s: %s", RAIND_CONTAINER_INTERFACE, dir, path,
                  r < 0 ? (sd_bus_error_is_set(error) ? error->name : strerror(-r)) : "ok");
        return r;
}

static int host_to_container(sd_bus *bus, const char *path, const CopyArgs *a)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *dir = NULL, *name = NULL, *text = NULL;
        struct stat st;
        mode_t dst_mode = S_IFDIR;
        int r, fd = -EBADF, writer;
        pid_t pid = 0;

        if (streq(a->host_path, "-")) {
                /* docker's rule: a tar stream on stdin is unpacked into the directory DST. */
                if (isatty(STDIN_FILENO))
                        return cli_usage_error("Refusing to read a tar archive from a terminal");
                fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
                if (fd < 0) {
                        log_error_errno(-errno, "raind: Cannot read stdin: %m");
                        return EXIT_USAGE;
                }
                r = copy_to(bus, path, a->container_path, fd, &error);
                if (r < 0)
                        return cli_log_bus_error(&error, r, NULL, "copy files into containers",
                                                 POLKIT_MANAGE_CONTAINERS);
                return 0;
        }

        /* "dir/" follows a link to a directory; a link itself is copied as a link. */
        if ((path_asserts_directory(a->host_path) ? stat(a->host_path, &st) : lstat(a->host_path, &st)) <
            0) {
                log_error_errno(-errno, "raind: Cannot copy %s: %m", a->host_path);
                return EXIT_USAGE;
        }

        if (!path_asserts_directory(a->container_path)) {
                r = container_path_mode(bus, path, a->container_path, &dst_mode);
                if (r != 0)
                        return r;
        }
        r = cp_resolve_target(a->host_path, S_ISDIR(st.st_mode), a->container_path, dst_mode, &dir, &name,
                              &text);
        if (r == -EINVAL) {
                log_error("raind: %s", text);
                return EXIT_USAGE;
        }
        if (r < 0) {
                log_oom();
                return EXIT_USAGE;
        }

        r = fork_writer(a->host_path, name, &fd, &pid);
        if (r < 0)
                return EXIT_USAGE;
        r = copy_to(bus, path, dir, fd, &error);
        writer = wait_writer(pid);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, "copy files into containers",
                                         POLKIT_MANAGE_CONTAINERS);
        if (writer != 0) {
                /* The child said what went wrong; raindd has what came before. */
                if (writer < 0)
                        log_error_errno(writer, "raind: The archive writer failed: %m");
                return EXIT_USAGE;
        }
        return 0;
}

static void help_cp(void)
{
        printf("Usage: %s CONTAINER:SRC_PATH DEST_PATH|-\n"
               "       %s SRC_PATH|- CONTAINER:DEST_PATH\n"
               "\n"
               "Copy files or directories between a container and the host, as docker cp does.\n"
               "A path in the container is relative to its root. An existing directory as\n"
               "destination receives the source under its own name; otherwise the destination\n"
               "becomes the copy. SRC_PATH ending in /. copies a directory's contents. '-' reads\n"
               "a tar archive from stdin (unpacked into the directory DEST_PATH) or writes one to\n"
               "stdout. Files copied to the host belong to the invoking user; symbolic links are\n"
               "copied as links and never followed when writing.\n"
               "\n"
               "Options:\n"
               "  -h, --help   Show this help\n",
               cli_command(), cli_command());
}

int verb_container_cp(int argc, char *argv[])
{
        static const struct option options[] = {
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(copy_args_donep) CopyArgs a = {};
        _cleanup_free_ char *path = NULL, *text = NULL;
        int c, r;

        optind = 0;
        /* '+': options come first; "-" as a path is no option to getopt. */
        while ((c = getopt_long(argc, argv, "+:h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help_cp();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (argc - optind < 2)
                return cli_usage_error("Expected SRC and DEST");
        if (argc - optind > 2)
                return cli_usage_error("Unexpected argument '%s'", argv[optind + 2]);
        r = copy_args_parse(argv[optind], argv[optind + 1], &a, &text);
        if (r == -EINVAL)
                return cli_usage_error("%s", text);
        if (r < 0)
                return log_oom();

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = container_lookup(bus, a.container, &error, &path);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, NULL, NULL);

        return a.to_container ? host_to_container(bus, path, &a) : container_to_host(bus, path, &a);
}
