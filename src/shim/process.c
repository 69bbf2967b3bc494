/* SPDX-License-Identifier: Apache-2.0 */
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "child-report.h"
#include "credentials.h"
#include "exec.h"
#include "process.h"
#include "raind/fileio.h"
#include "seccomp-filter.h"

static int enter_cwd(const char *cwd, bool create)
{
        /* Docker creates a missing working directory for the init; we are inside the new root already. */
        int r = create ? mkdir_p(cwd, 0755) : 0;
        if (r < 0)
                return child_error(r, 125, "Failed to create working directory %s: %m", cwd);
        if (chdir(cwd) < 0)
                return child_error(errno, 125, "Failed to change to working directory %s: %m", cwd);
        return 0;
}

/* Installing a filter needs no_new_privs or CAP_SYS_ADMIN: if the process will have neither after
 * the credentials switch, the filter goes in before it (and then has to allow that switch). */
static bool seccomp_after_credentials(const ProcessConfig *p)
{
        if (p->no_new_privileges)
                return true;
        if (p->has_capabilities)
                return p->capabilities.effective & (UINT64_C(1) << CAP_SYS_ADMIN);
        return p->uid == 0;
}

static int install_seccomp(const struct sock_fprog *seccomp)
{
        int r = seccomp_install(seccomp);
        if (r < 0)
                return child_error(r, 125, "Failed to load seccomp filter: %m");
        return 0;
}

static int reset_signals(void)
{
        sigset_t all;

        /* The shim ignores SIGPIPE and blocks the signals it forwards; the process starts clean. */
        for (int sig = 1; sig < SIGRTMIN; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)signal(sig, SIG_DFL);
        sigemptyset(&all);
        if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
                return child_error(errno, 125, "Failed to reset signal mask: %m");
        return 0;
}

int process_exec(const ProcessConfig *p, const struct sock_fprog *seccomp, bool create_cwd)
{
        bool seccomp_late = seccomp_after_credentials(p);
        _cleanup_free_ char *path = NULL;
        int r;

        umask(0022);
        r = enter_cwd(p->cwd, create_cwd);
        if (r < 0)
                return r;
        if (seccomp && !seccomp_late && (r = install_seccomp(seccomp)) < 0)
                return r;
        r = credentials_apply(p);
        if (r < 0)
                return r;
        if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return child_error(errno, 125, "Failed to set no_new_privs: %m");
        r = exec_resolve(p->args[0], p->env, &path);
        if (r < 0)
                return r;
        r = reset_signals();
        if (r < 0)
                return r;
        if (seccomp && seccomp_late && (r = install_seccomp(seccomp)) < 0)
                return r;
        return exec_command(path, p->args, p->env);
}
