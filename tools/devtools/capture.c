/* gst-cascade devtools: copies of intermediate tensors taken during a
 * forward pass */
#include "capture.h"

#include <json-glib/json-glib.h>
#include <string.h>

struct _CascadeCapture
{
  GHashTable *items;            /* name -> CascadeCaptured */
};

static void
captured_free (gpointer p)
{
  CascadeCaptured *c = p;
  g_free (c->data);
  g_free (c);
}

CascadeCapture *
cascade_capture_new (void)
{
  CascadeCapture *cap = g_new0 (CascadeCapture, 1);
  cap->items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      captured_free);
  return cap;
}

void
cascade_capture_free (CascadeCapture * cap)
{
  if (!cap)
    return;
  g_hash_table_unref (cap->items);
  g_free (cap);
}

gboolean
cascade_capture_put (CascadeCapture * cap, CascadeCtx * ctx,
    const gchar * name, const CascadeTensor * t, GError ** error)
{
  CascadeCaptured *c = g_new0 (CascadeCaptured, 1);
  c->dtype = t->dtype;
  c->ndim = t->ndim;
  memcpy (c->shape, t->shape, sizeof (c->shape));
  c->data = cascade_tensor_download (ctx, t, error);
  if (!c->data) {
    g_free (c);
    return FALSE;
  }
  g_hash_table_replace (cap->items, g_strdup (name), c);
  return TRUE;
}

static gboolean
observe_tensor (const gchar * name, const CascadeTensor * t, CascadeCtx * ctx,
    gpointer user_data, GError ** error)
{
  return cascade_capture_put (user_data, ctx, name, t, error);
}

void
cascade_capture_observer (CascadeCapture * cap, CascadeObserver * observer)
{
  observer->stage = NULL;
  observer->tensor = observe_tensor;
  observer->user_data = cap;
}

void
cascade_capture_put_host (CascadeCapture * cap, const gchar * name,
    const gfloat * data, guint ndim, const gsize * shape)
{
  CascadeCaptured *c = g_new0 (CascadeCaptured, 1);
  CascadeTensor t = { 0 };
  c->dtype = CASCADE_DTYPE_F32;
  cascade_tensor_set_shape (&t, ndim, shape);
  c->ndim = ndim;
  memcpy (c->shape, t.shape, sizeof (c->shape));
  c->data = g_memdup2 (data, MAX (cascade_tensor_numel (&t), 1) * 4);
  g_hash_table_replace (cap->items, g_strdup (name), c);
}

const CascadeCaptured *
cascade_capture_get (CascadeCapture * cap, const gchar * name)
{
  return g_hash_table_lookup (cap->items, name);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar **) a, *(const gchar **) b);
}

gboolean
cascade_capture_save (CascadeCapture * cap, const gchar * path,
    GError ** error)
{
  static const gchar *const dtypes[] = { "F32", "I32", "U8" };
  guint n, i, d;
  const gchar **names = (const gchar **)
      g_hash_table_get_keys_as_array (cap->items, &n);
  JsonBuilder *b = json_builder_new ();
  GString *out;
  gchar *header;
  gsize offset = 0, hlen;
  guint64 le;
  gboolean ok;

  qsort (names, n, sizeof (gchar *), compare_names);
  json_builder_begin_object (b);
  for (i = 0; i < n; i++) {
    const CascadeCaptured *c = g_hash_table_lookup (cap->items, names[i]);
    CascadeTensor t = { 0 };
    gsize bytes;
    t.dtype = c->dtype;
    cascade_tensor_set_shape (&t, c->ndim, c->shape);
    bytes = cascade_tensor_nbytes (&t);
    json_builder_set_member_name (b, names[i]);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "dtype");
    json_builder_add_string_value (b, dtypes[c->dtype]);
    json_builder_set_member_name (b, "shape");
    json_builder_begin_array (b);
    for (d = 0; d < c->ndim; d++)
      json_builder_add_int_value (b, c->shape[d]);
    json_builder_end_array (b);
    json_builder_set_member_name (b, "data_offsets");
    json_builder_begin_array (b);
    json_builder_add_int_value (b, offset);
    json_builder_add_int_value (b, offset + bytes);
    json_builder_end_array (b);
    json_builder_end_object (b);
    offset += bytes;
  }
  json_builder_end_object (b);
  {
    JsonGenerator *g = json_generator_new ();
    JsonNode *root = json_builder_get_root (b);
    json_generator_set_root (g, root);
    header = json_generator_to_data (g, &hlen);
    json_node_unref (root);
    g_object_unref (g);
  }
  g_object_unref (b);
  out = g_string_new (NULL);
  while ((hlen + out->len) % 8)
    out = g_string_append_c (out, ' ');
  le = GUINT64_TO_LE ((guint64) (hlen + out->len));
  out = g_string_prepend (out, header);
  out = g_string_prepend_len (out, (const gchar *) &le, 8);
  for (i = 0; i < n; i++) {
    const CascadeCaptured *c = g_hash_table_lookup (cap->items, names[i]);
    CascadeTensor t = { 0 };
    t.dtype = c->dtype;
    cascade_tensor_set_shape (&t, c->ndim, c->shape);
    g_string_append_len (out, c->data, cascade_tensor_nbytes (&t));
  }
  ok = g_file_set_contents (path, out->str, out->len, error);
  g_string_free (out, TRUE);
  g_free (header);
  g_free (names);
  return ok;
}
