/* SPDX-License-Identifier: Apache-2.0 */
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "raind/log.h"
#include "raind/strv.h"
#include "seccomp-filter.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(scmp_filter_ctx, seccomp_release);

static bool args_repeat_an_index(const SeccompRule *rule)
{
        for (unsigned i = 0; i < rule->n_args; i++)
                for (unsigned j = i + 1; j < rule->n_args; j++)
                        if (rule->args[i].arg == rule->args[j].arg)
                                return true;
        return false;
}

static int add_rule(scmp_filter_ctx ctx, const SeccompRule *rule, const char *name, int nr)
{
        int r;

        /* libseccomp refuses two comparisons of the same argument in one rule; like runc, treat them
         * as alternatives, one rule each. */
        if (args_repeat_an_index(rule)) {
                for (unsigned i = 0; i < rule->n_args; i++) {
                        r = seccomp_rule_add_array(ctx, rule->action, nr, 1, &rule->args[i]);
                        if (r < 0)
                                return log_error_errno(r, "Failed to add seccomp rule for %s: %m", name);
                }
                return 0;
        }
        r = seccomp_rule_add_array(ctx, rule->action, nr, rule->n_args, rule->args);
        if (r < 0)
                return log_error_errno(r, "Failed to add seccomp rule for %s: %m", name);
        return 0;
}

static int add_rules(scmp_filter_ctx ctx, const SeccompConfig *c)
{
        int r;

        for (size_t i = 0; i < c->n_rules; i++) {
                const SeccompRule *rule = &c->rules[i];

                /* libseccomp rejects rules that repeat the default action; they change nothing. */
                if (rule->action == c->default_action)
                        continue;
                STRV_FOREACH (name, rule->names) {
                        int nr = seccomp_syscall_resolve_name(*name);
                        if (nr == __NR_SCMP_ERROR) {
                                log_debug("Unknown syscall %s in seccomp profile, skipping.", *name);
                                continue;
                        }
                        r = add_rule(ctx, rule, *name, nr);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int export_program(scmp_filter_ctx ctx, struct sock_fprog *ret)
{
        _cleanup_close_ int fd = memfd_create("raind-seccomp", MFD_CLOEXEC);
        int r;

        if (fd < 0)
                return log_error_errno(-errno, "Failed to create memfd for seccomp filter: %m");
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return log_error_errno(r, "Failed to export seccomp filter: %m");
        off_t size = lseek(fd, 0, SEEK_END);
        if (size <= 0 || size % sizeof(struct sock_filter) != 0 ||
            size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return log_error_errno(-EINVAL, "Seccomp filter has an invalid size %jd.", (intmax_t)size);

        _cleanup_free_ struct sock_filter *filter = malloc((size_t)size);
        if (!filter)
                return log_oom();
        if (pread(fd, filter, (size_t)size, 0) != size)
                return log_error_errno(-EIO, "Failed to read back seccomp filter.");
        *ret = (struct sock_fprog){
            .len = (unsigned short)(size / sizeof(struct sock_filter)),
            .filter = TAKE_PTR(filter),
        };
        return 0;
}

int seccomp_compile(const SeccompConfig *c, struct sock_fprog *ret)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(c->default_action);
        int r;

        if (!ctx)
                return log_error_errno(-ENOMEM, "Failed to create seccomp filter context.");
        for (size_t i = 0; i < c->n_arches; i++) {
                r = seccomp_arch_add(ctx, c->arches[i]);
                if (r < 0 && r != -EEXIST)
                        return log_error_errno(r, "Failed to add seccomp architecture: %m");
        }
        /* A binary tree of syscall numbers: fewer BPF instructions run per syscall for long lists. */
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

        r = add_rules(ctx, c);
        if (r < 0)
                return r;
        return export_program(ctx, ret);
}

void seccomp_program_done(struct sock_fprog *p)
{
        free(p->filter);
        p->filter = NULL;
        p->len = 0;
}

int seccomp_install(const struct sock_fprog *p)
{
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, p) < 0)
                return -errno;
        return 0;
}
