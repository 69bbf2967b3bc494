/* SPDX-License-Identifier: Apache-2.0 */
/* raind login / logout: credentials for registries, in the auth file podman and skopeo read too. */
#include <getopt.h>
#include <unistd.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/registry.h"
#include "raind/util.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-image-job.h"
#include "cli-prompt.h"
#include "cli-registry-options.h"
#include "cli-usage.h"
#include "cli.h"

#define PASSWORD_STDIN_MAX 4096

static void help_login(void)
{
        printf("Usage: %s [OPTIONS] [REGISTRY]\n"
               "\n"
               "Log in to a registry (default docker.io): raindd checks the credentials with the\n"
               "registry, then they are stored in the auth file for pull and push to use.\n"
               "Username and password are asked for on a terminal when not given.\n"
               "\n"
               "Options:\n"
               "  -u, --username USER        The user name\n"
               "  -p, --password PASSWORD    The password (visible to other users: prefer\n"
               "                             --password-stdin)\n"
               "      --password-stdin       Read the password from standard input\n"
               "      --tls-verify=false     Use plain http and skip certificate checks\n"
               "      --authfile FILE        Store the credentials in FILE instead of\n"
               "                             $REGISTRY_AUTH_FILE or ~/.config/raind/auth.json\n"
               "  -h, --help                 Show this help\n",
               cli_command());
}

static int read_password_stdin(char **ret)
{
        _cleanup_free_ char *buf = malloc(PASSWORD_STDIN_MAX + 1);
        size_t n = 0;

        if (!buf)
                return -ENOMEM;
        while (n < PASSWORD_STDIN_MAX) {
                ssize_t k = read(STDIN_FILENO, buf + n, PASSWORD_STDIN_MAX - n);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t)k;
        }
        if (n == PASSWORD_STDIN_MAX)
                return -E2BIG;
        /* Like docker: the trailing newline of "echo pass |" is not part of the password. */
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
                n--;
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

static void erase_free(char **p)
{
        if (*p)
                explicit_bzero(*p, strlen(*p));
        free(*p);
}

int verb_login(int argc, char *argv[])
{
        enum { ARG_PASSWORD_STDIN = 0x100, ARG_TLS_VERIFY, ARG_AUTHFILE };
        static const struct option options[] = {
            {"username", required_argument, NULL, 'u'},
            {"password", required_argument, NULL, 'p'},
            {"password-stdin", no_argument, NULL, ARG_PASSWORD_STDIN},
            {"tls-verify", optional_argument, NULL, ARG_TLS_VERIFY},
            {"authfile", required_argument, NULL, ARG_AUTHFILE},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *registry = NULL, *username = NULL, *path = NULL;
        _cleanup_(erase_free) char *password = NULL;
        const char *authfile = NULL;
        bool password_stdin = false, tls_verify = true;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":u:p:h", options, NULL)) >= 0)
                switch (c) {
                case 'u':
                        if (isempty(optarg) || free_and_strdup(&username, optarg) < 0)
                                return isempty(optarg) ? cli_usage_error("Empty --username") : log_oom();
                        break;
                case 'p':
                        if (free_and_strdup(&password, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_PASSWORD_STDIN:
                        password_stdin = true;
                        break;
                case ARG_TLS_VERIFY:
                        if (optarg && parse_boolean(optarg, &tls_verify) < 0)
                                return cli_usage_error("Invalid --tls-verify '%s': expected true or false",
                                                       optarg);
                        if (!optarg)
                                tls_verify = true;
                        break;
                case ARG_AUTHFILE:
                        authfile = optarg;
                        break;
                case 'h':
                        help_login();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (argc - optind > 1)
                return cli_usage_error("Unexpected argument '%s'", argv[optind + 1]);
        r = login_registry_normalize(optind < argc ? argv[optind] : NULL, &registry);
        if (r == -EINVAL)
                return cli_usage_error("Invalid registry '%s'", argv[optind]);
        if (r < 0)
                return log_oom();
        if (password && password_stdin)
                return cli_usage_error("--password and --password-stdin exclude each other");
        if (password_stdin && !username)
                return cli_usage_error("--password-stdin needs --username");
        r = auth_file_path(authfile, &path);
        if (r == -ENXIO)
                return cli_usage_error(
                    "Cannot tell where to store the credentials: $HOME is not set; use --authfile");
        if (r < 0)
                return log_oom();

        if (password)
                log_warning("raind: WARNING! Using --password on the command line is insecure; use "
                            "--password-stdin.");
        if (!username) {
                r = prompt_line("Username: ", true, &username);
                if (r == -ENOTTY)
                        return cli_usage_error("No --username given and no terminal to ask for it");
                if (r < 0 || isempty(username))
                        return cli_usage_error("No user name given");
        }
        if (password_stdin) {
                r = read_password_stdin(&password);
                if (r < 0)
                        return log_error_errno(r, "raind: Cannot read the password from standard input: %m");
        } else if (!password) {
                r = prompt_line("Password: ", false, &password);
                if (r == -ENOTTY)
                        return cli_usage_error("No --password given and no terminal to ask for it");
                if (r < 0)
                        return cli_usage_error("No password given");
        }

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = sd_bus_message_new_method_call(bus, &m, RAIND_BUS_NAME, RAIND_MANAGER_PATH,
                                           RAIND_MANAGER_INTERFACE, "CheckRegistryLogin");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", registry);
        if (r >= 0)
                r = bus_append_registry_options(m, NULL, tls_verify, username, password);
        if (r >= 0) {
                r = sd_bus_call(bus, m, CLI_CALL_NO_TIMEOUT, &error, NULL);
                log_debug("%s.CheckRegistryLogin(%s): %s", RAIND_MANAGER_INTERFACE, registry,
                          r < 0 ? "failed" : "ok");
        } else
                (void)sd_bus_error_set_errno(&error, r);
        if (r < 0) {
                _cleanup_free_ char *prefix = NULL;

                if (asprintf(&prefix, "Cannot log in to %s", registry) < 0)
                        return log_oom();
                return cli_log_bus_error(&error, r, prefix, "log in to registries", POLKIT_MANAGE_IMAGES);
        }

        r = registry_auth_store(path, registry, username, password);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot store the credentials in %s: %m", path);
        puts("Login Succeeded");
        return 0;
}

static void help_logout(void)
{
        printf("Usage: %s [OPTIONS] [REGISTRY]\n"
               "\n"
               "Remove the stored credentials of a registry (default docker.io).\n"
               "\n"
               "Options:\n"
               "      --authfile FILE   The auth file (default $REGISTRY_AUTH_FILE or\n"
               "                        ~/.config/raind/auth.json)\n"
               "  -h, --help            Show this help\n",
               cli_command());
}

int verb_logout(int argc, char *argv[])
{
        enum { ARG_AUTHFILE = 0x100 };
        static const struct option options[] = {
            {"authfile", required_argument, NULL, ARG_AUTHFILE},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_free_ char *registry = NULL, *path = NULL;
        const char *authfile = NULL;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case ARG_AUTHFILE:
                        authfile = optarg;
                        break;
                case 'h':
                        help_logout();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (argc - optind > 1)
                return cli_usage_error("Unexpected argument '%s'", argv[optind + 1]);
        r = login_registry_normalize(optind < argc ? argv[optind] : NULL, &registry);
        if (r == -EINVAL)
                return cli_usage_error("Invalid registry '%s'", argv[optind]);
        if (r < 0)
                return log_oom();
        r = auth_file_path(authfile, &path);
        if (r == -ENXIO)
                return cli_usage_error(
                    "Cannot tell where the credentials are: $HOME is not set; use --authfile");
        if (r < 0)
                return log_oom();

        r = registry_auth_remove(path, registry);
        if (r == -ENOENT) {
                log_error("raind: not logged into %s", registry);
                return EXIT_USAGE;
        }
        if (r < 0)
                return log_error_errno(r, "raind: Cannot remove the credentials from %s: %m", path);
        printf("Removed login credentials for %s\n", registry);
        return 0;
}
