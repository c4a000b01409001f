/* gst-cascade: RPN head (mmdet/models/dense_heads/rpn_head.py): a shared
 * 3x3 conv + ReLU, 1x1 objectness and box-delta convs on every level, then
 * proposals (ops/proposals) */
#include "net/network.h"
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

gboolean
cascade_rpn_forward (CascadeRpn * rpn, CascadeCtx * ctx, CascadeArena * arena,
    const CascadeTensor p[5], guint img_w, guint img_h, CascadeCapture * cap,
    CascadeTensor * proposals, guint * count, GError ** error)
{
  CascadeTensor cls[5], reg[5], scores;
  CascadeRpnParams params = { 5, {4, 8, 16, 32, 64}, rpn->nms_pre,
    rpn->nms_iou, rpn->max_per_img, rpn->min_bbox_size
  };
  guint l;

  for (l = 0; l < 5; l++) {
    gsize h = p[l].shape[2], w = p[l].shape[3];
    gchar cs[16], rs[16];
    CascadeTensor t;
    g_snprintf (cs, sizeof cs, "rpn.cls%u", l);
    g_snprintf (rs, sizeof rs, "rpn.reg%u", l);
    if (!cascade_arena_tensor (arena, "rpn.t", &t, CASCADE_DTYPE_F32, 4,
            CASCADE_SHAPE (1, rpn->conv.cout, h, w), error)
        || !cascade_arena_tensor (arena, cs, &cls[l], CASCADE_DTYPE_F32, 4,
            CASCADE_SHAPE (1, NUM_ANCHORS, h, w), error)
        || !cascade_arena_tensor (arena, rs, &reg[l], CASCADE_DTYPE_F32, 4,
            CASCADE_SHAPE (1, NUM_ANCHORS * 4, h, w), error)
        || !cascade_conv_forward (ctx, arena, &rpn->conv, &p[l], NULL,
            CASCADE_ACT_RELU, &t, error)
        || !cascade_conv_forward (ctx, arena, &rpn->cls, &t, NULL,
            CASCADE_ACT_NONE, &cls[l], error)
        || !cascade_conv_forward (ctx, arena, &rpn->reg, &t, NULL,
            CASCADE_ACT_NONE, &reg[l], error))
      return FALSE;
    if (cap) {
      gchar n1[32], n2[32];
      g_snprintf (n1, sizeof n1, "rpn.cls_score.l%u", l);
      g_snprintf (n2, sizeof n2, "rpn.bbox_pred.l%u", l);
      if (!cascade_capture_put (cap, ctx, n1, &cls[l], error)
          || !cascade_capture_put (cap, ctx, n2, &reg[l], error))
        return FALSE;
    }
  }
  if (!cascade_arena_tensor (arena, "rpn.boxes", proposals, CASCADE_DTYPE_F32,
          2, CASCADE_SHAPE (rpn->max_per_img, 4), error)
      || !cascade_arena_tensor (arena, "rpn.scores", &scores,
          CASCADE_DTYPE_F32, 1, CASCADE_SHAPE (rpn->max_per_img), error)
      || !cascade_rpn_proposals (ctx, arena, &params, cls, reg, img_w, img_h,
          proposals, &scores, count, error))
    return FALSE;
  if (cap) {
    CascadeTensor b = *proposals, s = scores;
    b.shape[0] = *count;
    s.shape[0] = *count;
    if (!cascade_capture_put (cap, ctx, "rpn.proposals.bboxes", &b, error)
        || !cascade_capture_put (cap, ctx, "rpn.proposals.scores", &s, error))
      return FALSE;
  }
  return TRUE;
}

gdouble
cascade_rpn_flops (const CascadeRpn * rpn, const CascadeTensor p[5])
{
  gdouble f = 0;
  guint l;
  for (l = 0; l < 5; l++) {
    gsize h = p[l].shape[2], w = p[l].shape[3];
    f += cascade_conv_flops (&rpn->conv, h, w) + cascade_conv_flops (&rpn->cls,
        h, w) + cascade_conv_flops (&rpn->reg, h, w);
  }
  return f;
}
