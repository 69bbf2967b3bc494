/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>

#include "image-internal.h"
#include "raind/json-util.h"
#include "raind/registry.h"

static const char *const layer_media_types[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
};

static const char *const config_media_types[] = {
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
};

static bool media_type_in(const char *t, const char *const *list, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (streq(t, list[i]))
                        return true;
        return false;
}

/* Parses exactly size bytes of JSON (no trailing garbage) into an object. */
static int manifest_json_parse(const char *json, size_t size, struct json_object **ret, char **ret_error)
{
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        _cleanup_json_ struct json_object *o = NULL;

        if (size > REGISTRY_MANIFEST_SIZE_MAX)
                return image_error(ret_error, -EFBIG, "manifest is larger than %u bytes",
                                   REGISTRY_MANIFEST_SIZE_MAX);
        if (size == 0 || memchr(json, '\0', size))
                return image_error(ret_error, -EBADMSG, "manifest is empty or not text");
        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, json, (int)size);
        if (!o || json_tokener_get_error(tok) != json_tokener_success)
                return image_error(ret_error, -EBADMSG, "manifest is not valid JSON");
        for (size_t i = tok->char_offset; i < size; i++)
                if (!isspace((unsigned char)json[i]))
                        return image_error(ret_error, -EBADMSG, "manifest has data after its JSON");
        if (!json_object_is_type(o, json_type_object))
                return image_error(ret_error, -EBADMSG, "manifest is not a JSON object");
        *ret = TAKE_PTR(o);
        return 0;
}

int registry_manifest_kind(const char *json, size_t size, const char *content_type,
                           RegistryManifestKind *ret, char **ret_error)
{
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_free_ char *ct = NULL;
        const char *t;
        int r;

        r = manifest_json_parse(json, size, &o, ret_error);
        if (r < 0)
                return r;

        t = json_get_string(o, "mediaType");
        if (!t && content_type) {
                /* "type/subtype; charset=…" */
                ct = strndup(content_type, strcspn(content_type, "; \t"));
                if (!ct)
                        return -ENOMEM;
                t = ct;
        }
        if (!t || streq(t, "application/json") || streq(t, "text/plain")) {
                /* An OCI manifest may leave mediaType out; its shape tells. */
                if (json_object_object_get_ex(o, "manifests", NULL))
                        t = MEDIA_TYPE_OCI_INDEX;
                else if (json_object_object_get_ex(o, "layers", NULL))
                        t = MEDIA_TYPE_OCI_MANIFEST;
                else
                        return image_error(
                            ret_error, -EMEDIUMTYPE,
                            "manifest has no media type and is neither an index nor an image");
        }
        if (streq(t, MEDIA_TYPE_OCI_INDEX) || streq(t, MEDIA_TYPE_DOCKER_LIST))
                *ret = REGISTRY_MANIFEST_INDEX;
        else if (streq(t, MEDIA_TYPE_OCI_MANIFEST) || streq(t, MEDIA_TYPE_DOCKER_MANIFEST))
                *ret = REGISTRY_MANIFEST_IMAGE;
        else {
                _cleanup_free_ char *q = image_error_quote(t);
                return image_error(ret_error, -EMEDIUMTYPE, "unsupported manifest media type '%s'",
                                   q ?: "?");
        }
        return 0;
}

static bool platform_matches(struct json_object *p, const RegistryPlatform *want, bool want_no_variant)
{
        const char *variant = json_get_string(p, "variant");

        if (!streq_ptr(json_get_string(p, "os"), want->os) ||
            !streq_ptr(json_get_string(p, "architecture"), want->architecture))
                return false;
        if (want->variant)
                return streq_ptr(variant, want->variant);
        return !want_no_variant || !variant;
}

int registry_index_select(const char *json, size_t size, const RegistryPlatform *platform, char **ret_digest,
                          char **ret_error)
{
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *manifests;
        RegistryPlatform host;
        size_t n;
        int r;

        if (!platform) {
                r = registry_platform_host(&host);
                if (r < 0)
                        return image_error(ret_error, r, "this machine's architecture has no OCI name");
                platform = &host;
        }

        r = manifest_json_parse(json, size, &o, ret_error);
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "manifests", &manifests) ||
            !json_object_is_type(manifests, json_type_array))
                return image_error(ret_error, -EBADMSG, "index has no 'manifests' array");
        n = json_object_array_length(manifests);
        if (n > REGISTRY_INDEX_ENTRIES_MAX)
                return image_error(ret_error, -E2BIG, "index has more than %u entries",
                                   REGISTRY_INDEX_ENTRIES_MAX);

        /* Two rounds without a variant asked for: an entry without variant first (linux/arm64 may come
         * as v8 and without), then any. */
        for (int round = platform->variant ? 1 : 0; round < 2; round++)
                for (size_t i = 0; i < n; i++) {
                        struct json_object *m = json_object_array_get_idx(manifests, i), *p;
                        const char *digest;

                        if (!json_object_is_type(m, json_type_object))
                                return image_error(ret_error, -EBADMSG, "index entry %zu is not an object",
                                                   i);
                        if (!json_object_object_get_ex(m, "platform", &p) ||
                            !json_object_is_type(p, json_type_object))
                                continue; /* attestations and the like */
                        if (!platform_matches(p, platform, round == 0))
                                continue;
                        digest = json_get_string(m, "digest");
                        if (!registry_digest_is_valid(digest))
                                return image_error(ret_error, -EBADMSG,
                                                   "index entry %zu has no valid sha256 digest", i);
                        char *d = strdup(digest);
                        if (!d)
                                return -ENOMEM;
                        *ret_digest = d;
                        return 0;
                }

        return image_error(ret_error, -ENOENT, "no manifest for %s/%s%s%s in the index", platform->os,
                           platform->architecture, platform->variant ? "/" : "",
                           strempty(platform->variant));
}

static void descriptor_done(RegistryDescriptor *d)
{
        free(d->media_type);
        free(d->digest);
}

RegistryManifest *registry_manifest_free(RegistryManifest *m)
{
        if (!m)
                return NULL;
        free(m->media_type);
        descriptor_done(&m->config);
        for (size_t i = 0; i < m->n_layers; i++)
                descriptor_done(&m->layers[i]);
        free(m->layers);
        free(m);
        return NULL;
}

static int descriptor_parse(struct json_object *o, const char *what, uint64_t size_max,
                            RegistryDescriptor *ret, char **ret_error)
{
        struct json_object *size;
        const char *media_type, *digest;
        int64_t s;

        if (!json_object_is_type(o, json_type_object))
                return image_error(ret_error, -EBADMSG, "manifest %s is not an object", what);
        media_type = json_get_string(o, "mediaType");
        if (isempty(media_type))
                return image_error(ret_error, -EBADMSG, "manifest %s has no media type", what);
        digest = json_get_string(o, "digest");
        if (!registry_digest_is_valid(digest))
                return image_error(ret_error, -EBADMSG, "manifest %s has no valid sha256 digest", what);
        if (!json_object_object_get_ex(o, "size", &size) || !json_object_is_type(size, json_type_int))
                return image_error(ret_error, -EBADMSG, "manifest %s has no size", what);
        s = json_object_get_int64(size);
        if (s < 0)
                return image_error(ret_error, -EBADMSG, "manifest %s has a negative size", what);
        if ((uint64_t)s > size_max)
                return image_error(ret_error, -EFBIG, "manifest %s is larger than %llu bytes", what,
                                   (unsigned long long)size_max);

        ret->media_type = strdup(media_type);
        ret->digest = strdup(digest);
        ret->size = (uint64_t)s;
        if (!ret->media_type || !ret->digest)
                return -ENOMEM;
        return 0;
}

int registry_manifest_parse(const char *json, size_t size, RegistryManifest **ret, char **ret_error)
{
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL;
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *config, *layers, *version;
        RegistryManifestKind kind;
        const char *t;
        size_t n;
        int r;

        r = registry_manifest_kind(json, size, NULL, &kind, ret_error);
        if (r < 0)
                return r;
        if (kind != REGISTRY_MANIFEST_IMAGE)
                return image_error(ret_error, -EMEDIUMTYPE, "manifest is an index, not an image manifest");
        r = manifest_json_parse(json, size, &o, ret_error);
        if (r < 0)
                return r;

        if (!json_object_object_get_ex(o, "schemaVersion", &version) || json_object_get_int64(version) != 2)
                return image_error(ret_error, -EMEDIUMTYPE, "manifest schemaVersion is not 2");

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        t = json_get_string(o, "mediaType");
        m->media_type = strdup(t ?: MEDIA_TYPE_OCI_MANIFEST);
        if (!m->media_type)
                return -ENOMEM;

        if (!json_object_object_get_ex(o, "config", &config))
                return image_error(ret_error, -EBADMSG, "manifest has no config");
        r = descriptor_parse(config, "config", REGISTRY_CONFIG_SIZE_MAX, &m->config, ret_error);
        if (r < 0)
                return r;
        if (!media_type_in(m->config.media_type, config_media_types, ELEMENTSOF(config_media_types))) {
                _cleanup_free_ char *q = image_error_quote(m->config.media_type);
                return image_error(ret_error, -EMEDIUMTYPE,
                                   "manifest config has unsupported media type '%s'", q ?: "?");
        }

        if (!json_object_object_get_ex(o, "layers", &layers) ||
            !json_object_is_type(layers, json_type_array))
                return image_error(ret_error, -EBADMSG, "manifest has no 'layers' array");
        n = json_object_array_length(layers);
        if (n == 0)
                return image_error(ret_error, -EBADMSG, "manifest has no layers");
        if (n > REGISTRY_LAYERS_MAX)
                return image_error(ret_error, -E2BIG, "manifest has %zu layers, more than %u", n,
                                   REGISTRY_LAYERS_MAX);
        m->layers = calloc(n, sizeof(RegistryDescriptor));
        if (!m->layers)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char what[32];

                snprintf(what, sizeof(what), "layer %zu", i);
                r = descriptor_parse(json_object_array_get_idx(layers, i), what, REGISTRY_LAYER_SIZE_MAX,
                                     &m->layers[i], ret_error);
                m->n_layers = i + 1; /* freed with m even when half filled */
                if (r < 0)
                        return r;
                if (!media_type_in(m->layers[i].media_type, layer_media_types,
                                   ELEMENTSOF(layer_media_types))) {
                        _cleanup_free_ char *q = image_error_quote(m->layers[i].media_type);
                        return image_error(ret_error, -EMEDIUMTYPE,
                                           "layer %zu has unsupported media type '%s'", i, q ?: "?");
                }
        }

        *ret = TAKE_PTR(m);
        return 0;
}
