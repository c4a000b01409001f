/* gst-cascade: box scaling on the device (ops/box_scale.cl) */
#include "ops/box_scale.h"
#include "ops/check.h"

/* the kernels launched here */
static CascadeKernelDesc desc_scale_boxes =
    CASCADE_KERNEL_DESC ("box_scale", "cascade_scale_boxes");

gboolean
cascade_scale_boxes (CascadeCtx * ctx, const CascadeTensor * boxes, gsize n,
    gfloat fx, gfloat fy, GError ** error)
{
  cl_kernel k;
  CascadeArgs a;
  if (n == 0)
    return TRUE;
  if (!cascade_check_floats (boxes, n * 4, "cascade_scale_boxes", "boxes",
          error)
      || !(k = cascade_ctx_kernel (ctx, &desc_scale_boxes, error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, boxes->mem);
  cascade_arg_int (&a, (gint) boxes->offset);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_float (&a, fx);
  cascade_arg_float (&a, fy);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}
