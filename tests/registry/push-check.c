/* SPDX-License-Identifier: Apache-2.0 */
/* push-check [OPTIONS] SOURCE DESTINATION: copies an image from one repository to another. Fetches
 * SOURCE's image manifest and its blobs (into memory files), pushes the blobs to DESTINATION's
 * repository, all at once from one thread each through one client, then the manifest under
 * DESTINATION's tag. Prints "blob <digest> pushed", "exists <digest>" after checking each is there, and
 * "manifest <digest>" with the digest the push returned.
 * Options: --insecure, --user USER --password PASSWORD, --retries N.
 * Exit status: 0 ok, 3 a digest did not match (-EBADMSG), 4 credentials refused or missing (-EACCES),
 * 1 anything else. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>

#include "raind/registry.h"

typedef struct Push {
        RegistryClient *source, *destination;
        const RegistryDescriptor *descriptor;
        uint64_t last_done;
        unsigned calls;
        int result;
        char *error;
} Push;

static void on_progress(uint64_t done, uint64_t total, void *userdata)
{
        Push *p = userdata;

        p->last_done = done;
        p->calls++;
}

static void *push_thread(void *userdata)
{
        Push *p = userdata;
        _cleanup_close_ int fd = memfd_create("blob", MFD_CLOEXEC);
        int r;

        if (fd < 0) {
                p->result = negative_errno();
                return NULL;
        }
        r = registry_fetch_blob(p->source, p->descriptor, fd, NULL, NULL, &p->error);
        if (r >= 0)
                r = registry_push_blob(p->destination, p->descriptor, fd, on_progress, p, &p->error);
        if (r >= 0 && (p->calls == 0 || p->last_done != p->descriptor->size)) {
                p->error = strdup("progress did not end at the blob's size");
                r = -ERANGE;
        }
        p->result = r;
        return NULL;
}

static int exit_status(int r)
{
        return r == -EBADMSG ? 3 : r == -EACCES ? 4 : 1;
}

static int fail(int r, const char *error)
{
        fprintf(stderr, "push-check: %s\n", error ?: strerror(-r));
        return exit_status(r);
}

int main(int argc, char *argv[])
{
        static const struct option long_options[] = {
            {"insecure", no_argument, NULL, 'k'},
            {"user", required_argument, NULL, 'u'},
            {"password", required_argument, NULL, 'p'},
            {"retries", required_argument, NULL, 'r'},
            {},
        };
        _cleanup_registry_reference_free_ RegistryReference *src = NULL, *dst = NULL;
        _cleanup_registry_client_free_ RegistryClient *source = NULL, *destination = NULL;
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL;
        _cleanup_free_ char *error = NULL, *body = NULL, *content_type = NULL, *digest = NULL,
                            *pushed = NULL;
        _cleanup_free_ Push *pushes = NULL;
        _cleanup_free_ pthread_t *threads = NULL;
        RegistryOptions options = REGISTRY_OPTIONS_DEFAULT;
        RegistryManifestKind kind;
        size_t size, n;
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
                case 'r':
                        options.retries = (unsigned)atoi(optarg);
                        break;
                default:
                        return 1;
                }
        if (argc - optind != 2) {
                fprintf(stderr, "usage: push-check [OPTIONS] SOURCE DESTINATION\n");
                return 1;
        }
        if (registry_reference_parse(argv[optind], &src) < 0 ||
            registry_reference_parse(argv[optind + 1], &dst) < 0 || !dst->tag) {
                fprintf(stderr, "push-check: invalid references\n");
                return 1;
        }
        r = registry_client_new(src, &options, &source);
        if (r < 0)
                return fail(r, "cannot make a client");
        options.push = true;
        r = registry_client_new(dst, &options, &destination);
        if (r < 0)
                return fail(r, "cannot make a client");

        r = registry_fetch_manifest(source, src->digest ?: src->tag, &body, &size, &content_type, &digest,
                                    &error);
        if (r < 0)
                return fail(r, error);
        r = registry_manifest_kind(body, size, content_type, &kind, &error);
        if (r < 0)
                return fail(r, error);
        if (kind != REGISTRY_MANIFEST_IMAGE)
                return fail(-EMEDIUMTYPE, "only image manifests are copied");
        r = registry_manifest_parse(body, size, &m, &error);
        if (r < 0)
                return fail(r, error);

        n = m->n_layers + 1;
        pushes = calloc(n, sizeof(Push));
        threads = calloc(n, sizeof(pthread_t));
        if (!pushes || !threads)
                return 1;
        for (size_t i = 0; i < n; i++) {
                pushes[i] = (Push){.source = source,
                                   .destination = destination,
                                   .descriptor = i == 0 ? &m->config : &m->layers[i - 1]};
                if (pthread_create(&threads[i], NULL, push_thread, &pushes[i]) != 0)
                        return fail(-EAGAIN, "cannot start a thread");
        }
        for (size_t i = 0; i < n; i++)
                (void)pthread_join(threads[i], NULL);
        for (size_t i = 0; i < n; i++) {
                Push *p = &pushes[i];

                if (p->result < 0) {
                        status = fail(p->result, p->error);
                } else {
                        printf("blob %s pushed\n", p->descriptor->digest);
                        r = registry_blob_exists(destination, p->descriptor, &error);
                        if (r < 0)
                                status = fail(r, error);
                        else if (r > 0)
                                printf("exists %s\n", p->descriptor->digest);
                }
                free(p->error);
        }
        if (status != 0)
                return status;

        r = registry_push_manifest(destination, dst->tag, content_type ?: m->media_type, body, size, &pushed,
                                   &error);
        if (r < 0)
                return fail(r, error);
        if (!streq(pushed, digest))
                return fail(-EBADMSG, "the pushed manifest's digest is not the fetched one's");
        printf("manifest %s\n", pushed);
        return 0;
}
