/* gst-cascade: sorting and non-maximum suppression on the device, with
 * mmcv's semantics (nms: IoU > thr suppresses, areas without +1;
 * batched_nms: the coordinate-offset trick below 10000 boxes, a loop over
 * groups above) */
#pragma once

#include "tensor.h"

G_BEGIN_DECLS

/* Batched NMS of n boxes [n, 4] (x1, y1, x2, y2) with scores [n] and group
 * ids [n] (i32; boxes of different groups never suppress each other).
 * Writes the indices of the kept boxes, sorted by descending score, to
 * keep [max_keep] (i32) and their number (<= max_keep) to *n_keep.
 * Reads back that one count: the only host round trip. */
gboolean cascade_batched_nms (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeTensor * boxes, const CascadeTensor * scores,
    const CascadeTensor * groups, gsize n, gfloat iou_threshold,
    guint max_keep, const CascadeTensor * keep, guint * n_keep,
    GError ** error);

G_END_DECLS
