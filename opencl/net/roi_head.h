/* gst-cascade: the cascade RoI head: the box heads in turn, each on the
 * RoIs that the previous one refined, their class logits averaged */
#pragma once

#include "net/bbox_head.h"

G_BEGIN_DECLS

typedef struct
{
  guint num_stages;
  CascadeBoxHead stages[3];
  guint num_classes, roi_size, finest_scale, fc_channels, in_channels;
} CascadeRoiHead;

gboolean cascade_roi_head_init (CascadeRoiHead * head, CascadeCtx * ctx,
    const CascadeModel * model, GError ** error);
void cascade_roi_head_clear (CascadeRoiHead * head);
/* Stages BOX1..: runs box heads 0..num_stages-1 on n proposals; leaves the
 * final boxes (decoded by the last stage, input coordinates) in *boxes
 * [n, 4] and softmax(mean logits) in *scores [n, num_classes + 1]. */
gboolean cascade_roi_head_forward (const CascadeRoiHead * head,
    const CascadePass * pass, const CascadeTensor p[CASCADE_FPN_LEVELS],
    const CascadeTensor * proposals, guint n, guint num_stages,
    guint img_w, guint img_h, CascadeTensor * boxes, CascadeTensor * scores,
    GError ** error);

G_END_DECLS
