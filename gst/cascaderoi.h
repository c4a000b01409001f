/* gst-cascade: cascadedetect's objects as standard metas and bus messages
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include "cascade.h"

G_BEGIN_DECLS

/* where a result comes from: the PTS of its frame, and whether that is
 * another frame than the one it is attached to */
typedef struct
{
  GstClockTime pts;
  gboolean repeated;
  const gchar *element;         /* the name of the element that found it */
} GstCascadeRoiSource;

/* Adds one GstVideoRegionOfInterestMeta for d to buffer: roi_type label,
 * the given id, the box in whole pixels of a width x height frame, and a
 * `detection` param in DL Streamer's convention, plus `repeated` and
 * `source_pts` from src. */
void gst_cascade_roi_add (GstBuffer * buffer, const CascadeDetection * d,
    const gchar * label, gint id, guint width, guint height,
    const GstCascadeRoiSource * src);

/* Appends the `object` structure of d to objects (a GST_TYPE_LIST). */
void gst_cascade_roi_append_object (GValue * objects,
    const CascadeDetection * d, const gchar * label);

/* The `cascade-detections` structure of the bus message of buffer; takes
 * the objects list. */
GstStructure *gst_cascade_roi_message (const GstSegment * segment,
    GstBuffer * buffer, guint64 frame, const GstCascadeRoiSource * src,
    GValue * objects);

/* Attaches result to buffer: its objects go into the buffer's
 * GstCascadeMeta (a new one with src, or the one an upstream detector
 * attached: chained detectors add to one frame's objects, each tagged
 * with src->element), one ROI meta per object (ids unique on the frame,
 * no parent); returns the bus message's structure when post, else NULL. */
GstStructure *gst_cascade_roi_attach (GstBuffer * buffer,
    const CascadeResult * result, gchar ** labels,
    const CascadeEngine * engine, gfloat mask_threshold,
    const GstCascadeRoiSource * src, const GstSegment * segment,
    guint64 frame, gboolean post);

G_END_DECLS
