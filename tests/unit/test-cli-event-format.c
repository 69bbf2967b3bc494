/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/json-util.h"
#include "raind/macro.h"
#include "raind/message-ids.h"

#include "cli-event-format.h"

#define ID "4a1f0c2e9b7d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"
/* 2026-11-24T12:00:00Z */
#define NOON_USEC 1795521600000000ULL

static void check_line(const Event *e, const char *expected)
{
        _cleanup_free_ char *line = NULL;

        assert_int_equal(event_format_line(e, &line), 0);
        assert_string_equal(line, expected);
}

static void test_lines(void **state)
{
        check_line(&(Event){.time_usec = NOON_USEC,
                            .action = "die",
                            .id = ID,
                            .name = "web",
                            .image = "busybox:test",
                            .exit_status = "7"},
                   "2026-11-24T12:00:00.000000000Z container die " ID
                   " (name=web, image=busybox:test, exitCode=7)");
        check_line(&(Event){.time_usec = NOON_USEC + 123456,
                            .action = "kill",
                            .id = ID,
                            .name = "web",
                            .image = "busybox:test",
                            .signal = "15"},
                   "2026-11-24T12:00:00.123456000Z container kill " ID
                   " (name=web, image=busybox:test, signal=15)");
        check_line(
            &(Event){.time_usec = NOON_USEC, .action = "rename", .id = ID, .name = "new", .old_name = "old"},
            "2026-11-24T12:00:00.000000000Z container rename " ID " (name=new, oldName=old)");
        /* Nothing known but the time. */
        check_line(&(Event){.time_usec = NOON_USEC}, "2026-11-24T12:00:00.000000000Z container unknown -");
        /* One event, one line, whatever the journal holds. */
        check_line(&(Event){.time_usec = NOON_USEC, .action = "start", .id = ID, .name = "a\nb"},
                   "2026-11-24T12:00:00.000000000Z container start " ID " (name=a b)");
}

static void test_json(void **state)
{
        _cleanup_json_ json_object *o = NULL, *p = NULL;

        assert_int_equal(event_to_json(&(Event){.time_usec = NOON_USEC + 5,
                                                .action = "die",
                                                .id = ID,
                                                .name = "web",
                                                .image = "busybox:test",
                                                .exit_status = "7"},
                                       &o),
                         0);
        assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                            "{\"Time\":\"2026-11-24T12:00:00.000005000Z\",\"TimeUSec\":1795521600000005,"
                            "\"Type\":\"container\",\"Action\":\"die\",\"Id\":\"" ID "\",\"Name\":\"web\","
                            "\"Image\":\"busybox:test\",\"ExitStatus\":7}");

        assert_int_equal(
            event_to_json(&(Event){.time_usec = NOON_USEC, .action = "kill", .signal = "TERM"}, &p), 0);
        assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
                            "{\"Time\":\"2026-11-24T12:00:00.000000000Z\",\"TimeUSec\":1795521600000000,"
                            "\"Type\":\"container\",\"Action\":\"kill\",\"Signal\":\"TERM\"}");
}

static void test_image_events(void **state)
{
        _cleanup_free_ char *line = NULL;
        _cleanup_json_ json_object *o = NULL;
        Event e = {
            .time_usec = NOON_USEC, .type = "image", .action = "pull", .id = ID, .name = "busybox:latest"};

        assert_int_equal(event_format_line(&e, &line), 0);
        assert_string_equal(line, "2026-11-24T12:00:00.000000000Z image pull " ID " (name=busybox:latest)");
        line = mfree(line);
        /* No id (tag, load, save): the reference stands in. */
        e = (Event){.time_usec = NOON_USEC, .type = "image", .action = "tag", .name = "busybox:v1"};
        assert_int_equal(event_format_line(&e, &line), 0);
        assert_string_equal(line, "2026-11-24T12:00:00.000000000Z image tag busybox:v1 (name=busybox:v1)");
        assert_int_equal(event_to_json(&e, &o), 0);
        assert_non_null(
            strstr(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), "\"Type\":\"image\""));
        /* An image event is no container's. */
        assert_false(event_matches_container(&(Event){.type = "image", .name = "web"}, "web"));
}

static void test_kinds(void **state)
{
        size_t n = 0;

        for (const EventKind *k = event_kinds; k->action; k++)
                n++;
        assert_int_equal(n, 17); /* 9 container and 8 image events */
        assert_string_equal(event_action_from_message_id(RAIND_MESSAGE_DIE), "die");
        assert_string_equal(event_action_from_message_id(RAIND_MESSAGE_IMAGE_PULL), "pull");
        assert_string_equal(event_kind_from_action("pull")->type, "image");
        assert_string_equal(event_kind_from_action("die")->type, "container");
        assert_null(event_kind_from_action("explode"));
        assert_string_equal(event_action_from_message_id(RAIND_MESSAGE_REMOVE), "remove");
        assert_null(event_action_from_message_id("00000000000000000000000000000000"));
        assert_string_equal(event_message_id_from_action("oom"), RAIND_MESSAGE_OOM);
        assert_null(event_message_id_from_action("explode"));
}

static void test_matches_container(void **state)
{
        Event e = {.id = ID, .name = "web", .old_name = "www"};

        assert_true(event_matches_container(&e, "web"));
        assert_true(event_matches_container(&e, "www"));
        assert_true(event_matches_container(&e, "4a1f0c2e9b7d"));
        assert_true(event_matches_container(&e, ID));
        assert_false(event_matches_container(&e, "we"));
        assert_false(event_matches_container(&e, "db"));
        assert_false(event_matches_container(&e, ""));
        assert_false(event_matches_container(&(Event){}, "web"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_lines),
            cmocka_unit_test(test_json),
            cmocka_unit_test(test_kinds),
            cmocka_unit_test(test_image_events),
            cmocka_unit_test(test_matches_container),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
