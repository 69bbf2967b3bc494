/* SPDX-License-Identifier: Apache-2.0 */
/* `raind image pull`: manifest (through an index, for the platform), config, then the layers, a few
 * at a time, each downloaded into root/downloads/<hex> (locked, resumable), verified, moved into
 * blobs/ and unpacked into layers/<diff_id>; the image record and tags come last. */

#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "raind/fileio.h"
#include "raind/image-pull.h"
#include "raind/json-util.h"
#include "raind/registry.h"
#include "raind/strv.h"
#include "raind/util.h"

#include "image-internal.h"

#define PULL_PARALLEL_DEFAULT 3
#define PULL_PARALLEL_MAX     16
#define PROGRESS_INTERVAL_NS  (100 * 1000 * 1000)

static const char *const layer_state_table[_PULL_LAYER_STATE_MAX] = {
    [PULL_LAYER_WAITING] = "waiting",       [PULL_LAYER_DOWNLOADING] = "downloading",
    [PULL_LAYER_EXTRACTING] = "extracting", [PULL_LAYER_DONE] = "done",
    [PULL_LAYER_EXISTS] = "exists",         [PULL_LAYER_FAILED] = "failed",
};

const char *pull_layer_state_to_string(PullLayerState s)
{
        return s >= 0 && s < _PULL_LAYER_STATE_MAX ? layer_state_table[s] : NULL;
}

typedef struct Pull {
        ImageStore *store;
        RegistryClient *client;
        const ImagePullOptions *options;
        const char *reference; /* fully qualified, for progress */
        const RegistryManifest *manifest;
        char **diff_ids; /* hex, from the config */

        pthread_mutex_t lock;
        pthread_cond_t changed;
        PullLayerStatus *status;
        size_t next;    /* next layer to start */
        size_t running; /* threads still working */
        bool dirty;
        char **created_layers; /* what this pull added, to undo on failure */
        char **created_blobs;
        int error;
        char *error_message;
} Pull;

static void pull_set_error(Pull *p, int r, char *message)
{
        pthread_mutex_lock(&p->lock);
        if (p->error >= 0) {
                p->error = r;
                p->error_message = message;
                message = NULL;
        }
        pthread_mutex_unlock(&p->lock);
        free(message);
}

static void pull_set_state(Pull *p, size_t k, PullLayerState state)
{
        pthread_mutex_lock(&p->lock);
        p->status[k].state = state;
        if (state == PULL_LAYER_DONE || state == PULL_LAYER_EXISTS)
                p->status[k].done = p->status[k].total;
        p->dirty = true;
        pthread_cond_signal(&p->changed);
        pthread_mutex_unlock(&p->lock);
}

typedef struct LayerProgress {
        Pull *pull;
        size_t index;
} LayerProgress;

static void on_blob_progress(uint64_t done, uint64_t total, void *userdata)
{
        LayerProgress *lp = userdata;
        Pull *p = lp->pull;

        pthread_mutex_lock(&p->lock);
        p->status[lp->index].done = done;
        if (total > 0)
                p->status[lp->index].total = total;
        p->dirty = true;
        pthread_mutex_unlock(&p->lock);
}

static void pull_created(Pull *p, char ***list, const char *s)
{
        pthread_mutex_lock(&p->lock);
        (void)strv_extend(list, s);
        pthread_mutex_unlock(&p->lock);
}

/* Unpacks the blob into layers/<diff_id>, checking that the diff_id is what the config says. */
static int layer_extract(Pull *p, size_t k, char **error)
{
        const RegistryDescriptor *d = &p->manifest->layers[k];
        LayerUnpackResult result = {};
        bool created = false;
        int r;

        _cleanup_close_ int fd = blob_open(p->store, d->digest);
        if (fd < 0)
                return image_error(error, fd, "cannot open blob %s: %m", d->digest);
        r = layer_import(p->store, fd, -EBADF, &result, &created, error);
        if (r < 0) {
                _cleanup_free_ char *why = *error ? strdup(*error) : NULL;
                return image_error(error, r, "layer %s: %s", d->digest, why ?: strerror(-r));
        }
        if (!streq(result.diff_id, p->diff_ids[k])) {
                if (created)
                        (void)layer_remove(p->store, result.diff_id);
                return image_error(error, -EBADMSG,
                                   "layer %s unpacks to sha256:%s, but the image config says sha256:%s",
                                   d->digest, result.diff_id, p->diff_ids[k]);
        }
        if (created)
                pull_created(p, &p->created_layers, result.diff_id);
        return 0;
}

static int layer_pull(Pull *p, size_t k, char **error)
{
        const RegistryDescriptor *d = &p->manifest->layers[k];
        int r;

        if (blob_exists(p->store, d->digest) && layer_is_complete(p->store, p->diff_ids[k])) {
                pull_set_state(p, k, PULL_LAYER_EXISTS);
                return 0;
        }

        /* Waits while another pull downloads the same blob; then it is there. */
        _cleanup_close_ int fd = blob_download_open(p->store, d->digest);
        if (fd < 0)
                return image_error(error, fd, "cannot open a download file for %s: %m", d->digest);

        bool fetched = false;
        if (!blob_exists(p->store, d->digest)) {
                LayerProgress lp = {p, k};

                pull_set_state(p, k, PULL_LAYER_DOWNLOADING);
                r = registry_fetch_blob(p->client, d, fd, on_blob_progress, &lp, error);
                if (r == -EBADMSG)
                        /* What arrived is not the blob: nothing of it is kept. */
                        (void)blob_download_discard(p->store, d->digest);
                if (r < 0)
                        return r;
                r = blob_download_commit(p->store, d->digest);
                if (r < 0)
                        return image_error(error, r, "cannot store blob %s: %m", d->digest);
                pull_created(p, &p->created_blobs, d->digest);
                fetched = true;
        }
        if (!layer_is_complete(p->store, p->diff_ids[k])) {
                pull_set_state(p, k, PULL_LAYER_EXTRACTING);
                r = layer_extract(p, k, error);
                if (r < 0)
                        return r;
                fetched = true;
        }
        pull_set_state(p, k, fetched ? PULL_LAYER_DONE : PULL_LAYER_EXISTS);
        return 0;
}

static void *layer_thread(void *userdata)
{
        Pull *p = userdata;

        for (;;) {
                _cleanup_free_ char *error = NULL;
                size_t k;

                pthread_mutex_lock(&p->lock);
                k = p->error < 0 ? p->manifest->n_layers : p->next++;
                pthread_mutex_unlock(&p->lock);
                if (k >= p->manifest->n_layers)
                        break;

                int r = layer_pull(p, k, &error);
                if (r < 0) {
                        pull_set_state(p, k, PULL_LAYER_FAILED);
                        if (!error)
                                (void)image_error(&error, r, "layer %s: %m", p->manifest->layers[k].digest);
                        pull_set_error(p, r, TAKE_PTR(error));
                }
        }

        pthread_mutex_lock(&p->lock);
        p->running--;
        pthread_cond_signal(&p->changed);
        pthread_mutex_unlock(&p->lock);
        return NULL;
}

static void pull_report(Pull *p)
{
        size_t n = p->manifest->n_layers;
        PullLayerStatus copy[REGISTRY_LAYERS_MAX];

        if (!p->options->progress)
                return;
        pthread_mutex_lock(&p->lock);
        memcpy(copy, p->status, n * sizeof(PullLayerStatus));
        p->dirty = false;
        pthread_mutex_unlock(&p->lock);
        p->options->progress(p->reference, copy, n, p->options->userdata);
}

static int pull_layers(Pull *p, char **error)
{
        size_t n = p->manifest->n_layers;
        unsigned parallel = p->options->parallel ?: PULL_PARALLEL_DEFAULT;
        pthread_t threads[PULL_PARALLEL_MAX];
        size_t started = 0;

        parallel = MIN(parallel, PULL_PARALLEL_MAX);
        parallel = MIN((size_t)parallel, n);

        p->status = new0(PullLayerStatus, n);
        if (!p->status)
                return -ENOMEM;
        for (size_t k = 0; k < n; k++) {
                snprintf(p->status[k].digest, sizeof(p->status[k].digest), "%s",
                         p->manifest->layers[k].digest);
                p->status[k].total = p->manifest->layers[k].size;
        }
        pull_report(p);

        pthread_mutex_lock(&p->lock);
        for (; started < parallel; started++) {
                if (pthread_create(&threads[started], NULL, layer_thread, p) != 0)
                        break;
                p->running++;
        }
        if (started == 0) {
                pthread_mutex_unlock(&p->lock);
                return image_error(error, -EAGAIN, "cannot start a download thread");
        }
        while (p->running > 0) {
                struct timespec deadline;

                clock_gettime(CLOCK_REALTIME, &deadline);
                deadline.tv_nsec += PROGRESS_INTERVAL_NS;
                if (deadline.tv_nsec >= 1000000000) {
                        deadline.tv_sec++;
                        deadline.tv_nsec -= 1000000000;
                }
                (void)pthread_cond_timedwait(&p->changed, &p->lock, &deadline);
                if (p->dirty) {
                        pthread_mutex_unlock(&p->lock);
                        pull_report(p);
                        pthread_mutex_lock(&p->lock);
                }
        }
        pthread_mutex_unlock(&p->lock);
        for (size_t t = 0; t < started; t++)
                (void)pthread_join(threads[t], NULL);
        pull_report(p);

        if (p->error < 0) {
                *error = TAKE_PTR(p->error_message);
                return p->error;
        }
        return 0;
}

/* ---- manifest and config ---- */

static int platform_parse(const char *s, char **buf, RegistryPlatform *ret)
{
        char *os, *arch, *variant;

        *buf = strdup(s);
        if (!*buf)
                return -ENOMEM;
        os = *buf;
        arch = strchr(os, '/');
        if (!arch)
                return -EINVAL;
        *arch++ = 0;
        variant = strchr(arch, '/');
        if (variant)
                *variant++ = 0;
        if (isempty(os) || isempty(arch) || (variant && (isempty(variant) || strchr(variant, '/'))))
                return -EINVAL;
        *ret = (RegistryPlatform){.os = os, .architecture = arch, .variant = variant};
        return 0;
}

/* Fetches a small blob (the config) into memory, digest checked. */
static int fetch_small_blob(RegistryClient *c, const RegistryDescriptor *d, size_t max, char **ret,
                            size_t *ret_size, char **error)
{
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        if (d->size > max)
                return image_error(error, -EFBIG, "blob %s is too large (%" PRIu64 " bytes)", d->digest,
                                   d->size);
        _cleanup_close_ int fd = memfd_create("raind-blob", MFD_CLOEXEC);
        if (fd < 0)
                return image_error(error, -errno, "cannot create a memfd: %m");
        r = registry_fetch_blob(c, d, fd, NULL, NULL, error);
        if (r < 0)
                return r;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        r = read_full_fd(fd, max, &data, &size);
        if (r < 0)
                return image_error(error, r, "cannot read blob %s: %m", d->digest);
        *ret = TAKE_PTR(data);
        *ret_size = size;
        return 0;
}

static int config_diff_ids(const char *config, size_t size, size_t n_layers, char ***ret, char **error)
{
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_strv_free_ char **l = NULL;
        struct json_object *rootfs;
        int r;

        r = image_json_parse(config, size, &o);
        if (r < 0 || !json_object_is_type(o, json_type_object) ||
            !json_object_object_get_ex(o, "rootfs", &rootfs) || json_get_strv(rootfs, "diff_ids", &l) < 0)
                return image_error(error, -EBADMSG, "the image config is malformed (no rootfs.diff_ids)");
        if (strv_length(l) != n_layers)
                return image_error(error, -EBADMSG, "the image config names %zu layers, the manifest %zu",
                                   strv_length(l), n_layers);
        for (char **d = l; *d; d++) {
                const char *hex = digest_hex(*d);
                if (!hex)
                        return image_error(error, -EBADMSG, "the image config has an invalid diff_id");
                memmove(*d, hex, strlen(hex) + 1);
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* A platform asked for must be the image's: a single-platform image names its own in its config. */
static int config_check_platform(const char *config, size_t size, const char *platform, char **error)
{
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_free_ char *buf = NULL, *have = NULL;
        RegistryPlatform want;

        if (!platform)
                return 0;
        if (platform_parse(platform, &buf, &want) < 0)
                return image_error(error, -EINVAL, "invalid platform '%s', expected os/arch[/variant]",
                                   platform);
        if (image_json_parse(config, size, &o) < 0)
                return image_error(error, -EBADMSG, "the image config is malformed");
        const char *os = json_get_string(o, "os"), *arch = json_get_string(o, "architecture"),
                   *variant = json_get_string(o, "variant");
        if (streq_ptr(os, want.os) && streq_ptr(arch, want.architecture) &&
            (!want.variant || streq_ptr(variant, want.variant)))
                return 0;
        if (asprintf(&have, "%s/%s%s%s", strempty(os), strempty(arch), variant ? "/" : "",
                     strempty(variant)) < 0)
                return -ENOMEM;
        return image_error(error, -ENXIO, "the image is for %s, not %s", have, platform);
}

typedef struct Resolved {
        char *manifest;
        size_t manifest_size;
        char *media_type;
        char *top_digest; /* what the reference resolves to: the index's digest when there is one */
} Resolved;

static void resolved_done(Resolved *r)
{
        free(r->manifest);
        free(r->media_type);
        free(r->top_digest);
}

static int resolve_manifest(RegistryClient *c, const RegistryReference *ref, const ImagePullOptions *o,
                            Resolved *ret, char **error)
{
        _cleanup_free_ char *body = NULL, *content_type = NULL, *digest = NULL, *buf = NULL, *chosen = NULL;
        RegistryPlatform platform, *pl = NULL;
        RegistryManifestKind kind;
        size_t size;
        int r;

        if (o->platform) {
                if (platform_parse(o->platform, &buf, &platform) < 0)
                        return image_error(error, -EINVAL,
                                           "invalid platform '%s', expected os/arch[/variant]", o->platform);
                pl = &platform;
        }

        r = registry_fetch_manifest(c, ref->digest ?: ref->tag, &body, &size, &content_type, &digest, error);
        if (r < 0)
                return r;
        r = registry_manifest_kind(body, size, content_type, &kind, error);
        if (r < 0)
                return r;
        ret->top_digest = TAKE_PTR(digest);
        if (kind == REGISTRY_MANIFEST_INDEX) {
                r = registry_index_select(body, size, pl, &chosen, error);
                if (r < 0)
                        return r;
                body = mfree(body);
                content_type = mfree(content_type);
                r = registry_fetch_manifest(c, chosen, &body, &size, &content_type, NULL, error);
                if (r < 0)
                        return r;
                r = registry_manifest_kind(body, size, content_type, &kind, error);
                if (r < 0)
                        return r;
                if (kind != REGISTRY_MANIFEST_IMAGE)
                        return image_error(error, -EBADMSG, "index entry %s is not an image manifest",
                                           chosen);
        }
        ret->manifest = TAKE_PTR(body);
        ret->manifest_size = size;
        ret->media_type = TAKE_PTR(content_type);
        return 0;
}

/* ---- short names ---- */

/* Like Docker: the first component names a registry when it has a '.' or ':' or is "localhost". */
static bool reference_is_qualified(const char *s)
{
        const char *slash = strchr(s, '/');

        if (!slash)
                return false;
        size_t n = (size_t)(slash - s);
        return memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && strneq(s, "localhost", 9));
}

static int pull_candidates(const char *reference, char *const *search, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;

        if (reference_is_qualified(reference) || strv_isempty((char **)search))
                return strv_extend(ret, reference);
        STRV_FOREACH (reg, (char **)search) {
                char *c;
                if (asprintf(&c, "%s/%s", *reg, reference) < 0 || strv_push(&l, c) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* The references to store: "name:tag" (unless pulled by digest alone) and "name@<digest>". */
static int stored_references(const RegistryReference *ref, const char *digest, char ***ret)
{
        _cleanup_strv_free_ char **refs = NULL;
        _cleanup_free_ char *name = NULL, *full = NULL;
        char *n;
        int r;

        r = asprintf(&name, "%s/%s", ref->registry, ref->repository);
        if (r < 0)
                return -ENOMEM;
        if (ref->tag && !ref->digest) {
                if (asprintf(&full, "%s:%s", name, ref->tag) < 0)
                        return -ENOMEM;
                r = image_reference_normalize(full, &n);
                if (r < 0)
                        return r;
                if (strv_push(&refs, n) < 0) {
                        free(n);
                        return -ENOMEM;
                }
                full = mfree(full);
        }
        if (asprintf(&full, "%s@%s", name, digest) < 0)
                return -ENOMEM;
        r = image_reference_normalize(full, &n);
        if (r < 0)
                return r;
        if (strv_push(&refs, n) < 0) {
                free(n);
                return -ENOMEM;
        }
        *ret = TAKE_PTR(refs);
        return 0;
}

static int pull_one(ImageStore *s, const RegistryReference *ref, const char *full, const ImagePullOptions *o,
                    char ret_id[SHA256_HEX_SIZE], char ***ret_refs, char **error)
{
        _cleanup_registry_client_free_ RegistryClient *client = NULL;
        _cleanup_registry_manifest_free_ RegistryManifest *manifest = NULL;
        _cleanup_(resolved_done) Resolved res = {};
        _cleanup_free_ char *config = NULL;
        _cleanup_strv_free_ char **diff_ids = NULL, **refs = NULL;
        size_t config_size = 0;
        int r;

        RegistryOptions ro = REGISTRY_OPTIONS_DEFAULT;
        ro.tls_verify = o->tls_verify;
        ro.username = o->username;
        ro.password = o->password;
        r = registry_client_new(ref, &ro, &client);
        if (r < 0)
                return image_error(error, r, "cannot set up a registry client: %m");

        r = resolve_manifest(client, ref, o, &res, error);
        if (r < 0)
                return r;
        r = registry_manifest_parse(res.manifest, res.manifest_size, &manifest, error);
        if (r < 0)
                return r;
        r = fetch_small_blob(client, &manifest->config, IMAGE_CONFIG_SIZE_MAX, &config, &config_size, error);
        if (r < 0)
                return r;
        r = config_diff_ids(config, config_size, manifest->n_layers, &diff_ids, error);
        if (r < 0)
                return r;
        r = config_check_platform(config, config_size, o->platform, error);
        if (r < 0)
                return r;

        Pull p = {
            .store = s,
            .client = client,
            .options = o,
            .reference = full,
            .manifest = manifest,
            .diff_ids = diff_ids,
            .lock = PTHREAD_MUTEX_INITIALIZER,
            .changed = PTHREAD_COND_INITIALIZER,
        };
        r = pull_layers(&p, error);
        free(p.status);
        free(p.error_message);
        _cleanup_strv_free_ char **created_layers = p.created_layers, **created_blobs = p.created_blobs;
        if (r < 0) {
                image_store_undo(s, created_layers, created_blobs);
                return r;
        }

        _cleanup_free_ ImageBlob *layers = new0(ImageBlob, manifest->n_layers);
        if (!layers)
                return -ENOMEM;
        for (size_t k = 0; k < manifest->n_layers; k++)
                layers[k] = (ImageBlob){
                    .digest = manifest->layers[k].digest,
                    .media_type = manifest->layers[k].media_type,
                    .size = manifest->layers[k].size,
                };
        r = stored_references(ref, res.top_digest, &refs);
        if (r < 0)
                return image_error(error, r, "cannot name the image: %m");
        const char *media_type = manifest->media_type ?: res.media_type;
        ImageCommit c = {
            .manifest = res.manifest,
            .manifest_size = res.manifest_size,
            .manifest_media_type = media_type ?: MEDIA_TYPE_OCI_MANIFEST,
            .config = config,
            .config_size = config_size,
            .config_media_type = manifest->config.media_type,
            .layers = layers,
            .diff_ids = diff_ids,
            .n_layers = manifest->n_layers,
            .references = refs,
        };
        r = image_store_commit(s, &c, ret_id, error);
        if (r < 0) {
                image_store_undo(s, created_layers, created_blobs);
                return r;
        }
        *ret_refs = TAKE_PTR(refs);
        return 0;
}

int image_store_pull(ImageStore *s, const char *reference, const ImagePullOptions *o, char **ret_id,
                     char **ret_reference, char **ret_error)
{
        _cleanup_strv_free_ char **candidates = NULL;
        _cleanup_free_ char *error = NULL, *id = NULL, *normalized = NULL;
        int r;

        id = malloc(SHA256_HEX_SIZE);
        if (!id)
                return -ENOMEM;
        *ret_id = NULL;
        r = pull_candidates(reference, o->search_registries, &candidates);
        if (r < 0)
                return r;

        r = -ENOENT;
        STRV_FOREACH (c, candidates) {
                _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
                _cleanup_free_ char *full = NULL;

                error = mfree(error);
                if (registry_reference_parse(*c, &ref) < 0 || registry_reference_to_string(ref, &full) < 0) {
                        _cleanup_free_ char *q = image_error_quote(reference);
                        r = image_error(&error, -EINVAL, "invalid image reference '%s'", strempty(q));
                        break;
                }
                _cleanup_strv_free_ char **refs = NULL;
                r = pull_one(s, ref, full, o, id, &refs, &error);
                if (r >= 0) {
                        normalized = strdup(refs[0]);
                        if (!normalized)
                                return -ENOMEM;
                        break;
                }
                /* A short name moves on to the next registry only when this one does not have it. */
                if (r != -ENOENT)
                        break;
        }
        if (r < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(error);
                return r;
        }
        *ret_id = TAKE_PTR(id);
        if (ret_reference)
                *ret_reference = TAKE_PTR(normalized);
        return 0;
}

/* ---- registries.conf ---- */

int registries_conf_load(const char *path, char ***ret)
{
        _cleanup_free_ char *data = NULL;
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = read_full_file(path, 1 << 20, &data, NULL);
        if (r < 0)
                return r;
        for (char *line = data, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                line += strspn(line, " \t");
                const char *v = startswith(line, "unqualified-search-registries");
                if (!v)
                        continue;
                v += strspn(v, " \t");
                if (*v++ != '=')
                        return -EBADMSG;
                v += strspn(v, " \t");
                if (*v++ != '[')
                        return -EBADMSG;
                for (;;) {
                        v += strspn(v, " \t,");
                        if (*v == ']')
                                break;
                        if (*v != '"')
                                return -EBADMSG;
                        const char *end = strchr(++v, '"');
                        if (!end)
                                return -EBADMSG;
                        _cleanup_free_ char *reg = strndup(v, (size_t)(end - v));
                        _cleanup_registry_reference_free_ RegistryReference *check = NULL;
                        _cleanup_free_ char *probe = NULL;
                        if (!reg || asprintf(&probe, "%s/x", reg) < 0)
                                return -ENOMEM;
                        /* Each entry must be a registry host. */
                        if (isempty(reg) || strchr(reg, '/') || registry_reference_parse(probe, &check) < 0)
                                return -EBADMSG;
                        if (strv_push(&l, TAKE_PTR(reg)) < 0)
                                return -ENOMEM;
                        v = end + 1;
                }
        }
        *ret = TAKE_PTR(l);
        return 0;
}
