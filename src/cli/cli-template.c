/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "raind/macro.h"

#include "cli-template.h"
#include "cli-usage.h"

#define NO_VALUE "<no value>"

static const char *skip_space(const char *p)
{
        while (*p == ' ' || *p == '\t')
                p++;
        return p;
}

/* ".A.B" or "." → the value found (NULL: none); -EINVAL when path is not such a path. */
static int template_lookup(const char *path, size_t n, json_object *value, json_object **ret)
{
        json_object *v = value;
        size_t i = 0;

        if (n == 0 || path[0] != '.')
                return -EINVAL;
        if (n == 1) {
                *ret = v;
                return 0;
        }
        while (i < n) {
                _cleanup_free_ char *key = NULL;
                size_t start;

                if (path[i] != '.')
                        return -EINVAL;
                start = ++i;
                while (i < n && path[i] != '.')
                        i++;
                if (i == start)
                        return -EINVAL;
                key = strndup(path + start, i - start);
                if (!key)
                        return -ENOMEM;
                if (!v || !json_object_is_type(v, json_type_object) ||
                    !json_object_object_get_ex(v, key, &v))
                        v = NULL;
        }
        *ret = v;
        return 0;
}

static void template_print(FILE *f, json_object *v, bool as_json)
{
        if (as_json)
                fputs(v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE)
                        : "null",
                      f);
        else if (!v)
                fputs(NO_VALUE, f);
        else if (json_object_is_type(v, json_type_string))
                fputs(json_object_get_string(v), f);
        else
                fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE),
                      f);
}

int template_render(const char *template, json_object *value, char **ret, char **ret_error)
{
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        const char *p = template;
        FILE *f;
        int r = 0;

        *ret_error = NULL;
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        while (*p) {
                const char *open = strstr(p, "{{"), *close, *action, *end;
                json_object *v = NULL;
                bool as_json = false;

                if (!open) {
                        fputs(p, f);
                        break;
                }
                fwrite(p, 1, (size_t)(open - p), f);
                close = strstr(open + 2, "}}");
                if (!close) {
                        r = usage_text(ret_error, "Invalid --format: '{{' without '}}'");
                        break;
                }
                action = skip_space(open + 2);
                end = close;
                while (end > action && (end[-1] == ' ' || end[-1] == '\t'))
                        end--;
                if ((size_t)(end - action) > 5 && strncmp(action, "json", 4) == 0 &&
                    (action[4] == ' ' || action[4] == '\t')) {
                        as_json = true;
                        action = skip_space(action + 4);
                }
                r = template_lookup(action, (size_t)(end - action), value, &v);
                if (r == -EINVAL)
                        r = usage_text(ret_error, "Invalid --format: cannot understand '%.*s'",
                                       (int)(close + 2 - open), open);
                if (r < 0)
                        break;
                template_print(f, v, as_json);
                p = close + 2;
        }
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(text);
        return 0;
}
