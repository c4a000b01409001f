/* gst-cascade devtools: file-system helpers */
#include "fs.h"

#include <glib/gstdio.h>

void
cascade_remove_tree (const gchar * path)
{
  GDir *d = NULL;
  const gchar *name;

  if (g_file_test (path, G_FILE_TEST_IS_DIR)
      && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    d = g_dir_open (path, 0, NULL);
  while (d && (name = g_dir_read_name (d))) {
    gchar *child = g_build_filename (path, name, NULL);
    cascade_remove_tree (child);
    g_free (child);
  }
  if (d) {
    g_dir_close (d);
    g_rmdir (path);
  } else {
    g_unlink (path);
  }
}
