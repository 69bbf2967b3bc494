/* SPDX-License-Identifier: Apache-2.0 */
/* Push: blobs (monolithic upload, OCI distribution spec "POST then PUT") and manifests. */
#include <sys/stat.h>

#include "image-internal.h"
#include "registry-http.h"

#define PUSH_RESPONSE_MAX (64U << 10)

int registry_blob_exists(RegistryClient *c, const RegistryDescriptor *d, char **ret_error)
{
        _cleanup_(http_response_done) HttpResponse h = {};
        _cleanup_(curl_easy_cleanupp) CURL *curl = NULL;
        _cleanup_free_ char *path = NULL, *url = NULL;
        HttpRequest req;
        int r;

        if (!registry_digest_is_valid(d->digest))
                return image_error(ret_error, -EINVAL, "blob digest is not a sha256 digest");
        if (asprintf(&path, "blobs/%s", d->digest) < 0 || registry_url(c, path, &url) < 0)
                return -ENOMEM;
        curl = registry_curl_acquire(c);
        if (!curl)
                return -ENOMEM;
        http_response_init(&h, -EBADF, PUSH_RESPONSE_MAX);
        req = HTTP_REQUEST_INIT("HEAD", url);
        r = registry_request_retry(c, curl, &req, &h, ret_error);
        registry_curl_release(c, TAKE_PTR(curl));
        if (r == -ENOENT)
                return 0; /* a 404: HEAD carries no error body to tell a missing repository apart */
        if (r < 0)
                return r;
        return h.status == 200 ? 1 : 0;
}

/* Where the registry wants what comes next: its Location, absolute or relative to url, with the
 * query parameter query appended (NULL: none). */
static int upload_location(const char *url, const char *location, const char *query, char **ret)
{
        _cleanup_(curl_url_cleanupp) CURLU *u = curl_url();
        char *s = NULL;

        if (!u)
                return -ENOMEM;
        if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_URL, location, 0) != CURLUE_OK ||
            (query &&
             curl_url_set(u, CURLUPART_QUERY, query, CURLU_APPENDQUERY | CURLU_URLENCODE) != CURLUE_OK) ||
            curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
                return -EBADMSG;
        if (!startswith(s, "http://") && !startswith(s, "https://")) {
                curl_free(s);
                return -EBADMSG;
        }
        *ret = strdup(s);
        curl_free(s);
        return *ret ? 0 : -ENOMEM;
}

/* One try: POST for an upload session, PUT the whole blob to it. */
static int push_blob_once(RegistryClient *c, CURL *curl, const RegistryDescriptor *d, int fd,
                          RegistryProgress progress, void *userdata, HttpResponse *h, HttpRequest *req,
                          char **ret_url, char **ret_error)
{
        _cleanup_free_ char *start = NULL, *put = NULL, *query = NULL;
        char hex[SHA256_HEX_SIZE];
        int r;

        if (registry_url(c, "blobs/uploads/", &start) < 0)
                return -ENOMEM;
        *req = HTTP_REQUEST_INIT("POST", start);
        http_response_reset_body(h);
        r = registry_request(c, curl, req, h, ret_error);
        if (r < 0)
                return r;
        if (h->status != 202)
                return h->status >= 200 && h->status <= 299
                           ? image_error(ret_error, -EPROTO, "POST %s: unexpected HTTP status %ld", start,
                                         h->status)
                           : http_status_error(c, req, h, ret_error);
        if (isempty(h->location))
                return image_error(ret_error, -EPROTO, "POST %s: the registry named no upload location",
                                   start);
        if (asprintf(&query, "digest=%s", d->digest) < 0)
                return -ENOMEM;
        r = upload_location(start, h->location, query, &put);
        if (r < 0)
                return image_error(ret_error, r, "POST %s: the registry named an invalid upload location",
                                   start);

        free(*ret_url);
        *ret_url = TAKE_PTR(put);
        *req = HTTP_REQUEST_INIT("PUT", *ret_url);
        req->content_type = "application/octet-stream";
        req->upload_fd = fd;
        req->upload_size = d->size;
        req->progress = progress;
        req->userdata = userdata;
        req->progress_total = d->size;
        http_response_reset_body(h);
        r = registry_request(c, curl, req, h, ret_error);
        if (r < 0)
                return r;
        if (h->status != 201)
                return h->status >= 200 && h->status <= 299
                           ? image_error(ret_error, -EPROTO, "PUT %s: unexpected HTTP status %ld", *ret_url,
                                         h->status)
                           : http_status_error(c, req, h, ret_error);
        /* What went out must be the blob: the file may have changed under us. */
        sha256_final_hex(&req->upload_sha, hex);
        if (req->uploaded != d->size || !streq(hex, d->digest + strlen("sha256:")))
                return image_error(ret_error, -EBADMSG, "what was sent as blob %s has digest sha256:%s",
                                   d->digest, hex);
        return 0;
}

int registry_push_blob(RegistryClient *c, const RegistryDescriptor *d, int fd, RegistryProgress progress,
                       void *userdata, char **ret_error)
{
        _cleanup_(http_response_done) HttpResponse h = {};
        _cleanup_(curl_easy_cleanupp) CURL *curl = NULL;
        _cleanup_free_ char *url = NULL;
        struct stat st;
        HttpRequest req;
        int r;

        if (!registry_digest_is_valid(d->digest))
                return image_error(ret_error, -EINVAL, "blob digest is not a sha256 digest");
        if (fstat(fd, &st) < 0)
                return image_error(ret_error, -errno, "Failed to stat blob %s: %m", d->digest);
        if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != d->size)
                return image_error(ret_error, -EBADMSG, "the file for blob %s does not have its %llu bytes",
                                   d->digest, (unsigned long long)d->size);

        r = registry_blob_exists(c, d, ret_error);
        if (r < 0)
                return r;
        if (r > 0) {
                if (progress)
                        progress(d->size, d->size, userdata);
                return 0;
        }

        curl = registry_curl_acquire(c);
        if (!curl)
                return -ENOMEM;
        http_response_init(&h, -EBADF, PUSH_RESPONSE_MAX);
        for (unsigned attempt = 0;; attempt++) {
                r = push_blob_once(c, curl, d, fd, progress, userdata, &h, &req, &url, ret_error);
                if (r >= 0 || !http_failure_is_transient(h.status > 0 ? 0 : r, &h) ||
                    attempt >= registry_retries(c))
                        break;
                registry_backoff(attempt, h.retry_after);
        }
        registry_curl_release(c, TAKE_PTR(curl));
        if (r < 0)
                return r;
        registry_error_clear(ret_error);
        if (progress)
                progress(d->size, d->size, userdata);
        return 0;
}

int registry_push_manifest(RegistryClient *c, const char *tag_or_digest, const char *media_type,
                           const char *body, size_t size, char **ret_digest, char **ret_error)
{
        _cleanup_(http_response_done) HttpResponse h = {};
        _cleanup_(curl_easy_cleanupp) CURL *curl = NULL;
        _cleanup_free_ char *path = NULL, *url = NULL, *digest = NULL;
        char hex[SHA256_HEX_SIZE];
        HttpRequest req;
        int r;

        if (size > REGISTRY_MANIFEST_SIZE_MAX)
                return image_error(ret_error, -EFBIG, "manifest is larger than %u bytes",
                                   REGISTRY_MANIFEST_SIZE_MAX);
        if (isempty(media_type) || strpbrk(media_type, "\r\n"))
                return image_error(ret_error, -EINVAL, "manifest media type is missing or malformed");
        sha256_hex(body, size, hex);
        if (asprintf(&digest, "sha256:%s", hex) < 0)
                return -ENOMEM;
        if (startswith(tag_or_digest, "sha256:") && !streq(tag_or_digest, digest))
                return image_error(ret_error, -EINVAL, "manifest to push as %s has digest %s", tag_or_digest,
                                   digest);

        if (asprintf(&path, "manifests/%s", tag_or_digest) < 0 || registry_url(c, path, &url) < 0)
                return -ENOMEM;
        curl = registry_curl_acquire(c);
        if (!curl)
                return -ENOMEM;
        http_response_init(&h, -EBADF, PUSH_RESPONSE_MAX);
        req = HTTP_REQUEST_INIT("PUT", url);
        req.content_type = media_type;
        req.body = body;
        req.body_size = size;
        r = registry_request_retry(c, curl, &req, &h, ret_error);
        registry_curl_release(c, TAKE_PTR(curl));
        if (r < 0)
                return r;
        if (h.status != 201)
                return image_error(ret_error, -EPROTO, "PUT %s: unexpected HTTP status %ld", url, h.status);
        if (h.docker_content_digest && startswith(h.docker_content_digest, "sha256:") &&
            !streq(h.docker_content_digest, digest)) {
                _cleanup_free_ char *quoted = image_error_quote(h.docker_content_digest);
                return image_error(ret_error, -EBADMSG, "registry stored manifest %s as %s", digest,
                                   strempty(quoted));
        }
        if (ret_digest)
                *ret_digest = TAKE_PTR(digest);
        return 0;
}
