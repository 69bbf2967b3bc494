/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The OCI "options" of one mount, split into what the kernel wants. */
typedef struct MountOptions {
        unsigned long flags;       /* MS_* for mount(2), without MS_BIND/MS_REC */
        unsigned long propagation; /* MS_PRIVATE, MS_SHARED, … (| MS_REC), or 0 */
        bool bind;
        bool recursive;
        char *data; /* everything else, comma-separated, for the file system; NULL if empty */
} MountOptions;

void mount_options_done(MountOptions *o);
int mount_options_parse(char *const *options, MountOptions *ret);

/* The MOUNT_ATTR_* equivalent of the MS_* flags, for mount_setattr(2) on bind mounts. */
void mount_flags_to_attr(unsigned long flags, uint64_t *ret_set, uint64_t *ret_clr);
