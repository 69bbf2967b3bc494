/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* libarchive, loaded when `raind container cp` needs it: linked normally, its dependencies (libxml2,
 * ICU, libstdc++ …) would cost every start of raind about 2 ms. Include this instead of <archive.h>;
 * the calls below go through pointers that cli_archive_load() fills. */

#include <archive.h>
#include <archive_entry.h>

/* Loads libarchive.so.13 once. -EOPNOTSUPP (after logging why) when it is missing or incomplete. */
int cli_archive_load(void);

extern __typeof__(archive_entry_filetype) *sym_archive_entry_filetype;
extern __typeof__(archive_entry_free) *sym_archive_entry_free;
extern __typeof__(archive_entry_hardlink) *sym_archive_entry_hardlink;
extern __typeof__(archive_entry_new) *sym_archive_entry_new;
extern __typeof__(archive_entry_pathname) *sym_archive_entry_pathname;
extern __typeof__(archive_entry_set_gid) *sym_archive_entry_set_gid;
extern __typeof__(archive_entry_set_gname) *sym_archive_entry_set_gname;
extern __typeof__(archive_entry_set_hardlink) *sym_archive_entry_set_hardlink;
extern __typeof__(archive_entry_set_pathname) *sym_archive_entry_set_pathname;
extern __typeof__(archive_entry_set_uid) *sym_archive_entry_set_uid;
extern __typeof__(archive_entry_set_uname) *sym_archive_entry_set_uname;
extern __typeof__(archive_entry_size) *sym_archive_entry_size;
extern __typeof__(archive_errno) *sym_archive_errno;
extern __typeof__(archive_error_string) *sym_archive_error_string;
extern __typeof__(archive_read_data) *sym_archive_read_data;
extern __typeof__(archive_read_data_block) *sym_archive_read_data_block;
extern __typeof__(archive_read_disk_can_descend) *sym_archive_read_disk_can_descend;
extern __typeof__(archive_read_disk_descend) *sym_archive_read_disk_descend;
extern __typeof__(archive_read_disk_new) *sym_archive_read_disk_new;
extern __typeof__(archive_read_disk_open) *sym_archive_read_disk_open;
extern __typeof__(archive_read_disk_set_behavior) *sym_archive_read_disk_set_behavior;
extern __typeof__(archive_read_disk_set_symlink_physical) *sym_archive_read_disk_set_symlink_physical;
extern __typeof__(archive_read_free) *sym_archive_read_free;
extern __typeof__(archive_read_new) *sym_archive_read_new;
extern __typeof__(archive_read_next_header) *sym_archive_read_next_header;
extern __typeof__(archive_read_next_header2) *sym_archive_read_next_header2;
extern __typeof__(archive_read_open_fd) *sym_archive_read_open_fd;
extern __typeof__(archive_read_support_filter_all) *sym_archive_read_support_filter_all;
extern __typeof__(archive_read_support_format_tar) *sym_archive_read_support_format_tar;
extern __typeof__(archive_write_close) *sym_archive_write_close;
extern __typeof__(archive_write_data) *sym_archive_write_data;
extern __typeof__(archive_write_data_block) *sym_archive_write_data_block;
extern __typeof__(archive_write_disk_new) *sym_archive_write_disk_new;
extern __typeof__(archive_write_disk_set_options) *sym_archive_write_disk_set_options;
extern __typeof__(archive_write_finish_entry) *sym_archive_write_finish_entry;
extern __typeof__(archive_write_free) *sym_archive_write_free;
extern __typeof__(archive_write_header) *sym_archive_write_header;
extern __typeof__(archive_write_new) *sym_archive_write_new;
extern __typeof__(archive_write_open_fd) *sym_archive_write_open_fd;
extern __typeof__(archive_write_set_bytes_in_last_block) *sym_archive_write_set_bytes_in_last_block;
extern __typeof__(archive_write_set_format_pax_restricted) *sym_archive_write_set_format_pax_restricted;

#ifndef CLI_ARCHIVE_IMPL
#define archive_entry_filetype                  sym_archive_entry_filetype
#define archive_entry_free                      sym_archive_entry_free
#define archive_entry_hardlink                  sym_archive_entry_hardlink
#define archive_entry_new                       sym_archive_entry_new
#define archive_entry_pathname                  sym_archive_entry_pathname
#define archive_entry_set_gid                   sym_archive_entry_set_gid
#define archive_entry_set_gname                 sym_archive_entry_set_gname
#define archive_entry_set_hardlink              sym_archive_entry_set_hardlink
#define archive_entry_set_pathname              sym_archive_entry_set_pathname
#define archive_entry_set_uid                   sym_archive_entry_set_uid
#define archive_entry_set_uname                 sym_archive_entry_set_uname
#define archive_entry_size                      sym_archive_entry_size
#define archive_errno                           sym_archive_errno
#define archive_error_string                    sym_archive_error_string
#define archive_read_data                       sym_archive_read_data
#define archive_read_data_block                 sym_archive_read_data_block
#define archive_read_disk_can_descend           sym_archive_read_disk_can_descend
#define archive_read_disk_descend               sym_archive_read_disk_descend
#define archive_read_disk_new                   sym_archive_read_disk_new
#define archive_read_disk_open                  sym_archive_read_disk_open
#define archive_read_disk_set_behavior          sym_archive_read_disk_set_behavior
#define archive_read_disk_set_symlink_physical  sym_archive_read_disk_set_symlink_physical
#define archive_read_free                       sym_archive_read_free
#define archive_read_new                        sym_archive_read_new
#define archive_read_next_header                sym_archive_read_next_header
#define archive_read_next_header2               sym_archive_read_next_header2
#define archive_read_open_fd                    sym_archive_read_open_fd
#define archive_read_support_filter_all         sym_archive_read_support_filter_all
#define archive_read_support_format_tar         sym_archive_read_support_format_tar
#define archive_write_close                     sym_archive_write_close
#define archive_write_data                      sym_archive_write_data
#define archive_write_data_block                sym_archive_write_data_block
#define archive_write_disk_new                  sym_archive_write_disk_new
#define archive_write_disk_set_options          sym_archive_write_disk_set_options
#define archive_write_finish_entry              sym_archive_write_finish_entry
#define archive_write_free                      sym_archive_write_free
#define archive_write_header                    sym_archive_write_header
#define archive_write_new                       sym_archive_write_new
#define archive_write_open_fd                   sym_archive_write_open_fd
#define archive_write_set_bytes_in_last_block   sym_archive_write_set_bytes_in_last_block
#define archive_write_set_format_pax_restricted sym_archive_write_set_format_pax_restricted
#endif
