/* SPDX-License-Identifier: Apache-2.0 */
#include <limits.h>

#include "raind/log.h"
#include "raind/strv.h"
#include "spec-json.h"

static int lookup(struct json_object *o, const char *key, json_type type, const char *where,
                  const char *type_name, struct json_object **ret)
{
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, type))
                return log_error_errno(-EINVAL, "config.json: %s%s%s must be %s.", where, *where ? "." : "",
                                       key, type_name);
        *ret = v;
        return 1;
}

int spec_get_object(struct json_object *o, const char *where, const char *key, struct json_object **ret)
{
        return lookup(o, key, json_type_object, where, "an object", ret);
}

int spec_get_array(struct json_object *o, const char *where, const char *key, struct json_object **ret)
{
        return lookup(o, key, json_type_array, where, "an array", ret);
}

int spec_get_string(struct json_object *o, const char *where, const char *key, const char **ret)
{
        struct json_object *v;
        int r = lookup(o, key, json_type_string, where, "a string", &v);
        if (r <= 0)
                return r;
        *ret = json_object_get_string(v);
        return 1;
}

int spec_get_bool(struct json_object *o, const char *where, const char *key, bool *ret)
{
        struct json_object *v;
        int r = lookup(o, key, json_type_boolean, where, "a boolean", &v);
        if (r <= 0)
                return r;
        *ret = json_object_get_boolean(v);
        return 1;
}

int spec_get_uint64(struct json_object *o, const char *where, const char *key, uint64_t *ret)
{
        struct json_object *v;
        int r = lookup(o, key, json_type_int, where, "an unsigned integer", &v);
        if (r <= 0)
                return r;
        /* json-c keeps numbers above INT64_MAX as unsigned (get_int64 clamps those to INT64_MAX). */
        if (json_object_get_int64(v) < 0)
                return log_error_errno(-EINVAL, "config.json: %s.%s must not be negative.", where, key);
        *ret = json_object_get_uint64(v);
        return 1;
}

int spec_get_uint32(struct json_object *o, const char *where, const char *key, uint32_t *ret)
{
        uint64_t v;
        int r = spec_get_uint64(o, where, key, &v);
        if (r <= 0)
                return r;
        if (v > UINT32_MAX)
                return log_error_errno(-ERANGE, "config.json: %s.%s is out of range.", where, key);
        *ret = (uint32_t)v;
        return 1;
}

int spec_get_strv(struct json_object *o, const char *where, const char *key, size_t max, char ***ret)
{
        struct json_object *v;
        int r = spec_get_array(o, where, key, &v);
        if (r <= 0)
                return r;
        if (json_object_array_length(v) > max)
                return log_error_errno(-E2BIG, "config.json: %s.%s has more than %zu entries.", where, key,
                                       max);
        _cleanup_strv_free_ char **l = NULL;
        r = json_get_strv(o, key, &l);
        if (r < 0)
                return log_error_errno(r, "config.json: %s.%s must be an array of strings.", where, key);
        if (!l && !(l = calloc(1, sizeof(char *))))
                return log_oom();
        *ret = TAKE_PTR(l);
        return 1;
}
