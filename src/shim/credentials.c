/* SPDX-License-Identifier: Apache-2.0 */
#include <grp.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "child-report.h"
#include "credentials.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(cap_t, cap_free);

static bool has_cap(uint64_t mask, int cap)
{
        return cap < 64 && (mask & (UINT64_C(1) << cap));
}

static int drop_bounding_set(uint64_t keep)
{
        int last = (int)cap_max_bits() - 1;

        for (int cap = 0; cap <= last; cap++) {
                if (has_cap(keep, cap))
                        continue;
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                        return child_error(errno, 125,
                                           "Failed to drop capability %d from the bounding set: %m", cap);
        }
        return 0;
}

static int switch_user(const ProcessConfig *c)
{
        if (setgroups(c->n_additional_gids, c->additional_gids) < 0)
                return child_error(errno, 125, "Failed to set supplementary groups: %m");
        if (setresgid(c->gid, c->gid, c->gid) < 0)
                return child_error(errno, 125, "Failed to set group id %u: %m", (unsigned)c->gid);
        if (setresuid(c->uid, c->uid, c->uid) < 0)
                return child_error(errno, 125, "Failed to set user id %u: %m", (unsigned)c->uid);
        return 0;
}

static int set_flag(cap_t caps, cap_flag_t flag, uint64_t mask, int last)
{
        for (int cap = 0; cap <= last; cap++) {
                cap_value_t v = cap;
                if (has_cap(mask, cap) && cap_set_flag(caps, flag, 1, &v, CAP_SET) < 0)
                        return -errno;
        }
        return 0;
}

static int set_capabilities(const CapabilitySets *s)
{
        int last = (int)cap_max_bits() - 1, r;

        _cleanup_(cap_freep) cap_t caps = cap_init();
        if (!caps)
                return child_error(ENOMEM, 125, "Out of memory.");
        if ((r = set_flag(caps, CAP_EFFECTIVE, s->effective, last)) < 0 ||
            (r = set_flag(caps, CAP_PERMITTED, s->permitted, last)) < 0 ||
            (r = set_flag(caps, CAP_INHERITABLE, s->inheritable, last)) < 0)
                return child_error(r, 125, "Failed to build capability sets: %m");
        if (cap_set_proc(caps) < 0)
                return child_error(errno, 125, "Failed to set capabilities: %m");

        for (int cap = 0; cap <= last; cap++)
                if (has_cap(s->ambient, cap) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
                        return child_error(errno, 125, "Failed to raise ambient capability %d: %m", cap);
        return 0;
}

int credentials_apply(const ProcessConfig *c)
{
        int r;

        if (c->has_capabilities) {
                r = drop_bounding_set(c->capabilities.bounding);
                if (r < 0)
                        return r;
                /* Keep the permitted set across setuid(); effective is set again below. */
                if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                        return child_error(errno, 125, "Failed to keep capabilities: %m");
        }
        r = switch_user(c);
        if (r < 0)
                return r;
        if (!c->has_capabilities)
                return 0;
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return child_error(errno, 125, "Failed to reset keep-capabilities: %m");
        return set_capabilities(&c->capabilities);
}
