/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>

#include "control-request.h"
#include "raind/json-util.h"
#include "raind/strv.h"
#include "raind/validate.h"

void control_request_done(ControlRequest *r)
{
        strv_free(r->args);
        strv_free(r->env);
        free(r->cwd);
        *r = (ControlRequest){};
}

static int fail(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);
static int fail(char *buf, size_t size, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, size, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

/* A JSON string that is a C string: no embedded NUL. */
static bool is_c_string(struct json_object *v)
{
        return json_object_is_type(v, json_type_string) &&
               strlen(json_object_get_string(v)) == (size_t)json_object_get_string_len(v);
}

static int get_bool(struct json_object *o, const char *key, bool *ret, char *buf, size_t size)
{
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_boolean))
                return fail(buf, size, "\"%s\" must be a boolean", key);
        *ret = json_object_get_boolean(v);
        return 0;
}

static int get_string(struct json_object *o, const char *key, const char **ret, char *buf, size_t size)
{
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!is_c_string(v))
                return fail(buf, size, "\"%s\" must be a string", key);
        *ret = json_object_get_string(v);
        return 0;
}

static int get_strv(struct json_object *o, const char *key, size_t max, char ***ret, char *buf, size_t size)
{
        _cleanup_strv_free_ char **l = NULL;
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return fail(buf, size, "\"%s\" must be an array of strings", key);
        size_t n = json_object_array_length(v);
        if (n > max)
                return fail(buf, size, "\"%s\" has more than %zu entries", key, max);
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(v, i);
                if (!is_c_string(e))
                        return fail(buf, size, "\"%s\" must be an array of strings", key);
                l[i] = strdup(json_object_get_string(e));
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int check_keys(struct json_object *o, const char *const *allowed, char *buf, size_t size)
{
        json_object_object_foreach(o, key, value)
        {
                (void)value;
                bool ok = false;
                for (const char *const *a = allowed; *a; a++)
                        ok = ok || streq(key, *a);
                if (!ok)
                        return fail(buf, size, "unknown key \"%.64s\"", key);
        }
        return 0;
}

static int parse_exec(struct json_object *o, ControlRequest *req, char *buf, size_t size)
{
        static const char *const keys[] = {"type", "args", "env", "user", "cwd", "tty", "stdin", NULL};
        const char *user = NULL, *cwd = NULL;
        bool has_gid;
        int r;

        if ((r = check_keys(o, keys, buf, size)) < 0 ||
            (r = get_strv(o, "args", ARGV_MAX, &req->args, buf, size)) < 0 ||
            (r = get_strv(o, "env", ENV_MAX, &req->env, buf, size)) < 0 ||
            (r = get_string(o, "user", &user, buf, size)) < 0 ||
            (r = get_string(o, "cwd", &cwd, buf, size)) < 0 ||
            (r = get_bool(o, "tty", &req->tty, buf, size)) < 0 ||
            (r = get_bool(o, "stdin", &req->stdin, buf, size)) < 0)
                return r;
        if (strv_isempty(req->args) || isempty(req->args[0]))
                return fail(buf, size, "exec needs a command in \"args\"");
        STRV_FOREACH (e, req->env)
                if (!env_assignment_is_valid(*e))
                        return fail(buf, size, "invalid environment entry \"%.64s\", expected KEY=VALUE",
                                    *e);
        if (user) {
                if (parse_user(user, &req->uid, &req->gid, &has_gid) < 0)
                        return fail(buf, size, "invalid user \"%.64s\", expected UID[:GID]", user);
                req->has_user = true;
        }
        if (cwd) {
                if (!path_is_safe_absolute(cwd))
                        return fail(buf, size, "working directory \"%.64s\" is not an absolute path", cwd);
                req->cwd = strdup(cwd);
                if (!req->cwd)
                        return -ENOMEM;
        }
        return 0;
}

static int parse_attach(struct json_object *o, ControlRequest *req, char *buf, size_t size)
{
        static const char *const keys[] = {"type", "stdin", NULL};
        int r = check_keys(o, keys, buf, size);
        if (r < 0)
                return r;
        return get_bool(o, "stdin", &req->stdin, buf, size);
}

int control_request_parse(const char *data, size_t size, ControlRequest *ret, char *error_buf,
                          size_t error_size)
{
        _cleanup_(json_tokener_freep) json_tokener *tok = json_tokener_new();
        _cleanup_json_ struct json_object *o = NULL;
        ControlRequest req = {};
        const char *type = NULL;
        int r;

        if (!tok)
                return -ENOMEM;
        if (size > CONTROL_REQUEST_MAX)
                return fail(error_buf, error_size, "request larger than %u bytes", CONTROL_REQUEST_MAX);
        o = json_tokener_parse_ex(tok, data, (int)size);
        size_t end = json_tokener_get_parse_end(tok);
        while (end < size && strchr(" \t\r\n", data[end]))
                end++;
        if (!o || json_tokener_get_error(tok) != json_tokener_success || end != size ||
            !json_object_is_type(o, json_type_object))
                return fail(error_buf, error_size, "request is not a JSON object");
        r = get_string(o, "type", &type, error_buf, error_size);
        if (r < 0)
                return r;
        if (streq_ptr(type, "attach")) {
                req.type = CONTROL_REQUEST_ATTACH;
                r = parse_attach(o, &req, error_buf, error_size);
        } else if (streq_ptr(type, "exec")) {
                req.type = CONTROL_REQUEST_EXEC;
                r = parse_exec(o, &req, error_buf, error_size);
        } else
                r = fail(error_buf, error_size, "unknown request type \"%.64s\"", strempty(type));
        if (r < 0) {
                control_request_done(&req);
                return r;
        }
        *ret = req;
        return 0;
}
