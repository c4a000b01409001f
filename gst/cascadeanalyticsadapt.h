/* gst-cascade: the analytics relation meta read as a GstCascadeMeta
 * (GStreamer >= 1.24)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>

#include "gstcascademeta.h"

G_BEGIN_DECLS

/* For cascadeoverlay and cascadejson on frames that carry no GstCascadeMeta
 * but a GstAnalyticsRelationMeta (another element's detections): the
 * relation meta's ODMtds as a GstCascadeMeta of a width x height frame,
 * attached to a new empty buffer returned in *holder (unref it when done;
 * buffer itself is left as it is).  Each object: the ODMtd's box, its
 * confidence as score, its object type as label (else the class of a
 * ClsMtd it relates to), class id -1 (a relation
 * meta has no class index), and on >= 1.26 the mask of the first instance
 * SegmentationMtd related to the ODMtd, sampled at the 28 x 28 box-relative
 * grid (1 where the mask has one of its region ids, else 0).  Returns NULL
 * (and no holder) when buffer has no ODMtd. */
#ifdef HAVE_GST_ANALYTICS
GstCascadeMeta *gst_cascade_analytics_adapt (GstBuffer * buffer,
    guint width, guint height, GstBuffer ** holder);
#else
/* built without the analytics library: no relation meta to read */
static inline GstCascadeMeta *
gst_cascade_analytics_adapt (GstBuffer * buffer, guint width, guint height,
    GstBuffer ** holder)
{
  *holder = NULL;
  return NULL;
}
#endif

G_END_DECLS
