/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raind/macro.h"

/* A client for OCI distribution registries (Docker Hub, Debian's docker-registry, …): references,
 * manifest selection and blob download. None of these functions log; errors are negative errno values
 * and, where a ret_error parameter exists, one line for the user. */

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
} RegistryOptions;

#define REGISTRY_OPTIONS_DEFAULT ((RegistryOptions){.tls_verify = true})

/* The one rule from a registry host to its base URL: "https://host" (Docker Hub:
 * https://registry-1.docker.io), "http://host" for loopback hosts (localhost, 127.0.0.1, ::1, any
 * port) or when options->tls_verify is false. options may be NULL (defaults). */
int registry_base_url(const char *registry, const RegistryOptions *options, char **ret);

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

/* ---- HTTP ---- */

typedef struct RegistryClient RegistryClient;

/* A client for one repository of one registry; it keeps the bearer token it gets. */
int registry_client_new(const RegistryReference *ref, const RegistryOptions *options, RegistryClient **ret);
RegistryClient *registry_client_free(RegistryClient *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(RegistryClient *, registry_client_free);
#define _cleanup_registry_client_free_ _cleanup_(registry_client_freep)

/* GETs /v2/<repository>/manifests/<tag or digest> accepting the four manifest media types. A manifest
 * asked for by digest is checked against it (-EBADMSG on mismatch). ret_content_type and ret_digest
 * (sha256 of the body as received) may be NULL. */
int registry_fetch_manifest(RegistryClient *c, const char *tag_or_digest, char **ret_body, size_t *ret_size,
                            char **ret_content_type, char **ret_digest, char **ret_error);

/* GETs the blob d into fd (written from its current offset), hashing as it streams. -EBADMSG if the
 * digest or the size do not match d: what was written is garbage and the caller discards it. fd is not
 * closed. */
int registry_fetch_blob(RegistryClient *c, const RegistryDescriptor *d, int fd, char **ret_error);

/* Fetches the manifest ref names (its digest, else its tag), and if it is an index the manifest for
 * platform (NULL: the host's) in it. ret_digest (may be NULL) gets the image manifest's digest. */
int registry_resolve(RegistryClient *c, const RegistryReference *ref, const RegistryPlatform *platform,
                     RegistryManifest **ret, char **ret_digest, char **ret_error);
