/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <linux/filter.h>

#include "seccomp-config.h"

/* Compiles the filter into BPF in the shim, before the clone, so that the container's init only has
 * to hand it to the kernel. Syscall names libseccomp does not know are skipped, as runc does. */
int seccomp_compile(const SeccompConfig *c, struct sock_fprog *ret);
void seccomp_program_done(struct sock_fprog *p);
/* The same, but first looks in cache_dir (NULL: no cache) for a program compiled earlier, and
 * stores a new one there: Docker's profile takes libseccomp ~10 ms to compile, reading it back a few µs. */
int seccomp_compile_cached(const SeccompConfig *c, const char *cache_dir, struct sock_fprog *ret);
int seccomp_install(const struct sock_fprog *p);
