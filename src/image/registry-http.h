/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP layer the registry-*.c files share: requests on pooled curl handles, authentication,
 * retries. */
#pragma once

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "raind/registry.h"
#include "raind/sha256.h"

#define PROGRESS_INTERVAL_USEC (100ULL * 1000ULL)

typedef struct HttpRequest {
        const char *method; /* NULL: GET; "HEAD", "POST" (empty body), "PUT" */
        const char *url;
        const char *accept;
        const char *content_type;
        uint64_t range_start; /* > 0: ask for the bytes from here on */

        /* A PUT's body: from memory, else upload_size bytes of upload_fd from offset 0. */
        const char *body;
        size_t body_size;
        int upload_fd;
        uint64_t upload_size;
        uint64_t uploaded;
        Sha256Context upload_sha;
        int upload_error;

        RegistryProgress progress;
        void *userdata;
        uint64_t progress_total;
        uint64_t progress_last; /* CLOCK_MONOTONIC µs */
} HttpRequest;

#define HTTP_REQUEST_INIT(m, u) ((HttpRequest){.method = (m), .url = (u), .upload_fd = -EBADF})

/* Where a response goes: the body of a 200 or 206 to memory (at most max bytes) or to fd at offset
 * written, hashed; the body of any other response to error_body, for the message. */
typedef struct HttpResponse {
        long status;    /* of the last response: redirects pass through */
        bool transient; /* no response, but trying again may help (connection lost, timeout …) */
        char *www_authenticate;
        char *content_type;
        char *location;
        char *docker_content_digest;
        char *content_range;
        long retry_after; /* seconds, -1: none */

        int fd; /* -EBADF: memory */
        char *body;
        size_t size;
        uint64_t max;
        Sha256Context sha;
        uint64_t written;
        bool body_started;
        int sink_error; /* why the write callback stopped the transfer */

        char *error_body;
        size_t error_size;

        RegistryProgress progress;
        void *userdata;
        uint64_t progress_total;
        uint64_t progress_last;
} HttpResponse;

void http_response_init(HttpResponse *h, int fd, uint64_t max);
void http_response_done(HttpResponse *h);
/* Forgets headers, status and error body of a response before the request is sent again. */
void http_response_reset(HttpResponse *h);
/* Also forgets a body received to memory. */
void http_response_reset_body(HttpResponse *h);

struct RegistryClient {
        char *base_url;
        char *repository;
        char *username;
        char *password;
        char *basic; /* "Basic …" when there are credentials */
        RegistryOptions options;

        pthread_mutex_t lock; /* guards what follows */
        char *authorization;  /* "Bearer …" or "Basic …" once the registry asked for it */
        CURL **idle;          /* handles not in use: their connections are reused */
        size_t n_idle;
};

/* A curl handle of c's pool for one thread's use, and back. */
CURL *registry_curl_acquire(RegistryClient *c);
void registry_curl_release(RegistryClient *c, CURL *curl);
DEFINE_TRIVIAL_CLEANUP_FUNC(CURL *, curl_easy_cleanup);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct curl_slist *, curl_slist_free_all);
DEFINE_TRIVIAL_CLEANUP_FUNC(char *, curl_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(CURLU *, curl_url_cleanup);

/* One request on curl, with the Authorization the client holds; a 401 with a challenge is answered
 * (token, Basic) and the request sent once more. Returns < 0 only when no response came or the sink
 * failed (h->transient tells whether trying again may help); the status is the caller's to judge. */
int registry_request(RegistryClient *c, CURL *curl, HttpRequest *req, HttpResponse *h, char **ret_error);

/* registry_request() with retries of transient failures; a memory body is discarded between tries.
 * Returns 0 only with a 2xx status, else an error naming what the registry said. */
int registry_request_retry(RegistryClient *c, CURL *curl, HttpRequest *req, HttpResponse *h,
                           char **ret_error);

/* Whether what happened is worth another try. */
bool http_failure_is_transient(int r, const HttpResponse *h);
/* Sleeps before try number attempt + 1: 250 ms, 500 ms, 1 s … or what Retry-After asked, capped. */
void registry_backoff(unsigned attempt, long retry_after);
unsigned registry_retries(const RegistryClient *c);

/* "GET <url>: 404 MANIFEST_UNKNOWN: manifest unknown", from the registry's error JSON if it sent one;
 * 401 and 403 say whether credentials are missing or were refused. */
int http_status_error(RegistryClient *c, const HttpRequest *req, const HttpResponse *h, char **ret_error);

/* After a retry succeeded the message of the failed try is no longer true. */
static inline void registry_error_clear(char **ret_error)
{
        if (ret_error) {
                free(*ret_error);
                *ret_error = NULL;
        }
}

/* base_url/v2/<repository>/<path>. */
int registry_url(RegistryClient *c, const char *path, char **ret);
