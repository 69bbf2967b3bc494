/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <limits.h>
#include <systemd/sd-id128.h>

#include "raind/macro.h"

#include "cli-journal.h"

int journal_check_access(void)
{
        static const char *const dirs[] = {"/var/log/journal", "/run/log/journal"};
        char machine[SD_ID128_STRING_MAX];
        sd_id128_t id;
        bool denied = false;
        int r;

        if (geteuid() == 0)
                return 0;
        r = sd_id128_get_machine(&id);
        if (r < 0)
                return 0; /* No machine id, no journal to speak of: let sd-journal find out. */
        sd_id128_to_string(id, machine);

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                char path[PATH_MAX];
                int fd;

                snprintf(path, sizeof(path), "%s/%s/system.journal", dirs[i], machine);
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                if (fd >= 0) {
                        safe_close(fd);
                        return 0;
                }
                if (errno == EACCES || errno == EPERM)
                        denied = true;
        }
        return denied ? -EACCES : 0;
}

int journal_entry_field(sd_journal *j, const char *field, const char **ret, size_t *ret_size)
{
        size_t l = strlen(field), size;
        const void *data;
        int r;

        r = sd_journal_get_data(j, field, &data, &size);
        if (r < 0)
                return r;
        /* "FIELD=value" */
        if (size <= l || ((const char *)data)[l] != '=')
                return -EBADMSG;
        *ret = (const char *)data + l + 1;
        *ret_size = size - l - 1;
        return 0;
}

int journal_entry_string(sd_journal *j, const char *field, char **ret)
{
        const char *value;
        size_t size;
        char *s;
        int r;

        r = journal_entry_field(j, field, &value, &size);
        if (r < 0)
                return r;
        s = strndup(value, size);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}
