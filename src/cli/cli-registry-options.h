/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "raind/macro.h"

/* The command lines of "raind image pull" and "push", and where registry credentials come from. */

typedef struct TransferOptions {
        bool quiet;        /* -q: print the image id only (pull) */
        bool tls_verify;   /* --tls-verify[=BOOL], true unless said otherwise */
        char *platform;    /* --platform os/arch[/variant] (pull) */
        char *username;    /* --creds USER[:PASS] */
        char *password;    /* NULL when --creds gave no password */
        char *authfile;    /* --authfile */
        char *image;       /* pull: the reference; push: the local image */
        char *destination; /* push: where to, NULL for the image's own reference */
} TransferOptions;

TransferOptions *transfer_options_free(TransferOptions *o);
DEFINE_TRIVIAL_CLEANUP_FUNC(TransferOptions *, transfer_options_free);

enum {
        TRANSFER_OPTIONS_PARSED = 0,
        TRANSFER_OPTIONS_HELP = 1,
};

/* argv[0] is the verb. Returns TRANSFER_OPTIONS_PARSED with *ret set, TRANSFER_OPTIONS_HELP, or
 * -EINVAL with *ret_error (-ENOMEM otherwise). */
int transfer_options_parse(int argc, char *argv[], bool push, TransferOptions **ret, char **ret_error);

/* "true", "false", "1", "0", "yes", "no"; -EINVAL otherwise. */
int parse_boolean(const char *s, bool *ret);

/* "os/arch" or "os/arch/variant", each part lowercase letters, digits, '_' or '-'. */
bool platform_is_valid(const char *s);

/* --creds: "USER:PASS" splits at the first ':'; "USER" alone leaves *ret_password NULL. */
int creds_parse(const char *s, char **ret_username, char **ret_password, char **ret_error);

/* The auth file logins are stored in: option (--authfile) if set, else $REGISTRY_AUTH_FILE, else
 * ${XDG_CONFIG_HOME:-$HOME/.config}/raind/auth.json. */
int auth_file_path(const char *option, char **ret);

/* Docker's: $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json. */
int docker_config_path(char **ret);

/* The registry host a login is for: "docker.io" when name is NULL; "https://index.docker.io/v1/",
 * "registry-1.docker.io" → "docker.io"; a scheme and a path are dropped ("http://h:5000/x" → "h:5000").
 * -EINVAL when no valid host is left. */
int login_registry_normalize(const char *name, char **ret);

/* The registry of an image reference ("busybox" → "docker.io", "localhost:5000/x" → "localhost:5000"). */
int reference_registry(const char *reference, char **ret);

/* The stored credentials for registry: from the auth file (auth_file_path(authfile_option)), else,
 * when no --authfile was given, from Docker's config. -ENOENT when there are none. */
int registry_credentials_find(const char *authfile_option, const char *registry, char **ret_username,
                              char **ret_password);
