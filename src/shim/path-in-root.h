/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

typedef enum PathCreate {
        PATH_CREATE_NONE,
        PATH_CREATE_DIRECTORY,
        PATH_CREATE_FILE,
} PathCreate;

/* Opens path (O_PATH|O_CLOEXEC) inside the tree at rootfd as if rootfd were "/": symlinks, ".." and
 * absolute links are resolved inside it and never lead out (openat2 RESOLVE_IN_ROOT). Missing
 * components are created as directories, the last one as a directory or an empty file as create
 * says. Returns the fd or a negative errno. */
int open_in_root(int rootfd, const char *path, PathCreate create);
