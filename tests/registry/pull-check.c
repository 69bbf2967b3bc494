/* SPDX-License-Identifier: Apache-2.0 */
/* pull-check [OPTIONS] REFERENCE DIR: resolves REFERENCE on its registry, picks the host's manifest
 * and downloads config and layers into DIR/<hex digest>, all at once from one thread each through one
 * client, checking every digest. A DIR/.<hex>.partial left from before is resumed. Prints
 * "manifest <digest>", "config <digest> <size>" and "layer <digest> <size>" lines.
 * Options: --insecure, --user USER --password PASSWORD, --auth-file FILE (docker config.json),
 * --retries N, --login (only check the credentials: prints "login ok").
 * Exit status: 0 ok, 3 a digest or size did not match (-EBADMSG), 4 credentials refused or missing
 * (-EACCES), 1 anything else. */
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>

#include "raind/registry.h"

typedef struct Fetch {
        RegistryClient *client;
        int dir_fd;
        const RegistryDescriptor *descriptor;
        uint64_t last_done, last_total, calls;
        int result;
        char *error;
} Fetch;

static void on_progress(uint64_t done, uint64_t total, void *userdata)
{
        Fetch *f = userdata;

        /* Progress never goes back within one download; an earlier try's bytes are counted too. */
        if (done < f->last_done || done > total)
                f->result = -ERANGE;
        f->last_done = done;
        f->last_total = total;
        f->calls++;
}

static void *fetch_thread(void *userdata)
{
        Fetch *f = userdata;
        const RegistryDescriptor *d = f->descriptor;
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *hex = d->digest + strlen("sha256:");
        int r;

        if (asprintf(&tmp, ".%s.partial", hex) < 0) {
                f->result = -ENOMEM;
                return NULL;
        }
        fd = openat(f->dir_fd, tmp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) {
                f->result = negative_errno();
                return NULL;
        }
        r = registry_fetch_blob(f->client, d, fd, on_progress, f, &f->error);
        if (r < 0) {
                /* What arrived is not the blob: it must not stay. Other failures leave it to resume. */
                if (r == -EBADMSG)
                        (void)unlinkat(f->dir_fd, tmp, 0);
                f->result = r;
                return NULL;
        }
        if (f->result < 0 || f->calls == 0 || f->last_done != d->size || f->last_total != d->size) {
                f->error = strdup("progress did not end at the blob's size");
                f->result = -ERANGE;
                return NULL;
        }
        if (fsync(fd) < 0 || renameat(f->dir_fd, tmp, f->dir_fd, hex) < 0)
                f->result = negative_errno();
        return NULL;
}

static int exit_status(int r)
{
        return r == -EBADMSG ? 3 : r == -EACCES ? 4 : 1;
}

int main(int argc, char *argv[])
{
        static const struct option long_options[] = {
            {"insecure", no_argument, NULL, 'k'},
            {"user", required_argument, NULL, 'u'},
            {"password", required_argument, NULL, 'p'},
            {"auth-file", required_argument, NULL, 'a'},
            {"retries", required_argument, NULL, 'r'},
            {"login", no_argument, NULL, 'l'},
            {},
        };
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        _cleanup_registry_client_free_ RegistryClient *c = NULL;
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL;
        _cleanup_free_ char *error = NULL, *digest = NULL, *auth_user = NULL, *auth_password = NULL;
        _cleanup_free_ Fetch *fetches = NULL;
        _cleanup_free_ pthread_t *threads = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        RegistryOptions options = REGISTRY_OPTIONS_DEFAULT;
        const char *auth_file = NULL;
        bool login = false;
        size_t n;
        int r, opt, status = 0;

        while ((opt = getopt_long(argc, argv, "", long_options, NULL)) >= 0)
                switch (opt) {
                case 'k':
                        options.tls_verify = false;
                        break;
                case 'u':
                        options.username = optarg;
                        break;
                case 'p':
                        options.password = optarg;
                        break;
                case 'a':
                        auth_file = optarg;
                        break;
                case 'r':
                        options.retries = (unsigned)atoi(optarg);
                        break;
                case 'l':
                        login = true;
                        break;
                default:
                        return 1;
                }
        if (argc - optind != (login ? 1 : 2)) {
                fprintf(stderr, "usage: pull-check [OPTIONS] REFERENCE DIR | pull-check --login [OPTIONS] "
                                "REFERENCE\n");
                return 1;
        }

        r = registry_reference_parse(argv[optind], &ref);
        if (r < 0) {
                fprintf(stderr, "pull-check: invalid reference '%s'\n", argv[optind]);
                return 1;
        }
        if (auth_file) {
                r = registry_auth_load(auth_file, ref->registry, &auth_user, &auth_password);
                if (r < 0) {
                        fprintf(stderr, "pull-check: no credentials for %s in %s: %s\n", ref->registry,
                                auth_file, strerror(-r));
                        return 1;
                }
                options.username = auth_user;
                options.password = auth_password;
        }
        r = registry_client_new(ref, &options, &c);
        if (r < 0) {
                fprintf(stderr, "pull-check: cannot make a client: %s\n", strerror(-r));
                return 1;
        }
        if (login) {
                r = registry_check_login(c, &error);
                if (r < 0) {
                        fprintf(stderr, "pull-check: %s\n", error ?: strerror(-r));
                        return exit_status(r);
                }
                printf("login ok\n");
                return 0;
        }

        dir_fd = open(argv[optind + 1], O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) {
                fprintf(stderr, "pull-check: cannot open %s: %m\n", argv[optind + 1]);
                return 1;
        }
        r = registry_resolve(c, ref, NULL, &m, &digest, &error);
        if (r < 0) {
                fprintf(stderr, "pull-check: %s\n", error ?: strerror(-r));
                return exit_status(r);
        }
        printf("manifest %s\n", digest);

        /* The config and every layer at once: the way raindd pulls. */
        n = m->n_layers + 1;
        fetches = calloc(n, sizeof(Fetch));
        threads = calloc(n, sizeof(pthread_t));
        if (!fetches || !threads)
                return 1;
        for (size_t i = 0; i < n; i++) {
                fetches[i] = (Fetch){
                    .client = c, .dir_fd = dir_fd, .descriptor = i == 0 ? &m->config : &m->layers[i - 1]};
                if (pthread_create(&threads[i], NULL, fetch_thread, &fetches[i]) != 0) {
                        fprintf(stderr, "pull-check: cannot start a thread\n");
                        return 1;
                }
        }
        for (size_t i = 0; i < n; i++)
                (void)pthread_join(threads[i], NULL);

        for (size_t i = 0; i < n; i++) {
                Fetch *f = &fetches[i];

                if (f->result < 0) {
                        fprintf(stderr, "pull-check: %s\n", f->error ?: strerror(-f->result));
                        if (status == 0 || f->result == -EBADMSG)
                                status = exit_status(f->result);
                } else
                        printf("%s %s %llu\n", i == 0 ? "config" : "layer", f->descriptor->digest,
                               (unsigned long long)f->descriptor->size);
                free(f->error);
        }
        return status;
}
