/* gst-cascade: cascadeoverlay, draws the detections of GstCascadeMeta
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-cascadeoverlay
 * @title: cascadeoverlay
 * @see_also: cascadedetect, cascadejson
 *
 * Draws the objects of the #GstCascadeMeta attached to each frame (by
 * cascadedetect) onto the frame itself: a box, a label with the score, and
 * for mask models a translucent fill of the instance mask with an opaque
 * outline.  Colours are fixed per class id.  Frames without the meta pass
 * unchanged.  Works on packed RGB formats and on NV12 / I420, where it
 * draws in YUV (the chroma of a 2x2 block is blended with the mean of the
 * block's alpha).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! \
 *     cascadedetect model=model.safetensors ! cascadeoverlay line-width=3 ! \
 *     videoconvert ! autovideosink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include <pango/pangocairo.h>

#include "gstcascadeoverlay.h"
#include "gstcascademeta.h"
#include "cascadeoverlay-orc.h"

GST_DEBUG_CATEGORY_STATIC (gst_cascade_overlay_debug);
#define GST_CAT_DEFAULT gst_cascade_overlay_debug

#define DEFAULT_LINE_WIDTH 2
#define DEFAULT_MASK_OPACITY 0.5
#define DEFAULT_DRAW_BOXES TRUE
#define DEFAULT_DRAW_LABELS TRUE
#define DEFAULT_DRAW_MASKS TRUE

#define MAX_LINE_WIDTH 64
/* cached label bitmaps, cleared when they grow beyond this */
#define LABEL_CACHE_MAX 512

enum
{
  PROP_0,
  PROP_LINE_WIDTH,
  PROP_MASK_OPACITY,
  PROP_DRAW_BOXES,
  PROP_DRAW_LABELS,
  PROP_DRAW_MASKS,
};

#define OVERLAY_FORMATS \
  "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, NV12, I420 }"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (OVERLAY_FORMATS)));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (OVERLAY_FORMATS)));

typedef struct
{
  guint8 r, g, b;
  guint8 y, u, v;
} Colour;

/* an alpha map of a rendered label text */
typedef struct
{
  gint width, height;
  guint8 *alpha;
} LabelBitmap;

struct _GstCascadeOverlay
{
  GstVideoFilter parent;

  /* properties, under the object lock */
  guint line_width;
  gdouble mask_opacity;
  gboolean draw_boxes;
  gboolean draw_labels;
  gboolean draw_masks;

  /* < private > streaming thread only */
  gboolean yuv;
  gboolean nv12;
  guint bpp;                    /* packed formats: bytes per pixel */
  gint off[3];                  /* packed formats: byte of R, G, B */
  gdouble kr, kb;               /* YUV formats: colour matrix */
  gboolean full_range;
  gint font_px;

  guint8 *ones;                 /* a row of 255, frame width */
  guint8 *alpha_row;            /* per-byte alpha of one row */
  guint8 *colour_row;           /* per-byte colour of one row */
  guint8 *chroma_row;           /* per-chroma-sample alpha of one row */
  guint8 *mask_buf;             /* pasted mask of a region */
  guint8 *mask_alpha;           /* alpha of that region */
  gsize mask_buf_size;

  PangoFontMap *font_map;
  PangoContext *pango;
  GHashTable *labels;           /* text -> LabelBitmap */
};

#define gst_cascade_overlay_parent_class parent_class
G_DEFINE_TYPE (GstCascadeOverlay, gst_cascade_overlay, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cascadeoverlay, "cascadeoverlay", GST_RANK_NONE,
    GST_TYPE_CASCADE_OVERLAY);

/* a fixed palette indexed by class id (modulo its size) */
static const guint8 palette[][3] = {
  {220, 20, 60}, {0, 130, 200}, {60, 180, 75}, {255, 225, 25},
  {245, 130, 48}, {145, 30, 180}, {70, 240, 240}, {240, 50, 230},
  {210, 245, 60}, {250, 190, 212}, {0, 128, 128}, {170, 110, 40},
  {128, 0, 0}, {170, 255, 195}, {128, 128, 0}, {0, 0, 128},
  {255, 127, 80}, {106, 90, 205}, {0, 191, 255}, {154, 205, 50},
};

static void gst_cascade_overlay_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec);
static void gst_cascade_overlay_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec);
static void gst_cascade_overlay_finalize (GObject * object);
static gboolean gst_cascade_overlay_start (GstBaseTransform * trans);
static gboolean gst_cascade_overlay_stop (GstBaseTransform * trans);
static gboolean gst_cascade_overlay_set_info (GstVideoFilter * filter,
    GstCaps * incaps, GstVideoInfo * in_info, GstCaps * outcaps,
    GstVideoInfo * out_info);
static GstFlowReturn gst_cascade_overlay_transform_frame_ip (GstVideoFilter *
    filter, GstVideoFrame * frame);

static void
label_bitmap_free (gpointer data)
{
  LabelBitmap *bm = data;

  g_free (bm->alpha);
  g_free (bm);
}

static void
gst_cascade_overlay_class_init (GstCascadeOverlayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_cascade_overlay_debug, "cascadeoverlay", 0,
      "cascadeoverlay");

  gobject_class->set_property = gst_cascade_overlay_set_property;
  gobject_class->get_property = gst_cascade_overlay_get_property;
  gobject_class->finalize = gst_cascade_overlay_finalize;

  /**
   * GstCascadeOverlay:line-width:
   *
   * Thickness of the box outlines in pixels, drawn inside the box.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LINE_WIDTH,
      g_param_spec_uint ("line-width", "Line width",
          "Thickness of the box outlines in pixels", 1, MAX_LINE_WIDTH,
          DEFAULT_LINE_WIDTH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstCascadeOverlay:mask-opacity:
   *
   * Opacity of the instance mask fill (the outline is opaque); 0 draws the
   * outline only.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MASK_OPACITY,
      g_param_spec_double ("mask-opacity", "Mask opacity",
          "Opacity of the instance mask fill (0: outline only)", 0.0, 1.0,
          DEFAULT_MASK_OPACITY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstCascadeOverlay:draw-boxes:
   *
   * Draw the box of each object.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_DRAW_BOXES,
      g_param_spec_boolean ("draw-boxes", "Draw boxes",
          "Draw the box of each object", DEFAULT_DRAW_BOXES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstCascadeOverlay:draw-labels:
   *
   * Draw the label and score of each object above its box.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_DRAW_LABELS,
      g_param_spec_boolean ("draw-labels", "Draw labels",
          "Draw the label and score of each object", DEFAULT_DRAW_LABELS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstCascadeOverlay:draw-masks:
   *
   * Draw the instance masks (mask models only).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_DRAW_MASKS,
      g_param_spec_boolean ("draw-masks", "Draw masks",
          "Draw the instance masks (mask models)", DEFAULT_DRAW_MASKS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_set_static_metadata (element_class,
      "Cascade R-CNN detection overlay", "Filter/Effect/Video",
      "Draws the boxes, labels, scores and instance masks of the "
      "GstCascadeMeta attached by cascadedetect onto the video frames: "
      "translucent per-class mask fills with an outline, box outlines and "
      "the label with its score rendered with Pango; colours are fixed "
      "per class. RGB formats and NV12/I420 are drawn in place.",
      "gst-cascade developers");

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_cascade_overlay_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_cascade_overlay_stop);

  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_cascade_overlay_set_info);
  filter_class->transform_frame_ip =
      GST_DEBUG_FUNCPTR (gst_cascade_overlay_transform_frame_ip);
}

static void
gst_cascade_overlay_init (GstCascadeOverlay * self)
{
  self->line_width = DEFAULT_LINE_WIDTH;
  self->mask_opacity = DEFAULT_MASK_OPACITY;
  self->draw_boxes = DEFAULT_DRAW_BOXES;
  self->draw_labels = DEFAULT_DRAW_LABELS;
  self->draw_masks = DEFAULT_DRAW_MASKS;

  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_cascade_overlay_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstCascadeOverlay *self = GST_CASCADE_OVERLAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LINE_WIDTH:
      self->line_width = g_value_get_uint (value);
      break;
    case PROP_MASK_OPACITY:
      self->mask_opacity = g_value_get_double (value);
      break;
    case PROP_DRAW_BOXES:
      self->draw_boxes = g_value_get_boolean (value);
      break;
    case PROP_DRAW_LABELS:
      self->draw_labels = g_value_get_boolean (value);
      break;
    case PROP_DRAW_MASKS:
      self->draw_masks = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cascade_overlay_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstCascadeOverlay *self = GST_CASCADE_OVERLAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LINE_WIDTH:
      g_value_set_uint (value, self->line_width);
      break;
    case PROP_MASK_OPACITY:
      g_value_set_double (value, self->mask_opacity);
      break;
    case PROP_DRAW_BOXES:
      g_value_set_boolean (value, self->draw_boxes);
      break;
    case PROP_DRAW_LABELS:
      g_value_set_boolean (value, self->draw_labels);
      break;
    case PROP_DRAW_MASKS:
      g_value_set_boolean (value, self->draw_masks);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
free_buffers (GstCascadeOverlay * self)
{
  g_clear_pointer (&self->ones, g_free);
  g_clear_pointer (&self->alpha_row, g_free);
  g_clear_pointer (&self->colour_row, g_free);
  g_clear_pointer (&self->chroma_row, g_free);
  g_clear_pointer (&self->mask_buf, g_free);
  g_clear_pointer (&self->mask_alpha, g_free);
  self->mask_buf_size = 0;
}

static void
gst_cascade_overlay_finalize (GObject * object)
{
  GstCascadeOverlay *self = GST_CASCADE_OVERLAY (object);

  free_buffers (self);
  g_clear_pointer (&self->labels, g_hash_table_unref);
  g_clear_object (&self->pango);
  g_clear_object (&self->font_map);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static gboolean
gst_cascade_overlay_start (GstBaseTransform * trans)
{
  GstCascadeOverlay *self = GST_CASCADE_OVERLAY (trans);

  self->font_map = pango_cairo_font_map_new ();
  self->pango = pango_font_map_create_context (self->font_map);
  self->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      label_bitmap_free);

  return TRUE;
}

static gboolean
gst_cascade_overlay_stop (GstBaseTransform * trans)
{
  GstCascadeOverlay *self = GST_CASCADE_OVERLAY (trans);

  g_clear_pointer (&self->labels, g_hash_table_unref);
  g_clear_object (&self->pango);
  g_clear_object (&self->font_map);
  free_buffers (self);

  return TRUE;
}

static gboolean
gst_cascade_overlay_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstCascadeOverlay *self = GST_CASCADE_OVERLAY (filter);
  GstVideoFormat format = GST_VIDEO_INFO_FORMAT (in_info);
  guint width = GST_VIDEO_INFO_WIDTH (in_info);
  guint height = GST_VIDEO_INFO_HEIGHT (in_info);
  const GstVideoFormatInfo *finfo = in_info->finfo;

  self->yuv = GST_VIDEO_FORMAT_INFO_IS_YUV (finfo);
  self->nv12 = format == GST_VIDEO_FORMAT_NV12;

  if (self->yuv) {
    if (format != GST_VIDEO_FORMAT_NV12 && format != GST_VIDEO_FORMAT_I420)
      goto unsupported;
    if (!gst_video_color_matrix_get_Kr_Kb (in_info->colorimetry.matrix,
            &self->kr, &self->kb)) {
      self->kr = 0.299;
      self->kb = 0.114;
    }
    self->full_range =
        in_info->colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255;
    self->bpp = 1;
  } else if (GST_VIDEO_FORMAT_INFO_IS_RGB (finfo)
      && GST_VIDEO_FORMAT_INFO_BITS (finfo) == 8
      && GST_VIDEO_FORMAT_INFO_N_PLANES (finfo) == 1) {
    self->bpp = GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, 0);
    self->off[0] = GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_R);
    self->off[1] = GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_G);
    self->off[2] = GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_B);
    if (self->bpp != 3 && self->bpp != 4)
      goto unsupported;
  } else {
    goto unsupported;
  }

  free_buffers (self);
  self->ones = g_malloc (width);
  memset (self->ones, 255, width);
  self->alpha_row = g_malloc (width * 4);
  self->colour_row = g_malloc (width * 4);
  self->chroma_row = g_malloc (width + 1);

  self->font_px = CLAMP ((gint) height / 40, 10, 48);
  if (self->labels)
    g_hash_table_remove_all (self->labels);

  GST_DEBUG_OBJECT (self, "%s %ux%u, font %d px",
      gst_video_format_to_string (format), width, height, self->font_px);
  return TRUE;

  /* ERRORS */
unsupported:
  {
    GST_ERROR_OBJECT (self, "unsupported format %s",
        gst_video_format_to_string (format));
    return FALSE;
  }
}

static void
make_colour (GstCascadeOverlay * self, guint8 r, guint8 g, guint8 b,
    Colour * c)
{
  gdouble rf = r / 255.0, gf = g / 255.0, bf = b / 255.0;
  gdouble y = self->kr * rf + (1.0 - self->kr - self->kb) * gf + self->kb * bf;
  gdouble pb = (bf - y) / (2.0 * (1.0 - self->kb));
  gdouble pr = (rf - y) / (2.0 * (1.0 - self->kr));

  c->r = r;
  c->g = g;
  c->b = b;
  if (self->full_range) {
    c->y = (guint8) CLAMP (lrint (255.0 * y), 0, 255);
    c->u = (guint8) CLAMP (lrint (128.0 + 255.0 * pb), 0, 255);
    c->v = (guint8) CLAMP (lrint (128.0 + 255.0 * pr), 0, 255);
  } else {
    c->y = (guint8) CLAMP (lrint (16.0 + 219.0 * y), 0, 255);
    c->u = (guint8) CLAMP (lrint (128.0 + 224.0 * pb), 0, 255);
    c->v = (guint8) CLAMP (lrint (128.0 + 224.0 * pr), 0, 255);
  }
}

static void
class_colour (GstCascadeOverlay * self, gint class_id, Colour * c)
{
  guint i = (guint) ABS (class_id) % G_N_ELEMENTS (palette);

  make_colour (self, palette[i][0], palette[i][1], palette[i][2], c);
}

/* Blends colour c with a w x h alpha map (row stride astride; 0 repeats
 * the first row) whose top-left pixel lands on frame pixel (x, y);
 * everything outside the frame is clipped. */
static void
blend_region (GstCascadeOverlay * self, GstVideoFrame * frame, gint x,
    gint y, gint w, gint h, const guint8 * alpha, gsize astride,
    const Colour * c)
{
  gint fw = GST_VIDEO_FRAME_WIDTH (frame), fh = GST_VIDEO_FRAME_HEIGHT (frame);
  gint r, i;

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

  if (!self->yuv) {
    guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
    guint bpp = self->bpp;
    guint8 pattern[4] = { 0, 0, 0, 0 };

    pattern[self->off[0]] = c->r;
    pattern[self->off[1]] = c->g;
    pattern[self->off[2]] = c->b;
    for (i = 0; i < w; i++)
      memcpy (self->colour_row + i * bpp, pattern, bpp);
    /* the padding / alpha byte of 4-byte formats keeps its value */
    memset (self->alpha_row, 0, (gsize) w * bpp);

    for (r = 0; r < h; r++) {
      const guint8 *a = alpha + (gsize) r * astride;
      guint8 *dst = data + (gsize) (y + r) * stride + (gsize) x * bpp;

      for (i = 0; i < w; i++) {
        guint8 *ar = self->alpha_row + i * bpp;
        ar[self->off[0]] = ar[self->off[1]] = ar[self->off[2]] = a[i];
      }
      cascadeoverlay_orc_blend_u8 (dst, self->alpha_row, self->colour_row,
          w * bpp);
    }
  } else {
    guint8 *ydata = GST_VIDEO_FRAME_COMP_DATA (frame, 0);
    gint ystride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 0);
    gint cx0 = x / 2, cx1 = (x + w - 1) / 2;
    gint cy0 = y / 2, cy1 = (y + h - 1) / 2;
    gint cw = cx1 - cx0 + 1, cy;

    for (r = 0; r < h; r++)
      cascadeoverlay_orc_blend_const_u8 (ydata + (gsize) (y + r) * ystride +
          x, alpha + (gsize) r * astride, c->y, w);

    /* chroma: each sample takes the mean alpha of its 2x2 luma block
     * (luma pixels outside the region count as 0) */
    if (self->nv12) {
      guint8 uv[2] = { c->u, c->v };
      for (i = 0; i < cw; i++)
        memcpy (self->colour_row + 2 * i, uv, 2);
    }
    for (cy = cy0; cy <= cy1; cy++) {
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
        self->chroma_row[i] = (guint8) ((sum + 2) / 4);
      }
      if (self->nv12) {
        guint8 *uv = GST_VIDEO_FRAME_PLANE_DATA (frame, 1);
        gint uvstride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 1);

        for (i = 0; i < cw; i++)
          self->alpha_row[2 * i] = self->alpha_row[2 * i + 1] =
              self->chroma_row[i];
        cascadeoverlay_orc_blend_u8 (uv + (gsize) cy * uvstride + 2 * cx0,
            self->alpha_row, self->colour_row, 2 * cw);
      } else {
        guint8 *u = GST_VIDEO_FRAME_COMP_DATA (frame, 1);
        guint8 *v = GST_VIDEO_FRAME_COMP_DATA (frame, 2);
        gint ustride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 1);
        gint vstride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 2);

        cascadeoverlay_orc_blend_const_u8 (u + (gsize) cy * ustride + cx0,
            self->chroma_row, c->u, cw);
        cascadeoverlay_orc_blend_const_u8 (v + (gsize) cy * vstride + cx0,
            self->chroma_row, c->v, cw);
      }
    }
  }
}

/* opaque rectangle */
static void
fill_rect (GstCascadeOverlay * self, GstVideoFrame * frame, gint x, gint y,
    gint w, gint h, const Colour * c)
{
  gint fw = GST_VIDEO_FRAME_WIDTH (frame);

  /* the `ones` row is frame-wide: clip horizontally first */
  if (x < 0) {
    w += x;
    x = 0;
  }
  w = MIN (w, fw - x);
  if (w > 0 && h > 0)
    blend_region (self, frame, x, y, w, h, self->ones, 0, c);
}

/* The pixels a box covers: columns [*l, *r], rows [*t, *b]; FALSE when it
 * covers none of the frame. */
static gboolean
box_pixels (const GstCascadeObject * o, gdouble sx, gdouble sy, gint fw,
    gint fh, gint * l, gint * t, gint * r, gint * b)
{
  gdouble x1 = floor (o->x1 * sx), y1 = floor (o->y1 * sy);
  gdouble x2 = ceil (o->x2 * sx) - 1, y2 = ceil (o->y2 * sy) - 1;

  if (!(x2 >= x1) || !(y2 >= y1) || x2 < 0 || y2 < 0 || x1 >= fw
      || y1 >= fh)
    return FALSE;
  /* edges beyond the frame stay beyond it (the lines are clipped, not
   * moved), but within int range */
  *l = (gint) MAX (x1, -2.0 * MAX_LINE_WIDTH);
  *t = (gint) MAX (y1, -2.0 * MAX_LINE_WIDTH);
  *r = (gint) MIN (x2, (gdouble) fw + 2 * MAX_LINE_WIDTH);
  *b = (gint) MIN (y2, (gdouble) fh + 2 * MAX_LINE_WIDTH);
  return TRUE;
}

static void
draw_box (GstCascadeOverlay * self, GstVideoFrame * frame, gint l, gint t,
    gint r, gint b, guint line_width, const Colour * c)
{
  gint lw = (gint) line_width;
  gint w = r - l + 1, h = b - t + 1;

  lw = MIN (lw, MIN (w, h));
  fill_rect (self, frame, l, t, w, lw, c);
  fill_rect (self, frame, l, b - lw + 1, w, lw, c);
  fill_rect (self, frame, l, t + lw, lw, h - 2 * lw, c);
  fill_rect (self, frame, r - lw + 1, t + lw, lw, h - 2 * lw, c);
}

static const LabelBitmap *
get_label (GstCascadeOverlay * self, const gchar * text)
{
  LabelBitmap *bm;
  PangoLayout *layout;
  PangoFontDescription *desc;
  PangoRectangle ink, logical;
  cairo_surface_t *surface;
  cairo_t *cr;
  const guint8 *data;
  gint stride, r, i, pad = 2;

  bm = g_hash_table_lookup (self->labels, text);
  if (bm)
    return bm;

  if (g_hash_table_size (self->labels) >= LABEL_CACHE_MAX)
    g_hash_table_remove_all (self->labels);

  layout = pango_layout_new (self->pango);
  desc = pango_font_description_from_string ("Sans Bold");
  pango_font_description_set_absolute_size (desc,
      (gdouble) self->font_px * PANGO_SCALE);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_extents (layout, &ink, &logical);

  bm = g_new0 (LabelBitmap, 1);
  bm->width = MAX (logical.width, 1) + 2 * pad;
  bm->height = MAX (logical.height, 1);

  /* render white text into an ARGB surface and keep its alpha */
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, bm->width,
      bm->height);
  cr = cairo_create (surface);
  cairo_set_source_rgba (cr, 1.0, 1.0, 1.0, 1.0);
  cairo_move_to (cr, pad - logical.x, -logical.y);
  pango_cairo_show_layout (cr, layout);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  bm->alpha = g_malloc ((gsize) bm->width * bm->height);
  for (r = 0; r < bm->height; r++) {
    const guint32 *px = (const guint32 *) (data + (gsize) r * stride);
    for (i = 0; i < bm->width; i++)
      bm->alpha[(gsize) r * bm->width + i] = px[i] >> 24;
  }
  cairo_surface_destroy (surface);
  g_object_unref (layout);

  g_hash_table_insert (self->labels, g_strdup (text), bm);
  GST_DEBUG_OBJECT (self, "rendered label '%s': %dx%d", text, bm->width,
      bm->height);
  return bm;
}

static void
draw_label (GstCascadeOverlay * self, GstVideoFrame * frame,
    const GstCascadeMeta * meta, guint i, gint l, gint t, const Colour * c)
{
  const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
  const gchar *label = gst_cascade_meta_get_label (meta, i);
  const LabelBitmap *bm;
  Colour text;
  gchar *str;
  gint x, y;

  if (label && *label)
    str = g_strdup_printf ("%s %.2f", label, o->score);
  else
    str = g_strdup_printf ("class %d %.2f", o->class_id, o->score);
  bm = get_label (self, str);
  g_free (str);

  /* above the box, or inside it at the top of the frame */
  x = MAX (l, 0);
  y = t - bm->height;
  if (y < 0)
    y = MAX (t, 0);
  if (x + bm->width > GST_VIDEO_FRAME_WIDTH (frame))
    x = MAX (0, GST_VIDEO_FRAME_WIDTH (frame) - bm->width);

  /* dark text on light colours, white text on dark ones */
  if (c->r * 299 + c->g * 587 + c->b * 114 > 150000)
    make_colour (self, 0, 0, 0, &text);
  else
    make_colour (self, 255, 255, 255, &text);

  fill_rect (self, frame, x, y, bm->width, bm->height, c);
  blend_region (self, frame, x, y, bm->width, bm->height, bm->alpha,
      bm->width, &text);
}

static void
draw_mask (GstCascadeOverlay * self, GstVideoFrame * frame,
    const GstCascadeMeta * meta, guint i, guint8 fill, const Colour * c)
{
  guint fw = GST_VIDEO_FRAME_WIDTH (frame), fh = GST_VIDEO_FRAME_HEIGHT (frame);
  guint x, y, w, h, r, k;
  gsize size;

  if (!gst_cascade_meta_get_mask_bounds (meta, i, fw, fh, &x, &y, &w, &h)
      || w == 0 || h == 0)
    return;

  size = (gsize) w *h;
  if (size > self->mask_buf_size) {
    g_free (self->mask_buf);
    g_free (self->mask_alpha);
    self->mask_buf = g_malloc (size);
    self->mask_alpha = g_malloc (size);
    self->mask_buf_size = size;
  }
  if (!gst_cascade_meta_get_mask_region (meta, i, fw, fh, x, y, w, h,
          self->mask_buf, w))
    return;

  /* fill inside, opaque on the outline (mask pixels with a 4-neighbour
   * outside the mask) */
  for (r = 0; r < h; r++) {
    const guint8 *m = self->mask_buf + (gsize) r * w;
    guint8 *a = self->mask_alpha + (gsize) r * w;

    for (k = 0; k < w; k++) {
      gboolean edge;

      if (!m[k]) {
        a[k] = 0;
        continue;
      }
      edge = k == 0 || k == w - 1 || r == 0 || r == h - 1 || !m[k - 1]
          || !m[k + 1] || !m[(gssize) k - (gssize) w] || !m[k + w];
      a[k] = edge ? 255 : fill;
    }
  }
  blend_region (self, frame, x, y, w, h, self->mask_alpha, w, c);
}

static GstFlowReturn
gst_cascade_overlay_transform_frame_ip (GstVideoFilter * filter,
    GstVideoFrame * frame)
{
  GstCascadeOverlay *self = GST_CASCADE_OVERLAY (filter);
  GstCascadeMeta *meta;
  guint line_width, n, i;
  gdouble opacity, sx = 1.0, sy = 1.0;
  gboolean boxes, labels, masks;
  gint fw = GST_VIDEO_FRAME_WIDTH (frame), fh = GST_VIDEO_FRAME_HEIGHT (frame);
  guint8 fill;

  if (!self->ones)
    return GST_FLOW_NOT_NEGOTIATED;

  meta = gst_buffer_get_cascade_meta (frame->buffer);
  if (!meta || gst_cascade_meta_get_count (meta) == 0)
    return GST_FLOW_OK;

  GST_OBJECT_LOCK (self);
  line_width = self->line_width;
  opacity = self->mask_opacity;
  boxes = self->draw_boxes;
  labels = self->draw_labels;
  masks = self->draw_masks;
  GST_OBJECT_UNLOCK (self);

  fill = (guint8) CLAMP (lrint (opacity * 255.0), 0, 254);
  if (meta->width && meta->height) {
    sx = (gdouble) fw / meta->width;
    sy = (gdouble) fh / meta->height;
  }

  n = gst_cascade_meta_get_count (meta);
  GST_LOG_OBJECT (self, "drawing %u objects", n);

  /* masks under boxes under labels; lowest scores first so that the best
   * detections end up on top */
  if (masks) {
    for (i = n; i-- > 0;) {
      Colour c;
      class_colour (self, gst_cascade_meta_get_object (meta, i)->class_id,
          &c);
      draw_mask (self, frame, meta, i, fill, &c);
    }
  }
  for (i = n; i-- > 0;) {
    const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
    gint l, t, r, b;
    Colour c;

    if (!box_pixels (o, sx, sy, fw, fh, &l, &t, &r, &b))
      continue;
    class_colour (self, o->class_id, &c);
    if (boxes)
      draw_box (self, frame, l, t, r, b, line_width, &c);
  }
  if (labels) {
    for (i = n; i-- > 0;) {
      const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
      gint l, t, r, b;
      Colour c;

      if (!box_pixels (o, sx, sy, fw, fh, &l, &t, &r, &b))
        continue;
      class_colour (self, o->class_id, &c);
      draw_label (self, frame, meta, i, l, t, &c);
    }
  }

  return GST_FLOW_OK;
}
