/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "image-job.h"

/* The worker side of an image job, in the forked child: does the work with its own work directory
 * (tmp/job-<id>) and writes its reports to report_fd, one line each: "progress …" while it runs, then
 * "ok <result>" or "err <message>". Returns < 0 on failure. */
int image_worker_run(Manager *m, uint32_t id, const ImageJobParams *p, int report_fd);
/* In raindd, after the worker has exited: removes what it left in its work directory. */
void image_worker_cleanup(Manager *m, uint32_t id);
/* Answers the call of a job that does not return a job path, from the worker's "ok" result. */
int bus_reply_image_job(sd_bus_message *request, ImageJobType type, const char *result);
