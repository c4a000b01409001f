/* gst-cascade: frame upload and preprocessing in one kernel: keep-ratio
 * resize (OpenCV INTER_LINEAR on 8-bit), normalisation, zero padding.
 *
 * The resize reproduces cv2.resize (INTER_LINEAR, uint8) bit for bit:
 * OpenCV maps output x to fx = (float) ((x + 0.5) * scale - 0.5) with
 * scale = 1 / (dst / src) in double, weights saturate_cast<short> of
 * (1 - f) * 2048 and f * 2048 (round half even), a horizontal pass kept at
 * full int precision, and a vertical pass computing
 * (((b0 * (S0 >> 4)) >> 16) + ((b1 * (S1 >> 4)) >> 16) + 2) >> 2.
 * Columns left of / right of the source use the edge pixel with weight
 * 2048/0; rows are clamped but keep their weights.  An exact 2x downscale
 * in both directions runs INTER_AREA in OpenCV: the rounded mean of each
 * 2x2 block.  The tables are computed here, in double as OpenCV does, and
 * uploaded with the frame. */
#include "ops/preprocess.h"
#include "runtime/error.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define MAX_FRAME_SIDE 8192

/* the kernels launched here */
static CascadeKernelDesc desc_preprocess =
    CASCADE_KERNEL_DESC ("preprocess", "cascade_preprocess");

static const gchar *const format_names[CASCADE_FORMAT_LAST] = {
  "RGB", "BGR", "RGBx", "BGRx", "xRGB", "xBGR", "RGBA", "BGRA", "ARGB",
  "ABGR", "NV12", "I420",
};

const gchar *
cascade_pixel_format_name (CascadePixelFormat format)
{
  if ((guint) format >= CASCADE_FORMAT_LAST)
    return NULL;
  return format_names[format];
}

CascadePixelFormat
cascade_pixel_format_from_name (const gchar * name)
{
  guint i;
  if (!name)
    return CASCADE_FORMAT_LAST;
  for (i = 0; i < CASCADE_FORMAT_LAST; i++)
    if (strcmp (name, format_names[i]) == 0)
      return (CascadePixelFormat) i;
  return CASCADE_FORMAT_LAST;
}

void
cascade_resize_info (guint w, guint h, guint long_side, guint short_side,
    guint divisor, CascadeResizeInfo * info)
{
  guint l = MAX (long_side, short_side), s = MIN (long_side, short_side);
  gdouble scale;

  g_return_if_fail (info != NULL);
  memset (info, 0, sizeof (*info));
  info->src_w = w;
  info->src_h = h;
  if (w == 0 || h == 0)
    return;
  /* mmcv.rescale_size: min (long / max (h, w), short / min (h, w)) and
   * int (w * scale + 0.5), in Python floats (double) */
  scale = MIN ((gdouble) l / MAX (w, h), (gdouble) s / MIN (w, h));
  info->dst_w = MAX ((guint) (w * scale + 0.5), 1u);
  info->dst_h = MAX ((guint) (h * scale + 0.5), 1u);
  if (divisor == 0)
    divisor = 1;
  info->pad_w = (info->dst_w + divisor - 1) / divisor * divisor;
  info->pad_h = (info->dst_h + divisor - 1) / divisor * divisor;
  info->scale_x = (gdouble) info->dst_w / w;
  info->scale_y = (gdouble) info->dst_h / h;
}

/* Bytes per row, rows and number of the planes of a frame; FALSE for an
 * unknown format. */
static gboolean
frame_layout (CascadePixelFormat format, guint w, guint h, gsize row[3],
    gsize rows[3], guint * n_planes)
{
  gsize cw = (w + 1) / 2, ch = (h + 1) / 2;
  switch (format) {
    case CASCADE_FORMAT_RGB:
    case CASCADE_FORMAT_BGR:
      row[0] = (gsize) w * 3;
      rows[0] = h;
      *n_planes = 1;
      return TRUE;
    case CASCADE_FORMAT_RGBx:
    case CASCADE_FORMAT_BGRx:
    case CASCADE_FORMAT_xRGB:
    case CASCADE_FORMAT_xBGR:
    case CASCADE_FORMAT_RGBA:
    case CASCADE_FORMAT_BGRA:
    case CASCADE_FORMAT_ARGB:
    case CASCADE_FORMAT_ABGR:
      row[0] = (gsize) w * 4;
      rows[0] = h;
      *n_planes = 1;
      return TRUE;
    case CASCADE_FORMAT_NV12:
      row[0] = w;
      rows[0] = h;
      row[1] = cw * 2;
      rows[1] = ch;
      *n_planes = 2;
      return TRUE;
    case CASCADE_FORMAT_I420:
      row[0] = w;
      rows[0] = h;
      row[1] = row[2] = cw;
      rows[1] = rows[2] = ch;
      *n_planes = 3;
      return TRUE;
    default:
      return FALSE;
  }
}

gboolean
cascade_frame_validate (const CascadeFrame * frame, GError ** error)
{
  gsize row[3], rows[3];
  guint n, i;

  if (!frame) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "no frame given");
    return FALSE;
  }
  if (!frame_layout (frame->format, frame->width, frame->height, row, rows,
          &n)) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_UNSUPPORTED,
        "unsupported pixel format %d (supported: RGB, BGR, RGBx, BGRx, xRGB, "
        "xBGR, RGBA, BGRA, ARGB, ABGR, NV12, I420)", (gint) frame->format);
    return FALSE;
  }
  if (frame->width == 0 || frame->height == 0 ||
      frame->width > MAX_FRAME_SIDE || frame->height > MAX_FRAME_SIDE) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "frame size %ux%u out of range (1x1 to %ux%u)", frame->width,
        frame->height, MAX_FRAME_SIDE, MAX_FRAME_SIDE);
    return FALSE;
  }
  for (i = 0; i < n; i++) {
    if (!frame->planes[i]) {
      g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
          "%s frame: plane %u is NULL",
          cascade_pixel_format_name (frame->format), i);
      return FALSE;
    }
    if (frame->strides[i] < row[i]) {
      g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
          "%s frame %ux%u: stride %" G_GSIZE_FORMAT " of plane %u is smaller "
          "than a row (%" G_GSIZE_FORMAT " bytes)",
          cascade_pixel_format_name (frame->format), frame->width,
          frame->height, frame->strides[i], i, row[i]);
      return FALSE;
    }
    /* the kernel addresses planes with 32-bit offsets */
    if (frame->strides[i] > (G_MAXUINT32 / 2) / rows[i]) {
      g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
          "%s frame: stride %" G_GSIZE_FORMAT " of plane %u is too large",
          cascade_pixel_format_name (frame->format), frame->strides[i], i);
      return FALSE;
    }
  }
  return TRUE;
}

/* saturate_cast<short> (v) of a float: round half to even */
static gint
sat_short (gfloat v)
{
  gfloat r = rintf (v);
  return (gint) CLAMP (r, (gfloat) G_MININT16, (gfloat) G_MAXINT16);
}

/* OpenCV's interpolation table for one axis: per output index {i0, i1, w0,
 * w1}, source indices clamped to [0, src - 1].  clamp_weights: columns
 * (OpenCV resets the fraction outside the source), not rows. */
static void
linear_table (guint src, guint dst, gboolean clamp_weights, gint32 * tab)
{
  gdouble inv_scale = (gdouble) dst / src, scale = 1.0 / inv_scale;
  guint d;

  for (d = 0; d < dst; d++) {
    gfloat f = (gfloat) ((d + 0.5) * scale - 0.5);
    gint s = (gint) floorf (f);
    gint s1;
    f -= (gfloat) s;
    if (clamp_weights) {
      if (s < 0)
        f = 0.0f, s = 0;
      if (s >= (gint) src - 1)
        f = 0.0f, s = (gint) src - 1;
    }
    s1 = CLAMP (s + 1, 0, (gint) src - 1);
    tab[4 * d + 0] = CLAMP (s, 0, (gint) src - 1);
    tab[4 * d + 1] = s1;
    tab[4 * d + 2] = sat_short ((1.0f - f) * 2048.0f);
    tab[4 * d + 3] = sat_short (f * 2048.0f);
  }
}

/* OpenCV turns INTER_LINEAR into INTER_AREA when both scales are exactly 2 */
static gboolean
is_area_2x (const CascadeResizeInfo * info)
{
  gdouble sx = 1.0 / ((gdouble) info->dst_w / info->src_w);
  gdouble sy = 1.0 / ((gdouble) info->dst_h / info->src_h);
  return fabs (sx - 2.0) < DBL_EPSILON && fabs (sy - 2.0) < DBL_EPSILON;
}

static gboolean
check_tensor (const CascadeTensor * t, CascadeDType dtype, gsize c, gsize h,
    gsize w, gboolean batch, const gchar * what, GError ** error)
{
  gboolean ok = t->dtype == dtype;
  if (batch)
    ok = ok && t->ndim == 4 && t->shape[0] == 1 && t->shape[1] == c &&
        t->shape[2] == h && t->shape[3] == w;
  else
    ok = ok && t->ndim == 3 && t->shape[0] == c && t->shape[1] == h &&
        t->shape[2] == w;
  if (!ok)
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "preprocess: %s tensor must be %s[%s%" G_GSIZE_FORMAT ", %"
        G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT "]", what,
        dtype == CASCADE_DTYPE_F32 ? "f32" : "u8", batch ? "1, " : "", c, h,
        w);
  return ok;
}

#define ALIGN16(x) (((x) + 15) & ~(gsize) 15)

/* Where the frame's planes and the tables go in the device buffer "frame",
 * and how the kernel reads the pixels. */
typedef struct
{
  gsize row[3], rows[3];        /* bytes per row and rows of each plane */
  gsize dev_stride[3], plane_off[3];
  guint n_planes;
  gsize tab_off, lut_off, total;
  gint kind;                    /* 0 packed, 1 NV12, 2 I420 */
  gint bpp, ob, og, orr;        /* packed: bytes per pixel, B/G/R offsets */
} FramePlan;

static gboolean
check_args (const CascadeFrame * frame, const CascadeResizeInfo * info,
    const CascadeNormalize * norm, const CascadeTensor * out,
    const CascadeTensor * resized_u8, GError ** error)
{
  guint c;

  if (!cascade_frame_validate (frame, error))
    return FALSE;
  if (!info || !norm || !out) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "preprocess: missing resize info, normalisation or output");
    return FALSE;
  }
  if (info->src_w != frame->width || info->src_h != frame->height ||
      info->dst_w == 0 || info->dst_h == 0 || info->pad_w < info->dst_w ||
      info->pad_h < info->dst_h) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "preprocess: resize info %ux%u -> %ux%u (padded %ux%u) does not fit "
        "the %ux%u frame", info->src_w, info->src_h, info->dst_w,
        info->dst_h, info->pad_w, info->pad_h, frame->width, frame->height);
    return FALSE;
  }
  for (c = 0; c < 3; c++)
    if (!(norm->std[c] != 0.0f)) {
      g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
          "preprocess: normalisation std[%u] is %g", c, norm->std[c]);
      return FALSE;
    }
  if (!check_tensor (out, CASCADE_DTYPE_F32, 3, info->pad_h, info->pad_w,
          TRUE, "output", error))
    return FALSE;
  if (resized_u8 && !check_tensor (resized_u8, CASCADE_DTYPE_U8, 3,
          info->dst_h, info->dst_w, FALSE, "resized_u8", error))
    return FALSE;
  return TRUE;
}

/* the pixel layout the kernel reads */
static void
plan_pixels (const CascadeFrame * frame, FramePlan * p)
{
  /* byte offsets of B, G, R in memory order */
  static const gint offs[10][4] = {
    {3, 2, 1, 0}, {3, 0, 1, 2},         /* RGB, BGR */
    {4, 2, 1, 0}, {4, 0, 1, 2},         /* RGBx, BGRx */
    {4, 3, 2, 1}, {4, 1, 2, 3},         /* xRGB, xBGR */
    {4, 2, 1, 0}, {4, 0, 1, 2},         /* RGBA, BGRA */
    {4, 3, 2, 1}, {4, 1, 2, 3},         /* ARGB, ABGR */
  };

  p->bpp = 1;
  p->ob = p->og = p->orr = 0;
  switch (frame->format) {
    case CASCADE_FORMAT_NV12:
      p->kind = 1;
      break;
    case CASCADE_FORMAT_I420:
      p->kind = 2;
      break;
    default:
      p->kind = 0;
      p->bpp = offs[frame->format][0];
      p->ob = offs[frame->format][1];
      p->og = offs[frame->format][2];
      p->orr = offs[frame->format][3];
  }
}

/* device layout: each plane keeps the caller's stride unless that would
 * upload much padding; then rows are packed; the tables follow */
static gboolean
plan_buffer (const CascadeFrame * frame, const CascadeResizeInfo * info,
    FramePlan * p, GError ** error)
{
  gsize total = 0, tab_bytes;
  guint i;

  frame_layout (frame->format, frame->width, frame->height, p->row, p->rows,
      &p->n_planes);
  for (i = 0; i < p->n_planes; i++) {
    gsize s = frame->strides[i];
    p->dev_stride[i] = (s - p->row[i] <= 64 || s - p->row[i] <= p->row[i] / 8)
        ? s : p->row[i];
    p->plane_off[i] = total;
    total = ALIGN16 (total + p->dev_stride[i] * (p->rows[i] - 1) + p->row[i]);
  }
  p->tab_off = total;
  tab_bytes = 4 * sizeof (gint32) * ((gsize) info->dst_w + info->dst_h);
  p->lut_off = ALIGN16 (p->tab_off + tab_bytes);
  p->total = p->lut_off + 3 * 256 * sizeof (gfloat);
  if (p->total > G_MAXUINT32) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "preprocess: frame of %" G_GSIZE_FORMAT " bytes is too large",
        p->total);
    return FALSE;
  }
  return TRUE;
}

/* one write per plane (rectangular when rows are packed) */
static gboolean
upload_planes (cl_command_queue q, cl_mem buf, const CascadeFrame * frame,
    const FramePlan * p, GError ** error)
{
  guint i;

  for (i = 0; i < p->n_planes; i++) {
    cl_int st;
    if (p->dev_stride[i] == frame->strides[i]) {
      st = clEnqueueWriteBuffer (q, buf, CL_TRUE, p->plane_off[i],
          p->dev_stride[i] * (p->rows[i] - 1) + p->row[i], frame->planes[i],
          0, NULL, NULL);
    } else {
      size_t origin[3] = { p->plane_off[i], 0, 0 }, zero[3] = { 0, 0, 0 };
      size_t region[3] = { p->row[i], p->rows[i], 1 };
      st = clEnqueueWriteBufferRect (q, buf, CL_TRUE, origin, zero,
          region, p->dev_stride[i], 0, frame->strides[i], 0,
          frame->planes[i], 0, NULL, NULL);
    }
    if (!cascade_cl_check (st, "preprocess: frame upload", error))
      return FALSE;
  }
  return TRUE;
}

/* the interpolation tables and the normalisation table */
static gboolean
upload_tables (cl_command_queue q, cl_mem buf,
    const CascadeResizeInfo * info, const CascadeNormalize * norm,
    const FramePlan * p, GError ** error)
{
  guint8 *host_tab = g_malloc0 (p->total - p->tab_off);
  gint32 *tab = (gint32 *) host_tab;
  gfloat *lut = (gfloat *) (host_tab + (p->lut_off - p->tab_off));
  guint c, i;
  gboolean ok;

  linear_table (info->src_w, info->dst_w, TRUE, tab);
  linear_table (info->src_h, info->dst_h, FALSE, tab + 4 * info->dst_w);
  for (c = 0; c < 3; c++)
    for (i = 0; i < 256; i++) {
      /* float32 as mmengine: (x - mean) / std */
      gfloat d = (gfloat) i - norm->mean[c];
      lut[c * 256 + i] = d / norm->std[c];
    }
  ok = cascade_cl_check (clEnqueueWriteBuffer (q, buf, CL_TRUE, p->tab_off,
          p->total - p->tab_off, host_tab, 0, NULL, NULL),
      "preprocess: table upload", error);
  g_free (host_tab);
  return ok;
}

static gboolean
launch (CascadeCtx * ctx, cl_mem buf, const CascadeResizeInfo * info,
    const CascadeNormalize * norm, const FramePlan * p,
    const CascadeTensor * out, const CascadeTensor * resized_u8,
    GError ** error)
{
  cl_kernel k = cascade_ctx_kernel (ctx, &desc_preprocess, error);
  cl_uint u[7] = { p->plane_off[1], p->plane_off[2], p->dev_stride[0],
    p->n_planes > 1 ? p->dev_stride[1] : 0,
    p->n_planes > 2 ? p->dev_stride[2] : 0, p->tab_off, p->lut_off
  };
  CascadeArgs a;
  guint i;

  if (!k)
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, buf);
  cascade_arg_int (&a, p->kind);
  cascade_arg_int (&a, p->bpp);
  cascade_arg_int (&a, p->ob);
  cascade_arg_int (&a, p->og);
  cascade_arg_int (&a, p->orr);
  for (i = 0; i < 7; i++)
    cascade_arg (&a, sizeof (cl_uint), &u[i]);
  cascade_arg_int (&a, is_area_2x (info) ? 1 : 0);
  cascade_arg_int (&a, (gint) info->dst_w);
  cascade_arg_int (&a, (gint) info->dst_h);
  cascade_arg_int (&a, (gint) info->pad_w);
  cascade_arg_int (&a, (gint) info->pad_h);
  cascade_arg_int (&a, norm->to_rgb ? 1 : 0);
  cascade_arg_mem (&a, out->mem);
  cascade_arg_int (&a, (gint) out->offset);
  cascade_arg_mem (&a, resized_u8 ? resized_u8->mem : NULL);
  cascade_arg_int (&a, resized_u8 ? (gint) resized_u8->offset : 0);
  cascade_arg_int (&a, resized_u8 ? 1 : 0);
  if (!cascade_args_check (&a, error))
    return FALSE;
  return cascade_ctx_launch (ctx, k, 2, CASCADE_SHAPE (info->pad_w,
          info->pad_h), CASCADE_SHAPE (32, 4), error);
}

gboolean
cascade_preprocess (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeFrame * frame, const CascadeResizeInfo * info,
    const CascadeNormalize * norm, const CascadeTensor * out,
    const CascadeTensor * resized_u8, GError ** error)
{
  cl_command_queue q = cascade_ctx_queue (ctx);
  FramePlan plan;
  CascadeTensor buf;

  if (!check_args (frame, info, norm, out, resized_u8, error))
    return FALSE;
  memset (&plan, 0, sizeof plan);
  plan_pixels (frame, &plan);
  return plan_buffer (frame, info, &plan, error)
      && cascade_arena_tensor (arena, "frame", &buf, CASCADE_DTYPE_U8, 1,
      CASCADE_SHAPE (plan.total), error)
      && upload_planes (q, buf.mem, frame, &plan, error)
      && upload_tables (q, buf.mem, info, norm, &plan, error)
      && launch (ctx, buf.mem, info, norm, &plan, out, resized_u8, error);
}
