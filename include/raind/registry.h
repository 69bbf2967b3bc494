/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raind/macro.h"

/* A client for OCI distribution registries (Docker Hub, Debian's docker-registry, …): references,
 * manifest selection and blob download. None of these functions log; errors are negative errno values
 * and, where a ret_error parameter exists, one line for the user (left NULL on success, also when a
 * retried failure came first). */

#define REGISTRY_MANIFEST_SIZE_MAX (4U << 20)
#define REGISTRY_CONFIG_SIZE_MAX   (8U << 20)
#define REGISTRY_LAYER_SIZE_MAX    (64ULL << 30)
#define REGISTRY_LAYERS_MAX        128
#define REGISTRY_INDEX_ENTRIES_MAX 1024

#define REGISTRY_DOCKER_HUB "docker.io"

#define MEDIA_TYPE_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define MEDIA_TYPE_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_TYPE_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_TYPE_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

/* ---- references ---- */

typedef struct RegistryReference {
        char *registry;   /* "docker.io", "localhost:5000", "[::1]:5000" */
        char *repository; /* "library/busybox" */
        char *tag;        /* "latest"; NULL when only a digest was given */
        char *digest;     /* "sha256:<64 hex>" or NULL */
} RegistryReference;

/* Parses and normalizes like Docker: "busybox" → docker.io/library/busybox:latest, "index.docker.io/x"
 * → docker.io/library/x:latest, "localhost:5000/x:y" keeps its host, "name@sha256:…" is pinned to a
 * digest (a tag given along is kept, the digest wins). -EINVAL if s is not a valid reference. */
int registry_reference_parse(const char *s, RegistryReference **ret);
RegistryReference *registry_reference_free(RegistryReference *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(RegistryReference *, registry_reference_free);
#define _cleanup_registry_reference_free_ _cleanup_(registry_reference_freep)

/* "registry/repository:tag", "registry/repository@digest" or both. */
int registry_reference_to_string(const RegistryReference *r, char **ret);

typedef struct RegistryOptions {
        /* false: plain http and no certificate check. Loopback registries use http anyway. */
        bool tls_verify;
        /* NULL: anonymous. Sent as Basic auth to registries that ask for it, else to the token service. */
        const char *username;
        const char *password;
        /* Ask the token service for pull and push access instead of pull only. */
        bool push;
        /* How often a transient failure (connection lost, 5xx, 429) is retried; 0: the default, 3. */
        unsigned retries;
} RegistryOptions;

#define REGISTRY_RETRIES_DEFAULT 3U

#define REGISTRY_OPTIONS_DEFAULT ((RegistryOptions){.tls_verify = true})

/* localhost, 127.0.0.0/8 or ::1, with any port. */
bool registry_is_loopback(const char *registry);

/* The one rule from a registry host to its base URL: "https://host" (Docker Hub:
 * https://registry-1.docker.io), "http://host" for loopback hosts (localhost, 127.0.0.1, ::1, any
 * port) or when options->tls_verify is false. options may be NULL (defaults). */
int registry_base_url(const char *registry, const RegistryOptions *options, char **ret);
/* (A client made with tls_verify false tries HTTPS without certificate checks first, and takes the
 * http:// URL only when no TLS server answers there.) */

/* ---- manifests ---- */

typedef struct RegistryPlatform {
        const char *os;           /* "linux" */
        const char *architecture; /* GOARCH names: "amd64", "arm64", … */
        const char *variant;      /* "v8", "v7" or NULL: any */
} RegistryPlatform;

/* linux and the GOARCH name of the running kernel's machine (x86_64 → amd64, aarch64 → arm64 …);
 * -EOPNOTSUPP for a machine without a name in OCI. The strings are static. */
int registry_platform_host(RegistryPlatform *ret);

typedef enum RegistryManifestKind {
        REGISTRY_MANIFEST_INDEX, /* OCI image index or Docker manifest list */
        REGISTRY_MANIFEST_IMAGE, /* OCI image manifest or Docker schema2 manifest */
} RegistryManifestKind;

/* What a manifest is, from its mediaType field, else the Content-Type it came with (may be NULL), else
 * its shape. -EMEDIUMTYPE for media types we do not read (Docker schema1 among them). */
int registry_manifest_kind(const char *json, size_t size, const char *content_type,
                           RegistryManifestKind *ret, char **ret_error);

/* Picks the manifest for platform (NULL: the host's) from an index or manifest list and returns its
 * digest. A variant in platform must match; without one, an entry without variant is preferred, then
 * the first. -ENOENT if no entry fits. */
int registry_index_select(const char *json, size_t size, const RegistryPlatform *platform, char **ret_digest,
                          char **ret_error);

typedef struct RegistryDescriptor {
        char *media_type;
        char *digest; /* "sha256:<64 hex>" */
        uint64_t size;
} RegistryDescriptor;

typedef struct RegistryManifest {
        char *media_type;
        RegistryDescriptor config;
        RegistryDescriptor *layers; /* bottom layer first */
        size_t n_layers;
} RegistryManifest;

/* Parses an image manifest (OCI or Docker schema2) with limits on sizes and counts. -EBADMSG if it is
 * malformed, -E2BIG with too many layers, -EFBIG with a blob over the size limits, -EMEDIUMTYPE for
 * layer types we cannot unpack. */
int registry_manifest_parse(const char *json, size_t size, RegistryManifest **ret, char **ret_error);
RegistryManifest *registry_manifest_free(RegistryManifest *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(RegistryManifest *, registry_manifest_free);
#define _cleanup_registry_manifest_free_ _cleanup_(registry_manifest_freep)

/* "sha256:<64 lowercase hex>"; other algorithms are not accepted. */
bool registry_digest_is_valid(const char *digest);

/* ---- authentication ---- */

typedef struct RegistryChallenge {
        char *scheme; /* "Bearer", "Basic" */
        char *realm;
        char *service; /* may be NULL */
        char *scope;   /* may be NULL */
} RegistryChallenge;

/* Parses the value of a WWW-Authenticate header (RFC 7235 auth-params, quoted or not). */
int registry_challenge_parse(const char *header, RegistryChallenge **ret);
RegistryChallenge *registry_challenge_free(RegistryChallenge *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(RegistryChallenge *, registry_challenge_free);
#define _cleanup_registry_challenge_free_ _cleanup_(registry_challenge_freep)

/* "Basic <base64(username:password)>", the value of an Authorization header (RFC 7617). -EINVAL if the
 * username holds a ':' or either holds a control character. */
int registry_basic_authorization(const char *username, const char *password, char **ret);

/* Credentials in the "auths" object of a docker config.json (podman's auth.json is the same): "auth"
 * (base64 of "user:password") or "username" and "password". Keys may be hosts or URLs; docker.io also
 * matches "https://index.docker.io/v1/". -ENOENT if the file or an entry with credentials is missing,
 * -EBADMSG if the file or the entry is malformed. */
int registry_auth_load(const char *path, const char *registry, char **ret_username, char **ret_password);
/* Sets registry's credentials, keeping every other key and field of the file; creates the missing
 * parent directories with mode 0700 and writes the file atomically with mode 0600. */
int registry_auth_store(const char *path, const char *registry, const char *username, const char *password);
/* Drops registry's entry (all its aliases); -ENOENT if there is none. */
int registry_auth_remove(const char *path, const char *registry);

/* ---- HTTP ---- */

typedef struct RegistryClient RegistryClient;

/* A client for one repository of one registry; it keeps the bearer token it gets and copies the
 * credentials of options. All functions taking a client may be called from several threads at once. */
int registry_client_new(const RegistryReference *ref, const RegistryOptions *options, RegistryClient **ret);
RegistryClient *registry_client_free(RegistryClient *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(RegistryClient *, registry_client_free);
#define _cleanup_registry_client_free_ _cleanup_(registry_client_freep)

/* GETs /v2/<repository>/manifests/<tag or digest> accepting the four manifest media types. A manifest
 * asked for by digest is checked against it, one asked for by tag against the Docker-Content-Digest
 * header if there is one (-EBADMSG on mismatch). ret_content_type and ret_digest (sha256 of the body
 * as received) may be NULL. */
int registry_fetch_manifest(RegistryClient *c, const char *tag_or_digest, char **ret_body, size_t *ret_size,
                            char **ret_content_type, char **ret_digest, char **ret_error);

/* Called while bytes move: done of total (total is the descriptor's size), at most every ~100 ms and
 * once at the end. */
typedef void (*RegistryProgress)(uint64_t done, uint64_t total, void *userdata);

/* GETs the blob d into fd, a regular file opened O_RDWR, hashing as it streams. What fd holds already
 * is taken for a prefix downloaded earlier: it is hashed and the download resumes after it (Range),
 * or starts over when the registry ignores the range or the prefix cannot be one. Transient failures
 * are retried (options.retries, exponential back-off, Retry-After honoured up to a cap), resuming from
 * what was written. -EBADMSG at once if the digest or the size do not match d: what fd holds is
 * garbage and the caller discards it. fd is not closed. progress may be NULL. */
int registry_fetch_blob(RegistryClient *c, const RegistryDescriptor *d, int fd, RegistryProgress progress,
                        void *userdata, char **ret_error);

/* Fetches the manifest ref names (its digest, else its tag), and if it is an index the manifest for
 * platform (NULL: the host's) in it. ret_digest (may be NULL) gets the image manifest's digest. */
int registry_resolve(RegistryClient *c, const RegistryReference *ref, const RegistryPlatform *platform,
                     RegistryManifest **ret, char **ret_digest, char **ret_error);

/* ---- push ---- */

/* HEAD /v2/<repository>/blobs/<digest>: 1 if the registry has the blob, 0 if not. */
int registry_blob_exists(RegistryClient *c, const RegistryDescriptor *d, char **ret_error);

/* Uploads d->size bytes of fd (from offset 0) as blob d: POST …/blobs/uploads/, then one PUT to the
 * Location it names with ?digest=. Does nothing when the registry has the blob. -EBADMSG if fd does
 * not hold d->size bytes with d's digest. */
int registry_push_blob(RegistryClient *c, const RegistryDescriptor *d, int fd, RegistryProgress progress,
                       void *userdata, char **ret_error);

/* PUTs a manifest under a tag or its digest; ret_digest (may be NULL) gets its digest. */
int registry_push_manifest(RegistryClient *c, const char *tag_or_digest, const char *media_type,
                           const char *body, size_t size, char **ret_digest, char **ret_error);

/* GET /v2/ with the client's credentials, through the token service if the registry names one: 0 if
 * they are good (or none are needed), -EACCES with the registry's message if not. */
int registry_check_login(RegistryClient *c, char **ret_error);
