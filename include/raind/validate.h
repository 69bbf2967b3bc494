/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define CONTAINER_NAME_MAX 128
#define CONTAINER_ID_LEN   64
#define SHORT_ID_LEN       12
#define IMAGE_REF_MAX      255
#define HOSTNAME_MAX_LEN   64
#define ENV_MAX            4096
#define ARGV_MAX           4096
#define VOLUMES_MAX        256

/* Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]*, here at most CONTAINER_NAME_MAX long. */
bool container_name_is_valid(const char *name);
/* 64 lowercase hex digits. */
bool container_id_is_valid(const char *id);
/* A prefix of an id, at least 1 char, all lowercase hex. */
bool id_prefix_is_valid(const char *s);
/* A loose check of [HOST[:PORT]/]NAME[:TAG][@DIGEST] for the CLI: accepts everything the store's grammar
 * (registry_reference_parse(), image_reference_normalize()) accepts, and refuses the plain mistakes
 * (capitals in NAME, spaces, empty components or tags). */
bool image_reference_is_valid(const char *ref);
/* RFC 1123 host name, at most 63 characters. */
bool hostname_is_valid(const char *s);
/* KEY=VALUE with a non-empty KEY free of '=' and NUL. */
bool env_assignment_is_valid(const char *s);
/* Absolute, normalized enough to refuse "..", no NUL, at most PATH_MAX. */
bool path_is_safe_absolute(const char *p);

/* "64m", "1g", "512k", "1048576" (bytes); suffixes b k m g t, case-insensitive; must be > 0. */
int parse_size(const char *s, uint64_t *ret);
/* "0.5", "2" → CPU time per second in µs (500000, 2000000); must be > 0 and ≤ 1024 CPUs. */
int parse_cpus(const char *s, uint64_t *ret_usec_per_sec);
/* Decimal, > 0; "-1" or "max" means unlimited (UINT64_MAX). */
int parse_pids_limit(const char *s, uint64_t *ret);
/* "UID" or "UID:GID", numeric. */
#define LABELS_MAX 1024
/* A label "KEY=VALUE": a non-empty key without control characters, at most 4096 bytes in all. */
bool label_is_valid(const char *s);
/* An exposed port "PORT[/tcp|udp|sctp]", PORT 1 to 65535. */
bool port_spec_is_valid(const char *s);

/* USER[:GROUP] with names or numbers, as a container's user may be given (names are resolved in the
 * image): [A-Za-z0-9_.-]+ with at most one ':'; numbers must fit a uid. */
bool user_spec_is_valid(const char *s);
int parse_user(const char *s, uid_t *ret_uid, gid_t *ret_gid, bool *ret_has_gid);
/* "15", "TERM", "SIGTERM" (any case) → signal number. */
int parse_signal(const char *s, int *ret);
const char *signal_to_name(int sig);
/* HOST:CTR[:ro|rw] → parts; both absolute. */
int parse_volume(const char *s, char **ret_host, char **ret_ctr, bool *ret_readonly);
#define CAPABILITY_ALL 1000
/* Docker-style capability names, with or without CAP_ prefix, any case → number; "ALL" → CAPABILITY_ALL. */
int capability_from_name(const char *s);
const char *capability_to_name(int cap);
/* Docker's default capability set. */
extern const int default_capabilities[];
extern const size_t n_default_capabilities;

typedef enum RestartPolicy {
        RESTART_NO,
        RESTART_ON_FAILURE,
        RESTART_ALWAYS,
        RESTART_UNLESS_STOPPED,
} RestartPolicy;

/* "no", "on-failure", "on-failure:N" (N ≥ 0; 0 = no limit), "always", "unless-stopped". */
int parse_restart_policy(const char *s, RestartPolicy *ret_policy, unsigned *ret_max_retries);
