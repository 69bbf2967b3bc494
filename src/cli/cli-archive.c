/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <errno.h>

#include "raind/log.h"

#define CLI_ARCHIVE_IMPL
#include "cli-archive.h"

#define LIBARCHIVE_SONAME "libarchive.so.13"

__typeof__(archive_entry_filetype) *sym_archive_entry_filetype;
__typeof__(archive_entry_free) *sym_archive_entry_free;
__typeof__(archive_entry_hardlink) *sym_archive_entry_hardlink;
__typeof__(archive_entry_new) *sym_archive_entry_new;
__typeof__(archive_entry_pathname) *sym_archive_entry_pathname;
__typeof__(archive_entry_set_gid) *sym_archive_entry_set_gid;
__typeof__(archive_entry_set_gname) *sym_archive_entry_set_gname;
__typeof__(archive_entry_set_hardlink) *sym_archive_entry_set_hardlink;
__typeof__(archive_entry_set_pathname) *sym_archive_entry_set_pathname;
__typeof__(archive_entry_set_uid) *sym_archive_entry_set_uid;
__typeof__(archive_entry_set_uname) *sym_archive_entry_set_uname;
__typeof__(archive_entry_size) *sym_archive_entry_size;
__typeof__(archive_errno) *sym_archive_errno;
__typeof__(archive_error_string) *sym_archive_error_string;
__typeof__(archive_read_data) *sym_archive_read_data;
__typeof__(archive_read_data_block) *sym_archive_read_data_block;
__typeof__(archive_read_disk_can_descend) *sym_archive_read_disk_can_descend;
__typeof__(archive_read_disk_descend) *sym_archive_read_disk_descend;
__typeof__(archive_read_disk_new) *sym_archive_read_disk_new;
__typeof__(archive_read_disk_open) *sym_archive_read_disk_open;
__typeof__(archive_read_disk_set_behavior) *sym_archive_read_disk_set_behavior;
__typeof__(archive_read_disk_set_symlink_physical) *sym_archive_read_disk_set_symlink_physical;
__typeof__(archive_read_free) *sym_archive_read_free;
__typeof__(archive_read_new) *sym_archive_read_new;
__typeof__(archive_read_next_header) *sym_archive_read_next_header;
__typeof__(archive_read_next_header2) *sym_archive_read_next_header2;
__typeof__(archive_read_open_fd) *sym_archive_read_open_fd;
__typeof__(archive_read_support_filter_all) *sym_archive_read_support_filter_all;
__typeof__(archive_read_support_format_tar) *sym_archive_read_support_format_tar;
__typeof__(archive_write_close) *sym_archive_write_close;
__typeof__(archive_write_data) *sym_archive_write_data;
__typeof__(archive_write_data_block) *sym_archive_write_data_block;
__typeof__(archive_write_disk_new) *sym_archive_write_disk_new;
__typeof__(archive_write_disk_set_options) *sym_archive_write_disk_set_options;
__typeof__(archive_write_finish_entry) *sym_archive_write_finish_entry;
__typeof__(archive_write_free) *sym_archive_write_free;
__typeof__(archive_write_header) *sym_archive_write_header;
__typeof__(archive_write_new) *sym_archive_write_new;
__typeof__(archive_write_open_fd) *sym_archive_write_open_fd;
__typeof__(archive_write_set_bytes_in_last_block) *sym_archive_write_set_bytes_in_last_block;
__typeof__(archive_write_set_format_pax_restricted) *sym_archive_write_set_format_pax_restricted;

int cli_archive_load(void)
{
        static int loaded = 0;
        void *dl;

        if (loaded != 0)
                return loaded > 0 ? 0 : -EOPNOTSUPP;
        loaded = -1;
        dl = dlopen(LIBARCHIVE_SONAME, RTLD_NOW | RTLD_NODELETE);
        if (!dl) {
                log_error("raind: Cannot load " LIBARCHIVE_SONAME ": %s", dlerror());
                return -EOPNOTSUPP;
        }
#define LOAD(name)                                                                  \
        do {                                                                        \
                if (!(sym_##name = (__typeof__(sym_##name))dlsym(dl, #name))) {     \
                        log_error("raind: " LIBARCHIVE_SONAME " has no %s", #name); \
                        return -EOPNOTSUPP;                                         \
                }                                                                   \
        } while (0)
        LOAD(archive_entry_filetype);
        LOAD(archive_entry_free);
        LOAD(archive_entry_hardlink);
        LOAD(archive_entry_new);
        LOAD(archive_entry_pathname);
        LOAD(archive_entry_set_gid);
        LOAD(archive_entry_set_gname);
        LOAD(archive_entry_set_hardlink);
        LOAD(archive_entry_set_pathname);
        LOAD(archive_entry_set_uid);
        LOAD(archive_entry_set_uname);
        LOAD(archive_entry_size);
        LOAD(archive_errno);
        LOAD(archive_error_string);
        LOAD(archive_read_data);
        LOAD(archive_read_data_block);
        LOAD(archive_read_disk_can_descend);
        LOAD(archive_read_disk_descend);
        LOAD(archive_read_disk_new);
        LOAD(archive_read_disk_open);
        LOAD(archive_read_disk_set_behavior);
        LOAD(archive_read_disk_set_symlink_physical);
        LOAD(archive_read_free);
        LOAD(archive_read_new);
        LOAD(archive_read_next_header);
        LOAD(archive_read_next_header2);
        LOAD(archive_read_open_fd);
        LOAD(archive_read_support_filter_all);
        LOAD(archive_read_support_format_tar);
        LOAD(archive_write_close);
        LOAD(archive_write_data);
        LOAD(archive_write_data_block);
        LOAD(archive_write_disk_new);
        LOAD(archive_write_disk_set_options);
        LOAD(archive_write_finish_entry);
        LOAD(archive_write_free);
        LOAD(archive_write_header);
        LOAD(archive_write_new);
        LOAD(archive_write_open_fd);
        LOAD(archive_write_set_bytes_in_last_block);
        LOAD(archive_write_set_format_pax_restricted);
#undef LOAD
        loaded = 1;
        return 0;
}
