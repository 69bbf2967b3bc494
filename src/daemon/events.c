/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <systemd/sd-journal.h>

#include "container.h"
#include "events.h"
#include "manager.h"
#include "raind/log.h"
#include "raind/message-ids.h"

static const struct {
        const char *event;
        const char *message_id;
} event_ids[] = {
    {"create", RAIND_MESSAGE_CREATE}, {"start", RAIND_MESSAGE_START},     {"die", RAIND_MESSAGE_DIE},
    {"oom", RAIND_MESSAGE_OOM},       {"restart", RAIND_MESSAGE_RESTART}, {"stop", RAIND_MESSAGE_STOP},
    {"kill", RAIND_MESSAGE_KILL},     {"rename", RAIND_MESSAGE_RENAME},   {"remove", RAIND_MESSAGE_REMOVE},
};

/* The fields are RAIND_CONTAINER_NAME etc., not CONTAINER_NAME: `journalctl CONTAINER_NAME=web` and
 * `raind container logs` show the container's own output only, as with Docker's journald driver. */
static void event_journal(Container *c, const char *event, const char *message_id, EventDetails d)
{
        char short_id[SHORT_ID_LEN + 1], message[512], exit_field[32] = "", signal_field[32] = "";
        const char *old_field = NULL;
        _cleanup_free_ char *old = NULL;

        snprintf(short_id, sizeof(short_id), "%.12s", c->id);
        if (d.exit_status >= 0) {
                snprintf(exit_field, sizeof(exit_field), "EXIT_STATUS=%d", d.exit_status);
                snprintf(message, sizeof(message), "Container %s %s with status %d.", c->name,
                         streq(event, "die") ? "died" : event, d.exit_status);
        } else if (d.signal > 0) {
                snprintf(signal_field, sizeof(signal_field), "SIGNAL=%d", d.signal);
                snprintf(message, sizeof(message), "Container %s: kill, signal %d.", c->name, d.signal);
        } else if (d.old_name) {
                if (asprintf(&old, "OLD_NAME=%s", d.old_name) >= 0)
                        old_field = old;
                snprintf(message, sizeof(message), "Container %s renamed from %s.", c->name, d.old_name);
        } else
                snprintf(message, sizeof(message), "Container %s: %s.", c->name, event);

        /* Optional fields go last; sd_journal_send() stops at the first NULL. */
        const char *optional[3] = {NULL, NULL, NULL};
        size_t n = 0;
        if (exit_field[0])
                optional[n++] = exit_field;
        if (signal_field[0])
                optional[n++] = signal_field;
        if (old_field)
                optional[n++] = old_field;

        int r = sd_journal_send("MESSAGE=%s", message, "MESSAGE_ID=%s", message_id, "PRIORITY=%d", LOG_INFO,
                                "SYSLOG_IDENTIFIER=raindd", "RAIND_EVENT=%s", event, "RAIND_CONTAINER_ID=%s",
                                short_id, "RAIND_CONTAINER_ID_FULL=%s", c->id, "RAIND_CONTAINER_NAME=%s",
                                c->name, "RAIND_IMAGE_NAME=%s", strempty(c->config.image),
                                optional[0] ? "%s" : NULL, optional[0], optional[1] ? "%s" : NULL,
                                optional[1], optional[2] ? "%s" : NULL, optional[2], NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to log %s event of %s: %m", event, c->name);
}

static void event_signal(Container *c, const char *event, EventDetails d)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        sd_bus *bus = c->manager->bus;
        int r;

        if (!bus)
                return;
        r = sd_bus_message_new_signal(bus, &m, "/org/raind/raind1", "org.raind.raind1.Manager", "Event");
        if (r >= 0)
                r = sd_bus_message_append(m, "sss", event, c->id, c->name);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && d.exit_status >= 0)
                r = sd_bus_message_append(m, "{sv}", "ExitStatus", "i", d.exit_status);
        if (r >= 0 && d.signal > 0)
                r = sd_bus_message_append(m, "{sv}", "Signal", "i", d.signal);
        if (r >= 0 && d.old_name)
                r = sd_bus_message_append(m, "{sv}", "OldName", "s", d.old_name);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_send(bus, m, NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to send %s event of %s: %m", event, c->name);
}

void container_event(Container *c, const char *event, EventDetails details)
{
        for (size_t i = 0; i < ELEMENTSOF(event_ids); i++)
                if (streq(event_ids[i].event, event)) {
                        event_journal(c, event, event_ids[i].message_id, details);
                        event_signal(c, event, details);
                        return;
                }
}

static const struct {
        const char *event;
        const char *message_id;
} image_event_ids[] = {
    {"pull", RAIND_MESSAGE_IMAGE_PULL},     {"push", RAIND_MESSAGE_IMAGE_PUSH},
    {"tag", RAIND_MESSAGE_IMAGE_TAG},       {"untag", RAIND_MESSAGE_IMAGE_UNTAG},
    {"delete", RAIND_MESSAGE_IMAGE_DELETE}, {"import", RAIND_MESSAGE_IMAGE_IMPORT},
    {"load", RAIND_MESSAGE_IMAGE_LOAD},     {"save", RAIND_MESSAGE_IMAGE_SAVE},
};

void image_event(Manager *m, const char *event, const char *id, const char *name)
{
        const char *message_id = NULL;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(image_event_ids); i++)
                if (streq(image_event_ids[i].event, event))
                        message_id = image_event_ids[i].message_id;
        if (!message_id)
                return;

        r = sd_journal_send("MESSAGE=Image %s: %s.", name ?: strempty(id), event, "MESSAGE_ID=%s",
                            message_id, "PRIORITY=%d", LOG_INFO, "SYSLOG_IDENTIFIER=raindd",
                            "RAIND_EVENT=%s", event, "RAIND_EVENT_TYPE=image", "RAIND_IMAGE_ID=%s",
                            strempty(id), name ? "RAIND_IMAGE_NAME=%s" : NULL, name, NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to log image %s event: %m", event);

        if (!m->bus)
                return;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *s = NULL;
        r = sd_bus_message_new_signal(m->bus, &s, "/org/raind/raind1", "org.raind.raind1.Manager", "Event");
        if (r >= 0)
                r = sd_bus_message_append(s, "sss", event, strempty(id), strempty(name));
        if (r >= 0)
                r = sd_bus_message_append(s, "a{sv}", 1, "Type", "s", "image");
        if (r >= 0)
                r = sd_bus_send(m->bus, s, NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to send image %s event: %m", event);
}
