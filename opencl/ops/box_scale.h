/* gst-cascade: boxes scaled to the input image */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

/* boxes [n, 4] *= (fx, fy, fx, fy) in float32 (mmdetection rescales the
 * boxes of box-only models this way, with f = 1 / scale_factor, before the
 * NMS) */
gboolean cascade_scale_boxes (CascadeCtx * ctx, const CascadeTensor * boxes,
    gsize n, gfloat fx, gfloat fy, GError ** error);

G_END_DECLS
