/* gst-cascade: copies of intermediate tensors taken during a forward pass,
 * by the names mmdetection's reference dumps use (tests and debugging) */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

typedef struct _CascadeCapture CascadeCapture;

typedef struct
{
  CascadeDType dtype;
  guint ndim;
  gsize shape[CASCADE_MAX_DIMS];
  gpointer data;                /* numel elements of dtype */
} CascadeCaptured;

CascadeCapture *cascade_capture_new (void);
void cascade_capture_free (CascadeCapture * cap);
/* Downloads t under `name` (replacing an earlier copy).  A NULL capture
 * does nothing: the hot path calls this unconditionally. */
gboolean cascade_capture_put (CascadeCapture * cap, CascadeCtx * ctx,
    const gchar * name, const CascadeTensor * t, GError ** error);
/* stores a host copy of n floats with the given shape */
void cascade_capture_put_host (CascadeCapture * cap, const gchar * name,
    const gfloat * data, guint ndim, const gsize * shape);
const CascadeCaptured *cascade_capture_get (CascadeCapture * cap,
    const gchar * name);

/* Writes every captured tensor to a safetensors file (F32, I32, U8). */
gboolean cascade_capture_save (CascadeCapture * cap, const gchar * path,
    GError ** error);

G_END_DECLS
