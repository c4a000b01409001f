/* gst-cascade: one stage of the cascade's box heads (mmdet/models/
 * roi_heads/bbox_heads/convfc_bbox_head.py Shared2FCBBoxHead; the decode
 * of bbox_head.py regress_by_class, class-agnostic) */
#include "net/bbox_head.h"
#include "net/load.h"
#include "ops/roi_align.h"
#include "ops/box_coder.h"

gboolean
cascade_bbox_head_init (CascadeBoxHead * h, CascadeCtx * ctx,
    const CascadeModel * model, guint s, GError ** error)
{
  const CascadeArch *a = cascade_model_arch (model);
  guint in = a->fpn_channels * a->roi_size * a->roi_size, i;
  gchar *n;
  gboolean ok = TRUE;

  for (i = 0; i < 2 && ok; i++) {
    n = g_strdup_printf ("roi_head.bbox_head.%u.shared_fcs.%u", s, i);
    ok = cascade_load_fc (&h->fc[i], ctx, model, n, i ? a->fc_channels : in,
        a->fc_channels, error);
    g_free (n);
  }
  if (!ok)
    return FALSE;
  n = g_strdup_printf ("roi_head.bbox_head.%u.fc_cls", s);
  ok = cascade_load_fc (&h->cls, ctx, model, n, a->fc_channels,
      a->num_classes + 1, error);
  g_free (n);
  if (!ok)
    return FALSE;
  n = g_strdup_printf ("roi_head.bbox_head.%u.fc_reg", s);
  ok = cascade_load_fc (&h->reg, ctx, model, n, a->fc_channels, 4, error);
  g_free (n);
  if (!ok)
    return FALSE;
  for (i = 0; i < 4; i++)
    h->stds[i] = a->stage_stds[s][i];
  return TRUE;
}

void
cascade_bbox_head_clear (CascadeBoxHead * h)
{
  cascade_fc_clear (&h->fc[0]);
  cascade_fc_clear (&h->fc[1]);
  cascade_fc_clear (&h->cls);
  cascade_fc_clear (&h->reg);
}

gboolean
cascade_bbox_head_forward (const CascadeBoxHead * h, const CascadePass * pass,
    const CascadeTensor p[CASCADE_FPN_LEVELS], guint finest_scale,
    guint roi_size, const CascadeTensor * rois, guint n,
    const CascadeBoxHeadWork * work, const CascadeTensor * cls,
    const CascadeTensor * reg, GError ** error)
{
  CascadeCtx *ctx = pass->ctx;
  return cascade_roi_align (ctx, CASCADE_FPN_ROI_LEVELS, p,
      cascade_fpn_strides, finest_scale, rois, n, roi_size, &work->feats,
      error)
      && cascade_fc_forward (ctx, pass->arena, &h->fc[0], &work->feats, n,
      CASCADE_ACT_RELU, &work->fc0, error)
      && cascade_fc_forward (ctx, pass->arena, &h->fc[1], &work->fc0, n,
      CASCADE_ACT_RELU, &work->fc1, error)
      && cascade_fc_forward (ctx, pass->arena, &h->cls, &work->fc1, n,
      CASCADE_ACT_NONE, cls, error)
      && cascade_fc_forward (ctx, pass->arena, &h->reg, &work->fc1, n,
      CASCADE_ACT_NONE, reg, error);
}

gboolean
cascade_bbox_head_refine (const CascadeBoxHead * h, const CascadePass * pass,
    const CascadeTensor * rois, const CascadeTensor * reg, guint n,
    guint img_w, guint img_h, const CascadeTensor * out, GError ** error)
{
  return cascade_delta2bbox (pass->ctx, rois, reg, n, h->stds,
      (gfloat) img_w, (gfloat) img_h, out, error);
}

gdouble
cascade_bbox_head_flops (const CascadeBoxHead * h, guint n)
{
  gdouble per_roi = 2.0 * ((gdouble) h->fc[0].in * h->fc[0].out +
      (gdouble) h->fc[1].in * h->fc[1].out + (gdouble) h->cls.in * h->cls.out +
      (gdouble) h->reg.in * h->reg.out);
  return per_roi * n;
}
