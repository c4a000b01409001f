/* gst-cascade: where cascadedetect finds a model given by name
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* The file the plugin was loaded from (plugin_init): an installed plugin
 * finds the models of its own prefix, wherever that prefix was moved, and
 * a plugin loaded from the build tree finds the source tree's models. */
void gst_cascade_model_path_set_plugin (const gchar * plugin_file);

/* The directories searched for a model name, in order (free with
 * g_strfreev): each entry of $CASCADE_MODEL_PATH, the user's data dir
 * (<XDG_DATA_HOME>/gst-cascade/models), the installed data dir (as the
 * plugin's prefix places it, then as configured), and the source tree's
 * models/ when the plugin runs from the build tree. */
gchar **gst_cascade_model_search_dirs (void);

/* Resolves the `model` property: an existing file is used as it is; a
 * directory, a missing path, or a name found in none of the search
 * directories (NAME or NAME.safetensors) is a G_FILE_ERROR whose message
 * says what was wrong, where it looked and what to do.  Returns the path
 * (free with g_free). */
gchar *gst_cascade_model_find (const gchar * model, GError ** error);

G_END_DECLS
