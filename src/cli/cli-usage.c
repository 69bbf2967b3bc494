/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdarg.h>

#include "raind/macro.h"

#include "cli-error.h"
#include "cli-usage.h"

static const char *command = "raind";

void cli_set_command(const char *c)
{
        command = c;
}

const char *cli_command(void)
{
        return command;
}

int cli_usage_error(const char *format, ...)
{
        va_list ap;

        fputs("raind: ", stderr);
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fprintf(stderr, "\nSee '%s --help'.\n", command);
        return EXIT_USAGE;
}

int getopt_error_text(int c, char *const *argv, char **ret)
{
        /* A short option leaves its letter in optopt; a long one leaves 0 or its value, and is the
         * argument just consumed. */
        bool is_short = optopt > 0 && optopt < 128 && optopt != '?';
        const char *arg = optind > 0 ? argv[optind - 1] : "";
        int r;

        if (is_short && startswith(arg, "--"))
                is_short = false;

        if (c == ':')
                r = is_short ? asprintf(ret, "Option '-%c' needs an argument", optopt)
                             : asprintf(ret, "Option '%s' needs an argument", arg);
        else
                r = is_short ? asprintf(ret, "Unknown option '-%c'", optopt)
                             : asprintf(ret, "Unknown option '%s'", arg);
        return r < 0 ? -ENOMEM : 0;
}

int cli_getopt_error(int c, char *const *argv)
{
        _cleanup_free_ char *text = NULL;

        if (getopt_error_text(c, argv, &text) < 0)
                return cli_usage_error("Invalid command line");
        return cli_usage_error("%s", text);
}

int usage_text(char **ret_error, const char *format, ...)
{
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(ret_error, format, ap);
        va_end(ap);
        return r < 0 ? -ENOMEM : -EINVAL;
}
