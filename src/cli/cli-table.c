/* SPDX-License-Identifier: Apache-2.0 */
#include "raind/macro.h"

#include "cli-format.h"
#include "cli-table.h"

#define TABLE_COLUMN_GAP 3

struct Table {
        size_t n_columns;
        size_t n_rows; /* including the header */
        char **cells;  /* n_rows × n_columns */
};

Table *table_free(Table *t)
{
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_rows * t->n_columns; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t);
        return NULL;
}

Table *table_new(size_t n_columns, const char *const *headers)
{
        _cleanup_table_ Table *t = NULL;

        if (n_columns == 0)
                return NULL;
        t = calloc(1, sizeof(Table));
        if (!t)
                return NULL;
        t->n_columns = n_columns;
        if (table_add_row(t, headers) < 0)
                return NULL;
        return TAKE_PTR(t);
}

int table_add_row(Table *t, const char *const *cells)
{
        char **c = reallocarray(t->cells, (t->n_rows + 1) * t->n_columns, sizeof(char *));

        if (!c)
                return -ENOMEM;
        t->cells = c;
        c += t->n_rows * t->n_columns;
        for (size_t i = 0; i < t->n_columns; i++) {
                c[i] = strdup(strempty(cells[i]));
                if (!c[i]) {
                        for (size_t k = 0; k < i; k++)
                                free(c[k]);
                        return -ENOMEM;
                }
        }
        t->n_rows++;
        return 0;
}

size_t table_get_rows(const Table *t)
{
        return t->n_rows - 1;
}

int table_format(const Table *t, char **ret)
{
        _cleanup_free_ size_t *widths = calloc(t->n_columns, sizeof(size_t));
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (!widths)
                return -ENOMEM;
        for (size_t r = 0; r < t->n_rows; r++)
                for (size_t c = 0; c < t->n_columns; c++)
                        widths[c] = MAX(widths[c], utf8_width(t->cells[r * t->n_columns + c]));

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (size_t r = 0; r < t->n_rows; r++) {
                char *const *row = t->cells + r * t->n_columns;
                size_t last = t->n_columns - 1;

                /* Empty cells at the end of a row leave no trailing blanks. */
                while (last > 0 && isempty(row[last]))
                        last--;
                for (size_t c = 0; c <= last; c++) {
                        fputs(row[c], f);
                        if (c < last)
                                fprintf(f, "%*s", (int)(widths[c] - utf8_width(row[c]) + TABLE_COLUMN_GAP),
                                        "");
                }
                fputc('\n', f);
        }
        if (fclose(f) != 0)
                return -ENOMEM;

        *ret = TAKE_PTR(buf);
        return 0;
}

int table_print(const Table *t, FILE *f)
{
        _cleanup_free_ char *s = NULL;
        int r;

        r = table_format(t, &s);
        if (r < 0)
                return r;
        fputs(s, f);
        return 0;
}
