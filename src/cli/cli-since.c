/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <time.h>

#include "raind/macro.h"
#include "raind/util.h"

#include "cli-since.h"

static const struct {
        const char *suffix;
        uint64_t usec;
} duration_units[] = {
    /* Longer suffixes first, so that "ms" is not read as "m". */
    {"us", 1},
    {"ms", 1000},
    {"s", USEC_PER_SEC},
    {"m", 60 * USEC_PER_SEC},
    {"h", 3600 * USEC_PER_SEC},
    {"d", 86400 * USEC_PER_SEC},
    {"w", 7 * 86400 * USEC_PER_SEC},
};

/* Reads "123" or "1.25" at *p; the fraction is returned as numerator over a power of ten. */
static int parse_decimal(const char **p, uint64_t *ret_int, uint64_t *ret_frac, uint64_t *ret_frac_div)
{
        const char *s = *p;
        uint64_t v = 0, frac = 0, div = 1;
        bool any = false;

        for (; isdigit((unsigned char)*s); s++) {
                if (v > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t)(*s - '0');
                any = true;
        }
        if (*s == '.') {
                s++;
                for (; isdigit((unsigned char)*s); s++) {
                        /* Digits beyond nanoseconds cannot matter for µs. */
                        if (div < 1000000000ULL) {
                                frac = frac * 10 + (uint64_t)(*s - '0');
                                div *= 10;
                        }
                        any = true;
                }
        }
        if (!any)
                return -EINVAL;

        *p = s;
        *ret_int = v;
        *ret_frac = frac;
        *ret_frac_div = div;
        return 0;
}

int parse_duration(const char *s, uint64_t *ret)
{
        uint64_t total = 0;
        const char *p = s;

        if (isempty(s))
                return -EINVAL;

        while (*p) {
                uint64_t v, frac, div, unit = 0;
                int r;

                r = parse_decimal(&p, &v, &frac, &div);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < ELEMENTSOF(duration_units); i++) {
                        const char *e = startswith(p, duration_units[i].suffix);

                        if (e) {
                                unit = duration_units[i].usec;
                                p = e;
                                break;
                        }
                }
                if (unit == 0)
                        return -EINVAL;
                if (v > UINT64_MAX / unit)
                        return -ERANGE;
                v *= unit;
                v += frac * unit / div;
                if (total > UINT64_MAX - v)
                        return -ERANGE;
                total += v;
        }

        *ret = total;
        return 0;
}

/* Reads exactly n digits. */
static int read_digits(const char **p, int n, int *ret)
{
        int v = 0;

        for (int i = 0; i < n; i++) {
                if (!isdigit((unsigned char)(*p)[i]))
                        return -EINVAL;
                v = v * 10 + ((*p)[i] - '0');
        }
        *p += n;
        *ret = v;
        return 0;
}

static int days_in_month(int year, int month)
{
        static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

        return month == 2 && leap ? 29 : days[month - 1];
}

static int parse_date(const char *s, uint64_t *ret)
{
        struct tm tm = {.tm_isdst = -1};
        int year, month, day, hour = 0, minute = 0, second = 0;
        uint64_t frac = 0, div = 1;
        bool utc = false;
        long offset = 0; /* seconds east of UTC */
        const char *p = s;
        time_t t;

        if (read_digits(&p, 4, &year) < 0 || *p++ != '-' || read_digits(&p, 2, &month) < 0 || *p++ != '-' ||
            read_digits(&p, 2, &day) < 0)
                return -EINVAL;
        if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
                return -EINVAL;

        if (*p == ' ' || *p == 'T' || *p == 't') {
                p++;
                if (read_digits(&p, 2, &hour) < 0 || *p++ != ':' || read_digits(&p, 2, &minute) < 0)
                        return -EINVAL;
                if (*p == ':') {
                        p++;
                        if (read_digits(&p, 2, &second) < 0)
                                return -EINVAL;
                        if (*p == '.') {
                                uint64_t zero;

                                /* parse_decimal() reads ".5" as 0 and five tenths. */
                                if (parse_decimal(&p, &zero, &frac, &div) < 0)
                                        return -EINVAL;
                        }
                }
                if (hour > 23 || minute > 59 || second > 59)
                        return -EINVAL;

                if (*p == 'Z' || *p == 'z') {
                        utc = true;
                        p++;
                } else if (*p == '+' || *p == '-') {
                        int sign = *p == '-' ? -1 : 1, oh, om;

                        p++;
                        if (read_digits(&p, 2, &oh) < 0)
                                return -EINVAL;
                        if (*p == ':')
                                p++;
                        if (read_digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
                                return -EINVAL;
                        utc = true;
                        offset = sign * (oh * 3600L + om * 60L);
                }
        }
        if (*p)
                return -EINVAL;

        tm.tm_year = year - 1900;
        tm.tm_mon = month - 1;
        tm.tm_mday = day;
        tm.tm_hour = hour;
        tm.tm_min = minute;
        tm.tm_sec = second;

        if (utc) {
                t = timegm(&tm);
                t -= offset;
        } else
                t = mktime(&tm);
        if (t < 0)
                return -ERANGE;

        *ret = (uint64_t)t * USEC_PER_SEC + frac * USEC_PER_SEC / div;
        return 0;
}

static int parse_unix_time(const char *s, uint64_t *ret)
{
        uint64_t sec, frac, div;
        const char *p = s;
        int r;

        r = parse_decimal(&p, &sec, &frac, &div);
        if (r < 0)
                return r;
        if (*p)
                return -EINVAL;
        if (sec > UINT64_MAX / USEC_PER_SEC - 1)
                return -ERANGE;

        *ret = sec * USEC_PER_SEC + frac * USEC_PER_SEC / div;
        return 0;
}

int parse_since(const char *s, uint64_t now, uint64_t *ret)
{
        const char *p;
        uint64_t d;
        int r;

        if (isempty(s))
                return -EINVAL;

        /* A date starts with four digits and a dash, a timestamp is digits only; else a duration. */
        if (strlen(s) >= 5 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
            isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) && s[4] == '-')
                return parse_date(s, ret);

        for (p = s; isdigit((unsigned char)*p) || *p == '.'; p++)
                ;
        if (*p == 0)
                return parse_unix_time(s, ret);

        r = parse_duration(s, &d);
        if (r < 0)
                return r;
        if (d > now)
                return -ERANGE;
        *ret = now - d;
        return 0;
}
