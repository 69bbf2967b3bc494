/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#define RAIND_JOB_INTERFACE   "org.raind.raind1.Job"
#define RAIND_JOB_PATH_PREFIX "/org/raind/raind1/job"

/* What a finished pull or push job left behind. */
typedef struct ImageJobResult {
        char *image_id;   /* JobRemoved's image_id */
        char *target;     /* the fully qualified reference, as the Job's Target said last */
        bool transferred; /* some layer had to be downloaded (pushed), rather than was there already */
} ImageJobResult;

void image_job_result_done(ImageJobResult *r);

/* Sends call (PullImage, PushImage: a method that answers with a Job's path) and follows the job to
 * its end, showing each layer's progress on stdout unless quiet: redrawn in place with bars on a
 * terminal, a line per change otherwise. name is the image as the user gave it, for messages until
 * the job names it fully. SIGINT or SIGTERM cancels the job. what and polkit_action
 * describe the call for a refusal. Returns 0 when the job is done, else the exit status after saying
 * why in one line (130 when interrupted). */
int image_job_follow(sd_bus *bus, sd_bus_message *call, const char *name, bool push, bool quiet,
                     const char *what, const char *polkit_action, ImageJobResult *ret);

/* Appends PullImage's (PushImage's, CheckRegistryLogin's) a{sv} options: Platform when not NULL,
 * TLSVerify, Username and Password when username is not NULL. */
int bus_append_registry_options(sd_bus_message *m, const char *platform, bool tls_verify,
                                const char *username, const char *password);
