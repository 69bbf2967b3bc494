/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "raind/macro.h"

#include "cli-prompt.h"

int prompt_line(const char *prompt, bool echo, char **ret)
{
        struct termios saved, quiet;
        char *line = NULL;
        size_t size = 0;
        ssize_t n;
        int r = 0;

        if (!isatty(STDIN_FILENO))
                return -ENOTTY;
        fputs(prompt, stderr);
        fflush(stderr);
        if (!echo) {
                if (tcgetattr(STDIN_FILENO, &saved) < 0)
                        return -errno;
                quiet = saved;
                quiet.c_lflag &= ~(tcflag_t)ECHO;
                quiet.c_lflag |= ECHONL;
                if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0)
                        return -errno;
        }
        n = getline(&line, &size, stdin);
        if (n < 0)
                r = feof(stdin) ? -ECANCELED : -errno;
        if (!echo)
                (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        if (r < 0) {
                free(line);
                return r;
        }
        if (n > 0 && line[n - 1] == '\n')
                line[--n] = 0;
        if (n > 0 && line[n - 1] == '\r')
                line[--n] = 0;
        *ret = line;
        return 0;
}
