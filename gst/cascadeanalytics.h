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
 * >= 1.26).  Debian 12 (GStreamer 1.22) has no such library: there the
 * functions below are no-op inlines, so callers need no #ifdef. */

#include <gst/gst.h>

#include "gstcascademeta.h"

G_BEGIN_DECLS

/* What cascadetrack knows of object i's track beyond GstCascadeMeta: when
 * it was first seen and when a result last matched it. */
typedef struct
{
  GstClockTime first_seen;
  GstClockTime last_seen;
} GstCascadeAnalyticsTrack;

#ifdef HAVE_GST_ANALYTICS

/* The n_new objects that cascadedetect added last to the newest
 * GstCascadeMeta of buffer (all of it, or the last n_new objects of a
 * chained detector's meta), also in the buffer's GstAnalyticsRelationMeta
 * (added when the buffer has none):
 * - one ODMtd per object, in the objects' order: the label as object type,
 *   the score as confidence, the box in whole pixels as the ROI meta has
 *   it (clamped to the frame);
 * - one ClsMtd per object (its label and score) that its ODMtd relates to
 *   (RELATE_TO), where upstream's objectdetectionoverlay looks for the
 *   class of a box;
 * - on >= 1.26, the pasted mask of each object that has one as a
 *   SegmentationMtd (instance, GRAY8, pixels 1 inside, region id 1) over
 *   the mask's bounds, contained in its ODMtd (CONTAIN / IS_PART_OF);
 * - the GstVideoRegionOfInterestMeta of each object (the n_new ROI metas
 *   added last, one per object in order) gets the id of its ODMtd, as DL
 *   Streamer pairs them.
 * Returns FALSE when the buffer has no GstCascadeMeta or the relation meta
 * refused an mtd. */
gboolean gst_cascade_analytics_attach (GstBuffer * buffer, guint n_new);

/* gst_cascade_analytics_attach (), and for each object i of that
 * GstCascadeMeta that has a track ID (cascadetrack's), a TrackingMtd (the
 * track ID, tracks[i].first_seen, last seen tracks[i].last_seen, not lost)
 * that its ODMtd relates to (RELATE_TO), as upstream's trackers
 * (gst-plugins-rs bytetracker) relate them. */
gboolean gst_cascade_analytics_attach_tracked (GstBuffer * buffer,
    guint n_new, const GstCascadeAnalyticsTrack * tracks);

/* How many mtds gst_cascade_analytics_attach () adds for meta. */
guint gst_cascade_analytics_count (const GstCascadeMeta * meta);

/* cascadetrack replaces the detectors' objects with its tracks: it removes
 * buffer's relation meta when it holds exactly `owned` mtds (all of them
 * the detectors', counted with gst_cascade_analytics_count ()) and returns
 * TRUE; a relation meta with other elements' mtds as well stays (nothing is
 * lost; the tracks are then added beside the detections). */
gboolean gst_cascade_analytics_release (GstBuffer * buffer, guint owned);

/* The GstCascadeMeta cascadedetect added last to buffer (the one with the
 * highest sequence number), or NULL. */
GstCascadeMeta *gst_cascade_analytics_newest_meta (GstBuffer * buffer);

/* The box of o in whole pixels of a width x height frame, as the ROI meta
 * and the ODMtd carry it: floor/ceil, clamped to the frame. */
void gst_cascade_analytics_box (const GstCascadeObject * o, guint width,
    guint height, gint * x, gint * y, gint * w, gint * h);

#else
/* built without the analytics library: no relation meta */
static inline gboolean
gst_cascade_analytics_attach (GstBuffer * buffer, guint n_new)
{
  return FALSE;
}

static inline gboolean
gst_cascade_analytics_attach_tracked (GstBuffer * buffer, guint n_new,
    const GstCascadeAnalyticsTrack * tracks)
{
  return FALSE;
}

static inline guint
gst_cascade_analytics_count (const GstCascadeMeta * meta)
{
  return 0;
}

static inline gboolean
gst_cascade_analytics_release (GstBuffer * buffer, guint owned)
{
  return FALSE;
}
#endif

G_END_DECLS
