/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>

#include "manager.h"
#include "polkit.h"
#include "raind/log.h"
#include "raind/util.h"

/* One CheckAuthorization in flight. When polkit answers, the original method call is queued again on
 * the bus, its handler runs a second time and finds the answer here (the scheme systemd uses). */
struct PolkitQuery {
        PolkitQuery *next;
        Manager *manager;
        sd_bus_message *request;
        char *action;
        sd_bus_slot *slot;
        bool done;
        bool authorized;
        bool challenge;
        sd_bus_error error;
};

static PolkitQuery *polkit_query_free(PolkitQuery *q)
{
        if (!q)
                return NULL;
        sd_bus_slot_unref(q->slot);
        sd_bus_message_unref(q->request);
        sd_bus_error_free(&q->error);
        free(q->action);
        free(q);
        return NULL;
}

static void polkit_query_unlink(PolkitQuery *q)
{
        for (PolkitQuery **p = &q->manager->polkit_queries; *p; p = &(*p)->next)
                if (*p == q) {
                        *p = q->next;
                        return;
                }
}

void polkit_queries_free(Manager *m)
{
        while (m->polkit_queries) {
                PolkitQuery *q = m->polkit_queries;
                m->polkit_queries = q->next;
                polkit_query_free(q);
        }
        for (size_t i = 0; i < ELEMENTSOF(m->polkit_grants); i++) {
                m->polkit_grants[i].sender = mfree(m->polkit_grants[i].sender);
                m->polkit_grants[i].action = mfree(m->polkit_grants[i].action);
        }
}

#define POLKIT_GRANT_USEC (5 * USEC_PER_SEC)

static bool polkit_granted(Manager *m, const char *sender, const char *action)
{
        uint64_t now = now_usec(CLOCK_MONOTONIC);

        for (size_t i = 0; i < ELEMENTSOF(m->polkit_grants); i++)
                if (m->polkit_grants[i].until > now && streq_ptr(m->polkit_grants[i].sender, sender) &&
                    streq_ptr(m->polkit_grants[i].action, action))
                        return true;
        return false;
}

static void polkit_grant(Manager *m, const char *sender, const char *action)
{
        unsigned i = m->polkit_grants_next++ % ELEMENTSOF(m->polkit_grants);
        char *s = strdup(sender), *a = strdup(action);

        if (!s || !a) {
                free(s);
                free(a);
                return;
        }
        free(m->polkit_grants[i].sender);
        free(m->polkit_grants[i].action);
        m->polkit_grants[i].sender = s;
        m->polkit_grants[i].action = a;
        m->polkit_grants[i].until = now_usec(CLOCK_MONOTONIC) + POLKIT_GRANT_USEC;
}

static int polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
        PolkitQuery *q = userdata;
        int r;

        q->slot = sd_bus_slot_unref(q->slot);
        q->done = true;

        if (sd_bus_message_is_method_error(reply, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(reply);
                log_warning("polkit check for %s failed: %s", q->action, e->message);
                sd_bus_error_set(&q->error, SD_BUS_ERROR_ACCESS_DENIED,
                                 "Authorization check with polkit failed.");
        } else {
                int authorized, challenge;
                r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
                if (r >= 0)
                        r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
                if (r < 0) {
                        log_warning_errno(r, "Failed to parse polkit reply: %m");
                        sd_bus_error_set(&q->error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "Authorization check with polkit failed.");
                } else {
                        q->authorized = authorized;
                        q->challenge = challenge;
                }
        }

        /* Run the method handler again, from the first argument; it finds this answer. */
        r = sd_bus_message_rewind(q->request, true);
        if (r >= 0)
                r = sd_bus_enqueue_for_read(sd_bus_message_get_bus(q->request), q->request);
        if (r < 0) {
                log_error_errno(r, "Failed to requeue method call after polkit check: %m");
                (void)sd_bus_reply_method_errorf(q->request, SD_BUS_ERROR_FAILED, "Internal error: %s",
                                                 strerror(-r));
                polkit_query_unlink(q);
                polkit_query_free(q);
        }
        return 0;
}

static int sender_is_root(sd_bus_message *call)
{
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t euid;
        int r = sd_bus_query_sender_creds(call, SD_BUS_CREDS_EUID, &creds);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_euid(creds, &euid);
        if (r < 0)
                return r;
        return euid == 0;
}

int polkit_verify_async(Manager *m, sd_bus_message *call, const char *action, sd_bus_error *error)
{
        int r;

        /* Root needs no question to polkit: it could do all of this by hand anyway. */
        r = sender_is_root(call);
        if (r > 0)
                return 1;

        for (PolkitQuery *q = m->polkit_queries; q; q = q->next) {
                if (q->request != call || !streq(q->action, action))
                        continue;
                if (!q->done)
                        return 0;
                polkit_query_unlink(q);
                if (sd_bus_error_is_set(&q->error))
                        r = sd_bus_error_copy(error, &q->error);
                else if (q->authorized) {
                        const char *sender = sd_bus_message_get_sender(call);
                        if (sender)
                                polkit_grant(m, sender, action);
                        r = 1;
                } else if (q->challenge)
                        r = sd_bus_error_setf(error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                              "Interactive authentication required for %s.", action);
                else
                        r = sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                              "Access denied: not authorized for %s.", action);
                polkit_query_free(q);
                return r;
        }

        _cleanup_(sd_bus_message_unrefp) sd_bus_message *pk = NULL;
        const char *sender = sd_bus_message_get_sender(call);
        if (!sender)
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "Caller has no bus name.");
        if (polkit_granted(m, sender, action))
                return 1;

        r = sd_bus_message_new_method_call(m->bus, &pk, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r >= 0)
                r = sd_bus_message_append(
                    pk, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s", sender, action, 0,
                    (uint32_t)(sd_bus_message_get_allow_interactive_authorization(call) > 0), "");
        if (r < 0)
                return log_error_errno(r, "Failed to build polkit request: %m");

        PolkitQuery *q = calloc(1, sizeof(*q));
        if (!q)
                return -ENOMEM;
        q->manager = m;
        q->request = sd_bus_message_ref(call);
        q->action = strdup(action);
        if (!q->action) {
                polkit_query_free(q);
                return -ENOMEM;
        }
        /* Interactive authentication may take a while: allow up to 5 minutes like systemd. */
        r = sd_bus_call_async(m->bus, &q->slot, pk, polkit_reply, q, 300 * 1000000ULL);
        if (r < 0) {
                polkit_query_free(q);
                return log_error_errno(r, "Failed to call polkit: %m");
        }
        q->next = m->polkit_queries;
        m->polkit_queries = q;
        return 0;
}
