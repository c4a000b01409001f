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

/* Adds one GstVideoRegionOfInterestMeta for d to buffer: roi_type label,
 * the given id, the box in whole pixels of a width x height frame, and a
 * `detection` param in DL Streamer's convention. */
void gst_cascade_roi_add (GstBuffer * buffer, const CascadeDetection * d,
    const gchar * label, gint id, guint width, guint height);

/* Appends the `object` structure of d to objects (a GST_TYPE_LIST). */
void gst_cascade_roi_append_object (GValue * objects,
    const CascadeDetection * d, const gchar * label);

/* The `cascade-detections` structure of the bus message of buffer; takes
 * the objects list. */
GstStructure *gst_cascade_roi_message (const GstSegment * segment,
    GstBuffer * buffer, guint64 frame, gboolean repeated, GValue * objects);

G_END_DECLS
