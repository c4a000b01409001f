/* gst-cascade: multi-level RoIAlign (mmcv roi_align, aligned=True,
 * sampling_ratio=0, average) with mmdetection's SingleRoIExtractor level
 * mapping */
#include "ops/roi_align.h"
#include "runtime/error.h"

#include <math.h>
#include <string.h>

/* channels per work item, as ROI_CPB in ops/roi_align.cl */
#define ROI_CPB 32

/* the kernels launched here */
static CascadeKernelDesc desc_roi_align =
    CASCADE_KERNEL_DESC ("roi_align", "cascade_roi_align");

/* mmdetection's map_roi_levels in float32 as torch computes it:
 * floor (log2 (sqrt (area) / finest_scale + 1e-6)), not yet clamped. */
static gint
roi_level_of_area (gfloat area, guint finest_scale)
{
  gfloat scale = sqrtf (area);
  gfloat x = scale / (gfloat) finest_scale + 1e-6f;
  return (gint) floorf (log2f (x));
}

/* The smallest non-negative float area whose level is >= k (the level is
 * monotonic in the area): a binary search over the ordered bit patterns of
 * the non-negative floats.  Comparing areas with these thresholds on the
 * device reproduces the level exactly, without depending on the accuracy
 * of the device's sqrt, division and log2. */
static gfloat
roi_level_threshold (gint k, guint finest_scale)
{
  guint32 lo = 0, hi = 0x7f800000u;     /* +inf: level >= k for no area */
  gfloat f;
  while (lo < hi) {
    guint32 mid = lo + (hi - lo) / 2;
    memcpy (&f, &mid, sizeof (f));
    if (roi_level_of_area (f, finest_scale) >= k)
      hi = mid;
    else
      lo = mid + 1;
  }
  memcpy (&f, &lo, sizeof (f));
  return f;
}

static gboolean
roi_check_feat (const CascadeTensor * t, guint level, gsize channels,
    GError ** error)
{
  if (t->dtype != CASCADE_DTYPE_F32 || t->ndim != 4 || t->shape[0] != 1
      || t->shape[1] != channels || t->shape[2] == 0 || t->shape[3] == 0
      || t->shape[2] > G_MAXINT / t->shape[3]
      || t->shape[1] * t->shape[2] * t->shape[3] > G_MAXINT
      || t->offset > G_MAXINT) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "roi_align: feature level %u must be f32 [1, %" G_GSIZE_FORMAT
        ", H, W] with H, W >= 1", level, channels);
    return FALSE;
  }
  return TRUE;
}

gboolean
cascade_roi_align (CascadeCtx * ctx, guint num_levels,
    const CascadeTensor * feats, const guint * strides, guint finest_scale,
    const CascadeTensor * rois, gsize n, guint out_size,
    const CascadeTensor * out, GError ** error)
{
  gsize channels, total, items, l;
  gfloat t[CASCADE_ROI_MAX_LEVELS - 1];
  cl_kernel k;
  CascadeArgs a;

  if (num_levels < 1 || num_levels > CASCADE_ROI_MAX_LEVELS || !feats
      || !strides || finest_scale == 0 || out_size == 0 || out_size > 1024) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "roi_align: bad parameters (%u levels, finest scale %u, output %u)",
        num_levels, finest_scale, out_size);
    return FALSE;
  }
  channels = feats[0].ndim == 4 ? feats[0].shape[1] : 0;
  for (l = 0; l < num_levels; l++) {
    if (!roi_check_feat (&feats[l], l, channels, error))
      return FALSE;
    if (strides[l] == 0) {
      g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
          "roi_align: stride of level %" G_GSIZE_FORMAT " is 0", l);
      return FALSE;
    }
  }
  if (n == 0)
    return TRUE;
  total = n * channels * out_size * out_size;
  /* work items: one per roi, output cell and group of ROI_CPB channels */
  items = n * ((channels + ROI_CPB - 1) / ROI_CPB) * out_size * out_size;
  if (channels == 0 || n > G_MAXINT / (channels * out_size * out_size)) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "roi_align: %" G_GSIZE_FORMAT " rois x %" G_GSIZE_FORMAT
        " channels is too large", n, channels);
    return FALSE;
  }
  if (rois->dtype != CASCADE_DTYPE_F32 || cascade_tensor_numel (rois) < n * 4
      || rois->offset > G_MAXINT) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "roi_align: rois must be f32 with at least %" G_GSIZE_FORMAT
        " x 4 elements", n);
    return FALSE;
  }
  if (out->dtype != CASCADE_DTYPE_F32 || cascade_tensor_numel (out) < total
      || out->offset > G_MAXINT) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "roi_align: output must be f32 with at least %" G_GSIZE_FORMAT
        " elements", total);
    return FALSE;
  }

  for (l = 1; l < CASCADE_ROI_MAX_LEVELS; l++)
    t[l - 1] = l < num_levels ? roi_level_threshold (l, finest_scale)
        : INFINITY;

  k = cascade_ctx_kernel (ctx, &desc_roi_align, error);
  if (!k)
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, rois->mem);
  cascade_arg_int (&a, (gint) rois->offset);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_mem (&a, out->mem);
  cascade_arg_int (&a, (gint) out->offset);
  cascade_arg_int (&a, (gint) channels);
  cascade_arg_int (&a, (gint) out_size);
  cascade_arg_float (&a, t[0]);
  cascade_arg_float (&a, t[1]);
  cascade_arg_float (&a, t[2]);
  for (l = 0; l < CASCADE_ROI_MAX_LEVELS; l++) {
    /* unused levels repeat level 0; no roi reaches them */
    const CascadeTensor *f = &feats[l < num_levels ? l : 0];
    guint stride = strides[l < num_levels ? l : 0];
    cascade_arg_mem (&a, f->mem);
    cascade_arg_int (&a, (gint) f->offset);
    cascade_arg_int (&a, (gint) f->shape[2]);
    cascade_arg_int (&a, (gint) f->shape[3]);
    /* mmcv's spatial_scale is a float: 1 / stride rounded once */
    cascade_arg_float (&a, (gfloat) (1.0 / stride));
  }
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &items, CASCADE_SHAPE (64), error);
}
