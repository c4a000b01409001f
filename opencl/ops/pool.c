/* gst-cascade: max pooling (also the FPN's stride-2 1x1 subsample) and the
 * nearest upsample-and-add of the FPN's top-down path */
#include "ops/pool.h"
#include "runtime/error.h"

#include <string.h>

static gboolean
check_map (const CascadeTensor * t, const gchar * what, GError ** error)
{
  if (t->dtype != CASCADE_DTYPE_F32 || t->ndim != 4 || !t->mem)
    return cascade_invalid_arg (error, "%s must be a 4-D float tensor", what);
  if (t->offset + cascade_tensor_numel (t) > (gsize) G_MAXINT)
    return cascade_invalid_arg (error, "%s is too large", what);
  return TRUE;
}

gboolean
cascade_maxpool_forward (CascadeCtx * ctx, const CascadeTensor * in,
    guint k, guint stride, guint pad, const CascadeTensor * out,
    GError ** error)
{
  gsize h, w, oh, ow, total, lws = 64;
  cl_kernel kern;
  CascadeArgs a;

  if (!check_map (in, "Max pool input", error)
      || !check_map (out, "Max pool output", error))
    return FALSE;
  /* PyTorch: "pad should be at most half of effective kernel size", so
   * every window holds at least one real element */
  if (k == 0 || stride == 0 || pad > k / 2)
    return cascade_invalid_arg (error, "Invalid max pool: kernel %u, stride %u, pad %u",
        k, stride, pad);
  h = in->shape[2];
  w = in->shape[3];
  if (h + 2 * pad < k || w + 2 * pad < k)
    return cascade_invalid_arg (error, "Max pool input %" G_GSIZE_FORMAT "x%"
        G_GSIZE_FORMAT " is smaller than its %ux%u kernel", h, w, k, k);
  oh = (h + 2 * pad - k) / stride + 1;
  ow = (w + 2 * pad - k) / stride + 1;
  if (out->shape[0] != in->shape[0] || out->shape[1] != in->shape[1]
      || out->shape[2] != oh || out->shape[3] != ow)
    return cascade_invalid_arg (error, "Max pool output must be [%" G_GSIZE_FORMAT ", %"
        G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT "], got [%"
        G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ", %"
        G_GSIZE_FORMAT "]", in->shape[0], in->shape[1], oh, ow,
        out->shape[0], out->shape[1], out->shape[2], out->shape[3]);
  if (cascade_tensor_overlaps (in, out))
    return cascade_invalid_arg (error, "Max pool output overlaps its input");
  total = cascade_tensor_numel (out);
  if (total == 0)
    return TRUE;

  kern = cascade_ctx_kernel (ctx, "pool", "cascade_maxpool", error);
  if (!kern)
    return FALSE;
  a = cascade_args (kern);
  cascade_arg_mem (&a, in->mem);
  cascade_arg_int (&a, (gint) in->offset);
  cascade_arg_mem (&a, out->mem);
  cascade_arg_int (&a, (gint) out->offset);
  cascade_arg_int (&a, (gint) h);
  cascade_arg_int (&a, (gint) w);
  cascade_arg_int (&a, (gint) oh);
  cascade_arg_int (&a, (gint) ow);
  cascade_arg_int (&a, (gint) k);
  cascade_arg_int (&a, (gint) stride);
  cascade_arg_int (&a, (gint) pad);
  cascade_arg_int (&a, (gint) total);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, kern, 1, &total, &lws, error);
}

gboolean
cascade_upsample_add (CascadeCtx * ctx, const CascadeTensor * small,
    const CascadeTensor * big, GError ** error)
{
  gsize h, w, bh, bw, total, lws = 64;
  cl_kernel kern;
  CascadeArgs a;

  if (!check_map (small, "Upsample source", error)
      || !check_map (big, "Upsample destination", error))
    return FALSE;
  h = small->shape[2];
  w = small->shape[3];
  bh = big->shape[2];
  bw = big->shape[3];
  if (small->shape[0] != big->shape[0] || small->shape[1] != big->shape[1])
    return cascade_invalid_arg (error, "Upsample-add: source [%" G_GSIZE_FORMAT ", %"
        G_GSIZE_FORMAT ", ...] and destination [%" G_GSIZE_FORMAT ", %"
        G_GSIZE_FORMAT ", ...] differ in batch or channels",
        small->shape[0], small->shape[1], big->shape[0], big->shape[1]);
  if ((h == 0 || w == 0) && bh * bw != 0)
    return cascade_invalid_arg (error, "Upsample-add: empty source map");
  if (cascade_tensor_overlaps (small, big))
    return cascade_invalid_arg (error, "Upsample-add: source overlaps destination");
  total = cascade_tensor_numel (big);
  if (total == 0)
    return TRUE;

  kern = cascade_ctx_kernel (ctx, "pool", "cascade_upsample_add", error);
  if (!kern)
    return FALSE;
  a = cascade_args (kern);
  cascade_arg_mem (&a, small->mem);
  cascade_arg_int (&a, (gint) small->offset);
  cascade_arg_mem (&a, big->mem);
  cascade_arg_int (&a, (gint) big->offset);
  cascade_arg_int (&a, (gint) h);
  cascade_arg_int (&a, (gint) w);
  cascade_arg_int (&a, (gint) bh);
  cascade_arg_int (&a, (gint) bw);
  /* PyTorch's scale: (float) in / out, in float32 */
  cascade_arg_float (&a, (gfloat) h / (gfloat) bh);
  cascade_arg_float (&a, (gfloat) w / (gfloat) bw);
  cascade_arg_int (&a, (gint) total);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, kern, 1, &total, &lws, error);
}
