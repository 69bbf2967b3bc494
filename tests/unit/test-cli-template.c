/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/json-util.h"
#include "raind/macro.h"

#include "cli-template.h"

static const char *const image_json =
    "{\"Id\":\"sha256:abc\",\"RepoTags\":[\"busybox:latest\"],\"Size\":42,"
    "\"Config\":{\"WorkingDir\":\"/data\",\"Env\":[\"A=1\"],\"User\":null},\"Os\":\"linux\"}";

static void check(const char *template, const char *expected)
{
        _cleanup_json_ json_object *o = json_tokener_parse(image_json);
        _cleanup_free_ char *text = NULL, *error = NULL;

        assert_non_null(o);
        assert_int_equal(template_render(template, o, &text, &error), 0);
        assert_null(error);
        assert_string_equal(text, expected);
}

static void check_error(const char *template, const char *expected)
{
        _cleanup_json_ json_object *o = json_tokener_parse(image_json);
        _cleanup_free_ char *text = NULL, *error = NULL;

        assert_int_equal(template_render(template, o, &text, &error), -EINVAL);
        assert_null(text);
        assert_string_equal(error, expected);
}

static void test_render(void **state)
{
        check("{{.Id}}", "sha256:abc");
        check("id={{ .Id }} os={{.Os}}", "id=sha256:abc os=linux");
        check("{{.Config.WorkingDir}}", "/data");
        check("{{.Size}}", "42");
        check("{{.RepoTags}}", "[\"busybox:latest\"]");
        check("{{json .RepoTags}}", "[\"busybox:latest\"]");
        check("{{json .Id}}", "\"sha256:abc\"");
        check("{{json .Config.Env}}", "[\"A=1\"]");
        check("{{.Nope}} {{.Config.Nope.Deeper}} {{.Id.Sub}}", "<no value> <no value> <no value>");
        check("{{.Config.User}} {{json .Config.User}}", "<no value> null");
        check("plain text", "plain text");
        check("", "");
        check("{{.}}",
              "{\"Id\":\"sha256:abc\",\"RepoTags\":[\"busybox:latest\"],\"Size\":42,"
              "\"Config\":{\"WorkingDir\":\"/data\",\"Env\":[\"A=1\"],\"User\":null},\"Os\":\"linux\"}");
}

static void test_errors(void **state)
{
        check_error("{{.Id", "Invalid --format: '{{' without '}}'");
        check_error("{{Id}}", "Invalid --format: cannot understand '{{Id}}'");
        check_error("{{.Config..X}}", "Invalid --format: cannot understand '{{.Config..X}}'");
        check_error("{{index .RepoTags 0}}", "Invalid --format: cannot understand '{{index .RepoTags 0}}'");
        check_error("{{}}", "Invalid --format: cannot understand '{{}}'");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_render),
            cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
