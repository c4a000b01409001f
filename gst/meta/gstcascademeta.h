/* gst-cascade: GstCascadeMeta, the detections of one video frame
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#ifndef GST_CASCADE_META_API
# define GST_CASCADE_META_API extern
#endif

/**
 * GST_CASCADE_META_MASK_SIZE:
 *
 * Side of the square, box-relative mask probability maps (28, as
 * mmdetection's FCN mask head produces them).
 *
 * Since: 0.1
 */
#define GST_CASCADE_META_MASK_SIZE 28

/**
 * GST_CASCADE_META_DEFAULT_MASK_THRESHOLD:
 *
 * The binarisation threshold of pasted masks unless set otherwise
 * (mmdetection's mask_thr_binary).
 *
 * Since: 0.1
 */
#define GST_CASCADE_META_DEFAULT_MASK_THRESHOLD 0.5f

/**
 * GST_CASCADE_META_API_TYPE:
 *
 * The #GType of the #GstCascadeMeta API (gst_buffer_get_meta()).
 *
 * Since: 0.1
 */
#define GST_CASCADE_META_API_TYPE (gst_cascade_meta_api_get_type ())
/**
 * GST_CASCADE_META_INFO:
 *
 * The #GstMetaInfo of #GstCascadeMeta (gst_buffer_add_meta()).
 *
 * Since: 0.1
 */
#define GST_CASCADE_META_INFO (gst_cascade_meta_get_info ())

typedef struct _GstCascadeMeta GstCascadeMeta;
typedef struct _GstCascadeObject GstCascadeObject;

/**
 * GstCascadeMetaFlags:
 * @GST_CASCADE_META_FLAG_NONE: no flag
 * @GST_CASCADE_META_FLAG_REPEATED: the detections were computed on an
 *   earlier frame (whose PTS gst_cascade_meta_get_source_pts() gives) and
 *   attached to this one: cascadedetect's `interval` property, a frame
 *   that QoS said was late, or the newest-frame mode, where every frame
 *   carries the newest result finished so far
 *
 * Flags of a #GstCascadeMeta.
 *
 * Since: 0.1
 */
typedef enum
{
  GST_CASCADE_META_FLAG_NONE = 0,
  GST_CASCADE_META_FLAG_REPEATED = (1 << 0),
} GstCascadeMetaFlags;

/**
 * GstCascadeObject:
 * @x1: left edge of the box, in pixels of the frame the meta refers to
 * @y1: top edge
 * @x2: right edge (continuous coordinates: @x2 - @x1 is the width);
 *   boxes are not clipped to the frame
 * @y2: bottom edge
 * @score: confidence in [0, 1]
 * @class_id: 0-based class index of the model
 * @label: the class label as an interned string quark
 * @mask: %NULL, or GST_CASCADE_META_MASK_SIZE squared mask probabilities,
 *   row-major, relative to the box
 *
 * One detected object.
 *
 * Since: 0.1
 */
struct _GstCascadeObject
{
  gfloat x1, y1, x2, y2;
  gfloat score;
  gint class_id;
  GQuark label;
  gfloat *mask;

  /* < private > */
  union
  {
    /* set by cascadetrack, since 0.3 (took the padding): read them with
     * gst_cascade_meta_get_track_id() and friends */
    struct
    {
      guint64 track_id;
      guint32 track_age;
      guint32 track_flags;
    } track;
    gpointer _gst_reserved[GST_PADDING];
  } ABI;
};

/**
 * GstCascadeMeta:
 * @meta: parent #GstMeta
 * @width: width of the frame the boxes refer to
 * @height: height of the frame the boxes refer to
 * @mask_threshold: probability threshold of pasted masks (>=)
 * @flags: #GstCascadeMetaFlags
 *
 * Every object detected on one frame.  Boxes are in pixels of a
 * @width x @height frame; when a downstream scaler changes the frame size
 * the meta follows (boxes and size are rescaled, masks are box-relative);
 * transforms that change the geometry in other ways drop it.
 *
 * Since: 0.1
 */
struct _GstCascadeMeta
{
  GstMeta meta;

  guint width;
  guint height;
  gfloat mask_threshold;
  GstCascadeMetaFlags flags;

  /* < private > */
  GArray *objects;
  GstClockTime source_pts;      /* since 0.2 (took a padding slot) */
  GArray *object_sources;       /* since 0.3: GQuark per object, or NULL */
  gpointer _gst_reserved[GST_PADDING - 2];
};

GST_CASCADE_META_API
GType gst_cascade_meta_api_get_type (void);

GST_CASCADE_META_API
const GstMetaInfo *gst_cascade_meta_get_info (void);

GST_CASCADE_META_API
GstCascadeMeta *gst_buffer_add_cascade_meta (GstBuffer * buffer,
    guint width, guint height);

/* a function since 0.3 (a macro before), so that bindings see it */
GST_CASCADE_META_API
GstCascadeMeta *gst_buffer_get_cascade_meta (GstBuffer * buffer);

GST_CASCADE_META_API
guint gst_cascade_meta_add_object (GstCascadeMeta * meta,
    gfloat x1, gfloat y1, gfloat x2, gfloat y2, gfloat score,
    gint class_id, const gchar * label, const gfloat * mask);

GST_CASCADE_META_API
guint gst_cascade_meta_get_count (const GstCascadeMeta * meta);

GST_CASCADE_META_API
const GstCascadeObject *gst_cascade_meta_get_object (const GstCascadeMeta *
    meta, guint index);

GST_CASCADE_META_API
const gchar *gst_cascade_meta_get_label (const GstCascadeMeta * meta,
    guint index);

GST_CASCADE_META_API
const gfloat *gst_cascade_meta_get_mask_probs (const GstCascadeMeta * meta,
    guint index);

GST_CASCADE_META_API
gboolean gst_cascade_meta_get_mask (const GstCascadeMeta * meta,
    guint index, guint width, guint height, guint8 * out, gsize stride);

GST_CASCADE_META_API
gboolean gst_cascade_meta_get_mask_region (const GstCascadeMeta * meta,
    guint index, guint width, guint height, guint x, guint y, guint w,
    guint h, guint8 * out, gsize stride);

GST_CASCADE_META_API
gboolean gst_cascade_meta_get_mask_bounds (const GstCascadeMeta * meta,
    guint index, guint width, guint height, guint * x, guint * y,
    guint * w, guint * h);

GST_CASCADE_META_API
void gst_cascade_meta_set_source (GstCascadeMeta * meta, GstClockTime pts,
    gboolean repeated);

GST_CASCADE_META_API
GstClockTime gst_cascade_meta_get_source_pts (const GstCascadeMeta * meta);

GST_CASCADE_META_API
gboolean gst_cascade_meta_is_repeated (const GstCascadeMeta * meta);

GST_CASCADE_META_API
void gst_cascade_meta_set_track (GstCascadeMeta * meta, guint index,
    guint64 track_id, guint age, gboolean predicted);

GST_CASCADE_META_API
guint64 gst_cascade_meta_get_track_id (const GstCascadeMeta * meta,
    guint index);

GST_CASCADE_META_API
guint gst_cascade_meta_get_track_age (const GstCascadeMeta * meta,
    guint index);

GST_CASCADE_META_API
gboolean gst_cascade_meta_is_predicted (const GstCascadeMeta * meta,
    guint index);

/* since 0.3: getters that bindings (GObject introspection) can call, and
 * the element that found each object (gstcascademeta-getters.c) */
GST_CASCADE_META_API
gboolean gst_cascade_meta_get_box (const GstCascadeMeta * meta, guint index,
    gfloat * x1, gfloat * y1, gfloat * x2, gfloat * y2);

GST_CASCADE_META_API
gfloat gst_cascade_meta_get_score (const GstCascadeMeta * meta, guint index);

GST_CASCADE_META_API
gint gst_cascade_meta_get_class_id (const GstCascadeMeta * meta, guint index);

GST_CASCADE_META_API
gboolean gst_cascade_meta_has_mask (const GstCascadeMeta * meta, guint index);

GST_CASCADE_META_API
GBytes *gst_cascade_meta_get_mask_bytes (const GstCascadeMeta * meta,
    guint index, guint width, guint height);

GST_CASCADE_META_API
GstCascadeMetaFlags gst_cascade_meta_get_flags (const GstCascadeMeta * meta);

GST_CASCADE_META_API
guint gst_cascade_meta_get_width (const GstCascadeMeta * meta);

GST_CASCADE_META_API
guint gst_cascade_meta_get_height (const GstCascadeMeta * meta);

GST_CASCADE_META_API
GstClockTimeDiff gst_cascade_meta_get_result_age (const GstCascadeMeta * meta,
    GstClockTime pts);

GST_CASCADE_META_API
void gst_cascade_meta_set_object_source (GstCascadeMeta * meta, guint index,
    const gchar * source);

GST_CASCADE_META_API
const gchar *gst_cascade_meta_get_object_source (const GstCascadeMeta * meta,
    guint index);

G_END_DECLS
