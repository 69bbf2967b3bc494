/* SPDX-License-Identifier: Apache-2.0 */
/* `raind image push`: the image's layer blobs and config exactly as stored, then its manifest, so that
 * what arrives has the digests the image has here. */

#include <fcntl.h>

#include "raind/image-pull.h"
#include "raind/json-util.h"
#include "raind/registry.h"
#include "raind/strv.h"

#include "image-internal.h"

typedef struct PushProgress {
        const ImagePushOptions *options;
        const char *reference;
        PullLayerStatus *status;
        size_t n;
        size_t current;
} PushProgress;

static void push_report(PushProgress *p)
{
        if (p->options->progress)
                p->options->progress(p->reference, p->status, p->n, p->options->userdata);
}

static void on_push_progress(uint64_t done, uint64_t total, void *userdata)
{
        PushProgress *p = userdata;

        p->status[p->current].done = done;
        if (total > 0)
                p->status[p->current].total = total;
        push_report(p);
}

static int push_blob(RegistryClient *c, ImageStore *s, const ImageBlob *b, PushProgress *p, char **error)
{
        RegistryDescriptor d = {.media_type = b->media_type, .digest = b->digest, .size = b->size};
        int r;

        _cleanup_close_ int fd = blob_open(s, b->digest);
        if (fd < 0)
                return image_error(error, fd, "cannot open blob %s: %m", b->digest);
        r = registry_blob_exists(c, &d, error);
        if (r < 0)
                return r;
        if (r > 0) {
                p->status[p->current].state = PULL_LAYER_EXISTS;
                p->status[p->current].done = b->size;
                push_report(p);
                return 0;
        }
        p->status[p->current].state = PULL_LAYER_DOWNLOADING; /* "uploading": the same bar */
        push_report(p);
        r = registry_push_blob(c, &d, fd, on_push_progress, p, error);
        if (r < 0)
                return r;
        p->status[p->current].state = PULL_LAYER_DONE;
        p->status[p->current].done = b->size;
        push_report(p);
        return 0;
}

/* The destination: given, else the tag the image was named by (like docker push NAME:TAG), else (named
 * by id) the image's first tag. It must name a tag. */
static int push_destination(const Image *i, const char *name, const char *destination,
                            RegistryReference **ret, char **error)
{
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        _cleanup_free_ char *normalized = NULL;
        const char *dest = destination;

        if (!dest && image_reference_normalize(name, &normalized) >= 0 &&
            strv_contains(i->references, normalized))
                dest = normalized;
        if (!dest && !strv_isempty(i->references))
                dest = i->references[0];

        if (!dest)
                return image_error(error, -EINVAL, "image %.12s has no tag: name a destination", i->id);
        if (registry_reference_parse(dest, &ref) < 0) {
                _cleanup_free_ char *q = image_error_quote(dest);
                return image_error(error, -EINVAL, "invalid destination '%s'", strempty(q));
        }
        if (ref->digest)
                return image_error(error, -EINVAL, "cannot push to a digest reference ('%s'): name a tag",
                                   dest);
        *ret = TAKE_PTR(ref);
        return 0;
}

static int add_digest_reference(ImageStore *s, const RegistryReference *ref, const char *digest,
                                const char *id)
{
        _cleanup_json_ struct json_object *repos = NULL;
        _cleanup_free_ char *full = NULL, *normalized = NULL;
        int r;

        if (asprintf(&full, "%s/%s@%s", ref->registry, ref->repository, digest) < 0)
                return -ENOMEM;
        r = image_reference_normalize(full, &normalized);
        if (r < 0)
                return r;
        _cleanup_close_ int lock = image_store_lock(s);
        if (lock < 0)
                return lock;
        r = repositories_load(s, &repos);
        if (r < 0)
                return r;
        struct json_object *v = json_object_new_string(id);
        if (!v || json_object_object_add(repos, normalized, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return repositories_save(s, repos);
}

int image_store_push(ImageStore *s, const char *ref_or_id, const char *destination,
                     const ImagePushOptions *o, char **ret_digest, char **ret_error)
{
        _cleanup_image_free_ Image *i = NULL;
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        _cleanup_registry_client_free_ RegistryClient *client = NULL;
        _cleanup_free_ char *error = NULL, *manifest = NULL, *digest = NULL, *full = NULL;
        _cleanup_free_ PullLayerStatus *status = NULL;
        size_t n, manifest_size;
        int r;

        r = image_store_lookup(s, ref_or_id, &i);
        if (r == -ENOENT || r == -EINVAL)
                r = image_error(&error, -ENOENT, "no such image: %s", ref_or_id);
        else if (r == -ENOTUNIQ)
                r = image_error(&error, r, "image id prefix %s is ambiguous", ref_or_id);
        else if (r < 0)
                r = image_error(&error, r, "cannot read image %s: %m", ref_or_id);
        if (r >= 0)
                r = push_destination(i, ref_or_id, destination, &ref, &error);
        if (r >= 0 && registry_reference_to_string(ref, &full) < 0)
                r = -ENOMEM;
        if (r >= 0) {
                RegistryOptions ro = REGISTRY_OPTIONS_DEFAULT;
                ro.tls_verify = o->tls_verify;
                ro.username = o->username;
                ro.password = o->password;
                ro.push = true;
                r = registry_client_new(ref, &ro, &client);
                if (r < 0)
                        r = image_error(&error, r, "cannot set up a registry client: %m");
        }
        if (r >= 0) {
                r = blob_read(s, i->manifest.digest, REGISTRY_MANIFEST_SIZE_MAX, &manifest, &manifest_size);
                if (r < 0)
                        r = image_error(&error, r, "cannot read the manifest %s: %m", i->manifest.digest);
        }
        if (r >= 0) {
                n = strv_length(i->layers);
                status = new0(PullLayerStatus, n + 1);
                if (!status)
                        r = -ENOMEM;
        }
        if (r >= 0) {
                PushProgress p = {.options = o, .reference = full, .status = status, .n = n};

                for (size_t k = 0; k < n; k++) {
                        snprintf(status[k].digest, sizeof(status[k].digest), "%s", i->layer_blobs[k].digest);
                        status[k].total = i->layer_blobs[k].size;
                }
                push_report(&p);
                for (size_t k = 0; r >= 0 && k < n; k++) {
                        p.current = k;
                        r = push_blob(client, s, &i->layer_blobs[k], &p, &error);
                        if (r < 0)
                                status[k].state = PULL_LAYER_FAILED;
                }
                /* The config goes last among the blobs; it has no bar of its own. */
                if (r >= 0) {
                        RegistryDescriptor d = {.media_type = i->config.media_type,
                                                .digest = i->config.digest,
                                                .size = i->config.size};
                        _cleanup_close_ int fd = blob_open(s, i->config.digest);
                        r = fd < 0 ? image_error(&error, fd, "cannot open the config blob: %m")
                                   : registry_push_blob(client, &d, fd, NULL, NULL, &error);
                }
                push_report(&p);
        }
        if (r >= 0)
                r = registry_push_manifest(client, ref->tag, i->manifest.media_type, manifest, manifest_size,
                                           &digest, &error);
        if (r >= 0 && !streq(digest, i->manifest.digest))
                r = image_error(&error, -EBADMSG, "the registry stored the manifest as %s, not %s", digest,
                                i->manifest.digest);
        if (r >= 0) {
                r = add_digest_reference(s, ref, digest, i->id);
                if (r < 0)
                        r = image_error(&error, r, "pushed, but cannot record the digest: %m");
        }
        if (r < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(error);
                return r;
        }
        if (ret_digest)
                *ret_digest = TAKE_PTR(digest);
        return 0;
}
