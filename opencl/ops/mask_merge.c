/* gst-cascade: merging the mask heads' outputs on the device
 * (ops/mask_merge.cl) */
#include "ops/mask_merge.h"
#include "runtime/error.h"

/* the kernels launched here */
static CascadeKernelDesc desc_mask_merge =
    CASCADE_KERNEL_DESC ("mask_merge", "cascade_mask_merge");
static CascadeKernelDesc desc_mask_div =
    CASCADE_KERNEL_DESC ("mask_merge", "cascade_mask_div");

gboolean
cascade_mask_merge (CascadeCtx * ctx, const CascadeTensor * logits,
    const CascadeTensor * labels, gsize n, guint num_classes, guint m,
    gfloat scale, gboolean first, const CascadeTensor * probs,
    GError ** error)
{
  gsize mm = (gsize) m * m, total;
  cl_kernel k;
  CascadeArgs a;

  if (m == 0 || m > 4096 || num_classes == 0
      || n > G_MAXINT / mm / num_classes) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "mask_merge: bad sizes (%" G_GSIZE_FORMAT " masks, %u classes, %ux%u)",
        n, num_classes, m, m);
    return FALSE;
  }
  if (n == 0)
    return TRUE;
  total = n * mm;
  if (logits->dtype != CASCADE_DTYPE_F32
      || cascade_tensor_numel (logits) < total * num_classes
      || labels->dtype != CASCADE_DTYPE_I32
      || cascade_tensor_numel (labels) < n
      || probs->dtype != CASCADE_DTYPE_F32
      || cascade_tensor_numel (probs) < total || logits->offset > G_MAXINT
      || labels->offset > G_MAXINT || probs->offset > G_MAXINT) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "mask_merge: need f32 logits [%" G_GSIZE_FORMAT ", %u, %u, %u], "
        "i32 labels [%" G_GSIZE_FORMAT "] and f32 probs [%" G_GSIZE_FORMAT
        ", %u, %u]", n, num_classes, m, m, n, n, m, m);
    return FALSE;
  }
  k = cascade_ctx_kernel (ctx, &desc_mask_merge, error);
  if (!k)
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, logits->mem);
  cascade_arg_int (&a, (gint) logits->offset);
  cascade_arg_mem (&a, labels->mem);
  cascade_arg_int (&a, (gint) labels->offset);
  cascade_arg_mem (&a, probs->mem);
  cascade_arg_int (&a, (gint) probs->offset);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_int (&a, (gint) num_classes);
  cascade_arg_int (&a, (gint) mm);
  cascade_arg_float (&a, scale);
  cascade_arg_int (&a, first ? 1 : 0);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &total, CASCADE_SHAPE (64), error);
}

gboolean
cascade_mask_merge_finish (CascadeCtx * ctx, const CascadeTensor * probs,
    gsize n, guint m, gfloat divisor, GError ** error)
{
  gsize total = n * m * m;
  cl_kernel k;
  CascadeArgs a;

  if (m == 0 || n > G_MAXINT / ((gsize) m * m)
      || probs->dtype != CASCADE_DTYPE_F32
      || cascade_tensor_numel (probs) < total || probs->offset > G_MAXINT) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "mask_merge_finish: need f32 probs [%" G_GSIZE_FORMAT ", %u, %u]",
        n, m, m);
    return FALSE;
  }
  if (total == 0)
    return TRUE;
  k = cascade_ctx_kernel (ctx, &desc_mask_div, error);
  if (!k)
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, probs->mem);
  cascade_arg_int (&a, (gint) probs->offset);
  cascade_arg_int (&a, (gint) total);
  cascade_arg_float (&a, divisor);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &total, CASCADE_SHAPE (64), error);
}
