/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "raind/macro.h"
#include "raind/validate.h"

typedef struct Manager Manager;
typedef struct Container Container;

typedef enum ContainerState {
        CONTAINER_CREATED,
        CONTAINER_STARTING,
        CONTAINER_RUNNING,
        CONTAINER_STOPPING,
        CONTAINER_EXITED,
        CONTAINER_RESTARTING, /* exited, and raindd will start it again after a delay */
        _CONTAINER_STATE_MAX,
} ContainerState;

const char *container_state_to_string(ContainerState s);
ContainerState container_state_from_string(const char *s);

/* What the user asked for at create time; persisted, never changed afterwards. */
typedef struct ContainerConfig {
        char *image; /* the reference as given, normalized */
        char *image_id;
        char **command; /* the full argv that runs (entrypoint + cmd) */
        char **env;     /* the user's additions only */
        char **volumes; /* HOST:CTR[:ro] */
        char *working_dir;
        char *user;
        char *hostname;
        char *network; /* "none" or "host" */
        char **cap_add;
        char **cap_drop;
        uint64_t memory_max;
        uint64_t cpu_quota_per_sec_usec;
        uint64_t tasks_max;
        bool read_only;
        bool auto_remove;
        bool tty;
        bool open_stdin;
        char *restart_policy; /* NULL or "no", "on-failure[:N]", "always", "unless-stopped" */
        char *stop_signal; /* NULL: SIGTERM; else as parse_signal() takes it (from the image or the user) */
        char **labels;     /* "key=value": the image's, then the user's (same key: the user's wins) */
        char **exposed_ports; /* "80/tcp": the image's and the user's */
        /* CreateContainer's Entrypoint option, used once to resolve command; not stored. */
        char **entrypoint;
        bool entrypoint_set;
} ContainerConfig;

typedef struct PendingCall PendingCall;

struct Container {
        Manager *manager;
        Container *next, *prev;

        char id[CONTAINER_ID_LEN + 1];
        char *name;
        char *unit;
        char *object_path;
        ContainerConfig config;

        ContainerState state;
        uint64_t created_at, started_at, finished_at;
        int exit_status; /* -1: none yet */

        pid_t shim_pid, main_pid;
        char *cgroup; /* the scope's cgroup, e.g. /raind.slice/raind-web.scope, while running */
        int shim_pidfd, main_pidfd;
        sd_event_source *shim_exit_source;
        sd_event_source *stop_timer;

        /* Start in progress. */
        int sync_fd;
        sd_event_source *sync_source;
        char *start_job;
        bool scope_started;            /* systemd created the scope of the start in progress */
        sd_bus_message *start_request; /* the Start call to answer */
        sd_bus_slot *start_slot;

        /* Restart policy. */
        unsigned restart_count;
        bool manually_stopped; /* by Stop: "always" waits for the next raindd start, "unless-stopped" forever
                                */
        sd_event_source *restart_timer;
        uint64_t restart_delay_usec; /* the last delay, doubled for the next one */

        /* The client's end of the stream of a StartInteractive, sent with the reply. */
        int start_stream_fd;

        PendingCall *waiters;  /* Wait calls */
        PendingCall *stoppers; /* Stop calls */
        PendingCall *removers; /* Remove(force) calls on a running container */
};

int container_new(Manager *m, const char *id, Container **ret);
Container *container_free(Container *c);
void container_config_done(ContainerConfig *c);

char *container_bundle_dir(Container *c);
char *container_runtime_dir(Container *c);

int container_save(Container *c);
int container_load(Manager *m, const char *id, Container **ret);
int container_adopt(Container *c);
int container_watch_shim(Container *c);
void container_read_cgroup(Container *c);

void container_set_state(Container *c, ContainerState s);
/* Called when the shim is gone: reads the exit file and answers waiters. */
void container_exited(Container *c);
int container_remove(Container *c);

/* Starts c. request (may be NULL) is answered once the container runs or failed; stdout_fd/stderr_fd
 * get copies of its output; stream_fd is the shim's end of a StartInteractive stream. */
int container_start(Container *c, sd_bus_message *request, int stdout_fd, int stderr_fd, int stream_fd,
                    sd_bus_error *error);
/* Restart policies (container-restart.c). Returns > 0 when a restart was scheduled. */
int container_schedule_restart(Container *c);
void container_cancel_restart(Container *c);
void container_start_on_boot(Container *c);
int container_kill(Container *c, int sig);
int container_stop(Container *c, unsigned timeout_sec, sd_bus_message *request);

/* Deferred method replies. */
int pending_call_add(PendingCall **list, sd_bus_message *m);
void pending_calls_reply_wait(PendingCall **list, int exit_status);
void pending_calls_reply_empty(PendingCall **list);
void pending_calls_reply_error(PendingCall **list, const char *name, const char *message);
void pending_calls_free(PendingCall **list);

int container_emit_changed(Container *c);
char *container_object_path(const char *id);

/* With --debug: "timing: STEP container=NAME mono=USEC", for the benchmark's breakdown of the start path. */
void container_log_timing(Container *c, const char *step);
void manager_log_timing(Manager *m, const char *step, const char *name);
int container_bus_register(Manager *m);
