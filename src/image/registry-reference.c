/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>

#include "raind/registry.h"
#include "raind/validate.h"

#define REGISTRY_TAG_MAX 128

RegistryReference *registry_reference_free(RegistryReference *r)
{
        if (!r)
                return NULL;
        free(r->registry);
        free(r->repository);
        free(r->tag);
        free(r->digest);
        free(r);
        return NULL;
}

bool registry_digest_is_valid(const char *digest)
{
        const char *hex = digest ? startswith(digest, "sha256:") : NULL;

        if (!hex || strlen(hex) != 64)
                return false;
        for (const char *p = hex; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

/* Docker's tag grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
static bool tag_is_valid(const char *s, size_t n)
{
        if (n == 0 || n > REGISTRY_TAG_MAX || s[0] == '.' || s[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
                        return false;
        return true;
}

/* host[:port] with host a DNS name, an IPv4 address or a bracketed IPv6 address. */
static bool registry_host_is_valid(const char *s, size_t n)
{
        size_t host_end;

        if (n == 0)
                return false;
        if (s[0] == '[') {
                const char *close = memchr(s, ']', n);
                if (!close || close == s + 1)
                        return false;
                for (const char *p = s + 1; p < close; p++)
                        if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
                                return false;
                host_end = (size_t)(close - s) + 1;
        } else {
                const char *colon = memchr(s, ':', n);
                host_end = colon ? (size_t)(colon - s) : n;
                if (host_end == 0 || s[0] == '.' || s[0] == '-' || s[host_end - 1] == '.' ||
                    s[host_end - 1] == '-')
                        return false;
                for (size_t i = 0; i < host_end; i++)
                        if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-')
                                return false;
        }
        if (host_end == n)
                return true;
        if (s[host_end] != ':' || host_end + 1 == n || n - host_end - 1 > 5)
                return false;
        for (size_t i = host_end + 1; i < n; i++)
                if (!isdigit((unsigned char)s[i]))
                        return false;
        return true;
}

/* Path components of lowercase alphanumerics joined by '.', '_', '__' or runs of '-'. */
static bool repository_is_valid(const char *s)
{
        const char *p = s;

        if (isempty(s))
                return false;
        for (;;) {
                const char *end = strchrnul(p, '/');
                if (end == p)
                        return false;
                for (const char *q = p; q < end; q++) {
                        bool alnum = (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9');
                        if (alnum)
                                continue;
                        if (!strchr("._-", *q))
                                return false;
                        /* A separator sits between alphanumerics. */
                        if (q == p || q + 1 == end)
                                return false;
                        if (*q == '.' && !isalnum((unsigned char)q[1]))
                                return false;
                        if (*q == '_' && q[1] == '_' && (q + 2 == end || !isalnum((unsigned char)q[2])))
                                return false;
                        if (*q == '_' && q[1] == '_')
                                q++;
                        else if (*q == '_' && !isalnum((unsigned char)q[1]))
                                return false;
                }
                if (!*end)
                        return true;
                p = end + 1;
        }
}

/* Docker's rule: the first component names a registry if it has a '.' or ':', is "localhost", or has
 * capitals (no repository may). */
static bool component_is_registry(const char *s, size_t n)
{
        if (n == strlen("localhost") && strncmp(s, "localhost", n) == 0)
                return true;
        for (size_t i = 0; i < n; i++)
                if (s[i] == '.' || s[i] == ':' || s[i] == '[' || isupper((unsigned char)s[i]))
                        return true;
        return false;
}

int registry_reference_parse(const char *s, RegistryReference **ret)
{
        _cleanup_registry_reference_free_ RegistryReference *r = NULL;
        _cleanup_free_ char *name = NULL;
        const char *at, *slash, *colon, *path;

        /* A name as long as image_reference_is_valid() allows, plus "@sha256:<64 hex>". */
        if (isempty(s) || strlen(s) > IMAGE_REF_MAX + strlen("@sha256:") + 64)
                return -EINVAL;
        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;

        at = strchr(s, '@');
        if (at) {
                if (!registry_digest_is_valid(at + 1))
                        return -EINVAL;
                r->digest = strdup(at + 1);
                if (!r->digest)
                        return -ENOMEM;
        }
        name = at ? strndup(s, (size_t)(at - s)) : strdup(s);
        if (!name)
                return -ENOMEM;

        /* A tag is a ':' after the last '/'; one before it belongs to a registry's port. */
        slash = strrchr(name, '/');
        colon = strrchr(slash ?: name, ':');
        if (colon) {
                if (!tag_is_valid(colon + 1, strlen(colon + 1)))
                        return -EINVAL;
                r->tag = strdup(colon + 1);
                if (!r->tag)
                        return -ENOMEM;
                name[colon - name] = '\0';
        } else if (!r->digest) {
                r->tag = strdup("latest");
                if (!r->tag)
                        return -ENOMEM;
        }

        slash = strchr(name, '/');
        if (slash && component_is_registry(name, (size_t)(slash - name))) {
                if (!registry_host_is_valid(name, (size_t)(slash - name)))
                        return -EINVAL;
                r->registry = strndup(name, (size_t)(slash - name));
                path = slash + 1;
        } else {
                r->registry = strdup(REGISTRY_DOCKER_HUB);
                path = name;
        }
        if (!r->registry)
                return -ENOMEM;
        if (streq(r->registry, "index.docker.io") || streq(r->registry, "registry-1.docker.io")) {
                free(r->registry);
                r->registry = strdup(REGISTRY_DOCKER_HUB);
                if (!r->registry)
                        return -ENOMEM;
        }

        if (!repository_is_valid(path) || strlen(path) > IMAGE_REF_MAX)
                return -EINVAL;
        if (streq(r->registry, REGISTRY_DOCKER_HUB) && !strchr(path, '/')) {
                if (asprintf(&r->repository, "library/%s", path) < 0)
                        r->repository = NULL;
        } else
                r->repository = strdup(path);
        if (!r->repository)
                return -ENOMEM;

        *ret = TAKE_PTR(r);
        return 0;
}

int registry_reference_to_string(const RegistryReference *r, char **ret)
{
        char *s;

        if (asprintf(&s, "%s/%s%s%s%s%s", r->registry, r->repository, r->tag ? ":" : "", strempty(r->tag),
                     r->digest ? "@" : "", strempty(r->digest)) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* Loopback is reached without TLS: nobody can sit in between, and local test registries rarely have
 * certificates. */
bool registry_is_loopback(const char *registry)
{
        static const char *const loopback[] = {"localhost", "127.0.0.1", "[::1]", "::1"};

        for (size_t i = 0; i < ELEMENTSOF(loopback); i++) {
                const char *rest = startswith(registry, loopback[i]);
                if (rest && (*rest == '\0' || *rest == ':'))
                        return true;
        }
        return false;
}

int registry_base_url(const char *registry, const RegistryOptions *options, char **ret)
{
        RegistryOptions o = options ? *options : REGISTRY_OPTIONS_DEFAULT;
        const char *scheme, *host;
        char *url;

        if (isempty(registry) || !registry_host_is_valid(registry, strlen(registry)))
                return -EINVAL;

        scheme = !o.tls_verify || registry_is_loopback(registry) ? "http" : "https";
        /* Docker Hub's registry API does not live on the name users write. */
        host = streq(registry, REGISTRY_DOCKER_HUB) ? "registry-1.docker.io" : registry;
        if (asprintf(&url, "%s://%s", scheme, host) < 0)
                return -ENOMEM;
        *ret = url;
        return 0;
}
