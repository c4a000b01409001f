/* gst-cascade: fill and copy on the device */
#include "runtime/util.h"
#include "runtime/error.h"

/* the kernels launched here */
static CascadeKernelDesc desc_fill =
    CASCADE_KERNEL_DESC ("util", "cascade_fill");
static CascadeKernelDesc desc_copy =
    CASCADE_KERNEL_DESC ("util", "cascade_copy");

gboolean
cascade_fill (CascadeCtx * ctx, const CascadeTensor * t, gfloat value,
    GError ** error)
{
  gsize n = cascade_tensor_numel (t);
  cl_kernel k = cascade_ctx_kernel (ctx, &desc_fill, error);
  CascadeArgs a;
  if (!k)
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, t->mem);
  cascade_arg_int (&a, (gint) t->offset);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_float (&a, value);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}

gboolean
cascade_copy (CascadeCtx * ctx, const CascadeTensor * src, gsize soff,
    const CascadeTensor * dst, gsize doff, gsize n, GError ** error)
{
  cl_kernel k = cascade_ctx_kernel (ctx, &desc_copy, error);
  CascadeArgs a;
  if (!k)
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, src->mem);
  cascade_arg_int (&a, (gint) (src->offset + soff));
  cascade_arg_mem (&a, dst->mem);
  cascade_arg_int (&a, (gint) (dst->offset + doff));
  cascade_arg_int (&a, (gint) n);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}

gboolean
cascade_copy_rows (CascadeCtx * ctx, const CascadeTensor * src, gsize soff,
    gsize sld, const CascadeTensor * dst, gsize doff, gsize dld, gsize rows,
    gsize cols, GError ** error)
{
  const gsize f = sizeof (gfloat);
  const size_t src_org[3] = { (src->offset + soff) * f, 0, 0 };
  const size_t dst_org[3] = { (dst->offset + doff) * f, 0, 0 };
  const size_t region[3] = { cols * f, rows, 1 };
  if (rows == 0 || cols == 0)
    return TRUE;
  return cascade_cl_check (clEnqueueCopyBufferRect (cascade_ctx_queue (ctx),
          src->mem, dst->mem, src_org, dst_org, region, sld * f, 0, dld * f,
          0, 0, NULL, NULL), "clEnqueueCopyBufferRect", error);
}

gsize
cascade_next_pow2 (gsize n)
{
  gsize p = 1;
  while (p < n)
    p <<= 1;
  return p;
}
