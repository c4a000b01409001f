/* gst-cascade: copies of intermediate tensors taken during a forward pass */
#include "capture.h"

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
  CascadeCaptured *c;
  if (!cap)
    return TRUE;
  c = g_new0 (CascadeCaptured, 1);
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

void
cascade_capture_put_host (CascadeCapture * cap, const gchar * name,
    const gfloat * data, guint ndim, const gsize * shape)
{
  CascadeCaptured *c;
  CascadeTensor t = { 0 };
  if (!cap)
    return;
  c = g_new0 (CascadeCaptured, 1);
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
