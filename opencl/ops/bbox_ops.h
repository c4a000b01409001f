/* gst-cascade: the cascade head's box arithmetic: delta decoding, logit
 * averaging, softmax, multi-class NMS */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

/* mmdetection's delta2bbox (means 0): out[i] = decode (rois[i], deltas[i] *
 * stds), dw/dh clamped to |log(16/1000)|, clipped to [0, max_w] x
 * [0, max_h].  rois, deltas, out: [n, 4]; out may alias rois. */
gboolean cascade_delta2bbox (CascadeCtx * ctx, const CascadeTensor * rois,
    const CascadeTensor * deltas, gsize n, const gfloat stds[4],
    gfloat max_w, gfloat max_h, const CascadeTensor * out, GError ** error);

/* boxes [n, 4] *= (fx, fy, fx, fy) in float32 (mmdetection rescales the
 * boxes of box-only models this way, with f = 1 / scale_factor, before the
 * NMS) */
gboolean cascade_scale_boxes (CascadeCtx * ctx, const CascadeTensor * boxes,
    gsize n, gfloat fx, gfloat fy, GError ** error);

/* acc = (first ? 0 : acc) + scale * logits, elementwise over n floats */
gboolean cascade_accumulate (CascadeCtx * ctx, const CascadeTensor * logits,
    gsize n, gfloat scale, gboolean first, const CascadeTensor * acc,
    GError ** error);

/* acc = acc / divisor elementwise over n floats: with cascade_accumulate
 * (scale 1) this is mmdetection's sum(stage logits) / num_stages, rounded
 * as torch rounds it */
gboolean cascade_divide (CascadeCtx * ctx, const CascadeTensor * acc,
    gsize n, gfloat divisor, GError ** error);

/* row-wise softmax of in [rows, cols] into out (may alias) */
gboolean cascade_softmax_rows (CascadeCtx * ctx, const CascadeTensor * in,
    gsize rows, gsize cols, const CascadeTensor * out, GError ** error);

/* mmdetection's multiclass_nms: every (row, class) with scores[row, class]
 * > score_thr (classes 0..num_classes-1; column num_classes is background
 * and ignored; class_filter, when non-NULL, drops classes whose flag is
 * FALSE), per-class NMS with IoU > iou_thr suppressing, sorted by
 * descending score, the first max_det kept.  boxes [n, 4] class-agnostic,
 * scores [n, num_classes + 1].  Writes out_boxes [max_det, 4], out_scores
 * [max_det], out_labels [max_det] (i32) and *count.
 * As mmcv's batched_nms, boxes are moved by class * (max coordinate + 1)
 * before the IoU; exactly tied scores keep ascending (row * num_classes +
 * class) order.  Two host round trips: the candidate count, then *count.
 * Entries past *count are 0 (labels -1), or untouched when no candidate
 * passes score_thr. */
gboolean cascade_multiclass_nms (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeTensor * boxes, const CascadeTensor * scores, gsize n,
    guint num_classes, gfloat score_thr, gfloat iou_thr, guint max_det,
    const gboolean * class_filter, const CascadeTensor * out_boxes,
    const CascadeTensor * out_scores, const CascadeTensor * out_labels,
    guint * count, GError ** error);

G_END_DECLS
