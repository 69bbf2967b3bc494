/* SPDX-License-Identifier: Apache-2.0 */
#include "bus-util.h"

int bus_message_skip_options(sd_bus_message *m, sd_bus_error *error)
{
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'e', "sv");
        if (r < 0)
                return r;
        if (r > 0) {
                const char *key;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%s'.", key);
        }
        return sd_bus_message_exit_container(m);
}
