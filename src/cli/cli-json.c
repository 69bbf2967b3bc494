/* SPDX-License-Identifier: Apache-2.0 */
#include "raind/macro.h"

#include "cli-format.h"
#include "cli-json.h"

/* Nested containers deeper than this are refused rather than recursed into. */
#define JSON_BUS_DEPTH_MAX 32

int json_new_timestamp(uint64_t usec, json_object **ret)
{
        char buf[FORMAT_TIMESTAMP_MAX];
        json_object *o;

        if (usec == 0) {
                *ret = NULL;
                return 0;
        }
        if (!format_timestamp_rfc3339(buf, usec))
                return -ERANGE;
        o = json_object_new_string(buf);
        if (!o)
                return -ENOMEM;
        *ret = o;
        return 0;
}

int json_add_new(json_object *o, const char *key, json_object *value)
{
        if (!value)
                return -ENOMEM;
        if (json_object_object_add(o, key, value) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 0;
}

int json_add_timestamp(json_object *o, const char *key, uint64_t usec)
{
        json_object *t;
        int r;

        r = json_new_timestamp(usec, &t);
        if (r < 0)
                return r;
        if (json_object_object_add(o, key, t) < 0) {
                json_object_put(t);
                return -ENOMEM;
        }
        return 0;
}

int json_print(json_object *o, FILE *f)
{
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        fputs(s, f);
        fputc('\n', f);
        return 0;
}

static int read_json(sd_bus_message *m, unsigned depth, json_object **ret);

static int read_basic(sd_bus_message *m, char type, json_object **ret)
{
        union {
                uint8_t u8;
                int16_t i16;
                uint16_t u16;
                int32_t i32;
                uint32_t u32;
                int64_t i64;
                uint64_t u64;
                double d;
                int b;
                const char *s;
        } v;
        json_object *o;
        int r;

        r = sd_bus_message_read_basic(m, type, &v);
        if (r < 0)
                return r;

        switch (type) {
        case SD_BUS_TYPE_BOOLEAN:
                o = json_object_new_boolean(v.b);
                break;
        case SD_BUS_TYPE_BYTE:
                o = json_object_new_int(v.u8);
                break;
        case SD_BUS_TYPE_INT16:
                o = json_object_new_int(v.i16);
                break;
        case SD_BUS_TYPE_UINT16:
                o = json_object_new_int(v.u16);
                break;
        case SD_BUS_TYPE_INT32:
        case SD_BUS_TYPE_UNIX_FD:
                o = json_object_new_int(v.i32);
                break;
        case SD_BUS_TYPE_UINT32:
                o = json_object_new_int64(v.u32);
                break;
        case SD_BUS_TYPE_INT64:
                o = json_object_new_int64(v.i64);
                break;
        case SD_BUS_TYPE_UINT64:
                o = json_object_new_uint64(v.u64);
                break;
        case SD_BUS_TYPE_DOUBLE:
                o = json_object_new_double(v.d);
                break;
        case SD_BUS_TYPE_STRING:
        case SD_BUS_TYPE_OBJECT_PATH:
        case SD_BUS_TYPE_SIGNATURE:
                o = json_object_new_string(v.s);
                break;
        default:
                return -EBADMSG;
        }
        if (!o)
                return -ENOMEM;
        *ret = o;
        return 0;
}

/* Dictionary keys are basic types; JSON wants strings. */
static int read_dict_entry(sd_bus_message *m, const char *entry, unsigned depth, json_object *dict)
{
        _cleanup_json_ json_object *key = NULL, *value = NULL;
        const char *k;
        int r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, entry);
        if (r <= 0)
                return r;
        r = read_basic(m, entry[0], &key);
        if (r < 0)
                return r;
        r = read_json(m, depth + 1, &value);
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;

        k = json_object_is_type(key, json_type_string) ? json_object_get_string(key)
                                                       : json_object_to_json_string(key);
        if (json_object_object_add(dict, k, TAKE_PTR(value)) < 0)
                return -ENOMEM;
        return 1;
}

static int read_array(sd_bus_message *m, const char *contents, unsigned depth, json_object **ret)
{
        _cleanup_json_ json_object *o = NULL;
        _cleanup_free_ char *entry = NULL;
        bool dict = contents[0] == SD_BUS_TYPE_DICT_ENTRY_BEGIN;
        int r;

        if (dict) {
                /* "{sv}" → "sv" */
                entry = strndup(contents + 1, strlen(contents) - 2);
                if (!entry)
                        return -ENOMEM;
        }
        o = dict ? json_object_new_object() : json_object_new_array();
        if (!o)
                return -ENOMEM;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, contents);
        if (r < 0)
                return r;
        while ((r = sd_bus_message_at_end(m, false)) == 0) {
                if (dict) {
                        r = read_dict_entry(m, entry, depth, o);
                        if (r < 0)
                                return r;
                } else {
                        _cleanup_json_ json_object *e = NULL;

                        r = read_json(m, depth + 1, &e);
                        if (r < 0)
                                return r;
                        if (json_object_array_add(o, e) < 0)
                                return -ENOMEM;
                        TAKE_PTR(e);
                }
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(o);
        return 0;
}

static int read_struct(sd_bus_message *m, const char *contents, unsigned depth, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_array();
        int r;

        if (!o)
                return -ENOMEM;
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_STRUCT, contents);
        if (r < 0)
                return r;
        while ((r = sd_bus_message_at_end(m, false)) == 0) {
                _cleanup_json_ json_object *e = NULL;

                r = read_json(m, depth + 1, &e);
                if (r < 0)
                        return r;
                if (json_object_array_add(o, e) < 0)
                        return -ENOMEM;
                TAKE_PTR(e);
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(o);
        return 0;
}

static int read_json(sd_bus_message *m, unsigned depth, json_object **ret)
{
        const char *contents;
        char type;
        int r;

        if (depth > JSON_BUS_DEPTH_MAX)
                return -E2BIG;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (r == 0)
                return -ENXIO;

        switch (type) {
        case SD_BUS_TYPE_ARRAY:
                return read_array(m, contents, depth, ret);
        case SD_BUS_TYPE_STRUCT:
                return read_struct(m, contents, depth, ret);
        case SD_BUS_TYPE_VARIANT: {
                _cleanup_json_ json_object *o = NULL;

                r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, contents);
                if (r < 0)
                        return r;
                r = read_json(m, depth + 1, &o);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
                *ret = TAKE_PTR(o);
                return 0;
        }
        default:
                return read_basic(m, type, ret);
        }
}

int bus_message_read_json(sd_bus_message *m, json_object **ret)
{
        return read_json(m, 0, ret);
}

static bool is_time_property(const char *name, const char *contents)
{
        size_t l = strlen(name);

        return streq(contents, "t") && l > 2 && streq(name + l - 2, "At");
}

static int read_property(sd_bus_message *m, json_object *object)
{
        _cleanup_json_ json_object *value = NULL;
        const char *name, *contents;
        int r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv");
        if (r <= 0)
                return r;
        r = sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &name);
        if (r < 0)
                return r;
        r = sd_bus_message_peek_type(m, NULL, &contents);
        if (r < 0)
                return r;

        if (is_time_property(name, contents)) {
                _cleanup_free_ char *raw_name = NULL;
                uint64_t usec;

                r = sd_bus_message_read(m, "v", "t", &usec);
                if (r < 0)
                        return r;
                r = json_add_timestamp(object, name, usec);
                if (r < 0)
                        return r;
                if (asprintf(&raw_name, "%sUSec", name) < 0)
                        return -ENOMEM;
                r = json_add_new(object, raw_name, json_object_new_uint64(usec));
                if (r < 0)
                        return r;
        } else {
                r = read_json(m, 0, &value);
                if (r < 0)
                        return r;
                if (json_object_object_add(object, name, TAKE_PTR(value)) < 0)
                        return -ENOMEM;
        }

        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        return 1;
}

int bus_properties_read_json(sd_bus_message *m, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        int r;

        if (!o)
                return -ENOMEM;
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;
        while ((r = read_property(m, o)) > 0)
                ;
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(o);
        return 0;
}
