/* SPDX-License-Identifier: Apache-2.0 */
/* The local store's names for references, on top of the one grammar, registry_reference_parse(). */

#include "raind/image-store.h"
#include "raind/registry.h"
#include "raind/validate.h"

#define LIBRARY_PREFIX "library/"

/* Docker's familiar form: the default registry and its "library/" namespace are left out. A digest
 * pins the image, so a tag given along with it says nothing more and is dropped. */
static int reference_format(const RegistryReference *r, bool familiar, char **ret)
{
        _cleanup_free_ char *name = NULL, *s = NULL;
        const char *repository = r->repository;

        if (familiar && streq(r->registry, REGISTRY_DOCKER_HUB)) {
                const char *rest = startswith(repository, LIBRARY_PREFIX);
                if (rest && !strchr(rest, '/'))
                        repository = rest;
                name = strdup(repository);
        } else if (asprintf(&name, "%s/%s", r->registry, repository) < 0)
                name = NULL;
        if (!name)
                return -ENOMEM;

        /* The name and tag fit in IMAGE_REF_MAX; a digest adds its fixed length. */
        if (r->digest) {
                if (strlen(name) > IMAGE_REF_MAX)
                        return -EINVAL;
                if (asprintf(&s, "%s@%s", name, r->digest) < 0)
                        return -ENOMEM;
        } else {
                if (asprintf(&s, "%s:%s", name, r->tag) < 0)
                        return -ENOMEM;
                if (strlen(s) > IMAGE_REF_MAX)
                        return -EINVAL;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

static int reference_parse_format(const char *ref, bool familiar, char **ret)
{
        _cleanup_registry_reference_free_ RegistryReference *parsed = NULL;
        int r;

        r = registry_reference_parse(ref, &parsed);
        if (r < 0)
                return r;
        return reference_format(parsed, familiar, ret);
}

int image_reference_normalize(const char *ref, char **ret)
{
        return reference_parse_format(ref, true, ret);
}

int image_reference_full(const char *ref, char **ret)
{
        return reference_parse_format(ref, false, ret);
}
