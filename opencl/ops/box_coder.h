/* gst-cascade: mmdetection's DeltaXYWHBBoxCoder.decode (delta2bbox), the
 * one box decoding of the RPN and the box heads */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

/* mmdetection's delta2bbox (means 0): out[i] = decode (rois[i], deltas[i] *
 * stds), dw/dh clamped to |log(16/1000)|, clipped to [0, max_w] x
 * [0, max_h].  rois, deltas, out: [n, 4]; out may alias rois. */
gboolean cascade_delta2bbox (CascadeCtx * ctx, const CascadeTensor * rois,
    const CascadeTensor * deltas, gsize n, const gfloat stds[4],
    gfloat max_w, gfloat max_h, const CascadeTensor * out, GError ** error);

G_END_DECLS
