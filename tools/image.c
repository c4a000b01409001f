/* gst-cascade tools: reading PPM (P6) images into CascadeFrames */
#include "image.h"
#include "runtime/error.h"

#include <stdlib.h>
#include <string.h>

/* next whitespace-separated header token, skipping # comments */
static gboolean
token (const gchar * d, gsize n, gsize * pos, guint64 * value)
{
  gchar *end;
  while (*pos < n && (g_ascii_isspace (d[*pos]) || d[*pos] == '#')) {
    if (d[*pos] == '#')
      while (*pos < n && d[*pos] != '\n')
        (*pos)++;
    else
      (*pos)++;
  }
  if (*pos >= n || !g_ascii_isdigit (d[*pos]))
    return FALSE;
  *value = g_ascii_strtoull (d + *pos, &end, 10);
  *pos = end - d;
  return TRUE;
}

gboolean
tool_read_ppm (const gchar * path, CascadeFrame * frame, guint8 ** pixels,
    GError ** error)
{
  gchar *data;
  gsize n, pos = 2;
  guint64 w, h, maxval;

  if (!g_file_get_contents (path, &data, &n, error))
    return FALSE;
  if (n < 2 || memcmp (data, "P6", 2) != 0 || !token (data, n, &pos, &w)
      || !token (data, n, &pos, &h) || !token (data, n, &pos, &maxval)
      || maxval != 255 || w == 0 || h == 0 || w > 65535 || h > 65535
      || pos + 1 + w * h * 3 > n) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "%s is not a binary 8-bit PPM (P6) image", path);
    g_free (data);
    return FALSE;
  }
  *pixels = g_memdup2 (data + pos + 1, w * h * 3);
  g_free (data);
  memset (frame, 0, sizeof (*frame));
  frame->format = CASCADE_FORMAT_RGB;
  frame->width = w;
  frame->height = h;
  frame->planes[0] = *pixels;
  frame->strides[0] = w * 3;
  return TRUE;
}
