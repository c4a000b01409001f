/* gst-cascade: the on-disk cache directory */
#include "cache.h"

#include <glib/gstdio.h>
#include <string.h>

gchar *
cascade_cache_dir (void)
{
  const gchar *env = g_getenv (CASCADE_CACHE_DIR_ENV);
  if (env && (g_ascii_strcasecmp (env, "off") == 0 || strcmp (env, "0") == 0))
    return NULL;
  if (env && *env)
    return g_strdup (env);
  return g_build_filename (g_get_user_cache_dir (), "gst-cascade", NULL);
}

gchar *
cascade_cache_path (const gchar * sub, const gchar * name)
{
  gchar *dir = cascade_cache_dir (), *full, *path;
  if (!dir)
    return NULL;
  full = sub ? g_build_filename (dir, sub, NULL) : g_strdup (dir);
  g_free (dir);
  if (g_mkdir_with_parents (full, 0755) != 0) {
    g_free (full);
    return NULL;
  }
  path = g_build_filename (full, name, NULL);
  g_free (full);
  return path;
}

gchar *
cascade_cache_key (const gchar * const *parts)
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  gchar *key;
  for (; parts && *parts; parts++) {
    g_checksum_update (sum, (const guchar *) *parts, strlen (*parts));
    g_checksum_update (sum, (const guchar *) "\n", 1);
  }
  key = g_strndup (g_checksum_get_string (sum), 16);
  g_checksum_free (sum);
  return key;
}

gboolean
cascade_cache_write (const gchar * path, const void *data, gsize len,
    GError ** error)
{
  return g_file_set_contents (path, data, (gssize) len, error);
}
