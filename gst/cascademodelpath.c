/* gst-cascade: where cascadedetect finds a model given by name
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "cascademodelpath.h"

/* set by gst/meson.build: the plugin's and the models' install dirs,
 * relative to the prefix and absolute, and the build tree's */
#ifndef CASCADE_PLUGIN_SUBDIR
#define CASCADE_PLUGIN_SUBDIR "lib/gstreamer-1.0"
#endif
#ifndef CASCADE_MODELS_SUBDIR
#define CASCADE_MODELS_SUBDIR "share/gst-cascade/models"
#endif
#ifndef CASCADE_MODELS_DIR
#define CASCADE_MODELS_DIR "/usr/local/" CASCADE_MODELS_SUBDIR
#endif
#ifndef CASCADE_BUILD_PLUGIN_DIR
#define CASCADE_BUILD_PLUGIN_DIR ""
#endif
#ifndef CASCADE_SOURCE_MODELS_DIR
#define CASCADE_SOURCE_MODELS_DIR ""
#endif

#define MODEL_PATH_ENV "CASCADE_MODEL_PATH"
#define MODEL_SUFFIX ".safetensors"

static gchar *plugin_dir;       /* set once, at plugin_init */

void
gst_cascade_model_path_set_plugin (const gchar * plugin_file)
{
  gchar *dir;

  if (!plugin_file)
    return;
  dir = g_path_get_dirname (plugin_file);
  if (!g_path_is_absolute (dir)) {
    gchar *cwd = g_get_current_dir ();
    gchar *abs = g_build_filename (cwd, dir, NULL);
    g_free (cwd);
    g_free (dir);
    dir = abs;
  }
  g_free (plugin_dir);
  plugin_dir = dir;
}

static void
add_dir (GPtrArray * dirs, const gchar * dir)
{
  guint i;

  if (!dir || !*dir)
    return;
  for (i = 0; i < dirs->len; i++) {
    if (g_str_equal (g_ptr_array_index (dirs, i), dir))
      return;
  }
  g_ptr_array_add (dirs, g_strdup (dir));
}

/* <prefix>/share/gst-cascade/models of the prefix the plugin lies in */
static gchar *
relocated_models_dir (void)
{
  gchar *canon, *prefix, *dir;
  gsize n, m = strlen (CASCADE_PLUGIN_SUBDIR);

  if (!plugin_dir)
    return NULL;
  canon = g_canonicalize_filename (plugin_dir, NULL);
  n = strlen (canon);
  if (n <= m || strcmp (canon + n - m, CASCADE_PLUGIN_SUBDIR) != 0
      || canon[n - m - 1] != G_DIR_SEPARATOR) {
    g_free (canon);
    return NULL;
  }
  prefix = g_strndup (canon, n - m - 1);
  dir = g_build_filename (prefix, CASCADE_MODELS_SUBDIR, NULL);
  g_free (prefix);
  g_free (canon);
  return dir;
}

gchar **
gst_cascade_model_search_dirs (void)
{
  GPtrArray *dirs = g_ptr_array_new ();
  const gchar *env = g_getenv (MODEL_PATH_ENV);
  gchar *d;

  if (env && *env) {
    gchar **parts = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);
    guint i;
    for (i = 0; parts[i]; i++)
      add_dir (dirs, parts[i]);
    g_strfreev (parts);
  }
  d = g_build_filename (g_get_user_data_dir (), "gst-cascade", "models", NULL);
  add_dir (dirs, d);
  g_free (d);
  d = relocated_models_dir ();
  add_dir (dirs, d);
  g_free (d);
  add_dir (dirs, CASCADE_MODELS_DIR);
  if (plugin_dir && *CASCADE_BUILD_PLUGIN_DIR) {
    gchar *a = g_canonicalize_filename (plugin_dir, NULL);
    gchar *b = g_canonicalize_filename (CASCADE_BUILD_PLUGIN_DIR, NULL);
    if (g_str_equal (a, b))
      add_dir (dirs, CASCADE_SOURCE_MODELS_DIR);
    g_free (a);
    g_free (b);
  }
  g_ptr_array_add (dirs, NULL);
  return (gchar **) g_ptr_array_free (dirs, FALSE);
}

/* the .safetensors files of dir, for the error about a directory */
static gchar *
list_models (const gchar * dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  GString *s = g_string_new (NULL);
  const gchar *name;

  while (d && (name = g_dir_read_name (d))) {
    if (g_str_has_suffix (name, MODEL_SUFFIX))
      g_string_append_printf (s, "%s%s", s->len ? ", " : "", name);
  }
  if (d)
    g_dir_close (d);
  return g_string_free (s, FALSE);
}

static gchar *
find_in (gchar ** dirs, const gchar * name)
{
  guint i;

  for (i = 0; dirs[i]; i++) {
    gchar *p = g_build_filename (dirs[i], name, NULL);
    gchar *q = g_strconcat (p, MODEL_SUFFIX, NULL);

    if (!g_str_has_suffix (name, MODEL_SUFFIX)
        && g_file_test (q, G_FILE_TEST_IS_REGULAR)) {
      g_free (p);
      return q;
    }
    g_free (q);
    if (g_file_test (p, G_FILE_TEST_IS_REGULAR))
      return p;
    g_free (p);
  }
  return NULL;
}

gchar *
gst_cascade_model_find (const gchar * model, GError ** error)
{
  gchar **dirs, *found, *where;

  if (!model || !*model) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "No model set: "
        "set the model property to a .safetensors file or a model name "
        "(e.g. model=demo)");
    return NULL;
  }
  if (g_file_test (model, G_FILE_TEST_IS_DIR)) {
    gchar *list = list_models (model);
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "Model \"%s\" is "
        "a directory; give a .safetensors file%s%s", model,
        *list ? " in it: " : " (it holds none)", list);
    g_free (list);
    return NULL;
  }
  if (g_file_test (model, G_FILE_TEST_EXISTS))
    return g_strdup (model);
  if (strchr (model, G_DIR_SEPARATOR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "Model file "
        "\"%s\" not found", model);
    return NULL;
  }

  dirs = gst_cascade_model_search_dirs ();
  found = find_in (dirs, model);
  if (!found) {
    where = g_strjoinv (", ", dirs);
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "Model \"%s\" "
        "not found: no %s%s in %s (the search path: $" MODEL_PATH_ENV
        ", the user's and the installed data dirs).  Give a path, put the "
        "file in one of these, or fetch a zoo model with "
        "`cascade-model fetch NAME`", model, model,
        g_str_has_suffix (model, MODEL_SUFFIX) ? "" : "[" MODEL_SUFFIX "]",
        *where ? where : "(no directory)");
    g_free (where);
  }
  g_strfreev (dirs);
  return found;
}
