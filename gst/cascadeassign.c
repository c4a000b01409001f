/* gst-cascade: optimal assignment (the Hungarian method) for cascadetrack
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Kuhn-Munkres in its shortest-augmenting-path form with dual potentials
 * (Jonker & Volgenant 1987; the O(n^2 m) variant that adds one row at a
 * time): for each new row, a Dijkstra-like search over the reduced costs
 * c[i][j] - u[i] - v[j] >= 0 finds the cheapest augmenting path, the
 * potentials are raised by the path's length so that the reduced costs
 * stay non-negative and are zero along the matching, and the path is
 * flipped.  The matching after the last row is optimal (the potentials
 * are a feasible dual solution of the same value). */

#include <math.h>

#include "cascadeassign.h"

/* rows <= cols: every row gets a column; c is rows x cols row-major,
 * accessed through (transposed ? c[j * rows + i] : c[i * cols + j]) */
static gdouble
solve (const gdouble * c, guint rows, guint cols, gboolean transposed,
    gint * row_to_col)
{
  /* 1-based as in the textbook form: column 0 is the virtual start */
  gdouble *u = g_new0 (gdouble, rows + 1);
  gdouble *v = g_new0 (gdouble, cols + 1);
  gdouble *minv = g_new (gdouble, cols + 1);
  guint *p = g_new0 (guint, cols + 1);  /* row matched to column j */
  guint *way = g_new0 (guint, cols + 1);
  gboolean *used = g_new (gboolean, cols + 1);
  gdouble total = 0.0;
  guint i, j;

  for (i = 1; i <= rows; i++) {
    guint j0 = 0;

    p[0] = i;
    for (j = 0; j <= cols; j++) {
      minv[j] = INFINITY;
      used[j] = FALSE;
    }
    do {
      guint i0 = p[j0], j1 = 0;
      gdouble delta = INFINITY;

      used[j0] = TRUE;
      for (j = 1; j <= cols; j++) {
        gdouble cij, cur;

        if (used[j])
          continue;
        cij = transposed ? c[(gsize) (j - 1) * rows + (i0 - 1)]
            : c[(gsize) (i0 - 1) * cols + (j - 1)];
        cur = cij - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (j = 0; j <= cols; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    /* flip the augmenting path */
    do {
      guint j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }

  for (i = 0; i < rows; i++)
    row_to_col[i] = -1;
  for (j = 1; j <= cols; j++) {
    if (p[j] == 0)
      continue;
    row_to_col[p[j] - 1] = (gint) (j - 1);
    total += transposed ? c[(gsize) (j - 1) * rows + (p[j] - 1)]
        : c[(gsize) (p[j] - 1) * cols + (j - 1)];
  }

  g_free (u);
  g_free (v);
  g_free (minv);
  g_free (p);
  g_free (way);
  g_free (used);
  return total;
}

gdouble
gst_cascade_assign (const gdouble * cost, guint n, guint m, gint * row_to_col)
{
  gint *col_to_row;
  gdouble total;
  guint i, j;

  if (n == 0)
    return 0.0;
  if (m == 0) {
    for (i = 0; i < n; i++)
      row_to_col[i] = -1;
    return 0.0;
  }
  if (n <= m)
    return solve (cost, n, m, FALSE, row_to_col);

  /* more rows than columns: assign the columns (rows of the transpose) */
  col_to_row = g_new (gint, m);
  total = solve (cost, m, n, TRUE, col_to_row);
  for (i = 0; i < n; i++)
    row_to_col[i] = -1;
  for (j = 0; j < m; j++)
    if (col_to_row[j] >= 0)
      row_to_col[col_to_row[j]] = (gint) j;
  g_free (col_to_row);
  return total;
}
