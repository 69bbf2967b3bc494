/* SPDX-License-Identifier: Apache-2.0 */
#include "container.h"
#include "events.h"
#include "manager.h"
#include "raind/log.h"
#include "raind/util.h"

/* Restart policies, as Docker has them: raindd starts an exited container again after a delay that
 * doubles from 100 ms up to a minute, and falls back to 100 ms after a run of ten seconds or more. */

#define RESTART_DELAY_MIN_USEC (100 * 1000ULL)
#define RESTART_DELAY_MAX_USEC (60 * USEC_PER_SEC)
#define RESTART_RESET_RUN_USEC (10 * USEC_PER_SEC)

static RestartPolicy container_restart_policy(Container *c, unsigned *ret_max)
{
        RestartPolicy p = RESTART_NO;
        *ret_max = 0;
        if (c->config.restart_policy && parse_restart_policy(c->config.restart_policy, &p, ret_max) < 0)
                return RESTART_NO;
        return p;
}

static bool container_should_restart(Container *c)
{
        unsigned max;
        RestartPolicy p = container_restart_policy(c, &max);

        if (c->manually_stopped || c->config.auto_remove)
                return false;
        switch (p) {
        case RESTART_ON_FAILURE:
                return c->exit_status != 0 && (max == 0 || c->restart_count < max);
        case RESTART_ALWAYS:
        case RESTART_UNLESS_STOPPED:
                return true;
        default:
                return false;
        }
}

static int on_restart_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        Container *c = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

        c->restart_timer = sd_event_source_disable_unref(c->restart_timer);
        c->restart_count++;
        container_event(c, "restart", EVENT_NO_DETAILS);
        log_info("Restarting container %s (restart %u).", c->name, c->restart_count);
        c->state = CONTAINER_EXITED; /* container_start() starts exited containers */
        int r = container_start(c, NULL, -EBADF, -EBADF, -EBADF, &error);
        if (r < 0)
                log_error_errno(r, "Failed to restart container %s: %s", c->name,
                                error.message ?: strerror(-r));
        return 0;
}

int container_schedule_restart(Container *c)
{
        if (!container_should_restart(c))
                return 0;

        if (c->finished_at >= c->started_at + RESTART_RESET_RUN_USEC)
                c->restart_delay_usec = 0;
        c->restart_delay_usec = c->restart_delay_usec == 0
                                    ? RESTART_DELAY_MIN_USEC
                                    : MIN(c->restart_delay_usec * 2, RESTART_DELAY_MAX_USEC);

        int r = sd_event_add_time_relative(c->manager->event, &c->restart_timer, CLOCK_MONOTONIC,
                                           c->restart_delay_usec, 0, on_restart_timer, c);
        if (r < 0)
                return log_error_errno(r, "Failed to schedule restart of %s: %m", c->name);
        log_info("Container %s will be restarted in %llu ms.", c->name,
                 (unsigned long long)(c->restart_delay_usec / 1000));
        container_set_state(c, CONTAINER_RESTARTING);
        return 1;
}

void container_cancel_restart(Container *c)
{
        c->restart_timer = sd_event_source_disable_unref(c->restart_timer);
        if (c->state == CONTAINER_RESTARTING)
                container_set_state(c, CONTAINER_EXITED);
}

/* At raindd's start: "always" containers come back, and "unless-stopped" ones that nobody stopped. */
void container_start_on_boot(Container *c)
{
        unsigned max;
        RestartPolicy p = container_restart_policy(c, &max);
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

        if (c->state != CONTAINER_EXITED && c->state != CONTAINER_CREATED)
                return;
        if (p == RESTART_ALWAYS)
                c->manually_stopped = false;
        else if (p != RESTART_UNLESS_STOPPED || c->manually_stopped)
                return;
        if (c->state == CONTAINER_CREATED && c->exit_status < 0)
                return; /* never started: starting is the user's call */
        log_info("Starting container %s (restart policy %s).", c->name, c->config.restart_policy);
        int r = container_start(c, NULL, -EBADF, -EBADF, -EBADF, &error);
        if (r < 0)
                log_error_errno(r, "Failed to start container %s: %s", c->name,
                                error.message ?: strerror(-r));
}
