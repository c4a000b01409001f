/* gst-cascade: cascadedetect's objects as standard metas and bus messages
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <math.h>

#include "cascaderoi.h"
#include "cascadelabels.h"
#include "gstcascademeta.h"

void
gst_cascade_roi_add (GstBuffer * buffer, const CascadeDetection * d,
    const gchar * label, gint id, guint width, guint height,
    const GstCascadeRoiSource * src)
{
  GstVideoRegionOfInterestMeta *roi;
  GstStructure *s;
  gdouble x0, y0, x1, y1;
  guint px0, py0, px1, py1;

  x0 = CLAMP (d->x1 / (gdouble) width, 0.0, 1.0);
  x1 = CLAMP (d->x2 / (gdouble) width, 0.0, 1.0);
  y0 = CLAMP (d->y1 / (gdouble) height, 0.0, 1.0);
  y1 = CLAMP (d->y2 / (gdouble) height, 0.0, 1.0);
  px0 = (guint) CLAMP (floor (d->x1), 0.0, (gdouble) width);
  py0 = (guint) CLAMP (floor (d->y1), 0.0, (gdouble) height);
  px1 = (guint) CLAMP (ceil (d->x2), (gdouble) px0, (gdouble) width);
  py1 = (guint) CLAMP (ceil (d->y2), (gdouble) py0, (gdouble) height);
  roi = gst_buffer_add_video_region_of_interest_meta (buffer, label, px0,
      py0, px1 - px0, py1 - py0);
  roi->id = id;
  /* a detection has no parent object ("none" is -1; 0 would be one) */
  roi->parent_id = -1;
  s = gst_structure_new ("detection",
      "label_id", G_TYPE_INT, d->class_id,
      "confidence", G_TYPE_DOUBLE, (gdouble) d->score,
      "x_min", G_TYPE_DOUBLE, x0, "x_max", G_TYPE_DOUBLE, x1,
      "y_min", G_TYPE_DOUBLE, y0, "y_max", G_TYPE_DOUBLE, y1,
      "label", G_TYPE_STRING, label,
      "repeated", G_TYPE_BOOLEAN, src->repeated,
      "source_pts", G_TYPE_UINT64, src->pts, NULL);
  if (src->element)
    gst_structure_set (s, "source", G_TYPE_STRING, src->element, NULL);
  gst_video_region_of_interest_meta_add_param (roi, s);
}

void
gst_cascade_roi_append_object (GValue * objects, const CascadeDetection * d,
    const gchar * label)
{
  GValue v = G_VALUE_INIT;
  GstStructure *s;

  s = gst_structure_new ("object", "label", G_TYPE_STRING, label,
      "label-id", G_TYPE_INT, d->class_id,
      "score", G_TYPE_DOUBLE, (gdouble) d->score,
      "x1", G_TYPE_DOUBLE, (gdouble) d->x1,
      "y1", G_TYPE_DOUBLE, (gdouble) d->y1,
      "x2", G_TYPE_DOUBLE, (gdouble) d->x2,
      "y2", G_TYPE_DOUBLE, (gdouble) d->y2, NULL);
  g_value_init (&v, GST_TYPE_STRUCTURE);
  g_value_take_boxed (&v, s);
  gst_value_list_append_and_take_value (objects, &v);
}

/* the frame's size (the GstCascadeMeta's, which is the frame's) */
static void
add_frame_size (GstStructure * s, GstBuffer * buffer)
{
  GstCascadeMeta *meta = gst_buffer_get_cascade_meta (buffer);

  if (meta)
    gst_structure_set (s, "width", G_TYPE_UINT, meta->width,
        "height", G_TYPE_UINT, meta->height, NULL);
}

GstStructure *
gst_cascade_roi_message (const GstSegment * segment, GstBuffer * buffer,
    guint64 frame, const GstCascadeRoiSource * src, GValue * objects)
{
  GstClockTime ts = GST_BUFFER_PTS (buffer);
  GstStructure *s;

  s = gst_structure_new ("cascade-detections",
      "timestamp", G_TYPE_UINT64, ts,
      "stream-time", G_TYPE_UINT64,
      gst_segment_to_stream_time (segment, GST_FORMAT_TIME, ts),
      "running-time", G_TYPE_UINT64,
      gst_segment_to_running_time (segment, GST_FORMAT_TIME, ts),
      "duration", G_TYPE_UINT64, GST_BUFFER_DURATION (buffer),
      "frame", G_TYPE_UINT64, frame,
      "repeated", G_TYPE_BOOLEAN, src->repeated,
      "result-pts", G_TYPE_UINT64, src->pts, NULL);
  add_frame_size (s, buffer);
  gst_structure_take_value (s, "objects", objects);
  return s;
}

/* the GstCascadeMeta an upstream cascadedetect attached to this frame, of
 * the same geometry, or NULL */
static GstCascadeMeta *
chained_meta (GstBuffer * buffer, guint width, guint height)
{
  GstCascadeMeta *meta = gst_buffer_get_cascade_meta (buffer);

  if (meta && meta->width == width && meta->height == height)
    return meta;
  return NULL;
}

GstStructure *
gst_cascade_roi_attach (GstBuffer * buffer, const CascadeResult * result,
    gchar ** labels, const CascadeEngine * engine, gfloat mask_threshold,
    const GstCascadeRoiSource * src, const GstSegment * segment,
    guint64 frame, gboolean post)
{
  guint width = cascade_result_frame_width (result);
  guint height = cascade_result_frame_height (result);
  guint n = cascade_result_count (result), i, first;
  GstCascadeMeta *meta;
  GValue objects = G_VALUE_INIT;

  meta = chained_meta (buffer, width, height);
  if (!meta) {
    meta = gst_buffer_add_cascade_meta (buffer, width, height);
    meta->mask_threshold = mask_threshold;
    gst_cascade_meta_set_source (meta, src->pts, src->repeated);
  }
  first = gst_cascade_meta_get_count (meta);
  if (post)
    g_value_init (&objects, GST_TYPE_LIST);

  for (i = 0; i < n; i++) {
    const CascadeDetection *d = cascade_result_get (result, i);
    const gchar *label = gst_cascade_labels_get (labels, engine,
        d->class_id);

    if (!label)
      label = "";
    gst_cascade_meta_add_object (meta, d->x1, d->y1, d->x2, d->y2, d->score,
        d->class_id, label, cascade_result_mask_probs (result, i));
    gst_cascade_meta_set_object_source (meta, first + i, src->element);
    gst_cascade_roi_add (buffer, d, label, (gint) (first + i), width, height,
        src);
    if (post)
      gst_cascade_roi_append_object (&objects, d, label);
  }

  if (!post)
    return NULL;
  return gst_cascade_roi_message (segment, buffer, frame, src, &objects);
}
