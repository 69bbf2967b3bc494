/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>

#include "container.h"
#include "raind/log.h"

/* Method calls answered later: Wait, Stop and forced Remove reply once the container has exited. */
struct PendingCall {
        PendingCall *next;
        sd_bus_message *message;
};

int pending_call_add(PendingCall **list, sd_bus_message *m)
{
        PendingCall *p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->message = sd_bus_message_ref(m);
        p->next = *list;
        *list = p;
        return 0;
}

static PendingCall *pending_call_pop(PendingCall **list)
{
        PendingCall *p = *list;
        if (p)
                *list = p->next;
        return p;
}

static void pending_call_free(PendingCall *p)
{
        sd_bus_message_unref(p->message);
        free(p);
}

void pending_calls_reply_wait(PendingCall **list, int exit_status)
{
        for (PendingCall *p; (p = pending_call_pop(list));) {
                int r = sd_bus_reply_method_return(p->message, "i", exit_status);
                if (r < 0)
                        log_debug_errno(r, "Failed to answer Wait: %m");
                pending_call_free(p);
        }
}

void pending_calls_reply_empty(PendingCall **list)
{
        for (PendingCall *p; (p = pending_call_pop(list));) {
                int r = sd_bus_reply_method_return(p->message, NULL);
                if (r < 0)
                        log_debug_errno(r, "Failed to answer method call: %m");
                pending_call_free(p);
        }
}

void pending_calls_reply_error(PendingCall **list, const char *name, const char *message)
{
        for (PendingCall *p; (p = pending_call_pop(list));) {
                (void)sd_bus_reply_method_errorf(p->message, name, "%s", message);
                pending_call_free(p);
        }
}

void pending_calls_free(PendingCall **list)
{
        for (PendingCall *p; (p = pending_call_pop(list));)
                pending_call_free(p);
}
