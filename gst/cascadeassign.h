/* gst-cascade: optimal assignment (the Hungarian method) for cascadetrack
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Solves the rectangular linear assignment problem: cost is n rows by m
 * columns, row-major; every row (when n <= m) or every column (when
 * n > m) is assigned to a distinct partner so that the total cost is the
 * smallest possible (what scipy.optimize.linear_sum_assignment returns).
 * row_to_col[i] is the column of row i, or -1 when row i is left out
 * (n > m).  Costs must be finite.  O(min(n,m)^2 max(n,m)).  Returns the
 * total cost of the assignment. */
gdouble gst_cascade_assign (const gdouble * cost, guint n, guint m,
    gint * row_to_col);

G_END_DECLS
