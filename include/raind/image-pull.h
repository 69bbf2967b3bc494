/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "raind/image-store.h"

/* Pulling an image from a registry into the store. Layers download in parallel (threads) and each is
 * unpacked as soon as its blob is complete and verified. Blobs download into root/downloads/ and are
 * resumed by the next pull if this one is interrupted; concurrent pulls (other processes) of images
 * that share blobs download each blob once. None of this logs. */

typedef enum PullLayerState {
        PULL_LAYER_WAITING,
        PULL_LAYER_DOWNLOADING,
        PULL_LAYER_EXTRACTING,
        PULL_LAYER_DONE,   /* downloaded and unpacked */
        PULL_LAYER_EXISTS, /* was in the store already */
        PULL_LAYER_FAILED,
        _PULL_LAYER_STATE_MAX,
} PullLayerState;

/* "waiting", "downloading", "extracting", "done", "exists", "failed" */
const char *pull_layer_state_to_string(PullLayerState s);

typedef struct PullLayerStatus {
        char digest[72]; /* "sha256:<hex>" of the blob */
        PullLayerState state;
        uint64_t done;
        uint64_t total;
} PullLayerStatus;

/* Called from the pulling thread, at most every 100 ms while anything changes and once at the end,
 * with the state of every layer (bottom first). reference is the fully qualified reference being
 * pulled ("docker.io/library/busybox:latest"). */
typedef void (*ImagePullProgress)(const char *reference, const PullLayerStatus *layers, size_t n_layers,
                                  void *userdata);

typedef struct ImagePullOptions {
        const char *platform; /* "os/arch[/variant]"; NULL: the host's */
        bool tls_verify;      /* false: plain http and no certificate check (loopback is http anyway) */
        const char *username; /* NULL: anonymous */
        const char *password;
        char *const *search_registries; /* for short names; NULL or empty: docker.io */
        unsigned parallel;              /* layers at once; 0: 3 */
        ImagePullProgress progress;
        void *userdata;
} ImagePullOptions;

#define IMAGE_PULL_OPTIONS_DEFAULT ((ImagePullOptions){.tls_verify = true})

/* Pulls reference (short names searched in o->search_registries) and tags it; ret_id gets the image
 * id, ret_reference (may be NULL) the normalized reference it was stored as. On failure *ret_error
 * names the problem in one line, and the store holds no trace of the pull but resumable downloads. */
int image_store_pull(ImageStore *s, const char *reference, const ImagePullOptions *o, char **ret_id,
                     char **ret_reference, char **ret_error);

typedef struct ImagePushOptions {
        bool tls_verify;
        const char *username;
        const char *password;
        ImagePullProgress progress; /* the same per-layer report, "downloading" meaning uploading */
        void *userdata;
} ImagePushOptions;

/* Pushes the image ref_or_id names to destination (NULL: its first tag) — its blobs exactly as stored,
 * so the manifest digest stays the same — and records "destination@digest" as a reference.
 * ret_digest (may be NULL) gets the manifest digest. */
int image_store_push(ImageStore *s, const char *ref_or_id, const char *destination,
                     const ImagePushOptions *o, char **ret_digest, char **ret_error);

/* Writes the images names lists as one archive to out_fd; format "docker-archive" or "oci-archive".
 * An image named by reference carries that tag, one named by id all of its tags. */
int image_store_save(ImageStore *s, char *const *names, const char *format, int out_fd, char **ret_error);
/* Loads the images of a docker-archive or oci-archive (maybe compressed) read from in_fd; ret_refs gets
 * the references they are tagged with, or "sha256:<id>" for untagged ones. */
int image_store_load(ImageStore *s, int in_fd, char ***ret_refs, char **ret_error);

/* Reads unqualified-search-registries = ["a", "b"] from a registries.conf (the containers-registries.conf
 * TOML key; other keys are ignored). -ENOENT when the file does not exist. */
int registries_conf_load(const char *path, char ***ret);
