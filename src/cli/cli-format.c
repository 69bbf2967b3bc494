/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <time.h>

#include "raind/macro.h"
#include "raind/util.h"

#include "cli-format.h"

#define USEC_PER_MINUTE (60 * USEC_PER_SEC)
#define USEC_PER_HOUR   (60 * USEC_PER_MINUTE)

size_t utf8_width(const char *s)
{
        size_t n = 0;

        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if ((*p & 0xc0) != 0x80)
                        n++;
        return n;
}

const char *format_duration_human(char buf[static FORMAT_DURATION_MAX], uint64_t usec)
{
        uint64_t seconds = usec / USEC_PER_SEC, minutes = usec / USEC_PER_MINUTE;
        /* Docker rounds to the nearest hour here, and only here. */
        uint64_t hours = (usec + USEC_PER_HOUR / 2) / USEC_PER_HOUR;

        if (seconds < 1)
                snprintf(buf, FORMAT_DURATION_MAX, "Less than a second");
        else if (seconds == 1)
                snprintf(buf, FORMAT_DURATION_MAX, "1 second");
        else if (seconds < 60)
                snprintf(buf, FORMAT_DURATION_MAX, "%" PRIu64 " seconds", seconds);
        else if (minutes == 1)
                snprintf(buf, FORMAT_DURATION_MAX, "About a minute");
        else if (minutes < 60)
                snprintf(buf, FORMAT_DURATION_MAX, "%" PRIu64 " minutes", minutes);
        else if (hours == 1)
                snprintf(buf, FORMAT_DURATION_MAX, "About an hour");
        else if (hours < 48)
                snprintf(buf, FORMAT_DURATION_MAX, "%" PRIu64 " hours", hours);
        else if (hours < 24 * 7 * 2)
                snprintf(buf, FORMAT_DURATION_MAX, "%" PRIu64 " days", hours / 24);
        else if (hours < 24 * 30 * 2)
                snprintf(buf, FORMAT_DURATION_MAX, "%" PRIu64 " weeks", hours / 24 / 7);
        else if (hours < 24 * 365 * 2)
                snprintf(buf, FORMAT_DURATION_MAX, "%" PRIu64 " months", hours / 24 / 30);
        else
                snprintf(buf, FORMAT_DURATION_MAX, "%" PRIu64 " years",
                         (uint64_t)(usec / USEC_PER_HOUR / 24 / 365));
        return buf;
}

const char *format_time_ago(char buf[static FORMAT_DURATION_MAX + 8], uint64_t usec, uint64_t now)
{
        char d[FORMAT_DURATION_MAX];

        snprintf(buf, FORMAT_DURATION_MAX + 8, "%s ago",
                 format_duration_human(d, now > usec ? now - usec : 0));
        return buf;
}

const char *format_size_human(char buf[static FORMAT_SIZE_MAX], uint64_t bytes)
{
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
        double size = (double)bytes;
        size_t i = 0;

        while (size >= 1000 && i + 1 < ELEMENTSOF(units)) {
                size /= 1000;
                i++;
        }
        snprintf(buf, FORMAT_SIZE_MAX, "%.4g%s", size, units[i]);
        return buf;
}

const char *format_timestamp_rfc3339(char buf[static FORMAT_TIMESTAMP_MAX], uint64_t usec)
{
        time_t sec = (time_t)(usec / USEC_PER_SEC);
        unsigned frac = (unsigned)(usec % USEC_PER_SEC);
        struct tm tm;
        size_t n;

        if (!gmtime_r(&sec, &tm))
                return NULL;
        n = strftime(buf, FORMAT_TIMESTAMP_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
        if (n == 0)
                return NULL;
        if (frac > 0) {
                int digits = 6;

                while (frac % 10 == 0) {
                        frac /= 10;
                        digits--;
                }
                n += (size_t)snprintf(buf + n, FORMAT_TIMESTAMP_MAX - n, ".%0*u", digits, frac);
        }
        snprintf(buf + n, FORMAT_TIMESTAMP_MAX - n, "Z");
        return buf;
}

bool container_state_is_active(const char *state)
{
        /* "starting" is not in the D-Bus contract's list, but raindd has it. */
        return streq(state, "starting") || streq(state, "running") || streq(state, "stopping");
}

int container_status_text(const char *state, int exit_status, uint64_t started_at, uint64_t finished_at,
                          uint64_t now, char **ret)
{
        char d[FORMAT_DURATION_MAX];
        int r;

        if (streq(state, "created"))
                r = asprintf(ret, "Created");
        else if (streq(state, "starting"))
                r = asprintf(ret, "Starting");
        else if (streq(state, "running"))
                r = asprintf(ret, "Up %s",
                             format_duration_human(d, now > started_at ? now - started_at : 0));
        else if (streq(state, "stopping"))
                r = asprintf(ret, "Stopping");
        else if (streq(state, "exited")) {
                char code[16] = "";

                if (exit_status >= 0)
                        snprintf(code, sizeof(code), " (%d)", exit_status);
                if (finished_at > 0)
                        r = asprintf(ret, "Exited%s %s ago", code,
                                     format_duration_human(d, now > finished_at ? now - finished_at : 0));
                else
                        r = asprintf(ret, "Exited%s", code);
        } else
                /* A state this client does not know yet: show it as the daemon says it. */
                r = asprintf(ret, "%s", state);

        return r < 0 ? -ENOMEM : 0;
}

/* Length in bytes of the first max_chars code points of s. */
static size_t utf8_prefix_bytes(const char *s, size_t max_chars)
{
        size_t chars = 0, i = 0;

        for (; s[i]; i++)
                if (((unsigned char)s[i] & 0xc0) != 0x80) {
                        if (chars == max_chars)
                                break;
                        chars++;
                }
        return i;
}

int command_abbreviate(const char *command, size_t max_width, char **ret)
{
        _cleanup_free_ char *cut = NULL;
        const char *s = command;
        char *out, *p;

        if (max_width > 0 && utf8_width(command) > max_width) {
                size_t n = utf8_prefix_bytes(command, max_width - 1);

                cut = malloc(n + strlen("…") + 1);
                if (!cut)
                        return -ENOMEM;
                memcpy(cut, command, n);
                strcpy(cut + n, "…");
                s = cut;
        }

        /* Worst case every byte becomes "\xNN". */
        out = malloc(strlen(s) * 4 + 3);
        if (!out)
                return -ENOMEM;
        p = out;
        *p++ = '"';
        for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
                switch (*c) {
                case '"':
                case '\\':
                        *p++ = '\\';
                        *p++ = (char)*c;
                        break;
                case '\n':
                        p = stpcpy(p, "\\n");
                        break;
                case '\t':
                        p = stpcpy(p, "\\t");
                        break;
                case '\r':
                        p = stpcpy(p, "\\r");
                        break;
                default:
                        if (*c < 0x20 || *c == 0x7f)
                                p += sprintf(p, "\\x%02x", *c);
                        else
                                *p++ = (char)*c;
                }
        }
        *p++ = '"';
        *p = 0;

        *ret = out;
        return 0;
}
