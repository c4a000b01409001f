/* gst-cascade: cascadedetect's labels file and class filter
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "cascadelabels.h"

gchar **
gst_cascade_labels_load (const gchar * path, guint num_classes,
    guint * n_lines, GError ** error)
{
  gchar *contents, **lines, **labels;
  guint n, i;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  lines = g_strsplit (contents, "\n", -1);
  g_free (contents);
  n = g_strv_length (lines);
  /* a final newline is no label */
  if (n > 0 && *lines[n - 1] == '\0')
    n--;

  labels = g_new0 (gchar *, num_classes + 1);
  for (i = 0; i < num_classes && i < n; i++) {
    g_strchomp (lines[i]);      /* \r of DOS files */
    labels[i] = g_strdup (lines[i]);
  }
  g_strfreev (lines);

  *n_lines = n;
  return labels;
}

const gchar *
gst_cascade_labels_get (gchar ** labels, const CascadeEngine * engine,
    gint class_id)
{
  if (class_id < 0)
    return NULL;
  if (labels && labels[class_id])
    return labels[class_id];
  return cascade_engine_class_name (engine, class_id);
}

gboolean
gst_cascade_classes_valid (const gchar * str)
{
  gchar **tokens;
  gboolean ok = TRUE;
  guint i;

  if (!str || !*str)
    return TRUE;
  tokens = g_strsplit (str, ",", -1);
  for (i = 0; tokens[i]; i++) {
    if (*g_strstrip (tokens[i]) == '\0')
      ok = FALSE;
  }
  g_strfreev (tokens);
  return ok;
}

/* "person, bicycle, ...": the labels in class order, for messages */
static gchar *
class_names (gchar ** labels, const CascadeEngine * engine)
{
  guint n = cascade_engine_num_classes (engine), c;
  GString *s = g_string_new (NULL);

  for (c = 0; c < n; c++) {
    const gchar *label = gst_cascade_labels_get (labels, engine, c);
    g_string_append_printf (s, "%s%s", c ? ", " : "", label ? label : "?");
  }
  return g_string_free (s, FALSE);
}

gboolean
gst_cascade_classes_resolve (const gchar * classes, gchar ** labels,
    const CascadeEngine * engine, gboolean ** filter, GError ** error)
{
  guint n = cascade_engine_num_classes (engine), i, c;
  gchar **tokens;
  gboolean *flags;

  *filter = NULL;
  if (!classes || !*classes)
    return TRUE;

  flags = g_new0 (gboolean, n);
  tokens = g_strsplit (classes, ",", -1);
  for (i = 0; tokens[i]; i++) {
    const gchar *t = g_strstrip (tokens[i]);
    gboolean found = FALSE;
    gchar *end;
    guint64 id;

    if (g_ascii_isdigit (*t)) {
      id = g_ascii_strtoull (t, &end, 10);
      if (*end == '\0' && id < n) {
        flags[id] = TRUE;
        continue;
      }
    }
    for (c = 0; c < n; c++) {
      const gchar *label = gst_cascade_labels_get (labels, engine, c);
      if (label && g_ascii_strcasecmp (label, t) == 0) {
        flags[c] = TRUE;
        found = TRUE;
      }
    }
    if (!found) {
      gchar *names = class_names (labels, engine);
      g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
          "Unknown class '%s' in classes '%s': the model has %u classes "
          "(ids 0..%u): %s", t, classes, n, n - 1, names);
      g_free (names);
      g_strfreev (tokens);
      g_free (flags);
      return FALSE;
    }
  }
  g_strfreev (tokens);
  *filter = flags;
  return TRUE;
}
