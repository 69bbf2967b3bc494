/* SPDX-License-Identifier: Apache-2.0 */
/* Blob download: resumes what an earlier try (or an earlier process) left in the file, retries what
 * the network breaks, and checks size and digest of the whole. */
#include <sys/stat.h>

#include "image-internal.h"
#include "registry-http.h"

#define HASH_BUFFER_SIZE (128U << 10)

/* Hashes the first size bytes of fd into sha. */
static int hash_prefix(int fd, uint64_t size, Sha256Context *sha)
{
        _cleanup_free_ char *buf = malloc(HASH_BUFFER_SIZE);
        uint64_t offset = 0;

        if (!buf)
                return -ENOMEM;
        while (offset < size) {
                ssize_t n =
                    pread(fd, buf, (size_t)MIN((uint64_t)HASH_BUFFER_SIZE, size - offset), (off_t)offset);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -EIO; /* the file shrank under us */
                sha256_update(sha, buf, (size_t)n);
                offset += (uint64_t)n;
        }
        return 0;
}

static bool digest_matches(Sha256Context *sha, const char *digest, char hex[SHA256_HEX_SIZE])
{
        Sha256Context copy = *sha;

        sha256_final_hex(&copy, hex);
        return streq(hex, digest + strlen("sha256:"));
}

static int start_over(int fd, HttpResponse *h)
{
        if (ftruncate(fd, 0) < 0)
                return -errno;
        h->written = 0;
        sha256_init(&h->sha);
        return 0;
}

int registry_fetch_blob(RegistryClient *c, const RegistryDescriptor *d, int fd, RegistryProgress progress,
                        void *userdata, char **ret_error)
{
        _cleanup_(http_response_done) HttpResponse h = {};
        _cleanup_(curl_easy_cleanupp) CURL *curl = NULL;
        _cleanup_free_ char *path = NULL, *url = NULL;
        char hex[SHA256_HEX_SIZE];
        bool restarted = false;
        struct stat st;
        HttpRequest req;
        int r;

        if (!registry_digest_is_valid(d->digest))
                return image_error(ret_error, -EINVAL, "blob digest is not a sha256 digest");
        if (d->size > REGISTRY_LAYER_SIZE_MAX)
                return image_error(ret_error, -EFBIG, "blob %s is larger than %llu bytes", d->digest,
                                   (unsigned long long)REGISTRY_LAYER_SIZE_MAX);
        if (fstat(fd, &st) < 0)
                return image_error(ret_error, -errno, "Failed to stat the file for blob %s: %m", d->digest);
        if (!S_ISREG(st.st_mode))
                return image_error(ret_error, -EBADFD, "blob %s is to go into something else than a file",
                                   d->digest);

        http_response_init(&h, fd, d->size);
        h.progress = progress;
        h.userdata = userdata;
        h.progress_total = d->size;

        /* What the file holds is where an earlier try stopped, unless it cannot be. */
        if ((uint64_t)st.st_size > d->size) {
                r = start_over(fd, &h);
                if (r < 0)
                        return image_error(ret_error, r, "Failed to truncate the file for blob %s: %m",
                                           d->digest);
        } else if (st.st_size > 0) {
                r = hash_prefix(fd, (uint64_t)st.st_size, &h.sha);
                if (r < 0)
                        return image_error(ret_error, r, "Failed to read what is there of blob %s: %m",
                                           d->digest);
                h.written = (uint64_t)st.st_size;
                if (h.written == d->size && !digest_matches(&h.sha, d->digest, hex)) {
                        r = start_over(fd, &h);
                        if (r < 0)
                                return image_error(ret_error, r,
                                                   "Failed to truncate the file for blob %s: %m", d->digest);
                }
        }

        if (h.written < d->size || d->size == 0) {
                if (registry_url(c, "", &url) < 0 || asprintf(&path, "%sblobs/%s", url, d->digest) < 0)
                        return -ENOMEM;
                curl = registry_curl_acquire(c);
                if (!curl)
                        return -ENOMEM;

                for (unsigned attempt = 0;;) {
                        req = HTTP_REQUEST_INIT("GET", path);
                        req.range_start = h.written;
                        r = registry_request(c, curl, &req, &h, ret_error);
                        if (r == -ERANGE || (r >= 0 && h.status == 416 && req.range_start > 0)) {
                                /* Not the range we asked for, or none the registry has: from the start,
                                 * once without counting it as a failure. */
                                int k = start_over(fd, &h);
                                if (k < 0)
                                        return image_error(ret_error, k,
                                                           "Failed to truncate the file for blob %s: %m",
                                                           d->digest);
                                if (!restarted) {
                                        restarted = true;
                                        continue;
                                }
                        } else if (r >= 0 && (h.status == 200 || h.status == 206))
                                break;
                        else if (!http_failure_is_transient(r, &h))
                                break;
                        if (attempt >= registry_retries(c))
                                break;
                        registry_backoff(attempt++, h.retry_after);
                }
                registry_curl_release(c, TAKE_PTR(curl));
                if (r < 0)
                        return r;
                if (h.status != 200 && h.status != 206)
                        return http_status_error(c, &req, &h, ret_error);
                /* A 200 without a body: whatever the file had is not part of it. */
                if (h.status == 200 && !h.body_started && h.written > 0) {
                        r = start_over(fd, &h);
                        if (r < 0)
                                return image_error(ret_error, r,
                                                   "Failed to truncate the file for blob %s: %m", d->digest);
                }
        }

        if (h.written != d->size)
                return image_error(ret_error, -EBADMSG, "blob %s has %llu bytes, its manifest says %llu",
                                   d->digest, (unsigned long long)h.written, (unsigned long long)d->size);
        if (!digest_matches(&h.sha, d->digest, hex))
                return image_error(ret_error, -EBADMSG, "blob %s arrived with digest sha256:%s", d->digest,
                                   hex);
        /* Callers that go on writing find the offset at the end. */
        (void)lseek(fd, 0, SEEK_END);
        registry_error_clear(ret_error);
        if (progress)
                progress(h.written, d->size, userdata);
        return 0;
}
