/* gst-cascade: the analytics relation meta read as a GstCascadeMeta
 * (GStreamer >= 1.24)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <math.h>
#include <string.h>

#include <gst/video/video.h>
#include <gst/analytics/analytics.h>

#include "cascadeanalyticsadapt.h"

#define GRID GST_CASCADE_META_MASK_SIZE

#ifdef HAVE_GST_ANALYTICS_SEGMENTATION
static gboolean
in_regions (const GstAnalyticsSegmentationMtd * seg, gsize n, guint value)
{
  gsize k;

  for (k = 0; k < n; k++)
    if (gst_analytics_segmentation_mtd_get_region_id (seg, k) == value)
      return TRUE;
  return FALSE;
}

/* The mask of seg at the GRID x GRID cell centres of the box (x, y, w, h):
 * 1 where it has one of its region ids; FALSE when it cannot be read. */
static gboolean
sample_mask (const GstAnalyticsSegmentationMtd * seg, gint x, gint y,
    gint w, gint h, gfloat * probs)
{
  gint mx, my, stride, u, v;
  guint mw, mh;
  gsize n = gst_analytics_segmentation_mtd_get_region_count (seg);
  GstBuffer *mask = gst_analytics_segmentation_mtd_get_mask (seg, &mx, &my,
      &mw, &mh);
  GstVideoMeta *vmeta = mask ? gst_buffer_get_video_meta (mask) : NULL;
  GstMapInfo map;
  gpointer data;
  gboolean gray8;

  if (!vmeta || mw == 0 || mh == 0 || (vmeta->format != GST_VIDEO_FORMAT_GRAY8
          && vmeta->format != GST_VIDEO_FORMAT_GRAY16_LE)
      || !gst_video_meta_map (vmeta, 0, &map, &data, &stride, GST_MAP_READ)) {
    gst_clear_buffer (&mask);
    return FALSE;
  }
  gray8 = vmeta->format == GST_VIDEO_FORMAT_GRAY8;

  for (v = 0; v < GRID; v++) {
    gdouble py = y + (v + 0.5) * h / GRID;
    gint row = (gint) floor ((py - my) * vmeta->height / mh);

    for (u = 0; u < GRID; u++) {
      gdouble px = x + (u + 0.5) * w / GRID;
      gint col = (gint) floor ((px - mx) * vmeta->width / mw);
      const guint8 *line = (const guint8 *) data + (gsize) row * stride;
      guint value;

      probs[v * GRID + u] = 0.0f;
      if (row < 0 || col < 0 || (guint) row >= vmeta->height
          || (guint) col >= vmeta->width)
        continue;
      value = gray8 ? line[col] : GST_READ_UINT16_LE (line + 2 * col);
      if (in_regions (seg, n, value))
        probs[v * GRID + u] = 1.0f;
    }
  }
  gst_video_meta_unmap (vmeta, 0, &map);
  gst_buffer_unref (mask);
  return TRUE;
}

/* probs from the first SegmentationMtd related to od; FALSE when none */
static gboolean
od_mask (GstAnalyticsRelationMeta * rmeta, const GstAnalyticsODMtd * od,
    gint x, gint y, gint w, gint h, gfloat * probs)
{
  GstAnalyticsSegmentationMtd seg;
  gpointer state = NULL;

  while (gst_analytics_relation_meta_get_direct_related (rmeta, od->id,
          GST_ANALYTICS_REL_TYPE_ANY,
          gst_analytics_segmentation_mtd_get_mtd_type (), &state, &seg))
    if (sample_mask (&seg, x, y, w, h, probs))
      return TRUE;
  return FALSE;
}
#endif

/* the object type of od, else (0) the first class of a ClsMtd it relates
 * to, as objectdetectionoverlay labels boxes */
static GQuark
od_label (GstAnalyticsRelationMeta * rmeta, const GstAnalyticsODMtd * od)
{
  GQuark type = gst_analytics_od_mtd_get_obj_type (od);
  GstAnalyticsClsMtd cls;

  if (!type && gst_analytics_relation_meta_get_direct_related (rmeta, od->id,
          GST_ANALYTICS_REL_TYPE_RELATE_TO,
          gst_analytics_cls_mtd_get_mtd_type (), NULL, &cls)
      && gst_analytics_cls_mtd_get_length (&cls) > 0)
    type = gst_analytics_cls_mtd_get_quark (&cls, 0);
  return type;
}

/* the track of od: a TrackingMtd it relates to (upstream's trackers, and
 * cascadetrack's own), as the object's track ID; the age in frames is not
 * in the mtd (0) */
static void
od_track (GstAnalyticsRelationMeta * rmeta, const GstAnalyticsODMtd * od,
    GstCascadeMeta * meta, guint index)
{
  GstAnalyticsTrackingMtd trk;
  guint64 id;
  GstClockTime first, last;
  gboolean lost;

  if (gst_analytics_relation_meta_get_direct_related (rmeta, od->id,
          GST_ANALYTICS_REL_TYPE_RELATE_TO,
          gst_analytics_tracking_mtd_get_mtd_type (), NULL, &trk)
      && gst_analytics_tracking_mtd_get_info (&trk, &id, &first, &last,
          &lost) && id != 0)
    gst_cascade_meta_set_track (meta, index, id, 0, FALSE);
}

GstCascadeMeta *
gst_cascade_analytics_adapt (GstBuffer * buffer, guint width, guint height,
    GstBuffer ** holder)
{
  GstAnalyticsRelationMeta *rmeta =
      gst_buffer_get_analytics_relation_meta (buffer);
  GstCascadeMeta *meta = NULL;
  GstAnalyticsODMtd od;
  gpointer state = NULL;
#ifdef HAVE_GST_ANALYTICS_SEGMENTATION
  gfloat probs[GRID * GRID];
#endif

  *holder = NULL;
  if (!rmeta)
    return NULL;

  while (gst_analytics_relation_meta_iterate (rmeta, &state,
          gst_analytics_od_mtd_get_mtd_type (), &od)) {
    gint x, y, w, h;
    gfloat conf;
    const gfloat *mask = NULL;
    GQuark type;

    if (!gst_analytics_od_mtd_get_location (&od, &x, &y, &w, &h, &conf))
      continue;
    if (!meta) {
      *holder = gst_buffer_new ();
      meta = gst_buffer_add_cascade_meta (*holder, width, height);
    }
#ifdef HAVE_GST_ANALYTICS_SEGMENTATION
    if (od_mask (rmeta, &od, x, y, w, h, probs))
      mask = probs;
#endif
    type = od_label (rmeta, &od);
    od_track (rmeta, &od, meta, gst_cascade_meta_add_object (meta, x, y,
            x + w, y + h, conf, -1, type ? g_quark_to_string (type) : "",
            mask));
  }
  return meta;
}
