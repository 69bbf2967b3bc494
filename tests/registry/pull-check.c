/* SPDX-License-Identifier: Apache-2.0 */
/* pull-check [--insecure] REFERENCE DIR: resolves REFERENCE on its registry, picks the host's manifest
 * and downloads config and layers into DIR/<hex digest>, checking every digest. Prints
 * "manifest <digest>", "config <digest> <size>" and "layer <digest> <size>" lines.
 * Exit status: 0 ok, 3 a digest or size did not match (-EBADMSG), 1 anything else. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>

#include "raind/registry.h"

static int fetch_into(RegistryClient *c, int dir_fd, const RegistryDescriptor *d)
{
        _cleanup_free_ char *error = NULL, *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *hex = d->digest + strlen("sha256:");
        int r;

        if (asprintf(&tmp, ".%s.partial", hex) < 0)
                return -ENOMEM;
        fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return negative_errno();
        r = registry_fetch_blob(c, d, fd, &error);
        if (r < 0) {
                /* What arrived is not the blob: it must not stay. */
                (void)unlinkat(dir_fd, tmp, 0);
                fprintf(stderr, "pull-check: %s\n", error ?: strerror(-r));
                return r;
        }
        if (fsync(fd) < 0 || renameat(dir_fd, tmp, dir_fd, hex) < 0)
                return negative_errno();
        return 0;
}

int main(int argc, char *argv[])
{
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        _cleanup_registry_client_free_ RegistryClient *c = NULL;
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL;
        _cleanup_free_ char *error = NULL, *digest = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        RegistryOptions options = REGISTRY_OPTIONS_DEFAULT;
        int r;

        if (argc > 1 && streq(argv[1], "--insecure")) {
                options.tls_verify = false;
                argv++;
                argc--;
        }
        if (argc != 3) {
                fprintf(stderr, "usage: pull-check [--insecure] REFERENCE DIR\n");
                return 1;
        }

        r = registry_reference_parse(argv[1], &ref);
        if (r < 0) {
                fprintf(stderr, "pull-check: invalid reference '%s'\n", argv[1]);
                return 1;
        }
        dir_fd = open(argv[2], O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) {
                fprintf(stderr, "pull-check: cannot open %s: %m\n", argv[2]);
                return 1;
        }
        r = registry_client_new(ref, &options, &c);
        if (r < 0) {
                fprintf(stderr, "pull-check: cannot make a client: %s\n", strerror(-r));
                return 1;
        }
        r = registry_resolve(c, ref, NULL, &m, &digest, &error);
        if (r < 0) {
                fprintf(stderr, "pull-check: %s\n", error ?: strerror(-r));
                return r == -EBADMSG ? 3 : 1;
        }
        printf("manifest %s\n", digest);

        r = fetch_into(c, dir_fd, &m->config);
        if (r < 0)
                return r == -EBADMSG ? 3 : 1;
        printf("config %s %llu\n", m->config.digest, (unsigned long long)m->config.size);
        for (size_t i = 0; i < m->n_layers; i++) {
                r = fetch_into(c, dir_fd, &m->layers[i]);
                if (r < 0)
                        return r == -EBADMSG ? 3 : 1;
                printf("layer %s %llu\n", m->layers[i].digest, (unsigned long long)m->layers[i].size);
        }
        return 0;
}
