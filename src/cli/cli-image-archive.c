/* SPDX-License-Identifier: Apache-2.0 */
/* raind image save / load. */
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/strv.h"
#include "raind/validate.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-usage.h"
#include "cli.h"

static void help_save(void)
{
        printf("Usage: %s [OPTIONS] IMAGE...\n"
               "\n"
               "Write images (NAME[:TAG] or id) to a tar archive, like \"docker save\": to FILE, or\n"
               "to standard output when that is not a terminal.\n"
               "\n"
               "Options:\n"
               "  -o, --output FILE   Write to FILE (replaced only once the archive is complete)\n"
               "      --format FMT    docker-archive (default; \"docker load\" reads it) or\n"
               "                      oci-archive (an OCI image layout)\n"
               "  -h, --help          Show this help\n",
               cli_command());
}

/* A temporary file next to path, so that rename() puts the archive in place in one step. */
static int open_temporary_beside(const char *path, char **ret_temp)
{
        _cleanup_free_ char *temp = NULL;
        const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
        mode_t mask;
        int fd;

        if (isempty(base))
                return -EISDIR;
        if (asprintf(&temp, "%.*s.%s.XXXXXX", slash ? (int)(base - path) : 0, path, base) < 0)
                return -ENOMEM;
        fd = mkostemp(temp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* mkostemp() makes it 0600; the archive gets what a new file would get. */
        mask = umask(0);
        umask(mask);
        (void)fchmod(fd, 0666 & ~mask);
        *ret_temp = TAKE_PTR(temp);
        return fd;
}

int verb_image_save(int argc, char *argv[])
{
        enum { ARG_FORMAT = 0x100 };
        static const struct option options[] = {
            {"output", required_argument, NULL, 'o'},
            {"format", required_argument, NULL, ARG_FORMAT},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *temp = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *output = NULL, *format = "docker-archive";
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":o:h", options, NULL)) >= 0)
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case ARG_FORMAT:
                        if (!streq(optarg, "docker-archive") && !streq(optarg, "oci-archive"))
                                return cli_usage_error(
                                    "Invalid --format '%s': expected docker-archive or oci-archive", optarg);
                        format = optarg;
                        break;
                case 'h':
                        help_save();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind >= argc)
                return cli_usage_error("Missing image reference");
        for (int i = optind; i < argc; i++)
                if (!image_reference_is_valid(argv[i]) && !id_prefix_is_valid(argv[i]))
                        return cli_usage_error("Invalid image reference '%s'", argv[i]);
        if (isempty(output) || streq(output, "-")) {
                if (isatty(STDOUT_FILENO))
                        return cli_usage_error("Refusing to write an archive to a terminal; use -o FILE or "
                                               "redirect the output");
                output = NULL;
        }

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        if (output) {
                fd = open_temporary_beside(output, &temp);
                if (fd < 0)
                        return log_error_errno(fd, "raind: Cannot create a file beside %s: %m", output);
        }

        r = sd_bus_message_new_method_call(bus, &m, RAIND_BUS_NAME, RAIND_MANAGER_PATH,
                                           RAIND_MANAGER_INTERFACE, "SaveImages");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, argv + optind);
        if (r >= 0)
                r = sd_bus_message_append(m, "sh", format, output ? fd : STDOUT_FILENO);
        if (r >= 0) {
                r = sd_bus_call(bus, m, CLI_CALL_NO_TIMEOUT, &error, NULL);
                log_debug("%s.SaveImages(): %s", RAIND_MANAGER_INTERFACE, r < 0 ? "failed" : "ok");
        } else
                (void)sd_bus_error_set_errno(&error, r);
        if (r >= 0 && output && fsync(fd) < 0)
                r = sd_bus_error_set_errnof(&error, errno, "Cannot write %s: %m", output);
        if (r >= 0 && output && rename(temp, output) < 0)
                r = sd_bus_error_set_errnof(&error, errno, "Cannot rename %s to %s: %m", temp, output);
        if (r < 0) {
                if (temp)
                        (void)unlink(temp);
                return cli_log_bus_error(&error, r, NULL, "save images", POLKIT_MANAGE_IMAGES);
        }
        return 0;
}

static void help_load(void)
{
        printf("Usage: %s [OPTIONS]\n"
               "\n"
               "Load images from a tar archive written by \"raind image save\", \"docker save\",\n"
               "\"podman save\" or skopeo (docker-archive or oci-archive, compressed or not), read\n"
               "from FILE or standard input, and print \"Loaded image: REF\" for each (\"Loaded\n"
               "image ID: sha256:…\" for an image without a name).\n"
               "\n"
               "Options:\n"
               "  -i, --input FILE   Read FILE instead of standard input\n"
               "  -q, --quiet        Print the loaded references only, one a line\n"
               "  -h, --help         Show this help\n",
               cli_command());
}

int verb_image_load(int argc, char *argv[])
{
        static const struct option options[] = {
            {"input", required_argument, NULL, 'i'},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **loaded = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *input = NULL;
        bool quiet = false;
        struct stat st;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":i:qh", options, NULL)) >= 0)
                switch (c) {
                case 'i':
                        input = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        help_load();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind < argc)
                return cli_usage_error("Unexpected argument '%s'", argv[optind]);

        if (input && !streq(input, "-"))
                fd = open(input, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        else {
                if (isatty(STDIN_FILENO))
                        return cli_usage_error("Requested a load from standard input, but it is a terminal; "
                                               "use -i FILE or redirect the input");
                fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
                input = "standard input";
        }
        if (fd < 0)
                return log_error_errno(-errno, "raind: Cannot open %s: %m", input);
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "raind: Cannot read %s: %m", input);
        if (S_ISDIR(st.st_mode))
                return log_error_errno(-EISDIR, "raind: %s is a directory, expected a tar archive", input);

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = cli_call(bus, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE, "LoadImages", CLI_CALL_NO_TIMEOUT,
                     &error, &reply, "h", fd);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, "load images", POLKIT_MANAGE_IMAGES);
        r = sd_bus_message_read_strv(reply, &loaded);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot read the loaded images: %m");
        STRV_FOREACH (ref, loaded) {
                if (quiet)
                        puts(*ref);
                else
                        printf("Loaded image%s: %s\n", startswith(*ref, "sha256:") ? " ID" : "", *ref);
        }
        return 0;
}
