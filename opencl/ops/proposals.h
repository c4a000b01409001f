/* gst-cascade: RPN proposals from the head outputs, as mmdetection's
 * RPNHead._predict_by_feat_single + _bbox_post_process at test time */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

#define CASCADE_RPN_MAX_LEVELS 5

typedef struct
{
  guint num_levels;             /* 5: strides 4..64 */
  guint strides[CASCADE_RPN_MAX_LEVELS];
  guint nms_pre;                /* per-level top-k by score (1000) */
  gfloat nms_iou;               /* 0.7 */
  guint max_per_img;            /* 1000 */
  gfloat min_bbox_size;         /* 0: remove w <= 0 or h <= 0 */
} CascadeRpnParams;

/* cls[l]: [1, 3, H_l, W_l] objectness logits, reg[l]: [1, 12, H_l, W_l]
 * deltas (channel a*4 + (dx,dy,dw,dh)), anchors scale 8, ratios 0.5/1/2,
 * centred at (x*stride, y*stride).  Per level: top nms_pre by sigmoid score,
 * decode (stds 1, dw/dh clamped to |log(16/1000)|), clip to img_w x img_h
 * (the resized, unpadded size), drop boxes with w or h <= min_bbox_size,
 * NMS per level, then the best max_per_img overall by score.
 * Writes boxes [max_per_img, 4] and scores [max_per_img], sorted by
 * descending score, and *count. */
gboolean cascade_rpn_proposals (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeRpnParams * params, const CascadeTensor * cls,
    const CascadeTensor * reg, guint img_w, guint img_h,
    const CascadeTensor * boxes, const CascadeTensor * scores,
    guint * count, GError ** error);

G_END_DECLS
