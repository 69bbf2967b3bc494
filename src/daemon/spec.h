/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>

#include "raind/image-store.h"

typedef struct ContainerConfig ContainerConfig;

typedef struct SpecPaths {
        char **lowerdirs; /* top first */
        const char *upperdir;
        const char *workdir;
        /* The user's ids, resolved in the image (image_resolve_user()); when not set the user must be
         * numeric. */
        bool have_ids;
        uid_t uid;
        gid_t gid;
} SpecPaths;

/* Builds the OCI runtime config (config.json) for a container. Pure: no I/O.
 * On invalid input returns -EINVAL and a message naming the problem. */
int spec_generate(const char *id, const char *name, const ContainerConfig *config, const Image *image,
                  const SpecPaths *paths, struct json_object **ret, char **ret_error);
/* The argv a container runs: the command if given, else the image's Entrypoint + Cmd. */
int spec_resolve_command(char **command, const Image *image, char ***ret);
