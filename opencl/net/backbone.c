/* gst-cascade: ResNet / ResNeXt backbone (mmdet/models/backbones/resnet.py,
 * resnext.py) with BatchNorm folded into the convolutions */
#include "net/backbone.h"
#include "net/load.h"
#include "runtime/error.h"
#include "ops/pool.h"

#include <math.h>

static void
stage_layout (guint depth, guint n_blocks[4], gboolean * bottleneck)
{
  static const guint d18[4] = { 2, 2, 2, 2 }, d34[4] = { 3, 4, 6, 3 };
  static const guint d101[4] = { 3, 4, 23, 3 }, d152[4] = { 3, 8, 36, 3 };
  const guint *l = depth == 18 ? d18 : depth == 101 ? d101 : depth == 152 ?
      d152 : d34;               /* 34 and 50 share the layout */
  guint i;
  for (i = 0; i < 4; i++)
    n_blocks[i] = l[i];
  *bottleneck = depth >= 50;
}

static gboolean
block_init (CascadeBlock * blk, CascadeCtx * ctx, const CascadeModel * model,
    const CascadeArch * a, guint stage, guint index, guint inplanes,
    guint planes, guint stride, GError ** error)
{
  gchar *p = g_strdup_printf ("backbone.layer%u.%u", stage + 1, index);
  gchar *c1 = g_strconcat (p, ".conv1", NULL), *b1 =
      g_strconcat (p, ".bn1", NULL);
  gchar *c2 = g_strconcat (p, ".conv2", NULL), *b2 =
      g_strconcat (p, ".bn2", NULL);
  gchar *c3 = g_strconcat (p, ".conv3", NULL), *b3 =
      g_strconcat (p, ".bn3", NULL);
  gchar *d0 = g_strconcat (p, ".downsample.0", NULL), *d1 =
      g_strconcat (p, ".downsample.1", NULL);
  guint expansion = a->depth >= 50 ? 4 : 1;
  gboolean ok;

  blk->bottleneck = a->depth >= 50;
  blk->has_down = stride != 1 || inplanes != planes * expansion;
  if (blk->bottleneck) {
    guint width = a->groups == 1 ? planes :
        (guint) floor (planes * ((gdouble) a->base_width / a->base_channels))
        * a->groups;
    guint s1 = a->caffe_style ? stride : 1, s2 = a->caffe_style ? 1 : stride;
    ok = cascade_load_conv_bn (&blk->conv1, ctx, model, c1, b1, inplanes,
        width, 1, s1, 0, 1, error)
        && cascade_load_conv_bn (&blk->conv2, ctx, model, c2, b2, width,
        width, 3, s2, 1, a->groups, error)
        && cascade_load_conv_bn (&blk->conv3, ctx, model, c3, b3, width,
        planes * 4, 1, 1, 0, 1, error);
  } else {
    ok = cascade_load_conv_bn (&blk->conv1, ctx, model, c1, b1, inplanes,
        planes, 3, stride, 1, 1, error)
        && cascade_load_conv_bn (&blk->conv2, ctx, model, c2, b2, planes,
        planes, 3, 1, 1, 1, error);
  }
  if (ok && blk->has_down)
    ok = cascade_load_conv_bn (&blk->down, ctx, model, d0, d1, inplanes,
        planes * expansion, 1, stride, 0, 1, error);
  g_free (p);
  g_free (c1);
  g_free (b1);
  g_free (c2);
  g_free (b2);
  g_free (c3);
  g_free (b3);
  g_free (d0);
  g_free (d1);
  return ok;
}

static void
block_clear (CascadeBlock * blk)
{
  cascade_conv_clear (&blk->conv1);
  cascade_conv_clear (&blk->conv2);
  cascade_conv_clear (&blk->conv3);
  cascade_conv_clear (&blk->down);
}

gboolean
cascade_backbone_init (CascadeBackbone * bb, CascadeCtx * ctx,
    const CascadeModel * model, GError ** error)
{
  const CascadeArch *a = cascade_model_arch (model);
  gboolean bottleneck;
  guint s, i, inplanes = a->base_channels;

  stage_layout (a->depth, bb->n_blocks, &bottleneck);
  if (!cascade_load_conv_bn (&bb->stem, ctx, model, "backbone.conv1",
          "backbone.bn1", 3, a->base_channels, 7, 2, 3, 1, error))
    return FALSE;
  for (s = 0; s < 4; s++) {
    guint planes = a->base_channels << s;
    bb->blocks[s] = g_new0 (CascadeBlock, bb->n_blocks[s]);
    for (i = 0; i < bb->n_blocks[s]; i++) {
      if (!block_init (&bb->blocks[s][i], ctx, model, a, s, i, inplanes,
              planes, i == 0 && s > 0 ? 2 : 1, error))
        return FALSE;
      inplanes = planes * (bottleneck ? 4 : 1);
    }
    bb->out_channels[s] = inplanes;
  }
  return TRUE;
}

void
cascade_backbone_clear (CascadeBackbone * bb)
{
  guint s, i;
  cascade_conv_clear (&bb->stem);
  for (s = 0; s < 4; s++) {
    for (i = 0; bb->blocks[s] && i < bb->n_blocks[s]; i++)
      block_clear (&bb->blocks[s][i]);
    g_clear_pointer (&bb->blocks[s], g_free);
  }
}

/* an arena tensor [1, c, h, w] */
static gboolean
feature (CascadeArena * arena, const gchar * slot, CascadeTensor * t,
    gsize c, gsize h, gsize w, GError ** error)
{
  return cascade_arena_tensor (arena, slot, t, CASCADE_DTYPE_F32, 4,
      CASCADE_SHAPE (1, c, h, w), error);
}

static gboolean
conv_to (CascadeCtx * ctx, CascadeArena * arena, const CascadeConv * conv,
    const CascadeTensor * in, const CascadeTensor * residual, CascadeAct act,
    const gchar * slot, CascadeTensor * out, GError ** error)
{
  gsize oh, ow;
  cascade_conv_out_size (conv, in->shape[2], in->shape[3], &oh, &ow);
  return feature (arena, slot, out, conv->cout, oh, ow, error)
      && cascade_conv_forward (ctx, arena, conv, in, residual, act, out,
      error);
}

static gboolean
block_forward (const CascadeBlock * blk, CascadeCtx * ctx,
    CascadeArena * arena, const CascadeTensor * in, const gchar * out_slot,
    CascadeTensor * out, GError ** error)
{
  CascadeTensor t1, t2, id = *in;
  const CascadeConv *last = blk->bottleneck ? &blk->conv3 : &blk->conv2;

  if (blk->has_down && !conv_to (ctx, arena, &blk->down, in, NULL,
          CASCADE_ACT_NONE, "bb.id", &id, error))
    return FALSE;
  if (!conv_to (ctx, arena, &blk->conv1, in, NULL, CASCADE_ACT_RELU, "bb.t1",
          &t1, error))
    return FALSE;
  if (blk->bottleneck) {
    if (!conv_to (ctx, arena, &blk->conv2, &t1, NULL, CASCADE_ACT_RELU,
            "bb.t2", &t2, error))
      return FALSE;
    t1 = t2;
  }
  return conv_to (ctx, arena, last, &t1, &id, CASCADE_ACT_RELU, out_slot,
      out, error);
}

/* floating-point operations of the convolutions on an input h x w */
static gdouble
backbone_flops (const CascadeBackbone * bb, gsize h, gsize w)
{
  gdouble f;
  gsize oh, ow;
  guint s, i;
  cascade_conv_out_size (&bb->stem, h, w, &oh, &ow);
  f = cascade_conv_flops (&bb->stem, h, w);
  h = (oh - 1) / 2 + 1;
  w = (ow - 1) / 2 + 1;
  for (s = 0; s < 4; s++)
    for (i = 0; i < bb->n_blocks[s]; i++) {
      const CascadeBlock *b = &bb->blocks[s][i];
      gsize h1, w1, h2, w2;
      f += cascade_conv_flops (&b->conv1, h, w);
      cascade_conv_out_size (&b->conv1, h, w, &h1, &w1);
      f += cascade_conv_flops (&b->conv2, h1, w1);
      cascade_conv_out_size (&b->conv2, h1, w1, &h2, &w2);
      if (b->bottleneck)
        f += cascade_conv_flops (&b->conv3, h2, w2);
      if (b->has_down)
        f += cascade_conv_flops (&b->down, h, w);
      h = h2;
      w = w2;
    }
  return f;
}

gboolean
cascade_backbone_forward (const CascadeBackbone * bb,
    const CascadePass * pass, const CascadeTensor * input,
    CascadeTensor c[4], GError ** error)
{
  static const gchar *const ping[2] = { "bb.a", "bb.b" };
  static const gchar *const outs[4] = { "C2", "C3", "C4", "C5" };
  CascadeCtx *ctx = pass->ctx;
  CascadeArena *arena = pass->arena;
  CascadeTensor stem, x;
  guint s, i, turn = 0;

  cascade_pass_stage_begin (pass, CASCADE_STAGE_BACKBONE);
  if (!conv_to (ctx, arena, &bb->stem, input, NULL, CASCADE_ACT_RELU,
          "bb.stem", &stem, error))
    return FALSE;
  if (!feature (arena, "bb.pool", &x, stem.shape[1],
          (stem.shape[2] - 1) / 2 + 1, (stem.shape[3] - 1) / 2 + 1, error)
      || !cascade_maxpool_forward (ctx, &stem, 3, 2, 1, &x, error))
    return FALSE;
  for (s = 0; s < 4; s++) {
    for (i = 0; i < bb->n_blocks[s]; i++) {
      gboolean last = i + 1 == bb->n_blocks[s];
      CascadeTensor y;
      if (!block_forward (&bb->blocks[s][i], ctx, arena, &x,
              last ? outs[s] : ping[turn], &y, error))
        return FALSE;
      turn ^= 1;
      x = y;
    }
    c[s] = x;
  }
  if (!cascade_pass_stage_end (pass, CASCADE_STAGE_BACKBONE,
          backbone_flops (bb, input->shape[2], input->shape[3]), 0, error))
    return FALSE;
  for (s = 0; s < 4; s++)
    if (!cascade_pass_tensor (pass, &c[s], error, "backbone.C%u", s + 2))
      return FALSE;
  return TRUE;
}
