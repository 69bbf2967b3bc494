/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The requests raindd sends on the control socket (see control.h), parsed and validated:
 *   {"type":"attach","stdin":BOOL}
 *   {"type":"exec","args":[…],"env":["K=V",…],"user":"UID[:GID]","cwd":"/dir","tty":BOOL,"stdin":BOOL}
 * Everything but type (and args for exec) may be missing or null. */

#define CONTROL_REQUEST_MAX (64U * 1024U)

typedef enum ControlRequestType {
        CONTROL_REQUEST_ATTACH,
        CONTROL_REQUEST_EXEC,
} ControlRequestType;

typedef struct ControlRequest {
        ControlRequestType type;
        bool stdin;
        bool tty;
        char **args;
        char **env;
        bool has_user;
        uid_t uid;
        gid_t gid;
        char *cwd; /* NULL: the container's */
} ControlRequest;

void control_request_done(ControlRequest *r);
/* Returns 0, or a negative errno with a one-line reason in error_buf (-EINVAL: the request is
 * invalid). */
int control_request_parse(const char *data, size_t size, ControlRequest *ret, char *error_buf,
                          size_t error_size);
