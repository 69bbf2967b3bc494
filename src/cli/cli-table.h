/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdio.h>

#include "raind/macro.h"

/* A text table as "docker ps" prints it: a header row, columns as wide as their widest cell,
 * three spaces between columns, no padding after the last one. */
typedef struct Table Table;

/* headers: n_columns strings. */
Table *table_new(size_t n_columns, const char *const *headers);
Table *table_free(Table *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(Table *, table_free);
#define _cleanup_table_ _cleanup_(table_freep)

/* Adds a row of n_columns cells (copied); a NULL cell is shown empty. */
int table_add_row(Table *t, const char *const *cells);
size_t table_get_rows(const Table *t);

/* The whole table, header included, each line ending in a newline. */
int table_format(const Table *t, char **ret);
int table_print(const Table *t, FILE *f);
