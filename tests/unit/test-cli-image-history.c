/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/json-util.h"
#include "raind/macro.h"

#include "cli-image-history.h"

/* 2024-05-01T12:00:00Z and an hour, two, three later. */
#define T0   1714564800ULL
#define USEC 1000000ULL

static const char *const image_json =
    "{\"Id\":\"sha256:37285f10cfc4ba5d7e73ba13d67c7434534dc323eb0fe23f741a6fbfabc67100\","
    /* The first layer says how large it is unpacked: that is shown, as docker does. */
    "\"LayerBlobs\":[{\"digest\":\"sha256:aa\",\"size\":1036000,\"unpackedSize\":2072000},{\"digest\":"
    "\"sha256:bb\",\"size\":238},"
    "{\"digest\":\"sha256:cc\",\"size\":195}],"
    "\"History\":["
    "{\"created\":\"2024-05-01T12:00:00Z\",\"created_by\":\"/bin/sh -c #(nop) ADD file:busybox-rootfs in "
    "/\"},"
    "{\"created\":\"2024-05-01T13:00:00.123456789Z\",\"created_by\":\"/bin/sh -c #(nop) ENV FOO=bar\","
    "\"empty_layer\":true},"
    "{\"created\":\"2024-05-01T14:00:00Z\",\"created_by\":\"/bin/sh -c mkdir /data /keep && echo a "
    ">/data/a\\n"
    "&& echo b >/data/b\"},"
    "{\"created\":\"2024-05-01T15:00:00Z\",\"created_by\":\"rm /data/a\",\"comment\":\"whiteout\"}]}";

static void check(bool no_trunc, bool quiet, const char *expected)
{
        _cleanup_json_ json_object *o = json_tokener_parse(image_json);
        _cleanup_free_ char *text = NULL;

        assert_non_null(o);
        assert_int_equal(image_history_format(o, no_trunc, quiet, (T0 + 4 * 3600) * USEC, &text), 0);
        assert_string_equal(text, expected);
}

static void test_table(void **state)
{
        /* Newest first; the ENV step has no layer, so size 0 and the others keep theirs. */
        check(
            false, false,
            "IMAGE          CREATED             CREATED BY                                      SIZE      "
            "COMMENT\n"
            "37285f10cfc4   About an hour ago   rm /data/a                                      195B      "
            "whiteout\n"
            "<missing>      2 hours ago         /bin/sh -c mkdir /data /keep && echo a >/dat…   238B\n"
            "<missing>      3 hours ago         /bin/sh -c #(nop) ENV FOO=bar                   0B\n"
            "<missing>      4 hours ago         /bin/sh -c #(nop) ADD file:busybox-rootfs in…   2.072MB\n");
}

static void test_no_trunc_quiet(void **state)
{
        _cleanup_json_ json_object *o = json_tokener_parse(image_json);
        _cleanup_free_ char *text = NULL;

        check(false, true, "37285f10cfc4\n<missing>\n<missing>\n<missing>\n");
        check(true, true,
              "37285f10cfc4ba5d7e73ba13d67c7434534dc323eb0fe23f741a6fbfabc67100\n<missing>\n<missing>\n<"
              "missing>\n");

        assert_int_equal(image_history_format(o, true, false, (T0 + 4 * 3600) * USEC, &text), 0);
        /* The whole command, its newline turned into a space. */
        assert_non_null(strstr(text, "/bin/sh -c mkdir /data /keep && echo a >/data/a && echo b >/data/b"));
        assert_non_null(strstr(
            text, "37285f10cfc4ba5d7e73ba13d67c7434534dc323eb0fe23f741a6fbfabc67100   About an hour ago"));
}

static void test_bad(void **state)
{
        _cleanup_json_ json_object *o = json_tokener_parse("{\"Id\":\"sha256:ab\"}");
        _cleanup_json_ json_object *p =
            json_tokener_parse("{\"Id\":\"sha256:ab\",\"History\":[{\"created\":\"x\"},{}]}");
        _cleanup_free_ char *text = NULL;

        assert_int_equal(image_history_format(o, false, false, 0, &text), -EBADMSG);
        assert_null(text);
        /* More layer entries than LayerBlobs, unparsable times: shown, not trusted. */
        assert_int_equal(image_history_format(p, false, false, T0 * USEC, &text), 0);
        assert_string_equal(text, "IMAGE       CREATED     CREATED BY   SIZE   COMMENT\n"
                                  "ab          <unknown>                0B\n"
                                  "<missing>   x                        0B\n");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_table),
            cmocka_unit_test(test_no_trunc_quiet),
            cmocka_unit_test(test_bad),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
