/* gst-cascade: multi-level RoIAlign (mmcv roi_align, aligned=True,
 * sampling_ratio=0, average) with mmdetection's SingleRoIExtractor level
 * mapping */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

#define CASCADE_ROI_MAX_LEVELS 4

/* rois [n, 4] (x1, y1, x2, y2) in network-input pixels.  Each roi goes to
 * level clamp (floor (log2 (sqrt (w * h) / finest_scale + 1e-6)), 0,
 * num_levels - 1) and is pooled from feats[level] ([1, C, H_l, W_l],
 * spatial scale 1 / strides[level]) into out [n, C, out_size, out_size]. */
gboolean cascade_roi_align (CascadeCtx * ctx, guint num_levels,
    const CascadeTensor * feats, const guint * strides, guint finest_scale,
    const CascadeTensor * rois, gsize n, guint out_size,
    const CascadeTensor * out, GError ** error);

G_END_DECLS
