/* gst-cascade: the on-disk cache directory */
#include "runtime/cache.h"
#include "runtime/clinfo.h"

#include <glib/gstdio.h>
#include <string.h>

gchar *
cascade_cache_dir (void)
{
  return cascade_options_cache_dir ();
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

gchar *
cascade_cache_device_path (cl_device_id device, const gchar * sub,
    const gchar * suffix, const gchar * const *extra)
{
  cl_platform_id platform;
  GPtrArray *parts;
  gchar *dir = cascade_cache_dir (), *key, *file, *path;

  /* nothing to ask the driver when the cache is off */
  if (!dir)
    return NULL;
  g_free (dir);
  platform = cascade_cl_device_platform (device);
  parts = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (parts, cascade_cl_platform_string (platform,
          CL_PLATFORM_NAME));
  g_ptr_array_add (parts, cascade_cl_platform_string (platform,
          CL_PLATFORM_VERSION));
  g_ptr_array_add (parts, cascade_cl_device_string (device, CL_DEVICE_NAME));
  g_ptr_array_add (parts, cascade_cl_device_string (device,
          CL_DRIVER_VERSION));
  g_ptr_array_add (parts, cascade_cl_device_string (device,
          CL_DEVICE_VERSION));
  for (; extra && *extra; extra++)
    g_ptr_array_add (parts, g_strdup (*extra));
  g_ptr_array_add (parts, NULL);
  key = cascade_cache_key ((const gchar * const *) parts->pdata);
  file = g_strconcat (key, suffix, NULL);
  path = cascade_cache_path (sub, file);
  g_free (file);
  g_free (key);
  g_ptr_array_unref (parts);
  return path;
}
