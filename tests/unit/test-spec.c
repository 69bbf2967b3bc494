/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/json-util.h"
#include "raind/strv.h"
#include "src/daemon/container.h"
#include "src/daemon/spec.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char *lowers[] = {"/l/top", "/l/bottom", NULL};
static const SpecPaths paths = {.lowerdirs = lowers, .upperdir = "/c/upper", .workdir = "/c/work"};

static Image test_image(void)
{
        static char *env[] = {"PATH=/bin", "LANG=C", NULL};
        static char *cmd[] = {"sh", NULL};
        return (Image){.id = "ff", .env = env, .cmd = cmd};
}

static struct json_object *get(struct json_object *o, const char *path)
{
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", path);
        for (char *save = NULL, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
                if (!json_object_object_get_ex(o, k, &o))
                        return NULL;
        return o;
}

static bool array_has(struct json_object *a, const char *s)
{
        for (size_t i = 0; a && i < json_object_array_length(a); i++)
                if (streq(json_object_get_string(json_object_array_get_idx(a, i)), s))
                        return true;
        return false;
}

static void test_command_resolution(void **state)
{
        Image img = test_image();
        char *entry[] = {"/init", NULL};
        char *user_cmd[] = {"echo", "hi", NULL};
        _cleanup_strv_free_ char **a = NULL, **b = NULL, **c = NULL;

        assert_int_equal(spec_resolve_command(NULL, &img, &a), 0);
        assert_string_equal(a[0], "sh");
        img.entrypoint = entry;
        assert_int_equal(spec_resolve_command(user_cmd, &img, &b), 0);
        assert_int_equal(strv_length(b), 3);
        assert_string_equal(b[0], "/init");
        assert_string_equal(b[2], "hi");
        img.entrypoint = NULL;
        img.cmd = NULL;
        assert_int_equal(spec_resolve_command(NULL, &img, &c), -ENOEXEC);
}

static void test_root_defaults(void **state)
{
        Image img = test_image();
        char *cmd[] = {"echo", "hi", NULL};
        char *env[] = {"LANG=de_DE", "FOO=bar", NULL};
        ContainerConfig cfg = {.image = "busybox:test", .command = cmd, .env = env};
        _cleanup_json_ struct json_object *spec = NULL;
        _cleanup_free_ char *err = NULL;

        assert_int_equal(spec_generate(ID, "web", &cfg, &img, &paths, &spec, &err), 0);
        assert_string_equal(json_object_get_string(get(spec, "process.args")), "[ \"echo\", \"hi\" ]");
        struct json_object *e = get(spec, "process.env");
        assert_true(array_has(e, "PATH=/bin"));
        assert_true(array_has(e, "LANG=de_DE")); /* the user's entry wins */
        assert_false(array_has(e, "LANG=C"));
        assert_true(array_has(e, "FOO=bar"));
        assert_true(array_has(e, "HOSTNAME=0123456789ab"));
        assert_string_equal(json_object_get_string(get(spec, "hostname")), "0123456789ab");
        assert_string_equal(json_object_get_string(get(spec, "process.cwd")), "/");
        assert_int_equal(json_object_get_int(get(spec, "process.user.uid")), 0);
        assert_true(json_object_get_boolean(get(spec, "process.noNewPrivileges")));
        struct json_object *eff = get(spec, "process.capabilities.effective");
        assert_int_equal(json_object_array_length(eff), 14);
        assert_true(array_has(eff, "CAP_CHOWN"));
        assert_false(array_has(eff, "CAP_SYS_ADMIN"));
        struct json_object *ann = get(spec, "annotations");
        assert_string_equal(json_get_string(ann, "org.raind.overlay.lowerdir"), "/l/top:/l/bottom");
        assert_string_equal(json_get_string(ann, "org.raind.overlay.upperdir"), "/c/upper");
        struct json_object *ns = get(spec, "linux.namespaces");
        assert_int_equal(json_object_array_length(ns), 6);
        assert_non_null(get(spec, "linux.seccomp.syscalls"));
        assert_true(array_has(get(spec, "linux.maskedPaths"), "/proc/kcore"));
        assert_true(array_has(get(spec, "linux.readonlyPaths"), "/proc/sys"));
}

static void test_options(void **state)
{
        Image img = test_image();
        char *cmd[] = {"id", NULL};
        char *vols[] = {"/srv:/data:ro", "/tmp:/scratch", NULL};
        char *add[] = {"NET_ADMIN", NULL};
        char *drop[] = {"chown", NULL};
        ContainerConfig cfg = {.image = "x:y",
                               .command = cmd,
                               .volumes = vols,
                               .user = "1000:50",
                               .working_dir = "/work",
                               .hostname = "box",
                               .network = "host",
                               .cap_add = add,
                               .cap_drop = drop,
                               .read_only = true};
        _cleanup_json_ struct json_object *spec = NULL;
        _cleanup_free_ char *err = NULL;

        assert_int_equal(spec_generate(ID, "web", &cfg, &img, &paths, &spec, &err), 0);
        assert_int_equal(json_object_get_int(get(spec, "process.user.uid")), 1000);
        assert_int_equal(json_object_get_int(get(spec, "process.user.gid")), 50);
        assert_string_equal(json_object_get_string(get(spec, "process.cwd")), "/work");
        assert_string_equal(json_object_get_string(get(spec, "hostname")), "box");
        assert_true(json_object_get_boolean(get(spec, "root.readonly")));
        /* A non-root user keeps only the bounding set, as with Docker. */
        assert_int_equal(json_object_array_length(get(spec, "process.capabilities.effective")), 0);
        struct json_object *bnd = get(spec, "process.capabilities.bounding");
        assert_true(array_has(bnd, "CAP_NET_ADMIN"));
        assert_false(array_has(bnd, "CAP_CHOWN"));
        /* Host network: no network namespace, /sys bound rather than mounted. */
        struct json_object *ns = get(spec, "linux.namespaces");
        assert_int_equal(json_object_array_length(ns), 5);
        struct json_object *mounts = get(spec, "mounts");
        bool found_ro = false, found_rw = false;
        for (size_t i = 0; i < json_object_array_length(mounts); i++) {
                struct json_object *mnt = json_object_array_get_idx(mounts, i);
                const char *dst = json_get_string(mnt, "destination");
                struct json_object *opts = get(mnt, "options");
                if (streq(dst, "/data"))
                        found_ro = streq(json_get_string(mnt, "source"), "/srv") && array_has(opts, "ro");
                if (streq(dst, "/scratch"))
                        found_rw = !array_has(opts, "ro");
                if (streq(dst, "/sys"))
                        assert_string_equal(json_get_string(mnt, "type"), "bind");
        }
        assert_true(found_ro);
        assert_true(found_rw);
}

static void test_errors(void **state)
{
        Image img = test_image();
        char *cmd[] = {"id", NULL};
        char *bad_cap[] = {"FLY", NULL};
        _cleanup_json_ struct json_object *spec = NULL;
        char *err = NULL;

        ContainerConfig cfg = {.image = "x:y", .command = cmd, .user = "root"};
        assert_int_equal(spec_generate(ID, "web", &cfg, &img, &paths, &spec, &err), -EINVAL);
        assert_string_equal(err, "invalid user 'root', expected UID[:GID]");
        free(err);
        err = NULL;
        ContainerConfig cfg2 = {.image = "x:y", .command = cmd, .cap_add = bad_cap};
        assert_int_equal(spec_generate(ID, "web", &cfg2, &img, &paths, &spec, &err), -EINVAL);
        assert_string_equal(err, "unknown capability to add: FLY");
        free(err);
        err = NULL;
        ContainerConfig cfg3 = {.image = "x:y", .command = cmd, .working_dir = "rel"};
        assert_int_equal(spec_generate(ID, "web", &cfg3, &img, &paths, &spec, &err), -EINVAL);
        free(err);
        assert_null(spec);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_command_resolution),
            cmocka_unit_test(test_root_defaults),
            cmocka_unit_test(test_options),
            cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
