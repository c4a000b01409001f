/* gst-cascade: the RPN: the head's convolutions on every FPN level, then
 * the proposals (ops/proposals) */
#pragma once

#include "net/pass.h"
#include "net/fpn.h"
#include "model/model.h"
#include "ops/conv.h"

G_BEGIN_DECLS

typedef struct
{
  CascadeConv conv, cls, reg;
  guint nms_pre, max_per_img;
  gfloat nms_iou, min_bbox_size;
} CascadeRpn;

gboolean cascade_rpn_init (CascadeRpn * rpn, CascadeCtx * ctx,
    const CascadeModel * model, GError ** error);
void cascade_rpn_clear (CascadeRpn * rpn);
/* stage RPN: proposals [max_per_img, 4] (arena "rpn.boxes"), *count of
 * them, in the coordinates of the img_w x img_h resized input */
gboolean cascade_rpn_forward (const CascadeRpn * rpn,
    const CascadePass * pass, const CascadeTensor p[CASCADE_FPN_LEVELS],
    guint img_w, guint img_h, CascadeTensor * proposals, guint * count,
    GError ** error);

G_END_DECLS
