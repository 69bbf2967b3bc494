/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdio.h>

#include "config.h"
#include "image-worker.h"
#include "manager.h"
#include "raind/fileio.h"
#include "raind/image-pull.h"
#include "raind/registry.h"
#include "raind/strv.h"

#define REGISTRIES_CONF RAIND_CONFIG_DIR "/registries.conf"

static void work_dir_name(uint32_t id, char buf[static 32])
{
        snprintf(buf, 32, "job-%" PRIu32, id);
}

void image_worker_cleanup(Manager *m, uint32_t id)
{
        char name[32];

        work_dir_name(id, name);
        (void)image_store_remove_work_dir(m->images, name);
}

/* Reports are lines: a message must not break one. */
static void report(int fd, const char *kind, const char *text)
{
        _cleanup_free_ char *line = NULL;

        if (asprintf(&line, "%s %s\n", kind, text) < 0)
                return;
        for (char *p = line; p[1]; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        (void)loop_write(fd, line, strlen(line));
}

typedef struct ProgressContext {
        int fd;
} ProgressContext;

static void on_pull_progress(const char *reference, const PullLayerStatus *layers, size_t n, void *userdata)
{
        ProgressContext *c = userdata;
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&line, &size);

        if (!f)
                return;
        fprintf(f, "progress %s %zu", reference, n);
        for (size_t k = 0; k < n; k++)
                fprintf(f, " %s,%s,%" PRIu64 ",%" PRIu64, layers[k].digest,
                        pull_layer_state_to_string(layers[k].state), layers[k].done, layers[k].total);
        fputc('\n', f);
        if (fclose(f) != 0)
                return;
        (void)loop_write(c->fd, line, size);
}

static int work_import(Manager *m, const ImageJobParams *p, int fd)
{
        _cleanup_free_ char *id = NULL, *error = NULL;
        int r;

        r = image_store_import(m->images, p->fd, p->target, &id, &error);
        if (r < 0) {
                report(fd, "err", error ?: strerror(-r));
                return r;
        }
        report(fd, "ok", id);
        return 0;
}

static int work_pull(Manager *m, const ImageJobParams *p, int fd)
{
        _cleanup_free_ char *id = NULL, *error = NULL, *ref = NULL;
        _cleanup_strv_free_ char **search = NULL;
        ProgressContext ctx = {.fd = fd};
        int r;

        r = registries_conf_load(REGISTRIES_CONF, &search);
        if (r < 0 && r != -ENOENT) {
                report(fd, "err",
                       "cannot read " REGISTRIES_CONF ": malformed unqualified-search-registries");
                return r;
        }
        ImagePullOptions o = IMAGE_PULL_OPTIONS_DEFAULT;
        o.platform = p->platform;
        o.tls_verify = p->tls_verify;
        o.username = p->username;
        o.password = p->password;
        o.search_registries = search;
        o.progress = on_pull_progress;
        o.userdata = &ctx;
        r = image_store_pull(m->images, p->target, &o, &id, &ref, &error);
        if (r < 0) {
                report(fd, "err", error ?: strerror(-r));
                return r;
        }
        report(fd, "ok", id);
        return 0;
}

static int work_push(Manager *m, const ImageJobParams *p, int fd)
{
        _cleanup_free_ char *digest = NULL, *error = NULL;
        ProgressContext ctx = {.fd = fd};
        int r;

        ImagePushOptions o = {
            .tls_verify = p->tls_verify,
            .username = p->username,
            .password = p->password,
            .progress = on_pull_progress,
            .userdata = &ctx,
        };
        r = image_store_push(m->images, p->target, p->destination, &o, &digest, &error);
        if (r < 0) {
                report(fd, "err", error ?: strerror(-r));
                return r;
        }
        report(fd, "ok", digest);
        return 0;
}

static int work_save(Manager *m, const ImageJobParams *p, int fd)
{
        _cleanup_free_ char *error = NULL;
        int r;

        r = image_store_save(m->images, p->names, p->target, p->fd, &error);
        if (r < 0) {
                report(fd, "err", error ?: strerror(-r));
                return r;
        }
        report(fd, "ok", "saved");
        return 0;
}

static int work_load(Manager *m, const ImageJobParams *p, int fd)
{
        _cleanup_free_ char *error = NULL, *joined = NULL;
        _cleanup_strv_free_ char **refs = NULL;
        int r;

        r = image_store_load(m->images, p->fd, &refs, &error);
        if (r < 0) {
                report(fd, "err", error ?: strerror(-r));
                return r;
        }
        joined = strv_join(refs, " ");
        report(fd, "ok", joined ?: "");
        return 0;
}

static int work_login(Manager *m, const ImageJobParams *p, int fd)
{
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        _cleanup_registry_client_free_ RegistryClient *client = NULL;
        _cleanup_free_ char *probe = NULL, *error = NULL;
        int r;

        if (asprintf(&probe, "%s/raind-login-check", p->target) < 0)
                return -ENOMEM;
        r = registry_reference_parse(probe, &ref);
        if (r < 0) {
                report(fd, "err", "invalid registry name");
                return r;
        }
        RegistryOptions o = REGISTRY_OPTIONS_DEFAULT;
        o.tls_verify = p->tls_verify;
        o.username = p->username;
        o.password = p->password;
        r = registry_client_new(ref, &o, &client);
        if (r >= 0)
                r = registry_check_login(client, &error);
        if (r < 0) {
                report(fd, "err", error ?: strerror(-r));
                return r;
        }
        report(fd, "ok", ref->registry);
        return 0;
}

int image_worker_run(Manager *m, uint32_t id, const ImageJobParams *p, int report_fd)
{
        char name[32];
        int r;

        work_dir_name(id, name);
        r = image_store_use_work_dir(m->images, name);
        if (r < 0) {
                report(report_fd, "err", "cannot create a work directory in the image store");
                return r;
        }
        switch (p->type) {
        case IMAGE_JOB_IMPORT:
                return work_import(m, p, report_fd);
        case IMAGE_JOB_PULL:
                return work_pull(m, p, report_fd);
        case IMAGE_JOB_PUSH:
                return work_push(m, p, report_fd);
        case IMAGE_JOB_SAVE:
                return work_save(m, p, report_fd);
        case IMAGE_JOB_LOAD:
                return work_load(m, p, report_fd);
        case IMAGE_JOB_LOGIN:
                return work_login(m, p, report_fd);
        default:
                report(report_fd, "err", "this kind of image job is not known to the worker");
                return -EOPNOTSUPP;
        }
}

int bus_reply_image_job(sd_bus_message *request, ImageJobType type, const char *result)
{
        switch (type) {
        case IMAGE_JOB_IMPORT:
                return sd_bus_reply_method_return(request, "s", result);
        case IMAGE_JOB_LOAD: {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                _cleanup_strv_free_ char **refs = NULL;
                int r;

                for (const char *p = result; *p;) {
                        size_t n = strcspn(p, " ");
                        if (n > 0) {
                                char *ref = strndup(p, n);
                                if (!ref || strv_push(&refs, ref) < 0) {
                                        free(ref);
                                        return -ENOMEM;
                                }
                        }
                        p += n + strspn(p + n, " ");
                }
                r = sd_bus_message_new_method_return(request, &reply);
                if (r >= 0)
                        r = sd_bus_message_append_strv(reply, refs);
                if (r < 0)
                        return r;
                return sd_bus_send(NULL, reply, NULL);
        }
        default:
                return sd_bus_reply_method_return(request, NULL);
        }
}
