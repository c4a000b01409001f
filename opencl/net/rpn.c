/* gst-cascade: RPN head (mmdet/models/dense_heads/rpn_head.py): a shared
 * 3x3 conv + ReLU, 1x1 objectness and box-delta convs on every level, then
 * proposals (ops/proposals) */
#include "net/rpn.h"
#include "net/load.h"
#include "ops/proposals.h"

#define NUM_ANCHORS 3

gboolean
cascade_rpn_init (CascadeRpn * rpn, CascadeCtx * ctx,
    const CascadeModel * model, GError ** error)
{
  const CascadeArch *a = cascade_model_arch (model);
  rpn->nms_pre = a->rpn_nms_pre;
  rpn->max_per_img = a->rpn_max_per_img;
  rpn->nms_iou = a->rpn_nms_iou;
  rpn->min_bbox_size = a->rpn_min_bbox_size;
  return cascade_load_conv (&rpn->conv, ctx, model, "rpn_head.rpn_conv",
      a->fpn_channels, a->rpn_channels, 3, 1, 1, error)
      && cascade_load_conv (&rpn->cls, ctx, model, "rpn_head.rpn_cls",
      a->rpn_channels, NUM_ANCHORS, 1, 1, 0, error)
      && cascade_load_conv (&rpn->reg, ctx, model, "rpn_head.rpn_reg",
      a->rpn_channels, NUM_ANCHORS * 4, 1, 1, 0, error);
}

void
cascade_rpn_clear (CascadeRpn * rpn)
{
  cascade_conv_clear (&rpn->conv);
  cascade_conv_clear (&rpn->cls);
  cascade_conv_clear (&rpn->reg);
}

/* floating-point operations of the head convolutions */
static gdouble
rpn_flops (const CascadeRpn * rpn, const CascadeTensor p[CASCADE_FPN_LEVELS])
{
  gdouble f = 0;
  guint l;
  for (l = 0; l < CASCADE_FPN_LEVELS; l++) {
    gsize h = p[l].shape[2], w = p[l].shape[3];
    f += cascade_conv_flops (&rpn->conv, h, w) + cascade_conv_flops (&rpn->cls,
        h, w) + cascade_conv_flops (&rpn->reg, h, w);
  }
  return f;
}

/* the head's convolutions on level l: objectness cls [1, 3, h, w] and
 * deltas reg [1, 12, h, w] (arena "rpn.cls<l>", "rpn.reg<l>") */
static gboolean
head_forward (const CascadeRpn * rpn, const CascadePass * pass,
    const CascadeTensor * p, guint l, CascadeTensor * cls,
    CascadeTensor * reg, GError ** error)
{
  gsize h = p->shape[2], w = p->shape[3];
  gchar cs[16], rs[16];
  CascadeTensor t;
  g_snprintf (cs, sizeof cs, "rpn.cls%u", l);
  g_snprintf (rs, sizeof rs, "rpn.reg%u", l);
  return cascade_arena_tensor (pass->arena, "rpn.t", &t, CASCADE_DTYPE_F32,
      4, CASCADE_SHAPE (1, rpn->conv.cout, h, w), error)
      && cascade_arena_tensor (pass->arena, cs, cls, CASCADE_DTYPE_F32, 4,
      CASCADE_SHAPE (1, NUM_ANCHORS, h, w), error)
      && cascade_arena_tensor (pass->arena, rs, reg, CASCADE_DTYPE_F32, 4,
      CASCADE_SHAPE (1, NUM_ANCHORS * 4, h, w), error)
      && cascade_conv_forward (pass->ctx, pass->arena, &rpn->conv, p, NULL,
      CASCADE_ACT_RELU, &t, error)
      && cascade_conv_forward (pass->ctx, pass->arena, &rpn->cls, &t, NULL,
      CASCADE_ACT_NONE, cls, error)
      && cascade_conv_forward (pass->ctx, pass->arena, &rpn->reg, &t, NULL,
      CASCADE_ACT_NONE, reg, error);
}

gboolean
cascade_rpn_forward (const CascadeRpn * rpn, const CascadePass * pass,
    const CascadeTensor p[CASCADE_FPN_LEVELS], guint img_w, guint img_h,
    CascadeTensor * proposals, guint * count, GError ** error)
{
  CascadeTensor cls[CASCADE_FPN_LEVELS], reg[CASCADE_FPN_LEVELS], scores;
  CascadeTensor b, s;
  CascadeRpnParams params = { CASCADE_FPN_LEVELS, {0}, rpn->nms_pre,
    rpn->nms_iou, rpn->max_per_img, rpn->min_bbox_size
  };
  guint l;

  cascade_pass_stage_begin (pass, CASCADE_STAGE_RPN);
  for (l = 0; l < CASCADE_FPN_LEVELS; l++) {
    params.strides[l] = cascade_fpn_strides[l];
    if (!head_forward (rpn, pass, &p[l], l, &cls[l], &reg[l], error))
      return FALSE;
  }
  if (!cascade_arena_tensor (pass->arena, "rpn.boxes", proposals,
          CASCADE_DTYPE_F32, 2, CASCADE_SHAPE (rpn->max_per_img, 4), error)
      || !cascade_arena_tensor (pass->arena, "rpn.scores", &scores,
          CASCADE_DTYPE_F32, 1, CASCADE_SHAPE (rpn->max_per_img), error)
      || !cascade_rpn_proposals (pass->ctx, pass->arena, &params, cls, reg,
          img_w, img_h, proposals, &scores, count, error)
      || !cascade_pass_stage_end (pass, CASCADE_STAGE_RPN, rpn_flops (rpn, p),
          *count, error))
    return FALSE;
  for (l = 0; l < CASCADE_FPN_LEVELS; l++)
    if (!cascade_pass_tensor (pass, &cls[l], error, "rpn.cls_score.l%u", l)
        || !cascade_pass_tensor (pass, &reg[l], error, "rpn.bbox_pred.l%u",
            l))
      return FALSE;
  b = *proposals;
  s = scores;
  b.shape[0] = s.shape[0] = *count;
  return cascade_pass_tensor (pass, &b, error, "rpn.proposals.bboxes")
      && cascade_pass_tensor (pass, &s, error, "rpn.proposals.scores");
}
