/* gst-cascade: mmdetection's box delta decoding on the device
 * (ops/box_coder.cl) */
#include "ops/box_coder.h"
#include "ops/check.h"

#include <math.h>

/* the kernels launched here */
static CascadeKernelDesc desc_delta2bbox =
    CASCADE_KERNEL_DESC ("box_coder", "cascade_delta2bbox");

gboolean
cascade_delta2bbox (CascadeCtx * ctx, const CascadeTensor * rois,
    const CascadeTensor * deltas, gsize n, const gfloat stds[4],
    gfloat max_w, gfloat max_h, const CascadeTensor * out, GError ** error)
{
  cl_kernel k;
  CascadeArgs a;
  cl_float4 std;
  guint i;
  gfloat max_ratio = (gfloat) fabs (log (16.0 / 1000.0));

  if (n == 0)
    return TRUE;
  if (!cascade_check_floats (rois, n * 4, "cascade_delta2bbox", "rois", error)
      || !cascade_check_floats (deltas, n * 4, "cascade_delta2bbox", "deltas",
          error)
      || !cascade_check_floats (out, n * 4, "cascade_delta2bbox", "out",
          error))
    return FALSE;
  if (!(k = cascade_ctx_kernel (ctx, &desc_delta2bbox, error)))
    return FALSE;
  for (i = 0; i < 4; i++)
    std.s[i] = stds[i];
  a = cascade_args (k);
  cascade_arg_mem (&a, rois->mem);
  cascade_arg_int (&a, (gint) rois->offset);
  cascade_arg_mem (&a, deltas->mem);
  cascade_arg_int (&a, (gint) deltas->offset);
  cascade_arg_int (&a, (gint) n);
  cascade_arg (&a, sizeof (std), &std);
  cascade_arg_float (&a, max_ratio);
  cascade_arg_float (&a, max_w);
  cascade_arg_float (&a, max_h);
  cascade_arg_mem (&a, out->mem);
  cascade_arg_int (&a, (gint) out->offset);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}
