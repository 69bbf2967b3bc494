/* SPDX-License-Identifier: Apache-2.0 */
#include <sys/mount.h>

#include "raind/macro.h"
#include "raind/strv.h"
#include "mount-options.h"

static const struct {
        const char *name;
        bool clear;
        unsigned long flag;
} mount_flag_table[] = {
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
};

static const struct {
        const char *name;
        unsigned long propagation;
} propagation_table[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

void mount_options_done(MountOptions *o)
{
        free(o->data);
        o->data = NULL;
}

static int append_data(char **data, const char *option)
{
        char *n;

        if (asprintf(&n, "%s%s%s", strempty(*data), *data ? "," : "", option) < 0)
                return -ENOMEM;
        free(*data);
        *data = n;
        return 0;
}

static bool parse_flag(const char *option, unsigned long *flags)
{
        for (size_t i = 0; i < ELEMENTSOF(mount_flag_table); i++) {
                if (!streq(option, mount_flag_table[i].name))
                        continue;
                if (mount_flag_table[i].clear)
                        *flags &= ~mount_flag_table[i].flag;
                else
                        *flags |= mount_flag_table[i].flag;
                return true;
        }
        return false;
}

static bool parse_propagation(const char *option, unsigned long *propagation)
{
        for (size_t i = 0; i < ELEMENTSOF(propagation_table); i++)
                if (streq(option, propagation_table[i].name)) {
                        *propagation = propagation_table[i].propagation;
                        return true;
                }
        return false;
}

int mount_options_parse(char *const *options, MountOptions *ret)
{
        MountOptions o = {};

        STRV_FOREACH (option, options) {
                if (parse_flag(*option, &o.flags) || parse_propagation(*option, &o.propagation))
                        continue;
                if (streq(*option, "bind") || streq(*option, "rbind")) {
                        o.bind = true;
                        o.recursive = streq(*option, "rbind");
                        continue;
                }
                if (streq(*option, "tmpcopyup")) /* runc's copy-up of image content: not supported. */
                        continue;
                if (append_data(&o.data, *option) < 0) {
                        mount_options_done(&o);
                        return -ENOMEM;
                }
        }
        *ret = o;
        return 0;
}

void mount_flags_to_attr(unsigned long flags, uint64_t *ret_set, uint64_t *ret_clr)
{
        uint64_t set = 0, clr = 0;

        if (flags & MS_RDONLY)
                set |= MOUNT_ATTR_RDONLY;
        if (flags & MS_NOSUID)
                set |= MOUNT_ATTR_NOSUID;
        if (flags & MS_NODEV)
                set |= MOUNT_ATTR_NODEV;
        if (flags & MS_NOEXEC)
                set |= MOUNT_ATTR_NOEXEC;
        if (flags & MS_NODIRATIME)
                set |= MOUNT_ATTR_NODIRATIME;
        /* The access time modes are one field: setting one means clearing the field first. */
        if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
                clr |= MOUNT_ATTR__ATIME;
                if (flags & MS_NOATIME)
                        set |= MOUNT_ATTR_NOATIME;
                else if (flags & MS_STRICTATIME)
                        set |= MOUNT_ATTR_STRICTATIME;
                else
                        set |= MOUNT_ATTR_RELATIME;
        }
        *ret_set = set;
        *ret_clr = clr;
}
