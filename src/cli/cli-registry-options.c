/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>

#include "raind/macro.h"
#include "raind/registry.h"
#include "raind/util.h"
#include "raind/validate.h"

#include "cli-registry-options.h"
#include "cli-usage.h"

TransferOptions *transfer_options_free(TransferOptions *o)
{
        if (!o)
                return NULL;
        free(o->platform);
        free(o->username);
        if (o->password)
                explicit_bzero(o->password, strlen(o->password));
        free(o->password);
        free(o->authfile);
        free(o->image);
        free(o->destination);
        free(o);
        return NULL;
}

int parse_boolean(const char *s, bool *ret)
{
        if (streq(s, "true") || streq(s, "1") || streq(s, "yes")) {
                *ret = true;
                return 0;
        }
        if (streq(s, "false") || streq(s, "0") || streq(s, "no")) {
                *ret = false;
                return 0;
        }
        return -EINVAL;
}

static bool platform_part_is_valid(const char *s, size_t n)
{
        if (n == 0 || n > 32)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
                      s[i] == '-'))
                        return false;
        return true;
}

bool platform_is_valid(const char *s)
{
        size_t parts = 0;

        for (const char *p = s;; parts++) {
                size_t n = strcspn(p, "/");

                if (!platform_part_is_valid(p, n))
                        return false;
                if (!p[n])
                        break;
                p += n + 1;
        }
        return parts == 1 || parts == 2;
}

int creds_parse(const char *s, char **ret_username, char **ret_password, char **ret_error)
{
        _cleanup_free_ char *username = NULL, *password = NULL;
        const char *colon = strchr(s, ':');

        username = colon ? strndup(s, (size_t)(colon - s)) : strdup(s);
        if (!username)
                return -ENOMEM;
        if (isempty(username))
                return usage_text(ret_error, "Invalid --creds: expected USER[:PASSWORD]");
        if (colon) {
                password = strdup(colon + 1);
                if (!password)
                        return -ENOMEM;
        }
        *ret_username = TAKE_PTR(username);
        *ret_password = TAKE_PTR(password);
        return 0;
}

int transfer_options_parse(int argc, char *argv[], bool push, TransferOptions **ret, char **ret_error)
{
        enum { ARG_PLATFORM = 0x100, ARG_TLS_VERIFY, ARG_CREDS, ARG_AUTHFILE };
        static const struct option options[] = {
            {"quiet", no_argument, NULL, 'q'},
            {"platform", required_argument, NULL, ARG_PLATFORM},
            {"tls-verify", optional_argument, NULL, ARG_TLS_VERIFY},
            {"creds", required_argument, NULL, ARG_CREDS},
            {"authfile", required_argument, NULL, ARG_AUTHFILE},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(transfer_options_freep) TransferOptions *o = NULL;
        int c, r, n;

        *ret_error = NULL;
        o = new0(TransferOptions, 1);
        if (!o)
                return -ENOMEM;
        o->tls_verify = true;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":qh", options, NULL)) >= 0)
                switch (c) {
                case 'q':
                        o->quiet = true;
                        break;
                case ARG_PLATFORM:
                        if (push)
                                return usage_text(ret_error, "--platform is for pull only");
                        if (!platform_is_valid(optarg))
                                return usage_text(ret_error,
                                                  "Invalid --platform '%s': expected OS/ARCH[/VARIANT]",
                                                  optarg);
                        if (free_and_strdup(&o->platform, optarg) < 0)
                                return -ENOMEM;
                        break;
                case ARG_TLS_VERIFY:
                        if (optarg && parse_boolean(optarg, &o->tls_verify) < 0)
                                return usage_text(
                                    ret_error, "Invalid --tls-verify '%s': expected true or false", optarg);
                        if (!optarg)
                                o->tls_verify = true;
                        break;
                case ARG_CREDS:
                        free(o->username);
                        free(o->password);
                        o->username = o->password = NULL;
                        r = creds_parse(optarg, &o->username, &o->password, ret_error);
                        if (r < 0)
                                return r;
                        break;
                case ARG_AUTHFILE:
                        if (isempty(optarg))
                                return usage_text(ret_error, "Invalid --authfile: empty");
                        if (free_and_strdup(&o->authfile, optarg) < 0)
                                return -ENOMEM;
                        break;
                case 'h':
                        return TRANSFER_OPTIONS_HELP;
                default:
                        r = getopt_error_text(c, argv, ret_error);
                        return r < 0 ? r : -EINVAL;
                }

        n = argc - optind;
        if (n < 1)
                return usage_text(ret_error, "Missing image reference");
        if (n > (push ? 2 : 1))
                return usage_text(ret_error, "Unexpected argument '%s'", argv[optind + (push ? 2 : 1)]);
        for (int i = optind; i < argc; i++)
                if (!image_reference_is_valid(argv[i]) &&
                    !(push && i == optind && id_prefix_is_valid(argv[i])))
                        return usage_text(ret_error, "Invalid image reference '%s'", argv[i]);
        o->image = strdup(argv[optind]);
        if (!o->image)
                return -ENOMEM;
        if (n == 2) {
                o->destination = strdup(argv[optind + 1]);
                if (!o->destination)
                        return -ENOMEM;
        }

        *ret = TAKE_PTR(o);
        return TRANSFER_OPTIONS_PARSED;
}

int auth_file_path(const char *option, char **ret)
{
        const char *e, *home;
        char *p;

        if (!isempty(option))
                p = strdup(option);
        else if (!isempty(e = getenv("REGISTRY_AUTH_FILE")))
                p = strdup(e);
        else if (!isempty(e = getenv("XDG_CONFIG_HOME"))) {
                if (asprintf(&p, "%s/raind/auth.json", e) < 0)
                        p = NULL;
        } else {
                home = getenv("HOME");
                if (isempty(home))
                        return -ENXIO;
                if (asprintf(&p, "%s/.config/raind/auth.json", home) < 0)
                        p = NULL;
        }
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

int docker_config_path(char **ret)
{
        const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
        int r;

        if (!isempty(dir))
                r = asprintf(ret, "%s/config.json", dir);
        else if (!isempty(home))
                r = asprintf(ret, "%s/.docker/config.json", home);
        else
                return -ENXIO;
        return r < 0 ? -ENOMEM : 0;
}

int login_registry_normalize(const char *name, char **ret)
{
        const char *host;
        char *r;

        if (!name)
                name = REGISTRY_DOCKER_HUB;
        host = startswith(name, "https://") ?: startswith(name, "http://") ?: name;
        r = strndup(host, strcspn(host, "/"));
        if (!r)
                return -ENOMEM;
        if (streq(r, "index.docker.io") || streq(r, "registry-1.docker.io")) {
                free(r);
                r = strdup(REGISTRY_DOCKER_HUB);
                if (!r)
                        return -ENOMEM;
        }
        /* registry_base_url() holds the one rule for what a registry host is. */
        _cleanup_free_ char *url = NULL;
        if (registry_base_url(r, NULL, &url) < 0) {
                free(r);
                return -EINVAL;
        }
        *ret = r;
        return 0;
}

int reference_registry(const char *reference, char **ret)
{
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        int r;

        r = registry_reference_parse(reference, &ref);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(ref->registry);
        return 0;
}

int registry_credentials_find(const char *authfile_option, const char *registry, char **ret_username,
                              char **ret_password)
{
        _cleanup_free_ char *path = NULL, *docker = NULL;
        int r;

        r = auth_file_path(authfile_option, &path);
        if (r < 0 && r != -ENXIO)
                return r;
        if (path) {
                r = registry_auth_load(path, registry, ret_username, ret_password);
                if (r != -ENOENT)
                        return r;
        }
        if (authfile_option)
                return -ENOENT;
        r = docker_config_path(&docker);
        if (r == -ENXIO)
                return -ENOENT;
        if (r < 0)
                return r;
        return registry_auth_load(docker, registry, ret_username, ret_password);
}
