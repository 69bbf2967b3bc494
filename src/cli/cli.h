/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The verbs of raind. Each parses its own arguments (argv[0] is the verb's name) and returns the
 * exit status of the process: 0, EXIT_USAGE, EXIT_DAEMON_ERROR … or a container's own status. */

int verb_container_run(int argc, char *argv[]);
int verb_container_create(int argc, char *argv[]);
int verb_container_start(int argc, char *argv[]);
int verb_container_stop(int argc, char *argv[]);
int verb_container_kill(int argc, char *argv[]);
int verb_container_rm(int argc, char *argv[]);
int verb_container_wait(int argc, char *argv[]);
int verb_container_ls(int argc, char *argv[]);
int verb_container_inspect(int argc, char *argv[]);
int verb_container_logs(int argc, char *argv[]);
int verb_container_attach(int argc, char *argv[]);
int verb_container_exec(int argc, char *argv[]);
int verb_container_stats(int argc, char *argv[]);
int verb_container_top(int argc, char *argv[]);
int verb_container_rename(int argc, char *argv[]);
int verb_container_cp(int argc, char *argv[]);
int verb_container_prune(int argc, char *argv[]);

int verb_events(int argc, char *argv[]);

int verb_image_import(int argc, char *argv[]);
int verb_image_ls(int argc, char *argv[]);
int verb_image_rm(int argc, char *argv[]);
int verb_image_pull(int argc, char *argv[]);
/* For run and create: pulls image with the stored credentials, its progress on stderr (stdout is the
 * container's). Returns 0 or an exit status after saying why. */
int image_pull_for_run(const char *image);
int verb_image_push(int argc, char *argv[]);
int verb_image_tag(int argc, char *argv[]);
int verb_image_inspect(int argc, char *argv[]);
int verb_image_history(int argc, char *argv[]);
int verb_image_prune(int argc, char *argv[]);
int verb_image_save(int argc, char *argv[]);
int verb_image_load(int argc, char *argv[]);

int verb_login(int argc, char *argv[]);
int verb_logout(int argc, char *argv[]);
