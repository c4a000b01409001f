/* gst-cascade: row softmax on the device (ops/softmax.cl) */
#include "ops/softmax.h"
#include "ops/check.h"

/* the kernels launched here */
static CascadeKernelDesc desc_softmax_rows =
    CASCADE_KERNEL_DESC ("softmax", "cascade_softmax_rows");

gboolean
cascade_softmax_rows (CascadeCtx * ctx, const CascadeTensor * in,
    gsize rows, gsize cols, const CascadeTensor * out, GError ** error)
{
  cl_kernel k;
  CascadeArgs a;
  if (rows == 0 || cols == 0)
    return TRUE;
  if (!cascade_check_floats (in, rows * cols, "cascade_softmax_rows", "in",
          error)
      || !cascade_check_floats (out, rows * cols, "cascade_softmax_rows", "out",
          error))
    return FALSE;
  if (!(k = cascade_ctx_kernel (ctx, &desc_softmax_rows, error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, in->mem);
  cascade_arg_int (&a, (gint) in->offset);
  cascade_arg_int (&a, (gint) rows);
  cascade_arg_int (&a, (gint) cols);
  cascade_arg_mem (&a, out->mem);
  cascade_arg_int (&a, (gint) out->offset);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &rows, NULL, error);
}
