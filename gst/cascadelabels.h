/* gst-cascade: cascadedetect's labels file and class filter
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <glib.h>

#include "cascade.h"

G_BEGIN_DECLS

/* Reads a file of one label per line: num_classes entries, NULL for the
 * lines the file lacks (free with g_strfreev); *n_lines: the labels the
 * file has. */
gchar **gst_cascade_labels_load (const gchar * path, guint num_classes,
    guint * n_lines, GError ** error);

/* The label of class_id: the labels file's, else the model's; NULL for a
 * negative id. */
const gchar *gst_cascade_labels_get (gchar ** labels,
    const CascadeEngine * engine, gint class_id);

/* Whether str is a comma-separated list of non-empty entries (spaces
 * around them allowed); NULL and "" are. */
gboolean gst_cascade_classes_valid (const gchar * str);

/* Turns a classes list (labels, case-insensitive, or 0-based ids) into
 * num_classes flags in *filter (NULL: keep all); an unknown entry is an
 * error. */
gboolean gst_cascade_classes_resolve (const gchar * classes,
    gchar ** labels, const CascadeEngine * engine, gboolean ** filter,
    GError ** error);

G_END_DECLS
