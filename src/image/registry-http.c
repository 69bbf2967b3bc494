/* SPDX-License-Identifier: Apache-2.0 */
#include <strings.h>
#include <time.h>

#include "image-internal.h"
#include "raind/base64.h"
#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/util.h"
#include "registry-http.h"

#define ERROR_BODY_MAX     (64U << 10)
#define TOKEN_RESPONSE_MAX (1U << 20)
#define HEADER_VALUE_MAX   8192
#define REDIRECTS_MAX      8L
#define CONNECT_TIMEOUT_S  30L
#define STALL_TIMEOUT_S    60L
#define IDLE_HANDLES_MAX   8
#define BACKOFF_FIRST_MSEC 250U
#define BACKOFF_MAX_MSEC   8000U
#define RETRY_AFTER_MAX_S  10L
#define RETRIES_MAX        20U

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
        curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void http_response_init(HttpResponse *h, int fd, uint64_t max)
{
        *h = (HttpResponse){.fd = fd, .max = max, .retry_after = -1};
        sha256_init(&h->sha);
}

void http_response_reset(HttpResponse *h)
{
        free(h->www_authenticate);
        free(h->content_type);
        free(h->location);
        free(h->docker_content_digest);
        free(h->content_range);
        free(h->error_body);
        h->www_authenticate = h->content_type = h->location = h->docker_content_digest = h->content_range =
            h->error_body = NULL;
        h->error_size = 0;
        h->status = 0;
        h->transient = false;
        h->retry_after = -1;
        h->sink_error = 0;
        h->body_started = false;
}

void http_response_reset_body(HttpResponse *h)
{
        http_response_reset(h);
        free(h->body);
        h->body = NULL;
        h->size = 0;
        h->written = 0;
        sha256_init(&h->sha);
}

void http_response_done(HttpResponse *h)
{
        http_response_reset(h);
        free(h->body);
        h->body = NULL;
}

int registry_basic_authorization(const char *username, const char *password, char **ret)
{
        _cleanup_free_ char *pair = NULL, *encoded = NULL;
        char *s;
        int r;

        if (isempty(username) || !password || strchr(username, ':'))
                return -EINVAL;
        for (const char *p = username; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return -EINVAL;
        for (const char *p = password; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return -EINVAL;
        if (asprintf(&pair, "%s:%s", username, password) < 0)
                return -ENOMEM;
        r = base64_encode(pair, strlen(pair), &encoded);
        explicit_bzero(pair, strlen(pair));
        if (r < 0)
                return r;
        if (asprintf(&s, "Basic %s", encoded) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static void free_secret(char *s)
{
        if (s) {
                explicit_bzero(s, strlen(s));
                free(s);
        }
}

RegistryClient *registry_client_free(RegistryClient *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_idle; i++)
                curl_easy_cleanup(c->idle[i]);
        free(c->idle);
        free(c->base_url);
        free(c->repository);
        free(c->username);
        free_secret(c->password);
        free_secret(c->basic);
        free_secret(c->authorization);
        pthread_mutex_destroy(&c->lock);
        free(c);
        return NULL;
}

static size_t discard_callback(char *buffer, size_t size, size_t n, void *userdata)
{
        return size * n;
}

/* Without TLS verification a registry may still speak HTTPS (with a certificate of its own making):
 * like podman, HTTPS without checks first, plain HTTP when no TLS server answers. */
static int registry_pick_insecure_scheme(RegistryClient *c, const char *registry)
{
        _cleanup_free_ char *https = NULL, *probe = NULL;
        CURL *curl;
        CURLcode code;

        if (c->options.tls_verify || registry_is_loopback(registry) || !startswith(c->base_url, "http://"))
                return 0;
        if (asprintf(&https, "https://%s", c->base_url + strlen("http://")) < 0 ||
            asprintf(&probe, "%s/v2/", https) < 0)
                return -ENOMEM;
        curl = curl_easy_init();
        if (!curl)
                return -ENOMEM;
        bool ok = curl_easy_setopt(curl, CURLOPT_URL, probe) == CURLE_OK &&
                  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https") == CURLE_OK &&
                  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
                  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S) == CURLE_OK &&
                  curl_easy_setopt(curl, CURLOPT_TIMEOUT, CONNECT_TIMEOUT_S) == CURLE_OK &&
                  curl_easy_setopt(curl, CURLOPT_USERAGENT, "raind") == CURLE_OK &&
                  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_callback) == CURLE_OK &&
                  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK &&
                  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK;
        code = ok ? curl_easy_perform(curl) : CURLE_FAILED_INIT;
        curl_easy_cleanup(curl);
        /* Any HTTP answer, 401 included, means HTTPS works. */
        if (code == CURLE_OK)
                return free_and_strdup(&c->base_url, https);
        return 0;
}

int registry_client_new(const RegistryReference *ref, const RegistryOptions *options, RegistryClient **ret)
{
        _cleanup_registry_client_free_ RegistryClient *c = NULL;
        int r;

        /* curl_global_init() is not thread-safe; clients may be made from several threads. */
        if (pthread_once(&curl_once, curl_init_once) != 0 || curl_init_result != CURLE_OK)
                return -ENOMEM;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        if (pthread_mutex_init(&c->lock, NULL) != 0) {
                free(TAKE_PTR(c));
                return -ENOMEM;
        }
        c->options = options ? *options : REGISTRY_OPTIONS_DEFAULT;
        if (c->options.retries == 0)
                c->options.retries = REGISTRY_RETRIES_DEFAULT;
        c->options.retries = MIN(c->options.retries, RETRIES_MAX);
        r = registry_base_url(ref->registry, &c->options, &c->base_url);
        if (r < 0)
                return r;
        r = registry_pick_insecure_scheme(c, ref->registry);
        if (r < 0)
                return r;
        c->repository = strdup(ref->repository);
        if (!c->repository)
                return -ENOMEM;
        if (c->options.username) {
                r = registry_basic_authorization(c->options.username, strempty(c->options.password),
                                                 &c->basic);
                if (r < 0)
                        return r;
                c->username = strdup(c->options.username);
                c->password = strdup(strempty(c->options.password));
                if (!c->username || !c->password)
                        return -ENOMEM;
        }
        /* The caller's strings need not outlive this call. */
        c->options.username = c->username;
        c->options.password = c->password;
        c->idle = calloc(IDLE_HANDLES_MAX, sizeof(CURL *));
        if (!c->idle)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

CURL *registry_curl_acquire(RegistryClient *c)
{
        CURL *curl = NULL;

        pthread_mutex_lock(&c->lock);
        if (c->n_idle > 0)
                curl = c->idle[--c->n_idle];
        pthread_mutex_unlock(&c->lock);
        return curl ?: curl_easy_init();
}

void registry_curl_release(RegistryClient *c, CURL *curl)
{
        if (!curl)
                return;
        pthread_mutex_lock(&c->lock);
        if (c->n_idle < IDLE_HANDLES_MAX) {
                c->idle[c->n_idle++] = curl;
                curl = NULL;
        }
        pthread_mutex_unlock(&c->lock);
        if (curl)
                curl_easy_cleanup(curl);
}

unsigned registry_retries(const RegistryClient *c)
{
        return c->options.retries;
}

int registry_url(RegistryClient *c, const char *path, char **ret)
{
        return asprintf(ret, "%s/v2/%s/%s", c->base_url, c->repository, path) < 0 ? -ENOMEM : 0;
}

static size_t header_callback(char *buffer, size_t size, size_t n, void *userdata)
{
        static const struct {
                const char *name;
                size_t offset;
        } fields[] = {
            {"WWW-Authenticate:", offsetof(HttpResponse, www_authenticate)},
            {"Content-Type:", offsetof(HttpResponse, content_type)},
            {"Location:", offsetof(HttpResponse, location)},
            {"Docker-Content-Digest:", offsetof(HttpResponse, docker_content_digest)},
            {"Content-Range:", offsetof(HttpResponse, content_range)},
        };
        HttpResponse *h = userdata;
        size_t len = size * n;
        char **field = NULL;
        const char *value = NULL;
        _cleanup_free_ char *line = strndup(buffer, MIN(len, (size_t)HEADER_VALUE_MAX));
        int major, minor = 0;
        long status;

        if (!line)
                return 0;
        line[strcspn(line, "\r\n")] = '\0';

        /* A new response (after a redirect or a 100): forget the headers and body of the one before. */
        if (startswith(line, "HTTP/")) {
                http_response_reset(h);
                if (sscanf(line, "HTTP/%d.%d %ld", &major, &minor, &status) == 3 ||
                    sscanf(line, "HTTP/%d %ld", &major, &status) == 2)
                        h->status = status;
                return len;
        }
        if (strncasecmp(line, "Retry-After:", strlen("Retry-After:")) == 0) {
                char *end;
                long s = strtol(line + strlen("Retry-After:"), &end, 10);
                /* An HTTP date instead of seconds: the back-off decides. */
                if (end != line + strlen("Retry-After:") && s >= 0)
                        h->retry_after = MIN(s, RETRY_AFTER_MAX_S);
                return len;
        }
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                if (strncasecmp(line, fields[i].name, strlen(fields[i].name)) == 0) {
                        field = (char **)((uint8_t *)h + fields[i].offset);
                        value = line + strlen(fields[i].name);
                        break;
                }
        if (!field)
                return len;
        value += strspn(value, " \t");
        /* Of several challenges the first Bearer one wins: that is the one we can answer best. */
        if (field == &h->www_authenticate && *field &&
            (strncasecmp(*field, "Bearer", 6) == 0 || strncasecmp(value, "Bearer", 6) != 0))
                return len;
        free(*field);
        *field = strdup(value);
        return *field ? len : 0;
}

static void progress_maybe(RegistryProgress progress, void *userdata, uint64_t *last, uint64_t done,
                           uint64_t total)
{
        uint64_t now;

        if (!progress)
                return;
        now = now_usec(CLOCK_MONOTONIC);
        if (now - *last < PROGRESS_INTERVAL_USEC)
                return;
        *last = now;
        progress(done, total, userdata);
}

static int pwrite_all(int fd, const void *buf, size_t size, uint64_t offset)
{
        const char *p = buf;

        while (size > 0) {
                ssize_t n = pwrite(fd, p, size, (off_t)offset);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                size -= (size_t)n;
                offset += (uint64_t)n;
        }
        return 0;
}

static size_t write_callback(char *data, size_t size, size_t n, void *userdata)
{
        HttpResponse *h = userdata;
        size_t len = size * n;

        if (h->status != 200 && h->status != 206) {
                /* Keep the start of an error body for the message, drop the rest. */
                size_t k = MIN(len, ERROR_BODY_MAX - h->error_size);
                char *b = realloc(h->error_body, h->error_size + k + 1);
                if (!b)
                        return 0;
                memcpy(b + h->error_size, data, k);
                h->error_size += k;
                b[h->error_size] = '\0';
                h->error_body = b;
                return len;
        }

        if (!h->body_started) {
                h->body_started = true;
                if (h->fd >= 0 && h->status == 206) {
                        unsigned long long start;
                        /* Appended only if it starts where we are; else it is not our range. */
                        if (!h->content_range || sscanf(h->content_range, "bytes %llu-", &start) != 1 ||
                            start != h->written) {
                                h->sink_error = -ERANGE;
                                return 0;
                        }
                } else if (h->fd >= 0 && h->written > 0) {
                        /* The whole blob from its start: what we had is dropped. */
                        if (ftruncate(h->fd, 0) < 0) {
                                h->sink_error = -errno;
                                return 0;
                        }
                        h->written = 0;
                        sha256_init(&h->sha);
                }
        }

        if (h->written + len > h->max) {
                h->sink_error = h->fd >= 0 ? -EBADMSG : -EFBIG;
                return 0;
        }
        if (h->fd >= 0) {
                int r = pwrite_all(h->fd, data, len, h->written);
                if (r < 0) {
                        h->sink_error = r;
                        return 0;
                }
                sha256_update(&h->sha, data, len);
                h->written += len;
                progress_maybe(h->progress, h->userdata, &h->progress_last, h->written, h->progress_total);
                return len;
        }
        sha256_update(&h->sha, data, len);
        h->written += len;
        char *b = realloc(h->body, h->size + len + 1);
        if (!b) {
                h->sink_error = -ENOMEM;
                return 0;
        }
        memcpy(b + h->size, data, len);
        h->size += len;
        b[h->size] = '\0';
        h->body = b;
        return len;
}

static size_t read_callback(char *buffer, size_t size, size_t n, void *userdata)
{
        HttpRequest *req = userdata;
        size_t len = size * n;

        if (req->body) {
                len = MIN(len, req->body_size - (size_t)req->uploaded);
                memcpy(buffer, req->body + req->uploaded, len);
                req->uploaded += len;
                return len;
        }

        len = (size_t)MIN((uint64_t)len, req->upload_size - req->uploaded);
        if (len == 0)
                return 0;
        for (;;) {
                ssize_t k = pread(req->upload_fd, buffer, len, (off_t)req->uploaded);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        /* A file shorter than its descriptor says. */
                        req->upload_error = k < 0 ? -errno : -EBADMSG;
                        return CURL_READFUNC_ABORT;
                }
                len = (size_t)k;
                break;
        }
        sha256_update(&req->upload_sha, buffer, len);
        req->uploaded += len;
        progress_maybe(req->progress, req->userdata, &req->progress_last, req->uploaded,
                       req->progress_total);
        return len;
}

static int curl_code_to_errno(CURLcode code)
{
        switch (code) {
        case CURLE_OUT_OF_MEMORY:
                return -ENOMEM;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return -EHOSTUNREACH;
        case CURLE_COULDNT_CONNECT:
                return -ECONNREFUSED;
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_TOO_MANY_REDIRECTS:
                return -ELOOP;
        case CURLE_UNSUPPORTED_PROTOCOL:
                return -EPROTONOSUPPORT;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CACERT_BADFILE:
                return -EPERM;
        case CURLE_FILESIZE_EXCEEDED:
                return -EFBIG;
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
                return -ECONNRESET;
        default:
                return -EIO;
        }
}

static bool curl_code_is_transient(CURLcode code)
{
        switch (code) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_SSL_CONNECT_ERROR:
                return true;
        default:
                return false;
        }
}

bool http_failure_is_transient(int r, const HttpResponse *h)
{
        if (r < 0)
                return h->transient;
        return h->status == 429 || h->status == 408 || (h->status >= 500 && h->status <= 599);
}

void registry_backoff(unsigned attempt, long retry_after)
{
        uint64_t msec = (uint64_t)BACKOFF_FIRST_MSEC << MIN(attempt, 10U);
        struct timespec ts;

        msec = MIN(msec, (uint64_t)BACKOFF_MAX_MSEC);
        if (retry_after >= 0)
                msec = (uint64_t)MIN(retry_after, RETRY_AFTER_MAX_S) * 1000U;
        ts = (struct timespec){.tv_sec = (time_t)(msec / 1000), .tv_nsec = (long)(msec % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Appends "name: value", or "name:" (curl then sends no such header) when value is NULL. */
static int slist_append(struct curl_slist **l, const char *name, const char *value)
{
        _cleanup_free_ char *line = NULL;
        struct curl_slist *n;

        if (asprintf(&line, "%s:%s%s", name, value ? " " : "", strempty(value)) < 0)
                return -ENOMEM;
        n = curl_slist_append(*l, line);
        if (!n)
                return -ENOMEM;
        *l = n;
        return 0;
}

/* One request, redirects of GET and HEAD followed. */
static int http_perform(RegistryClient *c, CURL *curl, HttpRequest *req, const char *authorization,
                        HttpResponse *h, char **ret_error)
{
        _cleanup_(curl_slist_free_allp) struct curl_slist *headers = NULL;
        const char *method = req->method ?: "GET";
        bool get = streq(method, "GET"), head = streq(method, "HEAD");
        char errbuf[CURL_ERROR_SIZE] = "", range[32];
        CURLcode code;
        bool ok;

        if ((req->accept && slist_append(&headers, "Accept", req->accept) < 0) ||
            (req->content_type && slist_append(&headers, "Content-Type", req->content_type) < 0) ||
            /* curl drops this header when a redirect leaves the host (blobs often live on a CDN). */
            (authorization && slist_append(&headers, "Authorization", authorization) < 0) ||
            /* No waiting for a 100 Continue before a large PUT's body. */
            (!get && !head && slist_append(&headers, "Expect", NULL) < 0))
                return -ENOMEM;

        http_response_reset(h);
        req->uploaded = 0;
        req->upload_error = 0;
        sha256_init(&req->upload_sha);

        curl_easy_reset(curl);
        ok = curl_easy_setopt(curl, CURLOPT_URL, req->url) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, get || head ? 1L : 0L) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_MAXREDIRS, REDIRECTS_MAX) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, STALL_TIMEOUT_S) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_USERAGENT, "raind") == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_callback) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_HEADERDATA, h) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_callback) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_WRITEDATA, h) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, c->options.tls_verify ? 1L : 0L) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, c->options.tls_verify ? 2L : 0L) == CURLE_OK;
        if (ok && head)
                ok = curl_easy_setopt(curl, CURLOPT_NOBODY, 1L) == CURLE_OK;
        if (ok && streq(method, "POST"))
                ok = curl_easy_setopt(curl, CURLOPT_POST, 1L) == CURLE_OK &&
                     curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "") == CURLE_OK &&
                     curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L) == CURLE_OK;
        if (ok && streq(method, "PUT"))
                ok = curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L) == CURLE_OK &&
                     curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                                      (curl_off_t)(req->body ? req->body_size : req->upload_size)) ==
                         CURLE_OK &&
                     curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_callback) == CURLE_OK &&
                     curl_easy_setopt(curl, CURLOPT_READDATA, req) == CURLE_OK;
        if (ok && req->range_start > 0) {
                snprintf(range, sizeof(range), "%llu-", (unsigned long long)req->range_start);
                ok = curl_easy_setopt(curl, CURLOPT_RANGE, range) == CURLE_OK;
        }
        if (!ok)
                return image_error(ret_error, -EIO, "Failed to set up a request for %s", req->url);

        code = curl_easy_perform(curl);
        /* The error buffer and the header list live on this stack frame. */
        (void)curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
        (void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
        if (h->sink_error < 0) {
                if (h->sink_error == -EBADMSG)
                        return image_error(ret_error, -EBADMSG, "%s sent more than the %llu bytes expected",
                                           req->url, (unsigned long long)h->max);
                if (h->sink_error == -EFBIG)
                        return image_error(ret_error, -EFBIG, "%s sent more than %llu bytes", req->url,
                                           (unsigned long long)h->max);
                if (h->sink_error == -ERANGE)
                        return image_error(ret_error, -ERANGE, "%s sent another range than asked for",
                                           req->url);
                return image_error(ret_error, h->sink_error, "Failed to write what %s sent: %m", req->url);
        }
        if (req->upload_error < 0)
                return image_error(ret_error, req->upload_error, "Failed to read what to send to %s: %m",
                                   req->url);
        if (code != CURLE_OK) {
                h->transient = curl_code_is_transient(code);
                return image_error(ret_error, curl_code_to_errno(code), "Failed to %s %s: %s", method,
                                   req->url, errbuf[0] ? errbuf : curl_easy_strerror(code));
        }
        (void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &h->status);
        return 0;
}

static int http_status_to_errno(long status)
{
        switch (status) {
        case 401:
        case 403:
                return -EACCES;
        case 404:
                return -ENOENT;
        case 429:
                return -EBUSY;
        default:
                return status >= 500 ? -EIO : -EPROTO;
        }
}

/* The first of the registry's errors ("code", "message"), or what OAuth-style token services send. */
static void registry_error_message(const char *body, char **ret_code, char **ret_message)
{
        _cleanup_json_ struct json_object *o = body ? json_tokener_parse(body) : NULL;
        struct json_object *errors;
        const char *code = NULL, *message = NULL;

        *ret_code = *ret_message = NULL;
        if (!o || !json_object_is_type(o, json_type_object))
                return;
        if (json_object_object_get_ex(o, "errors", &errors) &&
            json_object_is_type(errors, json_type_array) && json_object_array_length(errors) > 0) {
                struct json_object *e = json_object_array_get_idx(errors, 0);
                code = json_get_string(e, "code");
                message = json_get_string(e, "message");
        } else {
                code = json_get_string(o, "error");
                message = json_get_string(o, "details") ?: json_get_string(o, "error_description");
        }
        if (!isempty(code))
                *ret_code = image_error_quote(code);
        if (!isempty(message))
                *ret_message = image_error_quote(message);
}

int http_status_error(RegistryClient *c, const HttpRequest *req, const HttpResponse *h, char **ret_error)
{
        _cleanup_free_ char *code = NULL, *message = NULL;
        const char *method = req->method ?: "GET";
        int r = http_status_to_errno(h->status);

        registry_error_message(h->error_body, &code, &message);
        if ((h->status == 401 || h->status == 403) && !c->username)
                return image_error(ret_error, r, "authentication required (%s %s: %ld%s%s)", method,
                                   req->url, h->status, message ? " " : "", strempty(message));
        if (h->status == 401 || h->status == 403)
                return image_error(ret_error, r, "%s: %s (%s %s as %s)",
                                   h->status == 401 ? "unauthorized" : "denied",
                                   message ?: "credentials refused", method, req->url, c->username);
        if (code && message)
                return image_error(ret_error, r, "%s %s: %ld %s: %s", method, req->url, h->status, code,
                                   message);
        return image_error(ret_error, r, "%s %s: HTTP status %ld", method, req->url, h->status);
}

/* Follows a Bearer challenge to its realm for a token (RFC 6750 as the distribution spec uses it),
 * with the credentials as Basic auth when there are some. Sets *ret_authorization. */
static int registry_fetch_token(RegistryClient *c, CURL *curl, const RegistryChallenge *ch,
                                char **ret_authorization, char **ret_error)
{
        _cleanup_(curl_freep) char *service = NULL, *scope = NULL;
        _cleanup_free_ char *default_scope = NULL, *url = NULL, *authorization = NULL;
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_(http_response_done) HttpResponse h = {};
        HttpRequest req;
        const char *t;
        int r;

        http_response_init(&h, -EBADF, TOKEN_RESPONSE_MAX);
        if (isempty(ch->realm) || (!startswith(ch->realm, "https://") && !startswith(ch->realm, "http://")))
                return image_error(ret_error, -EACCES, "registry's token realm is not an http(s) URL");

        /* Pushing needs both; the challenge of a GET names pull only. */
        if (asprintf(&default_scope, "repository:%s:%s", c->repository,
                     c->options.push ? "pull,push" : "pull") < 0)
                return -ENOMEM;
        scope = curl_easy_escape(curl, c->options.push || !ch->scope ? default_scope : ch->scope, 0);
        service = ch->service ? curl_easy_escape(curl, ch->service, 0) : NULL;
        if (!scope || (ch->service && !service))
                return -ENOMEM;
        if (asprintf(&url, "%s%sscope=%s%s%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?", scope,
                     service ? "&service=" : "", strempty(service)) < 0)
                return -ENOMEM;

        for (unsigned attempt = 0;; attempt++) {
                req = HTTP_REQUEST_INIT("GET", url);
                req.accept = "application/json";
                http_response_reset_body(&h);
                r = http_perform(c, curl, &req, c->basic, &h, ret_error);
                if (!http_failure_is_transient(r, &h) || attempt >= registry_retries(c))
                        break;
                registry_backoff(attempt, h.retry_after);
        }
        if (r < 0)
                return r;
        if (h.status != 200)
                return http_status_error(c, &req, &h, ret_error);
        o = h.body ? json_tokener_parse(h.body) : NULL;
        t = o ? json_get_string(o, "token") : NULL;
        if (isempty(t) && o)
                t = json_get_string(o, "access_token");
        if (isempty(t))
                return image_error(ret_error, -EACCES, "token service %s sent no token", ch->realm);
        /* It goes into a header line. */
        if (strpbrk(t, "\r\n") || strlen(t) > HEADER_VALUE_MAX)
                return image_error(ret_error, -EACCES, "token service %s sent a malformed token", ch->realm);

        if (asprintf(&authorization, "Bearer %s", t) < 0)
                return -ENOMEM;
        *ret_authorization = TAKE_PTR(authorization);
        return 0;
}

/* Answers the challenge of a 401 to a request sent with used (NULL: none). Another thread may have
 * done it meanwhile: then its answer is taken. */
static int registry_authorize(RegistryClient *c, CURL *curl, const char *www_authenticate, const char *used,
                              char **ret_error)
{
        _cleanup_registry_challenge_free_ RegistryChallenge *ch = NULL;
        _cleanup_free_ char *authorization = NULL;
        int r;

        r = registry_challenge_parse(www_authenticate, &ch);
        if (r < 0)
                return image_error(ret_error, -EACCES, "registry sent a malformed authentication challenge");

        /* One token request at a time: the others wait for it instead of asking too. */
        pthread_mutex_lock(&c->lock);
        if (!streq_ptr(c->authorization, used)) {
                r = 0;
                goto finish;
        }
        if (strcasecmp(ch->scheme, "Basic") == 0) {
                if (!c->basic) {
                        r = image_error(ret_error, -EACCES, "authentication required (Basic realm '%s')",
                                        strempty(ch->realm));
                        goto finish;
                }
                if (streq_ptr(used, c->basic)) {
                        r = image_error(ret_error, -EACCES, "unauthorized: credentials of %s refused",
                                        c->username);
                        goto finish;
                }
                authorization = strdup(c->basic);
                r = authorization ? 0 : -ENOMEM;
        } else if (strcasecmp(ch->scheme, "Bearer") == 0)
                r = registry_fetch_token(c, curl, ch, &authorization, ret_error);
        else
                r = image_error(ret_error, -EACCES,
                                "registry wants %s authentication, which is not supported", ch->scheme);
        if (r >= 0) {
                free_secret(c->authorization);
                c->authorization = TAKE_PTR(authorization);
        }
finish:
        pthread_mutex_unlock(&c->lock);
        return r;
}

static int registry_authorization_get(RegistryClient *c, char **ret)
{
        int r = 0;

        pthread_mutex_lock(&c->lock);
        *ret = NULL;
        if (c->authorization) {
                *ret = strdup(c->authorization);
                r = *ret ? 0 : -ENOMEM;
        }
        pthread_mutex_unlock(&c->lock);
        return r;
}

int registry_request(RegistryClient *c, CURL *curl, HttpRequest *req, HttpResponse *h, char **ret_error)
{
        int r;

        for (int attempt = 0;; attempt++) {
                _cleanup_free_ char *authorization = NULL, *challenge = NULL;

                r = registry_authorization_get(c, &authorization);
                if (r < 0)
                        return r;
                r = http_perform(c, curl, req, authorization, h, ret_error);
                if (r < 0)
                        return r;
                /* A second 401 means the credentials or the fresh token are not good enough. */
                if (h->status != 401 || attempt > 0 || !h->www_authenticate)
                        return 0;

                challenge = TAKE_PTR(h->www_authenticate);
                r = registry_authorize(c, curl, challenge, authorization, ret_error);
                if (r < 0)
                        return r;
        }
}

int registry_request_retry(RegistryClient *c, CURL *curl, HttpRequest *req, HttpResponse *h,
                           char **ret_error)
{
        int r;

        for (unsigned attempt = 0;; attempt++) {
                if (h->fd < 0)
                        http_response_reset_body(h);
                r = registry_request(c, curl, req, h, ret_error);
                if (!http_failure_is_transient(r, h) || attempt >= registry_retries(c))
                        break;
                registry_backoff(attempt, h->retry_after);
        }
        if (r < 0)
                return r;
        if (h->status < 200 || h->status > 299)
                return http_status_error(c, req, h, ret_error);
        registry_error_clear(ret_error);
        return 0;
}

int registry_fetch_manifest(RegistryClient *c, const char *tag_or_digest, char **ret_body, size_t *ret_size,
                            char **ret_content_type, char **ret_digest, char **ret_error)
{
        _cleanup_(http_response_done) HttpResponse h = {};
        _cleanup_free_ char *path = NULL, *url = NULL, *digest = NULL;
        _cleanup_(curl_easy_cleanupp) CURL *curl = NULL;
        char hex[SHA256_HEX_SIZE];
        HttpRequest req;
        int r;

        http_response_init(&h, -EBADF, REGISTRY_MANIFEST_SIZE_MAX);
        if (asprintf(&path, "manifests/%s", tag_or_digest) < 0 || registry_url(c, path, &url) < 0)
                return -ENOMEM;
        curl = registry_curl_acquire(c);
        if (!curl)
                return -ENOMEM;
        req = HTTP_REQUEST_INIT("GET", url);
        req.accept = MEDIA_TYPE_OCI_INDEX ", " MEDIA_TYPE_OCI_MANIFEST ", " MEDIA_TYPE_DOCKER_LIST
                                          ", " MEDIA_TYPE_DOCKER_MANIFEST;
        r = registry_request_retry(c, curl, &req, &h, ret_error);
        registry_curl_release(c, TAKE_PTR(curl));
        if (r < 0)
                return r;
        if (h.status != 200)
                return image_error(ret_error, -EPROTO, "GET %s: unexpected HTTP status %ld", url, h.status);

        sha256_final_hex(&h.sha, hex);
        if (asprintf(&digest, "sha256:%s", hex) < 0)
                return -ENOMEM;
        if (startswith(tag_or_digest, "sha256:") && !streq(digest, tag_or_digest))
                return image_error(ret_error, -EBADMSG, "manifest %s arrived with digest %s", tag_or_digest,
                                   digest);
        /* By tag, the registry's word is all there is to check; other algorithms we cannot check. */
        if (h.docker_content_digest && startswith(h.docker_content_digest, "sha256:") &&
            !streq(h.docker_content_digest, digest)) {
                _cleanup_free_ char *quoted = image_error_quote(h.docker_content_digest);
                return image_error(ret_error, -EBADMSG,
                                   "manifest %s arrived with digest %s, the registry says %s", tag_or_digest,
                                   digest, strempty(quoted));
        }
        if (!h.body) {
                h.body = strdup("");
                if (!h.body)
                        return -ENOMEM;
        }

        *ret_body = TAKE_PTR(h.body);
        if (ret_size)
                *ret_size = h.size;
        if (ret_content_type)
                *ret_content_type = TAKE_PTR(h.content_type);
        if (ret_digest)
                *ret_digest = TAKE_PTR(digest);
        return 0;
}

int registry_check_login(RegistryClient *c, char **ret_error)
{
        _cleanup_(http_response_done) HttpResponse h = {};
        _cleanup_(curl_easy_cleanupp) CURL *curl = NULL;
        _cleanup_free_ char *url = NULL;
        HttpRequest req;
        int r;

        http_response_init(&h, -EBADF, ERROR_BODY_MAX);
        if (asprintf(&url, "%s/v2/", c->base_url) < 0)
                return -ENOMEM;
        curl = registry_curl_acquire(c);
        if (!curl)
                return -ENOMEM;
        req = HTTP_REQUEST_INIT("GET", url);
        r = registry_request_retry(c, curl, &req, &h, ret_error);
        registry_curl_release(c, TAKE_PTR(curl));
        return r;
}

int registry_resolve(RegistryClient *c, const RegistryReference *ref, const RegistryPlatform *platform,
                     RegistryManifest **ret, char **ret_digest, char **ret_error)
{
        _cleanup_free_ char *body = NULL, *content_type = NULL, *digest = NULL;
        _cleanup_registry_manifest_free_ RegistryManifest *m = NULL;
        RegistryManifestKind kind;
        size_t size;
        int r;

        r = registry_fetch_manifest(c, ref->digest ?: ref->tag, &body, &size, &content_type, &digest,
                                    ret_error);
        if (r < 0)
                return r;
        r = registry_manifest_kind(body, size, content_type, &kind, ret_error);
        if (r < 0)
                return r;

        if (kind == REGISTRY_MANIFEST_INDEX) {
                _cleanup_free_ char *selected = NULL;

                r = registry_index_select(body, size, platform, &selected, ret_error);
                if (r < 0)
                        return r;
                free(body);
                free(content_type);
                free(digest);
                body = content_type = digest = NULL;
                r = registry_fetch_manifest(c, selected, &body, &size, &content_type, &digest, ret_error);
                if (r < 0)
                        return r;
                r = registry_manifest_kind(body, size, content_type, &kind, ret_error);
                if (r < 0)
                        return r;
                if (kind != REGISTRY_MANIFEST_IMAGE)
                        return image_error(ret_error, -EBADMSG, "index entry %s is an index itself",
                                           selected);
        }

        r = registry_manifest_parse(body, size, &m, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        if (ret_digest)
                *ret_digest = TAKE_PTR(digest);
        return 0;
}
