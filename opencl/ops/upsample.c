/* gst-cascade: the nearest upsample-and-add of the FPN's top-down path on
 * the device (ops/upsample.cl) */
#include "ops/upsample.h"
#include "ops/check.h"

/* the kernels launched here */
static CascadeKernelDesc desc_upsample_add =
    CASCADE_KERNEL_DESC ("upsample", "cascade_upsample_add");

gboolean
cascade_upsample_add (CascadeCtx * ctx, const CascadeTensor * small,
    const CascadeTensor * big, GError ** error)
{
  gsize h, w, bh, bw, total, lws = 64;
  cl_kernel kern;
  CascadeArgs a;

  if (!cascade_check_map (small, "Upsample source", error)
      || !cascade_check_map (big, "Upsample destination", error))
    return FALSE;
  h = small->shape[2];
  w = small->shape[3];
  bh = big->shape[2];
  bw = big->shape[3];
  if (small->shape[0] != big->shape[0] || small->shape[1] != big->shape[1])
    return cascade_invalid_arg (error,
        "Upsample-add: source [%" G_GSIZE_FORMAT ", %"
        G_GSIZE_FORMAT ", ...] and destination [%" G_GSIZE_FORMAT ", %"
        G_GSIZE_FORMAT ", ...] differ in batch or channels",
        small->shape[0], small->shape[1], big->shape[0], big->shape[1]);
  if ((h == 0 || w == 0) && bh * bw != 0)
    return cascade_invalid_arg (error, "Upsample-add: empty source map");
  if (cascade_tensor_overlaps (small, big))
    return cascade_invalid_arg (error,
        "Upsample-add: source overlaps destination");
  total = cascade_tensor_numel (big);
  if (total == 0)
    return TRUE;

  kern = cascade_ctx_kernel (ctx, &desc_upsample_add, error);
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
