/* SPDX-License-Identifier: Apache-2.0 */
/* The image config file: an OCI image config (which readers must accept with unknown fields) with
 * raind's own metadata in a "raind" object:
 *   {"created":…, "architecture":…, "os":"linux", "config":{"Env":[…], …},
 *    "rootfs":{"type":"layers","diff_ids":[…]}, "raind":{"layers":[…],"size":…}} */

#include <ctype.h>
#include <inttypes.h>
#include <time.h>

#include "raind/json-util.h"
#include "raind/strv.h"
#include "raind/util.h"

#include "image-internal.h"

#if defined(__x86_64__)
#define OCI_ARCHITECTURE "amd64"
#elif defined(__aarch64__)
#define OCI_ARCHITECTURE "arm64"
#elif defined(__arm__)
#define OCI_ARCHITECTURE "arm"
#elif defined(__i386__)
#define OCI_ARCHITECTURE "386"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define OCI_ARCHITECTURE "ppc64le"
#elif defined(__s390x__)
#define OCI_ARCHITECTURE "s390x"
#elif defined(__riscv) && __riscv_xlen == 64
#define OCI_ARCHITECTURE "riscv64"
#elif defined(__loongarch64)
#define OCI_ARCHITECTURE "loong64"
#else
#error "unknown architecture: add its OCI name"
#endif

int timestamp_format_rfc3339(int64_t usec, char **ret)
{
        time_t sec = (time_t)(usec / (int64_t)USEC_PER_SEC);
        int64_t frac = usec % (int64_t)USEC_PER_SEC;
        struct tm tm;
        char buf[64];

        if (frac < 0) {
                frac += (int64_t)USEC_PER_SEC;
                sec--;
        }
        if (!gmtime_r(&sec, &tm) || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
                return -ERANGE;
        if (asprintf(ret, "%s.%06" PRId64 "Z", buf, frac) < 0)
                return -ENOMEM;
        return 0;
}

static int parse_digits(const char **p, unsigned n, int *ret)
{
        int v = 0;

        for (unsigned i = 0; i < n; i++, (*p)++) {
                if (!isdigit((unsigned char)**p))
                        return -EINVAL;
                v = v * 10 + (**p - '0');
        }
        *ret = v;
        return 0;
}

/* "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)", as written by Docker, Go and us. */
int timestamp_parse_rfc3339(const char *s, int64_t *ret)
{
        struct tm tm = {};
        int year, mon, day, hour, min, sec, off_h = 0, off_m = 0;
        int64_t usec = 0, scale = 100000;
        const char *p = s;

        if (parse_digits(&p, 4, &year) < 0 || *p++ != '-' || parse_digits(&p, 2, &mon) < 0 || *p++ != '-' ||
            parse_digits(&p, 2, &day) < 0 || (*p != 'T' && *p != 't' && *p != ' '))
                return -EINVAL;
        p++;
        if (parse_digits(&p, 2, &hour) < 0 || *p++ != ':' || parse_digits(&p, 2, &min) < 0 || *p++ != ':' ||
            parse_digits(&p, 2, &sec) < 0)
                return -EINVAL;
        if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                        return -EINVAL;
                for (; isdigit((unsigned char)*p); p++) {
                        usec += (*p - '0') * scale;
                        scale /= 10;
                }
        }
        int sign = 0;
        if (*p == 'Z' || *p == 'z')
                p++;
        else if (*p == '+' || *p == '-') {
                sign = *p++ == '-' ? -1 : 1;
                if (parse_digits(&p, 2, &off_h) < 0 || *p++ != ':' || parse_digits(&p, 2, &off_m) < 0)
                        return -EINVAL;
        } else
                return -EINVAL;
        if (*p || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60 ||
            off_h > 23 || off_m > 59)
                return -EINVAL;

        tm.tm_year = year - 1900;
        tm.tm_mon = mon - 1;
        tm.tm_mday = day;
        tm.tm_hour = hour;
        tm.tm_min = min;
        tm.tm_sec = sec;
        time_t t = timegm(&tm);
        if (t == (time_t)-1 && !(year == 1969 && mon == 12 && day == 31))
                return -ERANGE;
        t -= sign * (off_h * 3600 + off_m * 60);
        if (t > INT64_MAX / (int64_t)USEC_PER_SEC || t < INT64_MIN / (int64_t)USEC_PER_SEC + 1)
                return -ERANGE;
        *ret = (int64_t)t * (int64_t)USEC_PER_SEC + usec;
        return 0;
}

int image_json_parse(const char *data, size_t size, struct json_object **ret)
{
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        struct json_object *o;

        if (size > INT32_MAX || strlen(data) != size)
                return -EBADMSG;
        tok = json_tokener_new_ex(64);
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, data, (int)size);
        if (!o)
                return -EBADMSG;
        size_t end = json_tokener_get_parse_end(tok);
        if (data[end + strspn(data + end, " \t\r\n")] != 0) {
                json_object_put(o);
                return -EBADMSG;
        }
        *ret = o;
        return 0;
}

static int json_add_strv(struct json_object *o, const char *key, char *const *l)
{
        struct json_object *a = json_new_strv(l);
        if (!a)
                return -ENOMEM;
        if (json_object_object_add(o, key, a) < 0) {
                json_object_put(a);
                return -ENOMEM;
        }
        return 0;
}

static int json_add_new(struct json_object *o, const char *key, struct json_object *v)
{
        if (!v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int image_config_format(const Image *i, const char *created_by, char **ret)
{
        _cleanup_json_ struct json_object *o = json_object_new_object();
        _cleanup_strv_free_ char **diff_ids = NULL;
        _cleanup_free_ char *created = NULL;
        struct json_object *config, *rootfs, *history, *h;
        int r;

        if (!o)
                return -ENOMEM;
        r = timestamp_format_rfc3339(i->created, &created);
        if (r < 0)
                return r;
        STRV_FOREACH (l, i->layers) {
                char *d;
                if (asprintf(&d, "sha256:%s", *l) < 0)
                        return -ENOMEM;
                r = strv_push(&diff_ids, d);
                if (r < 0) {
                        free(d);
                        return r;
                }
        }

        if (json_add_new(o, "created", json_object_new_string(created)) < 0 ||
            json_add_new(o, "architecture", json_object_new_string(OCI_ARCHITECTURE)) < 0 ||
            json_add_new(o, "os", json_object_new_string("linux")) < 0 ||
            json_add_new(o, "config", config = json_object_new_object()) < 0 ||
            json_add_new(o, "rootfs", rootfs = json_object_new_object()) < 0 ||
            json_add_new(o, "history", history = json_object_new_array()) < 0)
                return -ENOMEM;

        if (json_add_strv(config, "Env", i->env) < 0 ||
            (i->entrypoint && json_add_strv(config, "Entrypoint", i->entrypoint) < 0) ||
            (i->cmd && json_add_strv(config, "Cmd", i->cmd) < 0) ||
            (i->working_dir &&
             json_add_new(config, "WorkingDir", json_object_new_string(i->working_dir)) < 0) ||
            (i->user && json_add_new(config, "User", json_object_new_string(i->user)) < 0) ||
            (i->stop_signal &&
             json_add_new(config, "StopSignal", json_object_new_string(i->stop_signal)) < 0))
                return -ENOMEM;

        if (json_add_new(rootfs, "type", json_object_new_string("layers")) < 0 ||
            json_add_strv(rootfs, "diff_ids", diff_ids) < 0)
                return -ENOMEM;

        h = json_object_new_object();
        if (!h || json_object_array_add(history, h) < 0) {
                json_object_put(h);
                return -ENOMEM;
        }
        json_add_string(h, "created", created);
        if (created_by)
                json_add_string(h, "created_by", created_by);

        const char *s =
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

struct json_object *image_blob_to_json(const ImageBlob *b)
{
        struct json_object *o = json_object_new_object();

        if (!o)
                return NULL;
        json_add_string(o, "mediaType", b->media_type);
        json_add_string(o, "digest", b->digest);
        if (json_object_object_add(o, "size", json_object_new_int64((int64_t)b->size)) < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

int image_manifest_format(const ImageBlob *config, const ImageBlob *layers, size_t n_layers, char **ret)
{
        _cleanup_json_ struct json_object *o = json_object_new_object();
        struct json_object *l;

        if (!o || json_add_new(o, "schemaVersion", json_object_new_int(2)) < 0 ||
            json_add_new(o, "mediaType",
                         json_object_new_string("application/vnd.oci.image.manifest.v1+json")) < 0 ||
            json_add_new(o, "config", image_blob_to_json(config)) < 0 ||
            json_add_new(o, "layers", l = json_object_new_array()) < 0)
                return -ENOMEM;
        for (size_t k = 0; k < n_layers; k++) {
                struct json_object *d = image_blob_to_json(&layers[k]);
                if (!d || json_object_array_add(l, d) < 0) {
                        json_object_put(d);
                        return -ENOMEM;
                }
        }
        const char *s =
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s || !(*ret = strdup(s)))
                return -ENOMEM;
        return 0;
}

static int get_strv_checked(struct json_object *o, const char *key, size_t max, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        int r;

        if (!o) {
                *ret = NULL;
                return 0;
        }
        r = json_get_strv(o, key, &l);
        if (r < 0)
                return -EBADMSG;
        if (strv_length(l) > max)
                return -EBADMSG;
        *ret = TAKE_PTR(l);
        return 0;
}

static int get_string_dup(struct json_object *o, const char *key, char **ret)
{
        const char *v = o ? json_get_string(o, key) : NULL;
        char *c = NULL;

        if (v && !(c = strdup(v)))
                return -ENOMEM;
        *ret = c;
        return 0;
}

/* The keys of an object ("ExposedPorts": {"80/tcp": {}}) or its "key=value" pairs (Labels). */
static int get_object_strv(struct json_object *config, const char *key, bool with_values, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        struct json_object *o;
        size_t n = 0;

        if (!config || !json_object_object_get_ex(config, key, &o) ||
            !json_object_is_type(o, json_type_object)) {
                *ret = NULL;
                return 0;
        }
        json_object_object_foreach(o, k, v)
        {
                char *e;

                if (++n > ENV_MAX)
                        return -EBADMSG;
                if (!with_values)
                        e = strdup(k);
                else if (!json_object_is_type(v, json_type_string))
                        continue;
                else if (asprintf(&e, "%s=%s", k, json_object_get_string(v)) < 0)
                        e = NULL;
                if (!e || strv_push(&l, e) < 0) {
                        free(e);
                        return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* rootfs.diff_ids must name the layers of the record, in order: the config is what the image is. */
static int check_diff_ids(struct json_object *root, char *const *layers)
{
        _cleanup_strv_free_ char **l = NULL;
        struct json_object *rootfs;
        int r;

        if (!json_object_object_get_ex(root, "rootfs", &rootfs))
                return -EBADMSG;
        r = get_strv_checked(rootfs, "diff_ids", IMAGE_LAYERS_MAX, &l);
        if (r < 0)
                return r;
        if (strv_length(l) != strv_length(layers))
                return -EBADMSG;
        for (size_t k = 0; l && l[k]; k++) {
                const char *hex = digest_hex(l[k]);
                if (!hex || !streq(hex, layers[k]))
                        return -EBADMSG;
        }
        return 0;
}

int image_config_parse(const char *data, size_t size, Image *i)
{
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *config = NULL;
        const char *created;
        int r;

        r = image_json_parse(data, size, &o);
        if (r < 0)
                return r;
        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        if (json_object_object_get_ex(o, "config", &config) &&
            !json_object_is_type(config, json_type_object))
                config = NULL;
        if (i->layers) {
                r = check_diff_ids(o, i->layers);
                if (r < 0)
                        return r;
        }

        if ((r = get_strv_checked(config, "Env", ENV_MAX, &i->env)) < 0 ||
            (r = get_strv_checked(config, "Entrypoint", ARGV_MAX, &i->entrypoint)) < 0 ||
            (r = get_strv_checked(config, "Cmd", ARGV_MAX, &i->cmd)) < 0 ||
            (r = get_string_dup(config, "WorkingDir", &i->working_dir)) < 0 ||
            (r = get_string_dup(config, "User", &i->user)) < 0 ||
            (r = get_string_dup(config, "StopSignal", &i->stop_signal)) < 0 ||
            (r = get_object_strv(config, "Labels", true, &i->labels)) < 0 ||
            (r = get_object_strv(config, "ExposedPorts", false, &i->exposed_ports)) < 0 ||
            (r = get_string_dup(o, "os", &i->os)) < 0 ||
            (r = get_string_dup(o, "architecture", &i->architecture)) < 0 ||
            (r = get_string_dup(o, "variant", &i->variant)) < 0)
                return r;
        /* Empty strings mean unset in OCI configs. */
        char **optional[] = {&i->working_dir, &i->user, &i->stop_signal, &i->variant};
        for (size_t k = 0; k < ELEMENTSOF(optional); k++)
                if (*optional[k] && !**optional[k]) {
                        free(*optional[k]);
                        *optional[k] = NULL;
                }

        created = json_get_string(o, "created");
        if (!created || timestamp_parse_rfc3339(created, &i->created) < 0)
                i->created = 0;
        return 0;
}
