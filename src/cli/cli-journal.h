/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <systemd/sd-journal.h>

/* Reading the system journal, for logs and events. */

/* journald's files are readable by root and, through ACLs, the groups systemd-journal and adm
 * (wheel on some distributions). sd_journal_open() silently skips what it may not read, so look:
 * -EACCES when the system journal exists but is not ours to read. */
int journal_check_access(void);

/* The line for journal_check_access() failing, without "raind: ". */
#define JOURNAL_ACCESS_DENIED_TEXT                                                                   \
        "permission denied: cannot read the system journal (needs root, or membership in the group " \
        "systemd-journal or adm)"

/* The value of field in the current entry, not NUL-terminated. -ENOENT when it has none. */
int journal_entry_field(sd_journal *j, const char *field, const char **ret, size_t *ret_size);

/* The same, as a new string. */
int journal_entry_string(sd_journal *j, const char *field, char **ret);
