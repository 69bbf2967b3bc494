/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define USEC_PER_SEC  1000000ULL
#define NSEC_PER_USEC 1000ULL

uint64_t now_usec(clockid_t clock);
/* Replaces *p by a copy of s (NULL stays NULL); the old string is freed only on success. */
int free_and_strdup(char **p, const char *s);
/* 64 random lowercase hex digits plus NUL. */
int random_id(char ret[65]);
/* Start time of a process (field 22 of /proc/PID/stat), to tell a PID from a reused one. */
int process_start_time(pid_t pid, uint64_t *ret);
