/* gst-cascade devtools: copies of intermediate tensors taken during a
 * forward pass, by the names mmdetection's reference dumps use (tests and
 * debugging): an engine observer (net/pass.h) that downloads every tensor
 * it is shown */
#pragma once

#include "net/pass.h"

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
/* Fills *observer so that it captures every tensor of a pass into cap
 * (cascade_engine_set_observer); it has no stage hook, so the queue is not
 * finished at stage ends. */
void cascade_capture_observer (CascadeCapture * cap,
    CascadeObserver * observer);
/* Downloads t under `name` (replacing an earlier copy). */
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
