/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "raind/macro.h"

#include "cli-cp-args.h"

static void check_split(const char *arg, int expected, const char *container, const char *path)
{
        _cleanup_free_ char *c = NULL, *p = NULL;

        assert_int_equal(cp_arg_split(arg, &c, &p), expected);
        if (container)
                assert_string_equal(c, container);
        else
                assert_null(c);
        assert_string_equal(p, path);
}

static void test_split(void **state)
{
        check_split("web:/etc/hosts", 1, "web", "/etc/hosts");
        check_split("web:etc", 1, "web", "etc");
        check_split("0123abcd:/", 1, "0123abcd", "/");
        check_split("web:", 1, "web", "");
        /* Host paths: absolute, explicitly relative, or without a colon. */
        check_split("/tmp/a:b", 0, NULL, "/tmp/a:b");
        check_split("./a:b", 0, NULL, "./a:b");
        check_split("../x:y", 0, NULL, "../x:y");
        check_split("file.txt", 0, NULL, "file.txt");
        check_split("-", 0, NULL, "-");
}

static void test_parse(void **state)
{
        CopyArgs a = {};
        _cleanup_free_ char *e = NULL;

        assert_int_equal(copy_args_parse("web:/etc/hosts", ".", &a, &e), 0);
        assert_false(a.to_container);
        assert_string_equal(a.container, "web");
        assert_string_equal(a.container_path, "/etc/hosts");
        assert_string_equal(a.host_path, ".");
        copy_args_done(&a);

        /* Relative to the container's root. */
        assert_int_equal(copy_args_parse("-", "web:tmp/in", &a, &e), 0);
        assert_true(a.to_container);
        assert_string_equal(a.container_path, "/tmp/in");
        assert_string_equal(a.host_path, "-");
        copy_args_done(&a);
        assert_null(a.container);
}

static void check_parse_error(const char *src, const char *dst, const char *expected)
{
        CopyArgs a = {};
        _cleanup_free_ char *e = NULL;

        assert_int_equal(copy_args_parse(src, dst, &a, &e), -EINVAL);
        assert_non_null(e);
        assert_string_equal(e, expected);
        copy_args_done(&a);
}

static void test_parse_errors(void **state)
{
        check_parse_error("a", "b",
                          "One of SRC and DEST must name a path in a container, as CONTAINER:PATH");
        check_parse_error("/a:b", "./c:d",
                          "One of SRC and DEST must name a path in a container, as CONTAINER:PATH");
        check_parse_error("a:/x", "b:/y", "Copying between containers is not supported");
        check_parse_error("my web:/x", ".", "Invalid container name or id 'my web'");
        check_parse_error("web:", ".", "Missing the path in container web: expected web:PATH");
}

typedef struct Target {
        int r;
        const char *dir, *name, *error;
} Target;

static void check_target(const char *src, bool src_is_dir, const char *dst, mode_t dst_mode, Target expected)
{
        _cleanup_free_ char *dir = NULL, *name = NULL, *e = NULL;

        assert_int_equal(cp_resolve_target(src, src_is_dir, dst, dst_mode, &dir, &name, &e), expected.r);
        if (expected.r == 0) {
                assert_string_equal(dir, expected.dir);
                assert_string_equal(name, expected.name);
        } else {
                assert_non_null(e);
                assert_string_equal(e, expected.error);
        }
}

static void test_resolve_target(void **state)
{
        /* A file into an existing directory keeps its name. */
        check_target("/etc/hosts", false, "out", S_IFDIR, (Target){0, "out", "hosts"});
        /* A file onto an existing file replaces it. */
        check_target("/etc/hosts", false, "out/h.txt", S_IFREG, (Target){0, "out", "h.txt"});
        /* A file to a new name. */
        check_target("/etc/hosts", false, "h.txt", 0, (Target){0, ".", "h.txt"});
        check_target("/etc/hosts", false, "/tmp/h", 0, (Target){0, "/tmp", "h"});
        check_target("/etc/hosts", false, "/h", 0, (Target){0, "/", "h"});
        check_target("/etc/hosts", false, "new/", 0,
                     (Target){-EINVAL, .error = "Destination directory new/ does not exist"});

        /* A directory into an existing one, under its own name, or its contents with "/.". */
        check_target("/etc", true, "/tmp", S_IFDIR, (Target){0, "/tmp", "etc"});
        check_target("/etc/", true, "/tmp/", S_IFDIR, (Target){0, "/tmp/", "etc"});
        check_target("/etc/.", true, "/tmp", S_IFDIR, (Target){0, "/tmp", "."});
        check_target("/", true, "/tmp/root", S_IFDIR, (Target){0, "/tmp/root", "."});
        /* A directory to a new name: created with the source's contents. */
        check_target("/etc", true, "/tmp/etc-copy", 0, (Target){0, "/tmp", "etc-copy"});
        check_target("/etc/.", true, "copy/", 0, (Target){0, ".", "copy"});
        check_target("/etc", true, "/tmp/f", S_IFREG,
                     (Target){-EINVAL, .error = "Cannot copy directory /etc to /tmp/f, a file"});

        check_target("/etc/hosts/", false, "out", S_IFDIR,
                     (Target){-EINVAL, .error = "/etc/hosts/ is not a directory"});
        check_target("/etc/hosts/.", false, "out", S_IFDIR,
                     (Target){-EINVAL, .error = "/etc/hosts/. is not a directory"});
}

static void check_root(const char *entry, const char *expected)
{
        _cleanup_free_ char *root = tar_entry_root(entry);

        if (expected)
                assert_string_equal(root, expected);
        else
                assert_null(root);
}

static void test_entry_root(void **state)
{
        check_root("web/a/b", "web");
        check_root("web/", "web");
        check_root("web", "web");
        check_root("./web/a", "web");
        check_root("/web/a", "web");
        check_root("./", ".");
        check_root(".", ".");
        check_root("", NULL);
}

static void check_rename(const char *entry, const char *root, const char *name, int r, const char *expected)
{
        _cleanup_free_ char *s = NULL;

        assert_int_equal(tar_entry_rename(entry, root, name, &s), r);
        if (r == 0)
                assert_string_equal(s, expected);
}

static void test_entry_rename(void **state)
{
        check_rename("etc/", "etc", "etc", 0, "etc");
        check_rename("etc/hosts", "etc", "copy", 0, "copy/hosts");
        check_rename("./etc/a/b/", "etc", "copy", 0, "copy/a/b");
        check_rename("etc/hosts", "etc", ".", 0, "hosts");
        check_rename("etc", "etc", ".", 0, ".");
        check_rename("hosts", "hosts", "h.txt", 0, "h.txt");
        /* An archive of a directory's contents. */
        check_rename("./", ".", "copy", 0, "copy");
        check_rename("./a/b", ".", "copy", 0, "copy/a/b");
        check_rename("a", ".", ".", 0, "a");

        /* Outside the root, or climbing out. */
        check_rename("other/x", "etc", "copy", -EINVAL, NULL);
        check_rename("etcetera/x", "etc", "copy", -EINVAL, NULL);
        check_rename("etc/../../x", "etc", "copy", -EINVAL, NULL);
        check_rename("./../x", ".", "copy", -EINVAL, NULL);
        check_rename("etc/x", "etc", "..", -EINVAL, NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_split),        cmocka_unit_test(test_parse),
            cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_resolve_target),
            cmocka_unit_test(test_entry_root),   cmocka_unit_test(test_entry_rename),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
