/* gst-cascade: FPN (mmdet/models/necks/fpn.py): lateral 1x1 convs, top-down
 * nearest upsampling, 3x3 output convs, P6 = max_pool(P5, 1, stride 2) */
#include "net/fpn.h"
#include "net/load.h"
#include "ops/pool.h"
#include "ops/upsample.h"

const guint cascade_fpn_strides[CASCADE_FPN_LEVELS] = { 4, 8, 16, 32, 64 };

gboolean
cascade_fpn_init (CascadeFpn * fpn, CascadeCtx * ctx,
    const CascadeModel * model, const guint in_channels[4], GError ** error)
{
  const CascadeArch *a = cascade_model_arch (model);
  guint i;
  fpn->channels = a->fpn_channels;
  for (i = 0; i < 4; i++) {
    gchar *lat = g_strdup_printf ("neck.lateral_convs.%u.conv", i);
    gchar *out = g_strdup_printf ("neck.fpn_convs.%u.conv", i);
    gboolean ok = cascade_load_conv (&fpn->lateral[i], ctx, model, lat,
        in_channels[i], a->fpn_channels, 1, 1, 0, error)
        && cascade_load_conv (&fpn->out[i], ctx, model, out, a->fpn_channels,
        a->fpn_channels, 3, 1, 1, error);
    g_free (lat);
    g_free (out);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

void
cascade_fpn_clear (CascadeFpn * fpn)
{
  guint i;
  for (i = 0; i < 4; i++) {
    cascade_conv_clear (&fpn->lateral[i]);
    cascade_conv_clear (&fpn->out[i]);
  }
}

/* floating-point operations of the convolutions */
static gdouble
fpn_flops (const CascadeFpn * fpn, const CascadeTensor c[4])
{
  gdouble f = 0;
  guint i;
  for (i = 0; i < 4; i++)
    f += cascade_conv_flops (&fpn->lateral[i], c[i].shape[2], c[i].shape[3])
        + cascade_conv_flops (&fpn->out[i], c[i].shape[2], c[i].shape[3]);
  return f;
}

gboolean
cascade_fpn_forward (const CascadeFpn * fpn, const CascadePass * pass,
    const CascadeTensor c[4], CascadeTensor p[CASCADE_FPN_LEVELS],
    GError ** error)
{
  static const gchar *const lat_slot[4] = { "fpn.l2", "fpn.l3", "fpn.l4",
    "fpn.l5"
  };
  static const gchar *const p_slot[5] = { "P2", "P3", "P4", "P5", "P6" };
  CascadeCtx *ctx = pass->ctx;
  CascadeArena *arena = pass->arena;
  CascadeTensor lat[4];
  gint i;

  cascade_pass_stage_begin (pass, CASCADE_STAGE_FPN);
  for (i = 0; i < 4; i++) {
    if (!cascade_arena_tensor (arena, lat_slot[i], &lat[i], CASCADE_DTYPE_F32,
            4, CASCADE_SHAPE (1, fpn->channels, c[i].shape[2], c[i].shape[3]),
            error)
        || !cascade_conv_forward (ctx, arena, &fpn->lateral[i], &c[i], NULL,
            CASCADE_ACT_NONE, &lat[i], error))
      return FALSE;
  }
  for (i = 3; i > 0; i--)
    if (!cascade_upsample_add (ctx, &lat[i], &lat[i - 1], error))
      return FALSE;
  for (i = 0; i < 4; i++) {
    if (!cascade_arena_tensor (arena, p_slot[i], &p[i], CASCADE_DTYPE_F32, 4,
            lat[i].shape, error)
        || !cascade_conv_forward (ctx, arena, &fpn->out[i], &lat[i], NULL,
            CASCADE_ACT_NONE, &p[i], error))
      return FALSE;
  }
  if (!cascade_arena_tensor (arena, p_slot[4], &p[4], CASCADE_DTYPE_F32, 4,
          CASCADE_SHAPE (1, fpn->channels, (p[3].shape[2] - 1) / 2 + 1,
              (p[3].shape[3] - 1) / 2 + 1), error)
      || !cascade_maxpool_forward (ctx, &p[3], 1, 2, 0, &p[4], error)
      || !cascade_pass_stage_end (pass, CASCADE_STAGE_FPN, fpn_flops (fpn, c),
          0, error))
    return FALSE;
  for (i = 0; i < CASCADE_FPN_LEVELS; i++)
    if (!cascade_pass_tensor (pass, &p[i], error, "neck.P%d", i + 2))
      return FALSE;
  return TRUE;
}
