/* gst-cascade: one cascade stage's box head: RoIAlign 7x7 on P2..P5, two
 * shared FCs, class logits and class-agnostic deltas, and the refinement
 * of the RoIs by those deltas */
#pragma once

#include "net/pass.h"
#include "net/fpn.h"
#include "model/model.h"
#include "ops/fc.h"

G_BEGIN_DECLS

typedef struct
{
  CascadeFC fc[2];
  CascadeFC cls, reg;
  gfloat stds[4];
} CascadeBoxHead;

/* the workspace that the stages share, for n RoIs */
typedef struct
{
  CascadeTensor feats;          /* [n, in_channels, roi_size, roi_size] */
  CascadeTensor fc0, fc1;       /* [n, fc_channels] */
} CascadeBoxHeadWork;

/* loads stage s's head (roi_head.bbox_head.<s>.*) */
gboolean cascade_bbox_head_init (CascadeBoxHead * h, CascadeCtx * ctx,
    const CascadeModel * model, guint s, GError ** error);
void cascade_bbox_head_clear (CascadeBoxHead * h);
/* rois [n, 4] in input coordinates -> cls [n, num_classes + 1] logits and
 * reg [n, 4] deltas */
gboolean cascade_bbox_head_forward (const CascadeBoxHead * h,
    const CascadePass * pass, const CascadeTensor p[CASCADE_FPN_LEVELS],
    guint finest_scale, guint roi_size, const CascadeTensor * rois, guint n,
    const CascadeBoxHeadWork * work, const CascadeTensor * cls,
    const CascadeTensor * reg, GError ** error);
/* out [n, 4] = rois decoded by the deltas (the stage's stds), clipped to
 * the img_w x img_h resized input; out may alias rois */
gboolean cascade_bbox_head_refine (const CascadeBoxHead * h,
    const CascadePass * pass, const CascadeTensor * rois,
    const CascadeTensor * reg, guint n, guint img_w, guint img_h,
    const CascadeTensor * out, GError ** error);
/* floating-point operations of the FCs on n RoIs */
gdouble cascade_bbox_head_flops (const CascadeBoxHead * h, guint n);

G_END_DECLS
