/* SPDX-License-Identifier: Apache-2.0 */
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "raind/macro.h"
#include "raind/validate.h"

#include "cli-cp-args.h"

void copy_args_done(CopyArgs *a)
{
        free(a->container);
        free(a->container_path);
        free(a->host_path);
        *a = (CopyArgs){};
}

static int error_text(char **ret_error, const char *format, ...) _printf_(2, 3);
static int error_text(char **ret_error, const char *format, ...)
{
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(ret_error, format, ap);
        va_end(ap);
        return r < 0 ? -ENOMEM : -EINVAL;
}

int cp_arg_split(const char *arg, char **ret_container, char **ret_path)
{
        _cleanup_free_ char *container = NULL, *path = NULL;
        const char *colon = strchr(arg, ':');

        /* Docker's rule: "./a:b" and "/a:b" are files with a colon in their names. */
        if (arg[0] == '/' || arg[0] == '.' || !colon) {
                path = strdup(arg);
                if (!path)
                        return -ENOMEM;
                *ret_container = NULL;
                *ret_path = TAKE_PTR(path);
                return 0;
        }

        container = strndup(arg, (size_t)(colon - arg));
        path = strdup(colon + 1);
        if (!container || !path)
                return -ENOMEM;
        *ret_container = TAKE_PTR(container);
        *ret_path = TAKE_PTR(path);
        return 1;
}

int copy_args_parse(const char *src, const char *dst, CopyArgs *ret, char **ret_error)
{
        _cleanup_free_ char *src_container = NULL, *src_path = NULL, *dst_container = NULL, *dst_path = NULL;
        char **container, **container_path, **host_path;
        int r;

        *ret_error = NULL;
        r = cp_arg_split(src, &src_container, &src_path);
        if (r < 0)
                return r;
        r = cp_arg_split(dst, &dst_container, &dst_path);
        if (r < 0)
                return r;

        if (!src_container && !dst_container)
                return error_text(ret_error,
                                  "One of SRC and DEST must name a path in a container, as CONTAINER:PATH");
        if (src_container && dst_container)
                return error_text(ret_error, "Copying between containers is not supported");

        *ret = (CopyArgs){.to_container = !!dst_container};
        if (ret->to_container) {
                container = &dst_container;
                container_path = &dst_path;
                host_path = &src_path;
        } else {
                container = &src_container;
                container_path = &src_path;
                host_path = &dst_path;
        }

        if (!container_name_is_valid(*container))
                return error_text(ret_error, "Invalid container name or id '%s'", *container);
        if (isempty(*container_path))
                return error_text(ret_error, "Missing the path in container %s: expected %s:PATH",
                                  *container, *container);
        if (isempty(*host_path))
                return error_text(ret_error, "Missing the host path");
        if (strlen(*container_path) >= PATH_MAX || strlen(*host_path) >= PATH_MAX)
                return error_text(ret_error, "Path too long");

        /* Inside the container a path is relative to its root, as with docker. */
        if ((*container_path)[0] != '/') {
                char *p;

                if (asprintf(&p, "/%s", *container_path) < 0)
                        return -ENOMEM;
                free(*container_path);
                *container_path = p;
        }

        ret->container = TAKE_PTR(*container);
        ret->container_path = TAKE_PTR(*container_path);
        ret->host_path = TAKE_PTR(*host_path);
        return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
        size_t l = strlen(s), k = strlen(suffix);

        return l >= k && streq(s + l - k, suffix);
}

/* The last component, trailing slashes ignored: "a/b/" → "b", "/" → "/". */
static char *last_component(const char *path)
{
        size_t l = strlen(path);
        const char *start;

        while (l > 1 && path[l - 1] == '/')
                l--;
        if (l == 1 && path[0] == '/')
                return strdup("/");
        start = memrchr(path, '/', l);
        start = start ? start + 1 : path;
        return strndup(start, l - (size_t)(start - path));
}

/* Everything before the last component: "a/b" → "a", "/b" → "/", "b" → ".". */
static char *parent_directory(const char *path)
{
        size_t l = strlen(path);
        const char *slash;

        while (l > 1 && path[l - 1] == '/')
                l--;
        slash = memrchr(path, '/', l);
        if (!slash)
                return strdup(".");
        while (slash > path && slash[-1] == '/')
                slash--;
        if (slash == path)
                return strdup("/");
        return strndup(path, (size_t)(slash - path));
}

int cp_resolve_target(const char *src_path, bool src_is_dir, const char *dst_path, mode_t dst_mode,
                      char **ret_dir, char **ret_name, char **ret_error)
{
        _cleanup_free_ char *dir = NULL, *name = NULL, *src_name = NULL;
        bool contents;

        *ret_error = NULL;
        src_name = last_component(src_path);
        if (!src_name)
                return -ENOMEM;
        /* "dir/." copies what is in dir; so do "." and "/", which have no name of their own. */
        contents = streq(src_name, ".") || streq(src_name, "..") || streq(src_name, "/");
        if (!src_is_dir && (contents || ends_with(src_path, "/")))
                return error_text(ret_error, "%s is not a directory", src_path);

        if (S_ISDIR(dst_mode)) {
                dir = strdup(dst_path);
                name = strdup(contents ? "." : src_name);
        } else if (dst_mode != 0) {
                if (src_is_dir)
                        return error_text(ret_error, "Cannot copy directory %s to %s, a file", src_path,
                                          dst_path);
                dir = parent_directory(dst_path);
                name = last_component(dst_path);
        } else {
                if (!src_is_dir && ends_with(dst_path, "/"))
                        return error_text(ret_error, "Destination directory %s does not exist", dst_path);
                /* The item gets the new name; a directory is created with the source's contents. */
                dir = parent_directory(dst_path);
                name = last_component(dst_path);
                if (name && (streq(name, ".") || streq(name, "..") || streq(name, "/")))
                        return error_text(ret_error, "Invalid destination %s", dst_path);
        }
        if (!dir || !name)
                return -ENOMEM;

        *ret_dir = TAKE_PTR(dir);
        *ret_name = TAKE_PTR(name);
        return 0;
}

/* Skips leading "/" and "./". */
static const char *entry_skip_prefix(const char *entry)
{
        for (;;) {
                if (entry[0] == '/')
                        entry++;
                else if (entry[0] == '.' && entry[1] == '/')
                        entry += 2;
                else
                        return entry;
        }
}

char *tar_entry_root(const char *entry)
{
        const char *e = entry_skip_prefix(entry);
        size_t l;

        if (streq(e, "."))
                return strdup(".");
        if (isempty(e))
                /* "./" (or "/"): the archive holds a directory's contents. */
                return isempty(entry) ? NULL : strdup(".");
        l = strcspn(e, "/");
        return strndup(e, l);
}

static bool has_dot_dot(const char *path)
{
        for (const char *p = path; p;) {
                size_t l = strcspn(p, "/");

                if (l == 2 && p[0] == '.' && p[1] == '.')
                        return true;
                p = p[l] ? p + l + 1 : NULL;
        }
        return false;
}

int tar_entry_rename(const char *entry, const char *root, const char *name, char **ret)
{
        const char *rest, *e = entry_skip_prefix(entry);
        char *s;
        int r;

        if (streq(root, ".")) {
                rest = streq(e, ".") ? "" : e;
        } else {
                rest = startswith(e, root);
                if (!rest || (rest[0] != 0 && rest[0] != '/'))
                        return -EINVAL;
                while (rest[0] == '/')
                        rest++;
        }
        if (has_dot_dot(rest) || has_dot_dot(name))
                return -EINVAL;

        /* Trailing slashes of directory entries go: libarchive does not need them. */
        if (isempty(rest))
                r = asprintf(&s, "%s", name);
        else if (streq(name, "."))
                r = asprintf(&s, "%s", rest);
        else
                r = asprintf(&s, "%s/%s", name, rest);
        if (r < 0)
                return -ENOMEM;
        for (size_t l = strlen(s); l > 1 && s[l - 1] == '/'; l--)
                s[l - 1] = 0;

        *ret = s;
        return 0;
}
