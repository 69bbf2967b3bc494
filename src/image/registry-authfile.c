/* SPDX-License-Identifier: Apache-2.0 */
/* Credentials in the "auths" object of a docker config.json (also what podman's auth.json holds):
 * {"auths": {"registry": {"auth": base64("user:password")}}}. */
#include <libgen.h>

#include "raind/base64.h"
#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/registry.h"

#define AUTH_FILE_SIZE_MAX  (4U << 20)
#define CREDENTIAL_SIZE_MAX 4096
#define DOCKER_HUB_AUTH_KEY "https://index.docker.io/v1/"

/* Docker writes keys as URLs ("https://index.docker.io/v1/"), podman as bare hosts: compare the host. */
static bool auth_key_matches(const char *key, const char *registry)
{
        const char *host = startswith(key, "https://") ?: startswith(key, "http://") ?: key;
        size_t n = strcspn(host, "/");

        if (strlen(registry) == n && strncmp(host, registry, n) == 0)
                return true;
        if (!streq(registry, REGISTRY_DOCKER_HUB))
                return false;
        return (n == strlen("index.docker.io") && strncmp(host, "index.docker.io", n) == 0) ||
               (n == strlen("registry-1.docker.io") && strncmp(host, "registry-1.docker.io", n) == 0);
}

/* The key of registry's entry in auths: the exact name first, then any alias. NULL if none. */
static const char *auth_find_key(struct json_object *auths, const char *registry)
{
        const char *found = NULL;

        if (json_object_object_get_ex(auths, registry, NULL))
                return registry;
        json_object_object_foreach(auths, key, value)
        {
                (void)value;
                if (!found && auth_key_matches(key, registry))
                        found = key;
        }
        return found;
}

static int auth_file_read(const char *path, struct json_object **ret)
{
        _cleanup_json_ struct json_object *o = NULL;
        int r;

        r = json_read_file(path, AUTH_FILE_SIZE_MAX, &o);
        if (r < 0)
                return r;
        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        *ret = TAKE_PTR(o);
        return 0;
}

/* auths of o, created when missing and create is true; -EBADMSG if it is not an object. */
static int auth_file_auths(struct json_object *o, bool create, struct json_object **ret)
{
        struct json_object *auths;

        if (!json_object_object_get_ex(o, "auths", &auths)) {
                if (!create)
                        return -ENOENT;
                auths = json_object_new_object();
                if (!auths)
                        return -ENOMEM;
                if (json_object_object_add(o, "auths", auths) < 0) {
                        json_object_put(auths);
                        return -ENOMEM;
                }
        }
        if (!json_object_is_type(auths, json_type_object))
                return -EBADMSG;
        *ret = auths;
        return 0;
}

static bool credential_is_valid(const char *s)
{
        size_t n = strlen(s);

        if (n > CREDENTIAL_SIZE_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                        return false;
        return true;
}

int registry_auth_load(const char *path, const char *registry, char **ret_username, char **ret_password)
{
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_free_ char *username = NULL, *password = NULL;
        struct json_object *auths, *entry;
        const char *key, *auth;
        int r;

        r = auth_file_read(path, &o);
        if (r < 0)
                return r;
        r = auth_file_auths(o, false, &auths);
        if (r < 0)
                return r;
        key = auth_find_key(auths, registry);
        if (!key || !json_object_object_get_ex(auths, key, &entry) ||
            !json_object_is_type(entry, json_type_object))
                return -ENOENT;

        auth = json_get_string(entry, "auth");
        if (!isempty(auth)) {
                _cleanup_free_ char *decoded = NULL;
                char *colon;

                r = base64_decode(auth, strlen(auth), (void **)&decoded, NULL);
                if (r < 0)
                        return r == -ENOMEM ? r : -EBADMSG;
                colon = strchr(decoded, ':');
                if (!colon)
                        return -EBADMSG;
                username = strndup(decoded, (size_t)(colon - decoded));
                password = strdup(colon + 1);
        } else {
                const char *u = json_get_string(entry, "username"), *p = json_get_string(entry, "password");

                /* An entry without credentials: a credential helper keeps them, which we do not ask. */
                if (isempty(u) || !p)
                        return -ENOENT;
                username = strdup(u);
                password = strdup(p);
        }
        if (!username || !password)
                return -ENOMEM;
        if (isempty(username) || !credential_is_valid(username) || !credential_is_valid(password))
                return -EBADMSG;

        *ret_username = TAKE_PTR(username);
        *ret_password = TAKE_PTR(password);
        return 0;
}

static int auth_file_write(const char *path, struct json_object *o)
{
        _cleanup_free_ char *dir = strdup(path);
        int r;

        if (!dir)
                return -ENOMEM;
        /* The directory holds secrets: new ones are made private; existing ones are left as they are. */
        r = mkdir_p(dirname(dir), 0700);
        if (r < 0)
                return r;
        return json_write_file_atomic(
            path, o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int json_set_string(struct json_object *o, const char *key, const char *value)
{
        struct json_object *s = json_object_new_string(value);

        if (!s)
                return -ENOMEM;
        if (json_object_object_add(o, key, s) < 0) {
                json_object_put(s);
                return -ENOMEM;
        }
        return 0;
}

int registry_auth_store(const char *path, const char *registry, const char *username, const char *password)
{
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_free_ char *url = NULL, *pair = NULL, *auth = NULL;
        struct json_object *auths, *entry;
        const char *key;
        int r;

        if (registry_base_url(registry, NULL, &url) < 0)
                return -EINVAL;
        if (isempty(username) || strchr(username, ':') || !credential_is_valid(username) || !password ||
            !credential_is_valid(password))
                return -EINVAL;

        r = auth_file_read(path, &o);
        if (r == -ENOENT) {
                o = json_object_new_object();
                if (!o)
                        return -ENOMEM;
        } else if (r < 0)
                return r; /* a file we cannot read is not ours to overwrite */
        r = auth_file_auths(o, true, &auths);
        if (r < 0)
                return r;

        key = auth_find_key(auths, registry);
        if (!key)
                key = streq(registry, REGISTRY_DOCKER_HUB) ? DOCKER_HUB_AUTH_KEY : registry;
        if (!json_object_object_get_ex(auths, key, &entry) ||
            !json_object_is_type(entry, json_type_object)) {
                entry = json_object_new_object();
                if (!entry)
                        return -ENOMEM;
                if (json_object_object_add(auths, key, entry) < 0) {
                        json_object_put(entry);
                        return -ENOMEM;
                }
        }

        if (asprintf(&pair, "%s:%s", username, password) < 0)
                return -ENOMEM;
        r = base64_encode(pair, strlen(pair), &auth);
        explicit_bzero(pair, strlen(pair));
        if (r < 0)
                return r;
        r = json_set_string(entry, "auth", auth);
        if (r < 0)
                return r;
        /* Other fields stay; these two would otherwise tell an older story than "auth". */
        if (json_object_object_get_ex(entry, "username", NULL) &&
            (r = json_set_string(entry, "username", username)) < 0)
                return r;
        if (json_object_object_get_ex(entry, "password", NULL) &&
            (r = json_set_string(entry, "password", password)) < 0)
                return r;

        return auth_file_write(path, o);
}

int registry_auth_remove(const char *path, const char *registry)
{
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *auths;
        const char *key;
        bool removed = false;
        int r;

        r = auth_file_read(path, &o);
        if (r < 0)
                return r;
        r = auth_file_auths(o, false, &auths);
        if (r < 0)
                return r;
        /* Every alias goes: a leftover one would still log us in. */
        while ((key = auth_find_key(auths, registry))) {
                json_object_object_del(auths, key);
                removed = true;
        }
        if (!removed)
                return -ENOENT;
        return auth_file_write(path, o);
}
