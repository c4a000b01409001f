/* gst-cascade: cascadeoverlay's pixel blending, one function per format
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <math.h>
#include <string.h>

#include "cascadeoverlayblend.h"
#include "cascadeoverlay-orc.h"

/* packed 8-bit RGB, 3 or 4 bytes per pixel */
static void
blend_packed (GstCascadeBlender * b, GstVideoFrame * frame, gint x, gint y,
    gint w, gint h, const guint8 * alpha, gsize astride,
    const GstCascadeColour * c)
{
  guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  guint bpp = b->bpp;
  guint8 pattern[4] = { 0, 0, 0, 0 };
  gint r, i;

  pattern[b->off[0]] = c->r;
  pattern[b->off[1]] = c->g;
  pattern[b->off[2]] = c->b;
  for (i = 0; i < w; i++)
    memcpy (b->colour_row + i * bpp, pattern, bpp);
  /* the padding / alpha byte of 4-byte formats keeps its value */
  memset (b->alpha_row, 0, (gsize) w * bpp);

  for (r = 0; r < h; r++) {
    const guint8 *a = alpha + (gsize) r * astride;
    guint8 *dst = data + (gsize) (y + r) * stride + (gsize) x * bpp;

    for (i = 0; i < w; i++) {
      guint8 *ar = b->alpha_row + i * bpp;
      ar[b->off[0]] = ar[b->off[1]] = ar[b->off[2]] = a[i];
    }
    cascadeoverlay_orc_blend_u8 (dst, b->alpha_row, b->colour_row, w * bpp);
  }
}

/* the luma plane of NV12 and I420 */
static void
blend_luma (GstVideoFrame * frame, gint x, gint y, gint w, gint h,
    const guint8 * alpha, gsize astride, const GstCascadeColour * c)
{
  guint8 *ydata = GST_VIDEO_FRAME_COMP_DATA (frame, 0);
  gint ystride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 0);
  gint r;

  for (r = 0; r < h; r++)
    cascadeoverlay_orc_blend_const_u8 (ydata + (gsize) (y + r) * ystride +
        x, alpha + (gsize) r * astride, c->y, w);
}

/* The alpha of the chroma samples cx0.. of chroma row cy into
 * b->chroma_row: each sample takes the mean alpha of its 2x2 luma block
 * (luma pixels outside the region count as 0). */
static void
chroma_alpha (GstCascadeBlender * b, gint cy, gint cx0, gint cw, gint x,
    gint y, gint w, gint h, const guint8 * alpha, gsize astride)
{
  gint i;

  for (i = 0; i < cw; i++) {
    gint cx = cx0 + i, sum = 0, dy, dx;

    for (dy = 0; dy < 2; dy++) {
      gint ly = 2 * cy + dy - y;
      if (ly < 0 || ly >= h)
        continue;
      for (dx = 0; dx < 2; dx++) {
        gint lx = 2 * cx + dx - x;
        if (lx < 0 || lx >= w)
          continue;
        sum += alpha[(gsize) ly * astride + lx];
      }
    }
    b->chroma_row[i] = (guint8) ((sum + 2) / 4);
  }
}

static void
blend_nv12 (GstCascadeBlender * b, GstVideoFrame * frame, gint x, gint y,
    gint w, gint h, const guint8 * alpha, gsize astride,
    const GstCascadeColour * c)
{
  guint8 *uv = GST_VIDEO_FRAME_PLANE_DATA (frame, 1);
  gint uvstride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 1);
  gint cx0 = x / 2, cx1 = (x + w - 1) / 2;
  gint cy0 = y / 2, cy1 = (y + h - 1) / 2;
  gint cw = cx1 - cx0 + 1, cy, i;
  guint8 pair[2] = { c->u, c->v };

  blend_luma (frame, x, y, w, h, alpha, astride, c);

  for (i = 0; i < cw; i++)
    memcpy (b->colour_row + 2 * i, pair, 2);
  for (cy = cy0; cy <= cy1; cy++) {
    chroma_alpha (b, cy, cx0, cw, x, y, w, h, alpha, astride);
    for (i = 0; i < cw; i++)
      b->alpha_row[2 * i] = b->alpha_row[2 * i + 1] = b->chroma_row[i];
    cascadeoverlay_orc_blend_u8 (uv + (gsize) cy * uvstride + 2 * cx0,
        b->alpha_row, b->colour_row, 2 * cw);
  }
}

static void
blend_i420 (GstCascadeBlender * b, GstVideoFrame * frame, gint x, gint y,
    gint w, gint h, const guint8 * alpha, gsize astride,
    const GstCascadeColour * c)
{
  guint8 *u = GST_VIDEO_FRAME_COMP_DATA (frame, 1);
  guint8 *v = GST_VIDEO_FRAME_COMP_DATA (frame, 2);
  gint ustride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 1);
  gint vstride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 2);
  gint cx0 = x / 2, cx1 = (x + w - 1) / 2;
  gint cy0 = y / 2, cy1 = (y + h - 1) / 2;
  gint cw = cx1 - cx0 + 1, cy;

  blend_luma (frame, x, y, w, h, alpha, astride, c);

  for (cy = cy0; cy <= cy1; cy++) {
    chroma_alpha (b, cy, cx0, cw, x, y, w, h, alpha, astride);
    cascadeoverlay_orc_blend_const_u8 (u + (gsize) cy * ustride + cx0,
        b->chroma_row, c->u, cw);
    cascadeoverlay_orc_blend_const_u8 (v + (gsize) cy * vstride + cx0,
        b->chroma_row, c->v, cw);
  }
}

gboolean
gst_cascade_blender_set_info (GstCascadeBlender * b, const GstVideoInfo * info)
{
  GstVideoFormat format = GST_VIDEO_INFO_FORMAT (info);
  const GstVideoFormatInfo *finfo = info->finfo;
  guint width = GST_VIDEO_INFO_WIDTH (info);
  GstCascadeBlendFunc blend;
  guint bpp = 1;

  if (format == GST_VIDEO_FORMAT_NV12) {
    blend = blend_nv12;
  } else if (format == GST_VIDEO_FORMAT_I420) {
    blend = blend_i420;
  } else if (GST_VIDEO_FORMAT_INFO_IS_RGB (finfo)
      && GST_VIDEO_FORMAT_INFO_BITS (finfo) == 8
      && GST_VIDEO_FORMAT_INFO_N_PLANES (finfo) == 1) {
    bpp = GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, 0);
    if (bpp != 3 && bpp != 4)
      return FALSE;
    blend = blend_packed;
    b->off[0] = GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_R);
    b->off[1] = GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_G);
    b->off[2] = GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_B);
  } else {
    return FALSE;
  }

  if (blend != blend_packed) {
    if (!gst_video_color_matrix_get_Kr_Kb (info->colorimetry.matrix,
            &b->kr, &b->kb)) {
      b->kr = 0.299;
      b->kb = 0.114;
    }
    b->full_range = info->colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255;
  }
  gst_cascade_blender_clear (b);
  b->blend = blend;
  b->bpp = bpp;
  b->ones = g_malloc (width);
  memset (b->ones, 255, width);
  b->alpha_row = g_malloc (width * 4);
  b->colour_row = g_malloc (width * 4);
  b->chroma_row = g_malloc (width + 1);
  return TRUE;
}

void
gst_cascade_blender_clear (GstCascadeBlender * b)
{
  b->blend = NULL;
  g_clear_pointer (&b->ones, g_free);
  g_clear_pointer (&b->alpha_row, g_free);
  g_clear_pointer (&b->colour_row, g_free);
  g_clear_pointer (&b->chroma_row, g_free);
}

void
gst_cascade_blender_colour (const GstCascadeBlender * b, guint8 r, guint8 g,
    guint8 bl, GstCascadeColour * c)
{
  gdouble rf = r / 255.0, gf = g / 255.0, bf = bl / 255.0;
  gdouble y = b->kr * rf + (1.0 - b->kr - b->kb) * gf + b->kb * bf;
  gdouble pb = (bf - y) / (2.0 * (1.0 - b->kb));
  gdouble pr = (rf - y) / (2.0 * (1.0 - b->kr));

  c->r = r;
  c->g = g;
  c->b = bl;
  if (b->full_range) {
    c->y = (guint8) CLAMP (lrint (255.0 * y), 0, 255);
    c->u = (guint8) CLAMP (lrint (128.0 + 255.0 * pb), 0, 255);
    c->v = (guint8) CLAMP (lrint (128.0 + 255.0 * pr), 0, 255);
  } else {
    c->y = (guint8) CLAMP (lrint (16.0 + 219.0 * y), 0, 255);
    c->u = (guint8) CLAMP (lrint (128.0 + 224.0 * pb), 0, 255);
    c->v = (guint8) CLAMP (lrint (128.0 + 224.0 * pr), 0, 255);
  }
}

void
gst_cascade_blender_blend (GstCascadeBlender * b, GstVideoFrame * frame,
    gint x, gint y, gint w, gint h, const guint8 * alpha, gsize astride,
    const GstCascadeColour * c)
{
  gint fw = GST_VIDEO_FRAME_WIDTH (frame), fh = GST_VIDEO_FRAME_HEIGHT (frame);

  /* clip */
  if (x < 0) {
    alpha += -x;
    w += x;
    x = 0;
  }
  if (y < 0) {
    alpha += (gsize) (-y) * astride;
    h += y;
    y = 0;
  }
  w = MIN (w, fw - x);
  h = MIN (h, fh - y);
  if (w <= 0 || h <= 0)
    return;

  b->blend (b, frame, x, y, w, h, alpha, astride, c);
}

void
gst_cascade_blender_fill (GstCascadeBlender * b, GstVideoFrame * frame,
    gint x, gint y, gint w, gint h, const GstCascadeColour * c)
{
  gint fw = GST_VIDEO_FRAME_WIDTH (frame);

  /* the `ones` row is frame-wide: clip horizontally first */
  if (x < 0) {
    w += x;
    x = 0;
  }
  w = MIN (w, fw - x);
  if (w > 0 && h > 0)
    gst_cascade_blender_blend (b, frame, x, y, w, h, b->ones, 0, c);
}
