/* SPDX-License-Identifier: Apache-2.0 */
#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/strv.h"

const char *json_get_string(struct json_object *o, const char *key)
{
        struct json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

int json_get_strv(struct json_object *o, const char *key, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
                *ret = NULL;
                return 0;
        }
        if (!json_object_is_type(v, json_type_array))
                return -EINVAL;
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string))
                        return -EINVAL;
                if (strv_extend(&l, json_object_get_string(e)) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int64_t json_get_int64(struct json_object *o, const char *key, int64_t fallback)
{
        struct json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return fallback;
        return json_object_get_int64(v);
}

bool json_get_bool(struct json_object *o, const char *key, bool fallback)
{
        struct json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
                return fallback;
        return json_object_get_boolean(v);
}

struct json_object *json_new_strv(char *const *l)
{
        struct json_object *a = json_object_new_array();
        STRV_FOREACH (s, l)
                json_object_array_add(a, json_object_new_string(*s));
        return a;
}

void json_add_string(struct json_object *o, const char *key, const char *value)
{
        if (value)
                json_object_object_add(o, key, json_object_new_string(value));
}

int json_read_file(const char *path, size_t max, struct json_object **ret)
{
        _cleanup_free_ char *buf = NULL;
        int r = read_full_file(path, max, &buf, NULL);
        if (r < 0)
                return r;
        _cleanup_(json_tokener_freep) json_tokener *tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        struct json_object *o = json_tokener_parse_ex(tok, buf, (int)strlen(buf));
        if (!o)
                return -EBADMSG;
        if (json_tokener_get_parse_end(tok) != strlen(buf) &&
            buf[json_tokener_get_parse_end(tok) +
                strspn(buf + json_tokener_get_parse_end(tok), " \t\r\n")]) {
                json_object_put(o);
                return -EBADMSG;
        }
        *ret = o;
        return 0;
}

int json_write_file_atomic(const char *path, struct json_object *o, int flags)
{
        size_t len;
        const char *s = json_object_to_json_string_length(o, flags, &len);
        if (!s)
                return -ENOMEM;
        return write_file_atomic(path, s, len, 0600);
}
