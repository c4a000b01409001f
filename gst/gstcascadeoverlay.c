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
 * unchanged; built against GStreamer >= 1.24, a frame that has no
 * #GstCascadeMeta but a #GstAnalyticsRelationMeta (another element's
 * detections) gets that meta's objects drawn.  Works on packed RGB formats and on NV12 / I420, where it
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

#include <math.h>

#include "gstcascadeoverlay.h"
#include "gstcascademeta.h"
#include "cascadeformats.h"
#include "cascadeoverlayblend.h"
#include "cascadeoverlaytext.h"
#include "cascadeoverlaytrack.h"
#include "cascadeanalyticsadapt.h"

/* also the category of cascadeoverlaytext.c */
GST_DEBUG_CATEGORY (gst_cascade_overlay_debug);
#define GST_CAT_DEFAULT gst_cascade_overlay_debug

#define DEFAULT_LINE_WIDTH 2
#define DEFAULT_MASK_OPACITY 0.5
#define DEFAULT_DRAW_BOXES TRUE
#define DEFAULT_DRAW_LABELS TRUE
#define DEFAULT_DRAW_MASKS TRUE

#define MAX_LINE_WIDTH 64

enum
{
  PROP_0,
  PROP_LINE_WIDTH,
  PROP_MASK_OPACITY,
  PROP_DRAW_BOXES,
  PROP_DRAW_LABELS,
  PROP_DRAW_MASKS,
  PROP_TRACK_FIRST,             /* cascadeoverlaytrack.c's */
};

struct _GstCascadeOverlay
{
  GstVideoFilter parent;

  /* properties, under the object lock */
  guint line_width;
  gdouble mask_opacity;
  gboolean draw_boxes;
  gboolean draw_labels;
  gboolean draw_masks;
  GstCascadeOverlayTrackProps track;

  /* < private > streaming thread only */
  GstCascadeBlender blender;    /* the format's blend function and rows */
  GstCascadeTextCache text;
  GstCascadeTrails trails;

  guint8 *mask_buf;             /* pasted mask of a region */
  guint8 *mask_alpha;           /* alpha of that region */
  gsize mask_buf_size;
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

  gst_cascade_overlay_track_install (gobject_class, PROP_TRACK_FIRST);

  gst_element_class_set_static_metadata (element_class,
      "Cascade R-CNN detection overlay", "Filter/Effect/Video",
      "Draws the boxes, labels, scores and instance masks of the "
      "GstCascadeMeta attached by cascadedetect onto the video frames: "
      "translucent per-class mask fills with an outline, box outlines and "
      "the label with its score rendered with Pango; colours are fixed "
      "per class. RGB formats and NV12/I420 are drawn in place.",
      "gst-cascade developers");

  gst_element_class_add_pad_template (element_class,
      gst_cascade_formats_pad_template ("sink", GST_PAD_SINK, G_MAXINT));
  gst_element_class_add_pad_template (element_class,
      gst_cascade_formats_pad_template ("src", GST_PAD_SRC, G_MAXINT));

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
  gst_cascade_overlay_track_props_init (&self->track);

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
      if (!gst_cascade_overlay_track_set (&self->track, PROP_TRACK_FIRST,
              prop_id, value))
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
      if (!gst_cascade_overlay_track_get (&self->track, PROP_TRACK_FIRST,
              prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
free_buffers (GstCascadeOverlay * self)
{
  gst_cascade_blender_clear (&self->blender);
  g_clear_pointer (&self->mask_buf, g_free);
  g_clear_pointer (&self->mask_alpha, g_free);
  self->mask_buf_size = 0;
}

static void
gst_cascade_overlay_finalize (GObject * object)
{
  GstCascadeOverlay *self = GST_CASCADE_OVERLAY (object);

  free_buffers (self);
  gst_cascade_text_cache_clear (&self->text);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static gboolean
gst_cascade_overlay_start (GstBaseTransform * trans)
{
  GstCascadeOverlay *self = GST_CASCADE_OVERLAY (trans);

  gst_cascade_text_cache_init (&self->text);
  gst_cascade_trails_init (&self->trails);

  return TRUE;
}

static gboolean
gst_cascade_overlay_stop (GstBaseTransform * trans)
{
  GstCascadeOverlay *self = GST_CASCADE_OVERLAY (trans);

  gst_cascade_text_cache_clear (&self->text);
  gst_cascade_trails_clear (&self->trails);
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

  /* the blend function of the format, picked once */
  if (!gst_cascade_blender_set_info (&self->blender, in_info))
    goto unsupported;

  gst_cascade_text_cache_set_font_px (&self->text,
      CLAMP ((gint) height / 40, 10, 48));

  GST_DEBUG_OBJECT (self, "%s %ux%u, font %d px",
      gst_video_format_to_string (format), width, height, self->text.font_px);
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
class_colour (GstCascadeOverlay * self, gint class_id, GstCascadeColour * c)
{
  guint i = (guint) ABS (class_id) % G_N_ELEMENTS (palette);

  gst_cascade_blender_colour (&self->blender, palette[i][0], palette[i][1],
      palette[i][2], c);
}

static void
trail_colour (gpointer owner, gint class_id, GstCascadeColour * c)
{
  class_colour (owner, class_id, c);
}

/* The pixels a box covers: columns [*l, *r], rows [*t, *b]; FALSE when it
 * covers none of the frame. */
static gboolean
box_pixels (const GstCascadeObject * o, gdouble sx, gdouble sy, gint fw,
    gint fh, gint * l, gint * t, gint * r, gint * b)
{
  gdouble x1 = floor (o->x1 * sx), y1 = floor (o->y1 * sy);
  gdouble x2 = ceil (o->x2 * sx) - 1, y2 = ceil (o->y2 * sy) - 1;

  if (!(x2 >= x1) || !(y2 >= y1) || x2 < 0 || y2 < 0 || x1 >= fw || y1 >= fh)
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
    gint r, gint b, guint line_width, const GstCascadeColour * c)
{
  gint lw = (gint) line_width;
  gint w = r - l + 1, h = b - t + 1;

  lw = MIN (lw, MIN (w, h));
  gst_cascade_blender_fill (&self->blender, frame, l, t, w, lw, c);
  gst_cascade_blender_fill (&self->blender, frame, l, b - lw + 1, w, lw, c);
  gst_cascade_blender_fill (&self->blender, frame, l, t + lw, lw, h - 2 * lw,
      c);
  gst_cascade_blender_fill (&self->blender, frame, r - lw + 1, t + lw, lw,
      h - 2 * lw, c);
}

static void
draw_label (GstCascadeOverlay * self, GstVideoFrame * frame,
    const GstCascadeMeta * meta, guint i, gint l, gint t,
    const GstCascadeColour * c, gboolean ids)
{
  gchar idbuf[32];
  const gchar *id = gst_cascade_overlay_track_prefix (meta, i, ids, idbuf);
  const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
  const gchar *label = gst_cascade_meta_get_label (meta, i);
  const GstCascadeTextBitmap *bm;
  GstCascadeColour text;
  gchar *str;
  gint x, y;

  if (label && *label)
    str = g_strdup_printf ("%s%s %.2f", id, label, o->score);
  else
    str = g_strdup_printf ("%sclass %d %.2f", id, o->class_id, o->score);
  bm = gst_cascade_text_cache_get (&self->text, GST_OBJECT (self), str);
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
    gst_cascade_blender_colour (&self->blender, 0, 0, 0, &text);
  else
    gst_cascade_blender_colour (&self->blender, 255, 255, 255, &text);

  gst_cascade_blender_fill (&self->blender, frame, x, y, bm->width, bm->height,
      c);
  gst_cascade_blender_blend (&self->blender, frame, x, y, bm->width, bm->height,
      bm->alpha, bm->width, &text);
}

static void
draw_mask (GstCascadeOverlay * self, GstVideoFrame * frame,
    const GstCascadeMeta * meta, guint i, guint8 fill,
    const GstCascadeColour * c)
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
  gst_cascade_blender_blend (&self->blender, frame, x, y, w, h,
      self->mask_alpha, w, c);
}

static GstFlowReturn
gst_cascade_overlay_transform_frame_ip (GstVideoFilter * filter,
    GstVideoFrame * frame)
{
  GstCascadeOverlay *self = GST_CASCADE_OVERLAY (filter);
  GstCascadeOverlayTrackProps track;
  GstCascadeMeta *meta;
  GstBuffer *adapted = NULL;
  guint line_width, n, i;
  gdouble opacity, sx = 1.0, sy = 1.0;
  gboolean boxes, labels, masks;
  gint fw = GST_VIDEO_FRAME_WIDTH (frame), fh = GST_VIDEO_FRAME_HEIGHT (frame);
  guint8 fill;

  if (!self->blender.blend)
    return GST_FLOW_NOT_NEGOTIATED;

  GST_OBJECT_LOCK (self);
  track = self->track;
  line_width = self->line_width;
  GST_OBJECT_UNLOCK (self);
  if (track.draw_zones)
    gst_cascade_overlay_draw_zones (&self->blender, &self->text,
        GST_OBJECT (self), frame, line_width);

  meta = gst_buffer_get_cascade_meta (frame->buffer);
  /* no GstCascadeMeta: another element's analytics relation meta */
  if (!meta)
    meta = gst_cascade_analytics_adapt (frame->buffer, fw, fh, &adapted);
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
  if (track.trail)
    gst_cascade_trails_draw (&self->trails, &self->blender, frame, meta, sx,
        sy, track.trail, line_width, trail_colour, self);

  /* masks under boxes under labels; lowest scores first so that the best
   * detections end up on top */
  if (masks) {
    for (i = n; i-- > 0;) {
      GstCascadeColour c;
      class_colour (self, gst_cascade_meta_get_object (meta, i)->class_id, &c);
      draw_mask (self, frame, meta, i, fill, &c);
    }
  }
  for (i = n; i-- > 0;) {
    const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
    gint l, t, r, b;
    GstCascadeColour c;

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
      GstCascadeColour c;

      if (!box_pixels (o, sx, sy, fw, fh, &l, &t, &r, &b))
        continue;
      class_colour (self, o->class_id, &c);
      draw_label (self, frame, meta, i, l, t, &c, track.draw_track_ids);
    }
  }

  gst_clear_buffer (&adapted);
  return GST_FLOW_OK;
}
