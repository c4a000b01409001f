/* gst-cascade tests: a minimal reader of safetensors fixture files (F32,
 * F16, I64, I32, U8 tensors converted to float on request) */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>

typedef struct
{
  gchar *data;
  gsize size;
  gsize base;                   /* first byte after the header */
  JsonObject *header;
  JsonParser *parser;
} TestSafetensors;

static inline gboolean
test_st_open (TestSafetensors * st, const gchar * path)
{
  guint64 n;
  memset (st, 0, sizeof (*st));
  if (!g_file_get_contents (path, &st->data, &st->size, NULL) || st->size < 8)
    return FALSE;
  memcpy (&n, st->data, 8);
  n = GUINT64_FROM_LE (n);
  if (n > st->size - 8)
    return FALSE;
  st->base = 8 + n;
  st->parser = json_parser_new ();
  if (!json_parser_load_from_data (st->parser, st->data + 8, n, NULL))
    return FALSE;
  st->header = json_node_get_object (json_parser_get_root (st->parser));
  return st->header != NULL;
}

static inline void
test_st_close (TestSafetensors * st)
{
  g_clear_object (&st->parser);
  g_free (st->data);
}

static inline gboolean
test_st_has (TestSafetensors * st, const gchar * name)
{
  return json_object_has_member (st->header, name);
}

static inline gfloat
half_to_float (guint16 h)
{
  guint32 sign = (h >> 15) & 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  gfloat v = e == 0 ? ldexpf ((gfloat) m, -24) : e == 31 ?
      (m ? NAN : INFINITY) : ldexpf ((gfloat) (m | 0x400), (gint) e - 25);
  return sign ? -v : v;
}

/* tensor `name` as floats (g_free); shape into shape[0..*ndim-1] */
static inline gfloat *
test_st_floats (TestSafetensors * st, const gchar * name, guint * ndim,
    gsize shape[8])
{
  JsonObject *t = json_object_get_object_member (st->header, name);
  JsonArray *sh = json_object_get_array_member (t, "shape");
  JsonArray *off = json_object_get_array_member (t, "data_offsets");
  const gchar *dtype = json_object_get_string_member (t, "dtype");
  const gchar *p = st->data + st->base + json_array_get_int_element (off, 0);
  gsize n = 1, i;
  gfloat *out;
  *ndim = json_array_get_length (sh);
  for (i = 0; i < *ndim; i++)
    n *= (shape[i] = json_array_get_int_element (sh, i));
  out = g_new (gfloat, MAX (n, 1));
  for (i = 0; i < n; i++) {
    if (!strcmp (dtype, "F32")) {
      gfloat v;
      memcpy (&v, p + 4 * i, 4);
      out[i] = v;
    } else if (!strcmp (dtype, "F16")) {
      guint16 v;
      memcpy (&v, p + 2 * i, 2);
      out[i] = half_to_float (v);
    } else if (!strcmp (dtype, "I64")) {
      gint64 v;
      memcpy (&v, p + 8 * i, 8);
      out[i] = (gfloat) v;
    } else if (!strcmp (dtype, "I32")) {
      gint32 v;
      memcpy (&v, p + 4 * i, 4);
      out[i] = (gfloat) v;
    } else if (!strcmp (dtype, "U8")) {
      out[i] = (guint8) p[i];
    } else {
      g_error ("%s: dtype %s not supported by the test reader", name, dtype);
    }
  }
  return out;
}
