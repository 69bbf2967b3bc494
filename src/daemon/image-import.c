/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "container.h"
#include "image-import.h"
#include "manager.h"
#include "raind/bus-errors.h"
#include "raind/fileio.h"
#include "raind/log.h"

/* Unpacking a tarball can take seconds: it runs in a forked worker, so that raindd keeps answering
 * everyone else meanwhile. Image store changes run one at a time; calls that would change the store
 * while an import runs wait for it and are then dispatched again. */

#define IMPORT_REPORT_MAX 2048

struct ImageImport {
        sd_bus_message *request;
        char *reference;
        pid_t pid;
        int report_fd;
        sd_event_source *exit_source;
};

static ImageImport *image_import_free(ImageImport *i)
{
        if (!i)
                return NULL;
        sd_event_source_disable_unref(i->exit_source);
        sd_bus_message_unref(i->request);
        safe_close(i->report_fd);
        free(i->reference);
        free(i);
        return NULL;
}

void image_imports_free(Manager *m)
{
        m->image_import = image_import_free(m->image_import);
        pending_calls_free(&m->image_queue);
}

bool image_store_busy(Manager *m, sd_bus_message *call)
{
        if (!m->image_import)
                return false;
        if (pending_call_add(&m->image_queue, call) < 0)
                return false; /* out of memory: let it race rather than drop it */
        return true;
}

static void image_queue_dispatch(Manager *m)
{
        PendingCall *queue = TAKE_PTR(m->image_queue);
        /* Oldest first: the list is pushed at the front. */
        pending_calls_requeue(&queue, m->bus);
}

static int on_import_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Manager *m = userdata;
        ImageImport *i = m->image_import;
        char report[IMPORT_REPORT_MAX + 1];
        siginfo_t si = {};

        (void)waitid(P_PID, (id_t)i->pid, &si, WEXITED);
        ssize_t n = read(i->report_fd, report, sizeof(report) - 1);
        report[n > 0 ? n : 0] = 0;

        const char *id = startswith(report, "ok ");
        if (si.si_code == CLD_EXITED && si.si_status == 0 && id) {
                log_info("Imported image %s (%.12s).", i->reference, id);
                (void)sd_bus_reply_method_return(i->request, "s", id);
        } else {
                const char *why = startswith(report, "err ") ?: "the import worker died";
                log_info("Import of %s failed: %s", i->reference, why);
                (void)sd_bus_reply_method_errorf(i->request, BUS_ERROR_IMPORT_FAILED, "Cannot import %s: %s",
                                                 i->reference, why);
        }
        m->image_import = image_import_free(i);
        image_queue_dispatch(m);
        return 0;
}

int image_import_start(Manager *m, sd_bus_message *request, int fd, const char *reference)
{
        _cleanup_close_pair_ int report[2] = {-EBADF, -EBADF};
        int r;

        if (pipe2(report, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                _cleanup_free_ char *id = NULL, *message = NULL;
                char buf[IMPORT_REPORT_MAX];
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                r = image_store_import(m->images, fd, reference, &id, &message);
                if (r < 0)
                        snprintf(buf, sizeof(buf), "err %s", message ?: strerror(-r));
                else
                        snprintf(buf, sizeof(buf), "ok %s", id);
                (void)loop_write(report[1], buf, strlen(buf));
                _exit(r < 0 ? 1 : 0);
        }

        ImageImport *i = calloc(1, sizeof(*i));
        if (!i) {
                (void)kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                return -ENOMEM;
        }
        i->pid = pid;
        i->report_fd = TAKE_FD(report[0]);
        i->request = sd_bus_message_ref(request);
        i->reference = strdup(reference);
        int pidfd = pidfd_open(pid, 0);
        r = pidfd < 0 ? -errno
                      : sd_event_add_io(m->event, &i->exit_source, pidfd, EPOLLIN, on_import_exit, m);
        if (r >= 0)
                r = sd_event_source_set_io_fd_own(i->exit_source, true);
        if (r < 0 || !i->reference) {
                safe_close(pidfd);
                (void)kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                image_import_free(i);
                return r < 0 ? r : -ENOMEM;
        }
        m->image_import = i;
        return 0;
}
