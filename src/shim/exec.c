/* SPDX-License-Identifier: Apache-2.0 */
#include <sys/stat.h>

#include "child-report.h"
#include "exec.h"
#include "raind/strv.h"

/* What runc and Docker use when the image sets no PATH. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int check_executable(const char *path)
{
        struct stat st;

        if (stat(path, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EACCES;
        return access(path, X_OK) < 0 ? -errno : 0;
}

static const char *env_path(char *const *env)
{
        STRV_FOREACH (e, env) {
                const char *v = startswith(*e, "PATH=");
                if (v)
                        return v;
        }
        return DEFAULT_PATH;
}

static int exit_code_for(int error)
{
        error = abs(error);
        if (error == ENOENT || error == ENOTDIR)
                return 127;
        if (error == EACCES || error == EPERM || error == EISDIR || error == ENOEXEC || error == ETXTBSY)
                return 126;
        return 125;
}

static int resolve_path(const char *name, char **ret_path)
{
        int r = check_executable(name);
        if (r < 0)
                return child_error(r, exit_code_for(r), "exec \"%s\": %m", name);
        char *p = strdup(name);
        if (!p)
                return child_error(ENOMEM, 125, "Out of memory.");
        *ret_path = p;
        return 0;
}

int exec_resolve(const char *name, char *const *env, char **ret_path)
{
        bool found_unusable = false;

        if (strchr(name, '/'))
                return resolve_path(name, ret_path);

        const char *path = env_path(env);
        for (const char *dir = path;; dir++) {
                const char *end = strchrnul(dir, ':');
                int len = (int)(end - dir);
                char *candidate;

                /* An empty entry means the current directory, as for execvp(). */
                if (asprintf(&candidate, "%.*s/%s", len, len > 0 ? dir : ".", name) < 0)
                        return child_error(ENOMEM, 125, "Out of memory.");
                int r = check_executable(candidate);
                if (r == 0) {
                        *ret_path = candidate;
                        return 0;
                }
                free(candidate);
                if (r == -EACCES || r == -EISDIR)
                        found_unusable = true;
                dir = end;
                if (!*dir)
                        break;
        }
        if (found_unusable)
                return child_error(EACCES, 126, "exec \"%s\": permission denied", name);
        return child_error(ENOENT, 127, "exec \"%s\": executable file not found in $PATH", name);
}

int exec_command(const char *path, char *const *argv, char *const *env)
{
        execve(path, argv, env);
        return child_error(errno, exit_code_for(errno), "exec \"%s\": %m", argv[0]);
}
