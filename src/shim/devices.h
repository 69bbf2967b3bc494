/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The container's /dev: the host's null, zero, full, random, urandom and tty bind-mounted onto
 * files, and the usual symlinks (fd, stdin, stdout, stderr, ptmx). */
int devices_setup(int rootfd);
