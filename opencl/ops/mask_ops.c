/* gst-cascade: mask head post-processing: merging the heads, pasting a
 * 28x28 mask into the frame as mmdetection's _do_paste_mask does */
#include "ops/mask_ops.h"
#include "runtime/error.h"
#include "mask-paste.h"


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
  k = cascade_ctx_kernel (ctx, "mask_ops", "cascade_mask_merge", error);
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
  k = cascade_ctx_kernel (ctx, "mask_ops", "cascade_mask_div", error);
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

void
cascade_mask_paste_region (const gfloat box[4], guint width, guint height,
    gint region[4])
{
  /* the rule has one owner: common's CPU paste */
  cascade_paste_region (box, width, height, region);
}

gboolean
cascade_mask_paste (CascadeCtx * ctx, const CascadeTensor * probs,
    guint m, const gfloat box[4], guint width, guint height,
    gfloat threshold, const CascadeTensor * out, GError ** error)
{
  gint region[4];
  cl_kernel k;
  CascadeArgs a;

  if (m == 0 || m > 4096 || width > 65536 || height > 65536
      || probs->dtype != CASCADE_DTYPE_F32
      || cascade_tensor_numel (probs) < (gsize) m * m
      || out->dtype != CASCADE_DTYPE_U8
      || cascade_tensor_numel (out) < (gsize) width * height
      || probs->offset > G_MAXINT || out->offset > G_MAXINT
      || (gsize) width * height > G_MAXINT - out->offset) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "mask_paste: need f32 probs [%u, %u] and u8 out [%u, %u]", m, m,
        height, width);
    return FALSE;
  }
  if (width == 0 || height == 0)
    return TRUE;
  cascade_mask_paste_region (box, width, height, region);
  k = cascade_ctx_kernel (ctx, "mask_ops", "cascade_mask_paste", error);
  if (!k)
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, probs->mem);
  cascade_arg_int (&a, (gint) probs->offset);
  cascade_arg_int (&a, (gint) m);
  cascade_arg_mem (&a, out->mem);
  cascade_arg_int (&a, (gint) out->offset);
  cascade_arg_int (&a, (gint) width);
  cascade_arg_int (&a, (gint) height);
  cascade_arg_int (&a, region[0]);
  cascade_arg_int (&a, region[2]);
  cascade_arg_int (&a, region[1]);
  cascade_arg_int (&a, region[3]);
  cascade_arg_float (&a, box[0]);
  cascade_arg_float (&a, box[1]);
  cascade_arg_float (&a, box[2]);
  cascade_arg_float (&a, box[3]);
  cascade_arg_float (&a, threshold);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 2, CASCADE_SHAPE (width, height),
      CASCADE_SHAPE (16, 4), error);
}
