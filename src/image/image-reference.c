/* SPDX-License-Identifier: Apache-2.0 */
#include "raind/image-store.h"
#include "raind/validate.h"

/* The default registry's names, shown in their familiar form as Docker does. */
static const char *const default_registry_prefixes[] = {
    "docker.io/library/",
    "index.docker.io/library/",
    "docker.io/",
    "index.docker.io/",
};

/* A registry's port is a number ("host:5000/name"); image_reference_is_valid() takes any port. */
static bool registry_port_is_valid(const char *ref)
{
        const char *slash = strchr(ref, '/');
        const char *colon = slash ? memchr(ref, ':', (size_t)(slash - ref)) : NULL;

        if (!colon)
                return true;
        if (colon + 1 == slash)
                return false;
        for (const char *p = colon + 1; p < slash; p++)
                if (*p < '0' || *p > '9')
                        return false;
        return true;
}

int image_reference_normalize(const char *ref, char **ret)
{
        _cleanup_free_ char *n = NULL;

        if (isempty(ref) || strlen(ref) > IMAGE_REF_MAX)
                return -EINVAL;

        for (size_t i = 0; i < ELEMENTSOF(default_registry_prefixes); i++) {
                const char *rest = startswith(ref, default_registry_prefixes[i]);
                if (rest && *rest) {
                        ref = rest;
                        break;
                }
        }

        /* A tag is a ':' after the last '/'; a ':' before it belongs to a registry's port. */
        const char *slash = strrchr(ref, '/');
        if (strchr(slash ?: ref, ':'))
                n = strdup(ref);
        else if (asprintf(&n, "%s:latest", ref) < 0)
                n = NULL;
        if (!n)
                return -ENOMEM;
        if (!image_reference_is_valid(n) || !registry_port_is_valid(n))
                return -EINVAL;
        *ret = TAKE_PTR(n);
        return 0;
}
