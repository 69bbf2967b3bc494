/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "mount-options.h"
#include "raind/macro.h"
#include "seccomp-config.h"

#define CONFIG_FILE_MAX (4U * 1024U * 1024U)

typedef struct MountSpec {
        char *destination; /* absolute, inside the container */
        char *type;
        char *source; /* for bind mounts: absolute on the host */
        MountOptions options;
} MountSpec;

typedef struct NamespaceSpec {
        int type;   /* CLONE_NEW* */
        char *path; /* join this one instead of creating a new one */
} NamespaceSpec;

typedef struct CapabilitySets {
        uint64_t bounding, effective, permitted, inheritable, ambient;
} CapabilitySets;

/* config.json's process: what the container's init runs, and what an exec starts from. */
typedef struct ProcessConfig {
        char **args;
        char **env;
        char *cwd;
        uid_t uid;
        gid_t gid;
        gid_t *additional_gids;
        size_t n_additional_gids;
        bool has_capabilities; /* without process.capabilities, capabilities are left alone */
        CapabilitySets capabilities;
        bool no_new_privileges;
        bool terminal;
} ProcessConfig;

void process_config_done(ProcessConfig *p);

/* What raind-shim takes from an OCI runtime bundle's config.json (the supported subset). */
typedef struct ContainerConfig {
        ProcessConfig process;
        bool stdin_open; /* annotation org.raind.stdin-open: stdin is a pipe the shim writes to */

        char *rootfs; /* absolute */
        bool root_readonly;
        char *hostname;

        MountSpec *mounts;
        size_t n_mounts;
        NamespaceSpec *namespaces;
        size_t n_namespaces;
        unsigned long clone_flags; /* the namespaces to create (those without a path) */
        char **masked_paths;
        char **readonly_paths;
        SeccompConfig *seccomp; /* NULL once compiled: the shim keeps the program only */

        /* org.raind.overlay.* annotations: an overlayfs to mount on rootfs inside the container. */
        char *overlay_lowerdir;
        char *overlay_upperdir;
        char *overlay_workdir;
} ContainerConfig;

ContainerConfig *container_config_free(ContainerConfig *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerConfig *, container_config_free);

/* Reads and validates <bundle>/config.json. */
int container_config_load(const char *bundle, ContainerConfig **ret);
/* The same for an already parsed document; bundle must be absolute. */
int container_config_from_json(struct json_object *root, const char *bundle, ContainerConfig **ret);
/* The CLONE_NEW* flags of every namespace the container's init is in (created or joined). */
unsigned long container_config_namespace_flags(const ContainerConfig *c);
/* The OCI name ("pid", "network", …) of a CLONE_NEW* flag. */
const char *namespace_type_to_string(int type);
