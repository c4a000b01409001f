/* gst-cascade: max pooling on the device (ops/pool.cl), also the FPN's
 * stride-2 1x1 subsample */
#include "ops/pool.h"
#include "ops/check.h"

#include <string.h>

/* the kernels launched here */
static CascadeKernelDesc desc_maxpool =
    CASCADE_KERNEL_DESC ("pool", "cascade_maxpool");

gboolean
cascade_maxpool_forward (CascadeCtx * ctx, const CascadeTensor * in,
    guint k, guint stride, guint pad, const CascadeTensor * out,
    GError ** error)
{
  gsize h, w, oh, ow, total, lws = 64;
  cl_kernel kern;
  CascadeArgs a;

  if (!cascade_check_map (in, "Max pool input", error)
      || !cascade_check_map (out, "Max pool output", error))
    return FALSE;
  /* PyTorch: "pad should be at most half of effective kernel size", so
   * every window holds at least one real element */
  if (k == 0 || stride == 0 || pad > k / 2)
    return cascade_invalid_arg (error,
        "Invalid max pool: kernel %u, stride %u, pad %u",
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
    return cascade_invalid_arg (error,
        "Max pool output must be [%" G_GSIZE_FORMAT ", %"
        G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT "], got [%"
        G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ", %"
        G_GSIZE_FORMAT "]", in->shape[0], in->shape[1], oh, ow,
        out->shape[0], out->shape[1], out->shape[2], out->shape[3]);
  if (cascade_tensor_overlaps (in, out))
    return cascade_invalid_arg (error, "Max pool output overlaps its input");
  total = cascade_tensor_numel (out);
  if (total == 0)
    return TRUE;

  kern = cascade_ctx_kernel (ctx, &desc_maxpool, error);
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
