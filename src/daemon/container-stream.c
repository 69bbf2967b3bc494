/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "container-stream.h"
#include "container.h"
#include "events.h"
#include "manager.h"
#include "polkit.h"
#include "raind/bus-errors.h"
#include "raind/json-util.h"
#include "raind/log.h"
#include "raind/strv.h"
#include "raind/util.h"
#include "raind/validate.h"

/* Attach and Exec: raindd asks the container's shim, over its control socket, to serve one end of a
 * new socketpair, and hands the other end to the client. The bytes never pass through raindd. */

#define SHIM_CONTROL_TIMEOUT_USEC (5 * 1000000ULL)

static int shim_control_request(Container *c, struct json_object *request, int fd, char **ret_error)
{
        _cleanup_free_ char *dir = container_runtime_dir(c);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        struct timeval tv = {.tv_sec = SHIM_CONTROL_TIMEOUT_USEC / 1000000};
        char reply[1024];

        if (!dir)
                return -ENOMEM;
        if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/control", dir) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;

        _cleanup_close_ int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (s < 0)
                return -errno;
        (void)setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        (void)setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return -errno;

        const char *json = json_object_to_json_string_ext(request, JSON_C_TO_STRING_PLAIN);
        struct iovec iov = {.iov_base = (void *)json, .iov_len = strlen(json)};
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control)};
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        if (sendmsg(s, &mh, MSG_NOSIGNAL) < 0)
                return -errno;

        ssize_t n = recv(s, reply, sizeof(reply) - 1, 0);
        if (n < 0)
                return -errno;
        reply[n] = 0;
        if (streq(reply, "ok"))
                return 0;
        if (ret_error)
                *ret_error =
                    strdup(startswith(reply, "err ") ?: (n == 0 ? "raind-shim closed the request" : reply));
        return -EIO;
}

static int serve_stream(Container *c, sd_bus_message *m, struct json_object *request, sd_bus_error *error)
{
        _cleanup_close_pair_ int pair[2] = {-EBADF, -EBADF};
        _cleanup_free_ char *message = NULL;

        if (c->state != CONTAINER_RUNNING)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_RUNNING, "Container %s is not running.",
                                         c->name);
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        int r = shim_control_request(c, request, pair[1], &message);
        if (r == -EIO)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_RUNNING, "Container %s: %s", c->name,
                                         message ?: "request refused");
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot reach raind-shim of container %s: %m",
                                               c->name);
        return sd_bus_reply_method_return(m, "h", pair[0]);
}

int method_attach(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Container *c = userdata;
        int stdin_wanted = true, r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (!streq(key, "Stdin"))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%s'.",
                                                 key);
                r = sd_bus_message_read(m, "v", "b", &stdin_wanted);
                if (r < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                                "Option 'Stdin' must be a boolean.");
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;

        r = polkit_verify_async(c->manager, m, POLKIT_ACTION_EXEC, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        _cleanup_json_ struct json_object *req = json_object_new_object();
        json_object_object_add(req, "type", json_object_new_string("attach"));
        json_object_object_add(req, "stdin", json_object_new_boolean(stdin_wanted && c->config.open_stdin));
        return serve_stream(c, m, req, error);
}

typedef struct ExecOptions {
        char **env;
        char *user;
        char *working_dir;
        int tty;
        int stdin_open;
} ExecOptions;

static void exec_options_done(ExecOptions *o)
{
        strv_free(o->env);
        free(o->user);
        free(o->working_dir);
}

static int read_exec_options(sd_bus_message *m, ExecOptions *o, sd_bus_error *error)
{
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key, *s;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "Env")) {
                        r = sd_bus_message_enter_container(m, 'v', "as");
                        if (r >= 0)
                                r = sd_bus_message_read_strv(m, &o->env);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(m);
                } else if (streq(key, "User") || streq(key, "WorkingDir")) {
                        r = sd_bus_message_read(m, "v", "s", &s);
                        if (r >= 0)
                                r = free_and_strdup(streq(key, "User") ? &o->user : &o->working_dir, s);
                } else if (streq(key, "Tty"))
                        r = sd_bus_message_read(m, "v", "b", &o->tty);
                else if (streq(key, "Stdin"))
                        r = sd_bus_message_read(m, "v", "b", &o->stdin_open);
                else
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%s'.",
                                                 key);
                if (r < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Option '%s' has the wrong type.", key);
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;

        if (strv_length(o->env) > ENV_MAX)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Too many environment entries.");
        STRV_FOREACH (e, o->env)
                if (!env_assignment_is_valid(*e))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Invalid environment entry '%s', expected KEY=VALUE.", *e);
        if (o->user) {
                uid_t uid;
                gid_t gid;
                bool has_gid;
                if (parse_user(o->user, &uid, &gid, &has_gid) < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Invalid user '%s', expected UID[:GID].", o->user);
        }
        if (o->working_dir && !path_is_safe_absolute(o->working_dir))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Working directory '%s' must be an absolute path.", o->working_dir);
        return 0;
}

int method_exec(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Container *c = userdata;
        _cleanup_strv_free_ char **command = NULL;
        _cleanup_(exec_options_done) ExecOptions o = {};
        int r;

        r = sd_bus_message_read_strv(m, &command);
        if (r < 0)
                return r;
        if (strv_isempty(command))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "No command given to exec.");
        if (strv_length(command) > ARGV_MAX)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Too many command arguments.");
        r = read_exec_options(m, &o, error);
        if (r < 0)
                return r;

        r = polkit_verify_async(c->manager, m, POLKIT_ACTION_EXEC, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        _cleanup_json_ struct json_object *req = json_object_new_object();
        json_object_object_add(req, "type", json_object_new_string("exec"));
        json_object_object_add(req, "args", json_new_strv(command));
        json_object_object_add(req, "env", json_new_strv(o.env));
        json_add_string(req, "user", o.user);
        json_add_string(req, "cwd", o.working_dir);
        json_object_object_add(req, "tty", json_object_new_boolean(o.tty));
        json_object_object_add(req, "stdin", json_object_new_boolean(o.stdin_open));
        log_info("Exec in container %s: %s", c->name, command[0]);
        return serve_stream(c, m, req, error);
}
