/* gst-cascade: the mean of several tensors on the device (ops/average.cl) */
#include "ops/average.h"
#include "ops/check.h"

/* the kernels launched here */
static CascadeKernelDesc desc_accumulate =
    CASCADE_KERNEL_DESC ("average", "cascade_accumulate");
static CascadeKernelDesc desc_divide =
    CASCADE_KERNEL_DESC ("average", "cascade_divide");

gboolean
cascade_accumulate (CascadeCtx * ctx, const CascadeTensor * logits,
    gsize n, gfloat scale, gboolean first, const CascadeTensor * acc,
    GError ** error)
{
  cl_kernel k;
  CascadeArgs a;
  if (n == 0)
    return TRUE;
  if (!cascade_check_floats (logits, n, "cascade_accumulate", "logits", error)
      || !cascade_check_floats (acc, n, "cascade_accumulate", "acc", error))
    return FALSE;
  if (!(k = cascade_ctx_kernel (ctx, &desc_accumulate, error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, logits->mem);
  cascade_arg_int (&a, (gint) logits->offset);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_float (&a, scale);
  cascade_arg_int (&a, first ? 1 : 0);
  cascade_arg_mem (&a, acc->mem);
  cascade_arg_int (&a, (gint) acc->offset);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}

gboolean
cascade_divide (CascadeCtx * ctx, const CascadeTensor * acc, gsize n,
    gfloat divisor, GError ** error)
{
  cl_kernel k;
  CascadeArgs a;
  if (n == 0)
    return TRUE;
  if (!cascade_check_floats (acc, n, "cascade_divide", "acc", error))
    return FALSE;
  if (!(k = cascade_ctx_kernel (ctx, &desc_divide, error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, acc->mem);
  cascade_arg_int (&a, (gint) acc->offset);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_float (&a, divisor);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}
