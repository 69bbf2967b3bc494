/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP side of the registry client against a small registry forked off on loopback: bearer token
 * from the challenge, redirects, digest and size checks, the registry's error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "raind/registry.h"
#include "raind/sha256.h"

static const char config_blob[] = "{\"architecture\":\"amd64\",\"os\":\"linux\"}";
static const char layer_blob[] = "not really a tarball, but bytes with a digest";
static char config_digest[80], layer_digest[80], manifest[2048];
static int port;
static pid_t server;

static void respond(int fd, const char *status, const char *headers, const char *body, size_t size)
{
        char head[1024];
        int n =
            snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
                     status, size, headers);
        (void)!write(fd, head, (size_t)n);
        (void)!write(fd, body, size);
}

#define ERROR_JSON(code, message) "{\"errors\":[{\"code\":\"" code "\",\"message\":\"" message "\"}]}"

static void serve_one(int fd)
{
        char req[8192] = "", path[4096] = "", headers[512], blob_path[160];
        size_t n = 0;
        bool authorized;

        while (n < sizeof(req) - 1 && !strstr(req, "\r\n\r\n")) {
                ssize_t k = read(fd, req + n, sizeof(req) - 1 - n);
                if (k <= 0)
                        return;
                n += (size_t)k;
        }
        if (sscanf(req, "GET %4095s", path) != 1)
                return respond(fd, "400 Bad Request", "", "", 0);
        authorized = strstr(req, "\r\nAuthorization: Bearer s3cret\r\n");

        if (startswith(path, "/token?")) {
                if (!strstr(path, "scope=repository%3Atest%2F") || strstr(path, "other") ||
                    !strstr(path, "service=unit"))
                        return respond(fd, "400 Bad Request", "", "", 0);
                return respond(fd, "200 OK", "", "{\"token\":\"s3cret\"}", strlen("{\"token\":\"s3cret\"}"));
        }
        if (startswith(path, "/cdn/layer"))
                return respond(fd, "200 OK", "", layer_blob, strlen(layer_blob));
        if (startswith(path, "/cdn/short"))
                return respond(fd, "200 OK", "", layer_blob, strlen(layer_blob) - 1);
        if (startswith(path, "/cdn/bad")) {
                char bad[sizeof(layer_blob)];
                memcpy(bad, layer_blob, sizeof(bad));
                bad[0] ^= 1;
                return respond(fd, "200 OK", "", bad, strlen(bad));
        }
        if (!authorized) {
                snprintf(headers, sizeof(headers),
                         "WWW-Authenticate: Basic realm=\"x\"\r\n"
                         "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:%d/token\",service=\"unit\"\r\n",
                         port);
                return respond(fd, "401 Unauthorized", headers,
                               ERROR_JSON("UNAUTHORIZED", "authentication required"),
                               strlen(ERROR_JSON("UNAUTHORIZED", "authentication required")));
        }
        if (streq(path, "/v2/test/repo/manifests/1") || streq(path, "/v2/test/bad/manifests/1") ||
            streq(path, "/v2/test/short/manifests/1"))
                return respond(fd, "200 OK", "Content-Type: " MEDIA_TYPE_DOCKER_MANIFEST "\r\n", manifest,
                               strlen(manifest));
        if (streq(path, "/v2/test/repo/manifests/"
                        "sha256:0000000000000000000000000000000000000000000000000000000000000000"))
                return respond(fd, "200 OK", "", manifest, strlen(manifest));
        snprintf(blob_path, sizeof(blob_path), "/v2/test/repo/blobs/%s", config_digest);
        if (streq(path, blob_path))
                return respond(fd, "200 OK", "", config_blob, strlen(config_blob));
        /* Layers come through a redirect, as from a CDN. */
        for (size_t i = 0; i < 3; i++) {
                static const char *const repo[] = {"repo", "bad", "short"};
                static const char *const cdn[] = {"layer", "bad", "short"};
                snprintf(blob_path, sizeof(blob_path), "/v2/test/%s/blobs/%s", repo[i], layer_digest);
                if (streq(path, blob_path)) {
                        snprintf(headers, sizeof(headers), "Location: http://127.0.0.1:%d/cdn/%s\r\n", port,
                                 cdn[i]);
                        return respond(fd, "307 Temporary Redirect", headers, "", 0);
                }
        }
        respond(fd, "404 Not Found", "", ERROR_JSON("MANIFEST_UNKNOWN", "manifest unknown"),
                strlen(ERROR_JSON("MANIFEST_UNKNOWN", "manifest unknown")));
}

static int setup(void **state)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(a);
        char hex[SHA256_HEX_SIZE];
        int fd;

        sha256_hex(config_blob, strlen(config_blob), hex);
        snprintf(config_digest, sizeof(config_digest), "sha256:%s", hex);
        sha256_hex(layer_blob, strlen(layer_blob), hex);
        snprintf(layer_digest, sizeof(layer_digest), "sha256:%s", hex);
        snprintf(manifest, sizeof(manifest),
                 "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_TYPE_DOCKER_MANIFEST "\","
                 "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":%zu,"
                 "\"digest\":\"%s\"},\"layers\":[{\"mediaType\":\"application/"
                 "vnd.docker.image.rootfs.diff.tar.gzip\","
                 "\"size\":%zu,\"digest\":\"%s\"}]}",
                 strlen(config_blob), config_digest, strlen(layer_blob), layer_digest);

        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0 ||
            getsockname(fd, (struct sockaddr *)&a, &len) < 0)
                return -1;
        port = ntohs(a.sin_port);
        server = fork();
        if (server < 0)
                return -1;
        if (server == 0) {
                for (;;) {
                        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
                        if (c < 0)
                                _exit(1);
                        serve_one(c);
                        close(c);
                }
        }
        close(fd);
        return 0;
}

static int teardown(void **state)
{
        kill(server, SIGKILL);
        (void)waitpid(server, NULL, 0);
        return 0;
}

static RegistryClient *client_for(const char *repo_and_tag, RegistryReference **ret_ref)
{
        _cleanup_free_ char *s = NULL;
        RegistryClient *c = NULL;

        assert_true(asprintf(&s, "127.0.0.1:%d/%s", port, repo_and_tag) > 0);
        assert_int_equal(registry_reference_parse(s, ret_ref), 0);
        assert_int_equal(registry_client_new(*ret_ref, NULL, &c), 0);
        return c;
}

static int memfd(void)
{
        int fd = memfd_create("blob", MFD_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

static void test_pull(void **state)
{
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        _cleanup_registry_client_free_ RegistryClient *c = client_for("test/repo:1", &ref);
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL;
        _cleanup_free_ char *digest = NULL, *error = NULL;
        _cleanup_close_ int fd = memfd(), fd2 = memfd();
        char hex[SHA256_HEX_SIZE], buf[256];
        ssize_t n;

        assert_int_equal(registry_resolve(c, ref, NULL, &m, &digest, &error), 0);
        sha256_hex(manifest, strlen(manifest), hex);
        assert_string_equal(digest + strlen("sha256:"), hex);
        assert_string_equal(m->config.digest, config_digest);
        assert_int_equal(m->n_layers, 1);

        assert_int_equal(registry_fetch_blob(c, &m->config, fd, NULL, NULL, &error), 0);
        assert_int_equal(registry_fetch_blob(c, &m->layers[0], fd2, NULL, NULL, &error), 0);
        assert_null(error);
        n = pread(fd, buf, sizeof(buf), 0);
        assert_int_equal(n, strlen(config_blob));
        assert_memory_equal(buf, config_blob, strlen(config_blob));
        n = pread(fd2, buf, sizeof(buf), 0);
        assert_int_equal(n, strlen(layer_blob));
        assert_memory_equal(buf, layer_blob, strlen(layer_blob));
}

static void test_manifest_digest_mismatch(void **state)
{
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        _cleanup_registry_client_free_ RegistryClient *c = client_for("test/repo:1", &ref);
        _cleanup_free_ char *body = NULL, *error = NULL;
        size_t size;

        assert_int_equal(registry_fetch_manifest(
                             c, "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                             &body, &size, NULL, NULL, &error),
                         -EBADMSG);
        assert_null(body);
        assert_non_null(strstr(error, "arrived with digest"));
}

static void assert_blob_fails(const char *repo, const char *message)
{
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        _cleanup_registry_client_free_ RegistryClient *c = client_for(repo, &ref);
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL;
        _cleanup_free_ char *error = NULL;
        _cleanup_close_ int fd = memfd();

        assert_int_equal(registry_resolve(c, ref, NULL, &m, NULL, &error), 0);
        assert_int_equal(registry_fetch_blob(c, &m->layers[0], fd, NULL, NULL, &error), -EBADMSG);
        assert_non_null(strstr(error, message));
}

static void test_bad_blobs(void **state)
{
        assert_blob_fails("test/bad:1", "arrived with digest");
        assert_blob_fails("test/short:1", "its manifest says");
}

static void test_errors(void **state)
{
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL, *ref2 = NULL;
        _cleanup_registry_client_free_ RegistryClient *c = client_for("test/repo:nope", &ref);
        _cleanup_registry_client_free_ RegistryClient *d = client_for("test/other:1", &ref2);
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL;
        _cleanup_free_ char *error = NULL, *error2 = NULL;
        char expected[256];

        assert_int_equal(registry_resolve(c, ref, NULL, &m, NULL, &error), -ENOENT);
        snprintf(
            expected, sizeof(expected),
            "GET http://127.0.0.1:%d/v2/test/repo/manifests/nope: 404 MANIFEST_UNKNOWN: manifest unknown",
            port);
        assert_string_equal(error, expected);

        /* The token service refuses another repository's scope. */
        assert_int_equal(registry_resolve(d, ref2, NULL, &m, NULL, &error2), -EPROTO);
        assert_non_null(
            strstr(error2, "/token?scope=repository%3Atest%2Fother%3Apull&service=unit: HTTP status 400"));
}

typedef struct Progress {
        uint64_t calls, done, total;
} Progress;

static void on_progress(uint64_t done, uint64_t total, void *userdata)
{
        Progress *p = userdata;

        assert_true(done >= p->done);
        p->calls++;
        p->done = done;
        p->total = total;
}

static void test_prefilled(void **state)
{
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        _cleanup_registry_client_free_ RegistryClient *c = client_for("test/repo:1", &ref);
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL;
        _cleanup_free_ char *error = NULL;
        _cleanup_close_ int fd = memfd(), fd2 = memfd(), fd3 = memfd();
        Progress p = {}, p2 = {}, p3 = {};
        char buf[256];

        assert_int_equal(registry_resolve(c, ref, NULL, &m, NULL, &error), 0);

        /* All of it there already: checked, nothing fetched, progress once at the end. */
        assert_int_equal(write(fd, layer_blob, strlen(layer_blob)), strlen(layer_blob));
        assert_int_equal(registry_fetch_blob(c, &m->layers[0], fd, on_progress, &p, &error), 0);
        assert_int_equal(p.calls, 1);
        assert_int_equal(p.done, strlen(layer_blob));
        assert_int_equal(p.total, strlen(layer_blob));

        /* A prefix that is not one: this server ignores Range, its 200 replaces what was there. */
        assert_int_equal(write(fd2, "garbage", 7), 7);
        assert_int_equal(registry_fetch_blob(c, &m->layers[0], fd2, on_progress, &p2, &error), 0);
        assert_int_equal(pread(fd2, buf, sizeof(buf), 0), strlen(layer_blob));
        assert_memory_equal(buf, layer_blob, strlen(layer_blob));
        assert_int_equal(p2.done, strlen(layer_blob));

        /* Longer than the blob: cannot be a prefix of it. */
        memset(buf, 'x', sizeof(buf));
        assert_int_equal(write(fd3, buf, sizeof(buf)), sizeof(buf));
        assert_int_equal(registry_fetch_blob(c, &m->layers[0], fd3, on_progress, &p3, &error), 0);
        assert_int_equal(pread(fd3, buf, sizeof(buf), 0), strlen(layer_blob));
        assert_memory_equal(buf, layer_blob, strlen(layer_blob));
        assert_null(error);
}

typedef struct Fetch {
        RegistryClient *client;
        const RegistryDescriptor *descriptor;
        int result;
} Fetch;

static void *fetch_thread(void *userdata)
{
        Fetch *f = userdata;
        int fd = memfd_create("blob", MFD_CLOEXEC);

        f->result = fd < 0 ? -errno : registry_fetch_blob(f->client, f->descriptor, fd, NULL, NULL, NULL);
        if (fd >= 0)
                close(fd);
        return NULL;
}

static void test_threads(void **state)
{
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        _cleanup_registry_client_free_ RegistryClient *c = client_for("test/repo:1", &ref);
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL;
        pthread_t threads[16];
        Fetch fetches[16];

        assert_int_equal(registry_resolve(c, ref, NULL, &m, NULL, NULL), 0);
        /* One client, many downloads at once: handles from the pool, one token for all. */
        for (size_t i = 0; i < ELEMENTSOF(threads); i++) {
                fetches[i] =
                    (Fetch){.client = c, .descriptor = i % 2 ? &m->config : &m->layers[0], .result = 1};
                assert_int_equal(pthread_create(&threads[i], NULL, fetch_thread, &fetches[i]), 0);
        }
        for (size_t i = 0; i < ELEMENTSOF(threads); i++) {
                assert_int_equal(pthread_join(threads[i], NULL), 0);
                assert_int_equal(fetches[i].result, 0);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_pull),      cmocka_unit_test(test_manifest_digest_mismatch),
            cmocka_unit_test(test_bad_blobs), cmocka_unit_test(test_errors),
            cmocka_unit_test(test_prefilled), cmocka_unit_test(test_threads),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
