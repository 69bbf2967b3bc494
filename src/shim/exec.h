/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Finds the command inside the container (call it after pivot_root and the user switch): a name
 * without '/' is looked up along the PATH in the container's environment, not the shim's. Fails
 * with 127 (not found) or 126 (not executable) recorded by child_error(). */
int exec_resolve(const char *name, char *const *env, char **ret_path);
/* execve(); returns only on failure, with the error recorded (exit code 126/127/125). */
int exec_command(const char *path, char *const *argv, char *const *env);
