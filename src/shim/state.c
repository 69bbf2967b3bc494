/* SPDX-License-Identifier: Apache-2.0 */
#include <limits.h>

#include "raind/fileio.h"
#include "raind/log.h"
#include "raind/util.h"
#include "state.h"

static int write_state_file(const char *state_dir, const char *name, const char *content, size_t len)
{
        char path[PATH_MAX];

        if (snprintf(path, sizeof(path), "%s/%s", state_dir, name) >= (int)sizeof(path))
                return log_error_errno(-ENAMETOOLONG, "State directory path is too long.");
        int r = write_file_atomic(path, content, len, 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to write %s: %m", path);
        return 0;
}

int state_write_pid(const char *state_dir, pid_t container_pid)
{
        uint64_t shim_start, container_start;
        char buf[256];
        int r;

        r = process_start_time(getpid(), &shim_start);
        if (r < 0)
                return log_error_errno(r, "Failed to read the shim's start time: %m");
        r = process_start_time(container_pid, &container_start);
        if (r < 0)
                return log_error_errno(r, "Failed to read the container's start time: %m");

        int n = snprintf(buf, sizeof(buf),
                         "{\"shimPid\":%d,\"containerPid\":%d,\"shimStartTime\":%llu,"
                         "\"containerStartTime\":%llu,\"startedAt\":%llu}\n",
                         (int)getpid(), (int)container_pid, (unsigned long long)shim_start,
                         (unsigned long long)container_start, (unsigned long long)now_usec(CLOCK_REALTIME));
        return write_state_file(state_dir, "pid", buf, (size_t)n);
}

int state_write_exit(const char *state_dir, int exit_status)
{
        char buf[128];
        int n = snprintf(buf, sizeof(buf), "{\"exitStatus\":%d,\"finishedAt\":%llu}\n", exit_status,
                         (unsigned long long)now_usec(CLOCK_REALTIME));
        return write_state_file(state_dir, "exit", buf, (size_t)n);
}
