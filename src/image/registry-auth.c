/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>

#include "raind/registry.h"

#define CHALLENGE_MAX 8192

RegistryChallenge *registry_challenge_free(RegistryChallenge *c)
{
        if (!c)
                return NULL;
        free(c->scheme);
        free(c->realm);
        free(c->service);
        free(c->scope);
        free(c);
        return NULL;
}

static bool is_token_char(char c)
{
        return c != '\0' && (isalnum((unsigned char)c) || strchr("!#$%&'*+-.^_`|~", c));
}

/* Reads a token or a quoted string at *p into a new string and moves *p past it. */
static int read_value(const char **p, char **ret)
{
        const char *s = *p;
        _cleanup_free_ char *v = NULL;
        size_t n = 0;

        v = malloc(strlen(s) + 1);
        if (!v)
                return -ENOMEM;
        if (*s == '"') {
                for (s++; *s != '"'; s++) {
                        if (*s == '\\')
                                s++;
                        if (*s == '\0')
                                return -EBADMSG;
                        v[n++] = *s;
                }
                s++;
        } else
                while (is_token_char(*s) || *s == '/' || *s == ':')
                        v[n++] = *s++;
        v[n] = '\0';
        *p = s;
        *ret = TAKE_PTR(v);
        return 0;
}

int registry_challenge_parse(const char *header, RegistryChallenge **ret)
{
        _cleanup_registry_challenge_free_ RegistryChallenge *c = NULL;
        const char *p = header;
        size_t n;

        if (isempty(header) || strlen(header) > CHALLENGE_MAX)
                return -EBADMSG;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;

        p += strspn(p, " \t");
        for (n = 0; is_token_char(p[n]); n++)
                ;
        if (n == 0)
                return -EBADMSG;
        c->scheme = strndup(p, n);
        if (!c->scheme)
                return -ENOMEM;
        p += n;

        for (;;) {
                _cleanup_free_ char *key = NULL, *value = NULL;
                char **field = NULL;
                int r;

                p += strspn(p, " \t,");
                if (*p == '\0')
                        break;
                for (n = 0; is_token_char(p[n]); n++)
                        ;
                if (n == 0 || p[n] != '=')
                        return -EBADMSG;
                key = strndup(p, n);
                if (!key)
                        return -ENOMEM;
                p += n + 1;
                r = read_value(&p, &value);
                if (r < 0)
                        return r;
                if (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t')
                        return -EBADMSG;

                if (strcasecmp(key, "realm") == 0)
                        field = &c->realm;
                else if (strcasecmp(key, "service") == 0)
                        field = &c->service;
                else if (strcasecmp(key, "scope") == 0)
                        field = &c->scope;
                if (field) {
                        free(*field);
                        *field = TAKE_PTR(value);
                }
        }

        *ret = TAKE_PTR(c);
        return 0;
}
