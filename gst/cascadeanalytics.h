/* gst-cascade: GStreamer's analytics relation meta (GStreamer >= 1.24)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

/* Compiled only when meson finds gstreamer-analytics-1.0 (>= 1.24), which
 * then defines HAVE_GST_ANALYTICS (and HAVE_GST_ANALYTICS_SEGMENTATION on
 * >= 1.26).  Debian 12 (GStreamer 1.22) has no such library. */

#include <gst/gst.h>
#include <gst/analytics/analytics.h>

#include "gstcascademeta.h"

G_BEGIN_DECLS

/* The objects of the GstCascadeMeta that cascadedetect attached last to
 * buffer, also in the buffer's GstAnalyticsRelationMeta (added when the
 * buffer has none):
 * - one ODMtd per object, in the objects' order: the label as object type,
 *   the score as confidence, the box in whole pixels as the ROI meta has
 *   it (clamped to the frame);
 * - one ClsMtd per object (its label and score) that its ODMtd relates to
 *   (RELATE_TO), where upstream's objectdetectionoverlay looks for the
 *   class of a box;
 * - on >= 1.26, the pasted mask of each object that has one as a
 *   SegmentationMtd (instance, GRAY8, pixels 1 inside, region id 1) over
 *   the mask's bounds, contained in its ODMtd (CONTAIN / IS_PART_OF);
 * - the GstVideoRegionOfInterestMeta of each object (the ones added after
 *   that GstCascadeMeta) gets the id of its ODMtd, as DL Streamer pairs
 *   them.
 * Returns FALSE when the buffer has no GstCascadeMeta or the relation meta
 * refused an mtd. */
gboolean gst_cascade_analytics_attach (GstBuffer * buffer);

/* The GstCascadeMeta cascadedetect added last to buffer (the one with the
 * highest sequence number), or NULL. */
GstCascadeMeta *gst_cascade_analytics_newest_meta (GstBuffer * buffer);

/* The box of o in whole pixels of a width x height frame, as the ROI meta
 * and the ODMtd carry it: floor/ceil, clamped to the frame. */
void gst_cascade_analytics_box (const GstCascadeObject * o, guint width,
    guint height, gint * x, gint * y, gint * w, gint * h);

G_END_DECLS
