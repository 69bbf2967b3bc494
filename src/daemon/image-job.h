/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

typedef struct Manager Manager;
typedef struct ImageJob ImageJob;

/* Image work that takes long (import, pull, push, load, save) runs in a forked worker, so that raindd
 * keeps answering everyone else. Workers only add to the image store and run side by side; removals
 * (RemoveImage, PruneImages) happen at once, but the layers and blobs they leave unused are collected
 * only when no worker runs (a pull may have found one and be about to name it).
 *
 * Pulls and pushes are D-Bus jobs: the call returns the job's object path at once
 * (/org/raind/raind1/job/<n>, interface org.raind.raind1.Job, with per-layer progress in its Layers
 * property) and the Manager's JobRemoved signal tells how it ended. Imports, loads and saves answer
 * their call when they are done. */

typedef enum ImageJobType {
        IMAGE_JOB_IMPORT,
        IMAGE_JOB_PULL,
        IMAGE_JOB_PUSH,
        IMAGE_JOB_LOAD,
        IMAGE_JOB_SAVE,
        IMAGE_JOB_LOGIN,
        _IMAGE_JOB_TYPE_MAX,
} ImageJobType;

typedef struct ImageJobParams {
        ImageJobType type;
        char *target;      /* import: reference (may be NULL); pull: reference; push: image; save: format;
                            * login: registry */
        char *destination; /* push: where to (NULL: the image's reference) */
        char **names;      /* save: images */
        int fd;            /* import, load: read from; save: written to (owned by the params) */
        char *platform;
        bool tls_verify;
        char *username;
        char *password;
} ImageJobParams;

void image_job_params_done(ImageJobParams *p);

/* Starts a worker. For pull and push, request is answered with the job's path now; otherwise when the
 * worker is done. Takes over p's contents. */
int image_job_start(Manager *m, sd_bus_message *request, ImageJobParams *p);

/* After a removal: while workers run, the layers and blobs it made unused stay until the last one ends
 * (a pull may be about to use them). */
void image_store_removed(Manager *m);
void image_jobs_free(Manager *m);
