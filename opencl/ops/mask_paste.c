/* gst-cascade: pasting a mask into the frame as mmdetection's
 * _do_paste_mask does (ops/mask_paste.cl) */
#include "ops/mask_paste.h"
#include "runtime/error.h"
#include "mask-paste.h"

#include <math.h>

/* the kernels launched here */
static CascadeKernelDesc desc_mask_paste =
    CASCADE_KERNEL_DESC ("mask_paste", "cascade_mask_paste");

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
  k = cascade_ctx_kernel (ctx, &desc_mask_paste, error);
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
