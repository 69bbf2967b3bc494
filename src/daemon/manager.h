/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/resource.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "raind/image-store.h"
#include "raind/macro.h"

typedef struct Container Container;
typedef struct PolkitQuery PolkitQuery;
typedef struct JobWaiter JobWaiter;
typedef struct ImageJob ImageJob;
typedef struct PendingCall PendingCall;

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        ImageStore *images;

        char *state_dir;   /* /var/lib/raind */
        char *runtime_dir; /* /run/raind */
        char *shim_path;

        Container *containers; /* a list; lookups by id prefix and name walk it */
        size_t n_containers;

        PolkitQuery *polkit_queries;
        /* polkit's yes, remembered a few seconds for the bus connection that asked (unique names are
         * never reused): a `run` asks for create and start over one connection, one check pays both. */
        struct {
                char *sender;
                char *action;
                uint64_t until; /* CLOCK_MONOTONIC µs */
        } polkit_grants[32];
        unsigned polkit_grants_next;
        JobWaiter *job_waiters;
        /* Jobs that finished before their StartTransientUnit reply arrived. */
        struct {
                char *path;
                char *result;
        } finished_jobs[32];
        unsigned finished_jobs_next;

        ImageJob *image_jobs; /* image workers running */
        uint32_t image_job_next_id;
        bool image_gc_pending; /* removals left unused layers and blobs while workers ran */

        bool debug;
        struct rlimit saved_nofile; /* RLIMIT_NOFILE as raindd got it, restored for the shims */
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

int manager_startup(Manager *m);
int manager_run(Manager *m);

/* Container lookup by full id, unique id prefix or name: -ENOENT, -ENOTUNIQ. */
int manager_find_container(Manager *m, const char *name_or_id, Container **ret);
Container *manager_container_by_name(Manager *m, const char *name);
Container *manager_container_by_id(Manager *m, const char *id);
/* Whether a container (or, with running_only, a running one) uses the image. */
bool manager_image_in_use(Manager *m, const char *image_id, bool running_only);

int manager_add_bus_objects(Manager *m);
/* The Manager's image methods (manager-image.c). */
int manager_image_bus_register(Manager *m);
