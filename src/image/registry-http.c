/* SPDX-License-Identifier: Apache-2.0 */
#include <curl/curl.h>
#include <strings.h>

#include "image-internal.h"
#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/registry.h"

#define ERROR_BODY_MAX     (64U << 10)
#define TOKEN_RESPONSE_MAX (1U << 20)
#define HEADER_VALUE_MAX   8192
#define REDIRECTS_MAX      8L
#define CONNECT_TIMEOUT_S  30L
#define STALL_TIMEOUT_S    60L

DEFINE_TRIVIAL_CLEANUP_FUNC(CURL *, curl_easy_cleanup);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct curl_slist *, curl_slist_free_all);
DEFINE_TRIVIAL_CLEANUP_FUNC(char *, curl_free);

struct RegistryClient {
        CURL *curl; /* kept between requests: connections are reused */
        char *base_url;
        char *repository;
        char *token; /* bearer token, once a challenge asked for one */
        RegistryOptions options;
};

/* Where a response goes: the body of a successful response to memory (at most max bytes) or to fd,
 * hashed; the body of any other response to error_body, for the message. */
typedef struct HttpResponse {
        long status; /* of the last response: redirects pass through */
        char *www_authenticate;
        char *content_type;

        int fd; /* -EBADF: memory */
        char *body;
        size_t size;
        uint64_t max;
        Sha256Context sha;
        uint64_t written;
        int sink_error; /* why the write callback stopped the transfer */

        char *error_body;
        size_t error_size;
} HttpResponse;

static void http_response_done(HttpResponse *h)
{
        free(h->www_authenticate);
        free(h->content_type);
        free(h->body);
        free(h->error_body);
}

static void http_response_init(HttpResponse *h, int fd, uint64_t max)
{
        *h = (HttpResponse){.fd = fd, .max = max};
        sha256_init(&h->sha);
}

RegistryClient *registry_client_free(RegistryClient *c)
{
        if (!c)
                return NULL;
        if (c->curl)
                curl_easy_cleanup(c->curl);
        free(c->base_url);
        free(c->repository);
        free(c->token);
        free(c);
        return NULL;
}

int registry_client_new(const RegistryReference *ref, const RegistryOptions *options, RegistryClient **ret)
{
        _cleanup_registry_client_free_ RegistryClient *c = NULL;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->options = options ? *options : REGISTRY_OPTIONS_DEFAULT;
        r = registry_base_url(ref->registry, &c->options, &c->base_url);
        if (r < 0)
                return r;
        c->repository = strdup(ref->repository);
        if (!c->repository)
                return -ENOMEM;
        /* curl_easy_init() does the global init itself when nobody did. */
        c->curl = curl_easy_init();
        if (!c->curl)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

static size_t header_callback(char *buffer, size_t size, size_t n, void *userdata)
{
        HttpResponse *h = userdata;
        size_t len = size * n;
        char **field = NULL;
        const char *value;
        _cleanup_free_ char *line = strndup(buffer, MIN(len, (size_t)HEADER_VALUE_MAX));

        if (!line)
                return 0;
        line[strcspn(line, "\r\n")] = '\0';

        /* A new response (after a redirect or a 100): forget the headers and body of the one before. */
        if (startswith(line, "HTTP/")) {
                free(h->www_authenticate);
                free(h->content_type);
                free(h->error_body);
                h->www_authenticate = h->content_type = h->error_body = NULL;
                h->error_size = 0;
                return len;
        }
        if (strncasecmp(line, "WWW-Authenticate:", strlen("WWW-Authenticate:")) == 0) {
                field = &h->www_authenticate;
                value = line + strlen("WWW-Authenticate:");
        } else if (strncasecmp(line, "Content-Type:", strlen("Content-Type:")) == 0) {
                field = &h->content_type;
                value = line + strlen("Content-Type:");
        } else
                return len;
        value += strspn(value, " \t");
        /* Of several challenges the first Bearer one wins: that is the one we can answer. */
        if (field == &h->www_authenticate && *field &&
            (strncasecmp(*field, "Bearer", 6) == 0 || strncasecmp(value, "Bearer", 6) != 0))
                return len;
        free(*field);
        *field = strdup(value);
        return *field ? len : 0;
}

static size_t write_callback(char *data, size_t size, size_t n, void *userdata)
{
        HttpResponse *h = userdata;
        size_t len = size * n;

        if (h->status != 200) {
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

        if (h->written + len > h->max) {
                h->sink_error = h->fd >= 0 ? -EBADMSG : -EFBIG;
                return 0;
        }
        sha256_update(&h->sha, data, len);
        h->written += len;
        if (h->fd >= 0) {
                int r = loop_write(h->fd, data, len);
                if (r < 0) {
                        h->sink_error = r;
                        return 0;
                }
                return len;
        }
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

/* curl calls the write callback only after all headers of a response; the status is known by then. */
static size_t header_status_callback(char *buffer, size_t size, size_t n, void *userdata)
{
        HttpResponse *h = userdata;
        size_t len = size * n;
        int major, minor = 0;
        long status;

        if (len > 5 && strncmp(buffer, "HTTP/", 5) == 0 &&
            (sscanf(buffer, "HTTP/%d.%d %ld", &major, &minor, &status) == 3 ||
             sscanf(buffer, "HTTP/%d %ld", &major, &status) == 2))
                h->status = status;
        return header_callback(buffer, size, n, userdata);
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
        default:
                return -EIO;
        }
}

/* One GET, redirects followed. Returns < 0 only when no response came (or the sink failed);
 * the status is the caller's to judge. */
static int http_get(RegistryClient *c, const char *url, const char *accept, const char *token,
                    HttpResponse *h, char **ret_error)
{
        _cleanup_(curl_slist_free_allp) struct curl_slist *headers = NULL;
        _cleanup_free_ char *accept_header = NULL, *auth_header = NULL;
        char errbuf[CURL_ERROR_SIZE] = "";
        CURLcode code;
        CURL *curl = c->curl;

        if (accept) {
                if (asprintf(&accept_header, "Accept: %s", accept) < 0)
                        return -ENOMEM;
                headers = curl_slist_append(headers, accept_header);
                if (!headers)
                        return -ENOMEM;
        }
        if (token) {
                struct curl_slist *l;
                /* curl drops this header when a redirect leaves the host (blobs often live on a CDN). */
                if (asprintf(&auth_header, "Authorization: Bearer %s", token) < 0)
                        return -ENOMEM;
                l = curl_slist_append(headers, auth_header);
                if (!l)
                        return -ENOMEM;
                headers = l;
        }

        curl_easy_reset(curl);
        if (curl_easy_setopt(curl, CURLOPT_URL, url) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_MAXREDIRS, REDIRECTS_MAX) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, STALL_TIMEOUT_S) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_USERAGENT, "raind") != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_status_callback) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_HEADERDATA, h) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_callback) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_WRITEDATA, h) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, c->options.tls_verify ? 1L : 0L) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, c->options.tls_verify ? 2L : 0L) != CURLE_OK)
                return image_error(ret_error, -EIO, "Failed to set up a request for %s", url);

        code = curl_easy_perform(curl);
        /* The error buffer lives on this stack frame. */
        (void)curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
        if (h->sink_error < 0) {
                if (h->sink_error == -EBADMSG)
                        return image_error(ret_error, -EBADMSG, "%s sent more than the %llu bytes expected",
                                           url, (unsigned long long)h->max);
                if (h->sink_error == -EFBIG)
                        return image_error(ret_error, -EFBIG, "%s sent more than %llu bytes", url,
                                           (unsigned long long)h->max);
                return image_error(ret_error, h->sink_error, "Failed to write what %s sent: %m", url);
        }
        if (code != CURLE_OK)
                return image_error(ret_error, curl_code_to_errno(code), "Failed to GET %s: %s", url,
                                   errbuf[0] ? errbuf : curl_easy_strerror(code));
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

/* "GET <url>: 404 MANIFEST_UNKNOWN: manifest unknown", from the registry's error JSON if it sent one. */
static int http_status_error(const HttpResponse *h, const char *url, char **ret_error)
{
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_free_ char *code = NULL, *message = NULL;
        struct json_object *errors;
        int r = http_status_to_errno(h->status);

        if (h->error_body)
                o = json_tokener_parse(h->error_body);
        if (o && json_object_object_get_ex(o, "errors", &errors) &&
            json_object_is_type(errors, json_type_array) && json_object_array_length(errors) > 0) {
                struct json_object *e = json_object_array_get_idx(errors, 0);
                code = image_error_quote(strempty(json_get_string(e, "code")));
                message = image_error_quote(strempty(json_get_string(e, "message")));
        }
        if (code && message)
                return image_error(ret_error, r, "GET %s: %ld %s: %s", url, h->status, code, message);
        return image_error(ret_error, r, "GET %s: HTTP status %ld", url, h->status);
}

/* Follows a Bearer challenge to its realm for a token (RFC 6750 as the distribution spec uses it). */
static int registry_authenticate(RegistryClient *c, const char *www_authenticate, char **ret_error)
{
        _cleanup_registry_challenge_free_ RegistryChallenge *ch = NULL;
        _cleanup_(curl_freep) char *service = NULL, *scope = NULL;
        _cleanup_free_ char *default_scope = NULL, *url = NULL, *token = NULL;
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_(http_response_done) HttpResponse h;
        const char *t;
        int r;

        http_response_init(&h, -EBADF, TOKEN_RESPONSE_MAX);

        r = registry_challenge_parse(www_authenticate, &ch);
        if (r < 0)
                return image_error(ret_error, -EACCES, "registry sent a malformed authentication challenge");
        if (strcasecmp(ch->scheme, "Bearer") != 0)
                return image_error(ret_error, -EACCES,
                                   "registry wants %s authentication; credentials are not supported yet",
                                   ch->scheme);
        if (isempty(ch->realm) || (!startswith(ch->realm, "https://") && !startswith(ch->realm, "http://")))
                return image_error(ret_error, -EACCES, "registry's token realm is not an http(s) URL");

        if (!ch->scope && asprintf(&default_scope, "repository:%s:pull", c->repository) < 0)
                return -ENOMEM;
        scope = curl_easy_escape(c->curl, ch->scope ?: default_scope, 0);
        service = ch->service ? curl_easy_escape(c->curl, ch->service, 0) : NULL;
        if (!scope || (ch->service && !service))
                return -ENOMEM;
        if (asprintf(&url, "%s%sscope=%s%s%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?", scope,
                     service ? "&service=" : "", strempty(service)) < 0)
                return -ENOMEM;

        r = http_get(c, url, "application/json", NULL, &h, ret_error);
        if (r < 0)
                return r;
        if (h.status != 200)
                return http_status_error(&h, url, ret_error);
        o = h.body ? json_tokener_parse(h.body) : NULL;
        t = o ? json_get_string(o, "token") : NULL;
        if (isempty(t) && o)
                t = json_get_string(o, "access_token");
        if (isempty(t))
                return image_error(ret_error, -EACCES, "token service %s sent no token", ch->realm);
        /* It goes into a header line. */
        if (strpbrk(t, "\r\n") || strlen(t) > HEADER_VALUE_MAX)
                return image_error(ret_error, -EACCES, "token service %s sent a malformed token", ch->realm);

        token = strdup(t);
        if (!token)
                return -ENOMEM;
        free(c->token);
        c->token = TAKE_PTR(token);
        return 0;
}

/* GETs base_url/v2/<repository>/<path>; on a 401 with a challenge gets a token and tries once more. */
static int registry_get(RegistryClient *c, const char *path, const char *accept, HttpResponse *h,
                        char **ret_error)
{
        _cleanup_free_ char *url = NULL;
        int r;

        if (asprintf(&url, "%s/v2/%s/%s", c->base_url, c->repository, path) < 0)
                return -ENOMEM;

        for (int attempt = 0;; attempt++) {
                r = http_get(c, url, accept, c->token, h, ret_error);
                if (r < 0)
                        return r;
                if (h->status == 200)
                        return 0;
                if (h->status != 401 || attempt > 0 || !h->www_authenticate)
                        return http_status_error(h, url, ret_error);

                _cleanup_free_ char *challenge = TAKE_PTR(h->www_authenticate);
                r = registry_authenticate(c, challenge, ret_error);
                if (r < 0)
                        return r;
                /* Nothing reached the sink: only a 200 body does. */
                free(h->error_body);
                free(h->content_type);
                h->error_body = h->content_type = NULL;
                h->error_size = 0;
                h->status = 0;
        }
}

int registry_fetch_manifest(RegistryClient *c, const char *tag_or_digest, char **ret_body, size_t *ret_size,
                            char **ret_content_type, char **ret_digest, char **ret_error)
{
        _cleanup_(http_response_done) HttpResponse h;
        _cleanup_free_ char *path = NULL, *digest = NULL;
        char hex[SHA256_HEX_SIZE];
        int r;

        http_response_init(&h, -EBADF, REGISTRY_MANIFEST_SIZE_MAX);
        if (asprintf(&path, "manifests/%s", tag_or_digest) < 0)
                return -ENOMEM;
        r = registry_get(c, path,
                         MEDIA_TYPE_OCI_INDEX ", " MEDIA_TYPE_OCI_MANIFEST ", " MEDIA_TYPE_DOCKER_LIST
                                              ", " MEDIA_TYPE_DOCKER_MANIFEST,
                         &h, ret_error);
        if (r < 0)
                return r;

        sha256_final_hex(&h.sha, hex);
        if (asprintf(&digest, "sha256:%s", hex) < 0)
                return -ENOMEM;
        if (startswith(tag_or_digest, "sha256:") && !streq(digest, tag_or_digest))
                return image_error(ret_error, -EBADMSG, "manifest %s arrived with digest %s", tag_or_digest,
                                   digest);
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

int registry_fetch_blob(RegistryClient *c, const RegistryDescriptor *d, int fd, char **ret_error)
{
        _cleanup_(http_response_done) HttpResponse h;
        _cleanup_free_ char *path = NULL;
        char hex[SHA256_HEX_SIZE];
        int r;

        if (!registry_digest_is_valid(d->digest))
                return image_error(ret_error, -EINVAL, "blob digest is not a sha256 digest");
        http_response_init(&h, fd, d->size);
        if (asprintf(&path, "blobs/%s", d->digest) < 0)
                return -ENOMEM;
        r = registry_get(c, path, NULL, &h, ret_error);
        if (r < 0)
                return r;

        if (h.written != d->size)
                return image_error(ret_error, -EBADMSG, "blob %s has %llu bytes, its manifest says %llu",
                                   d->digest, (unsigned long long)h.written, (unsigned long long)d->size);
        sha256_final_hex(&h.sha, hex);
        if (!streq(hex, d->digest + strlen("sha256:")))
                return image_error(ret_error, -EBADMSG, "blob %s arrived with digest sha256:%s", d->digest,
                                   hex);
        return 0;
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
