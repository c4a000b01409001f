/* gst-cascade: cascadedetect's objects in GStreamer's analytics relation
 * meta (GStreamer >= 1.24)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <math.h>

#include <gst/video/video.h>
#include <gst/analytics/analytics.h>

#include "cascadeanalytics.h"

GST_DEBUG_CATEGORY_EXTERN (gst_cascade_detect_debug);
#define GST_CAT_DEFAULT gst_cascade_detect_debug

GstCascadeMeta *
gst_cascade_analytics_newest_meta (GstBuffer * buffer)
{
  GstCascadeMeta *best = NULL, *m;
  gpointer state = NULL;

  while ((m = (GstCascadeMeta *) gst_buffer_iterate_meta_filtered (buffer,
              &state, GST_CASCADE_META_API_TYPE)))
    if (!best || gst_meta_get_seqnum (&m->meta) >
        gst_meta_get_seqnum (&best->meta))
      best = m;
  return best;
}

void
gst_cascade_analytics_box (const GstCascadeObject * o, guint width,
    guint height, gint * x, gint * y, gint * w, gint * h)
{
  gdouble x0 = CLAMP (floor (o->x1), 0.0, (gdouble) width);
  gdouble y0 = CLAMP (floor (o->y1), 0.0, (gdouble) height);
  gdouble x1 = CLAMP (ceil (o->x2), x0, (gdouble) width);
  gdouble y1 = CLAMP (ceil (o->y2), y0, (gdouble) height);

  *x = (gint) x0;
  *y = (gint) y0;
  *w = (gint) (x1 - x0);
  *h = (gint) (y1 - y0);
}

#ifdef HAVE_GST_ANALYTICS_SEGMENTATION
/* The pasted mask of object i over its bounds, as an instance
 * SegmentationMtd contained in od; TRUE when the object has no mask. */
static gboolean
add_mask (GstAnalyticsRelationMeta * rmeta, const GstCascadeMeta * meta,
    guint i, const GstAnalyticsODMtd * od)
{
  GstAnalyticsSegmentationMtd seg;
  GstVideoInfo info;
  GstBuffer *mask;
  GstMapInfo map;
  guint x, y, w, h, region = 1;
  gboolean ok;

  if (!gst_cascade_meta_get_mask_bounds (meta, i, meta->width, meta->height,
          &x, &y, &w, &h) || w == 0 || h == 0)
    return TRUE;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, w, h);
  mask = gst_buffer_new_allocate (NULL, info.size, NULL);
  gst_buffer_add_video_meta_full (mask, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_FORMAT_GRAY8, w, h, 1, info.offset, info.stride);
  gst_buffer_map (mask, &map, GST_MAP_WRITE);
  ok = gst_cascade_meta_get_mask_region (meta, i, meta->width, meta->height,
      x, y, w, h, map.data, info.stride[0]);
  gst_buffer_unmap (mask, &map);
  if (!ok) {
    gst_buffer_unref (mask);
    return FALSE;
  }

  /* the relation meta takes the mask buffer */
  if (!gst_analytics_relation_meta_add_segmentation_mtd (rmeta, mask,
          GST_SEGMENTATION_TYPE_INSTANCE, 1, &region, x, y, w, h, &seg))
    return FALSE;
  return gst_analytics_relation_meta_set_relation (rmeta,
      GST_ANALYTICS_REL_TYPE_CONTAIN, od->id, seg.id)
      && gst_analytics_relation_meta_set_relation (rmeta,
      GST_ANALYTICS_REL_TYPE_IS_PART_OF, seg.id, od->id);
}
#endif

static gint
by_seqnum (gconstpointer a, gconstpointer b)
{
  guint64 x = gst_meta_get_seqnum (*(GstMeta * const *) a);
  guint64 y = gst_meta_get_seqnum (*(GstMeta * const *) b);
  return x < y ? -1 : x > y;
}

/* The n ROI metas added last (one per new object, in the objects' order,
 * just before the caller attached the relation meta) get the ids of their
 * ODMtds.  By order of addition, not by their ids: a chained detector's
 * ROI ids continue the first one's, and those were paired already. */
static void
pair_roi_ids (GstBuffer * buffer, const guint * ids, guint n)
{
  GPtrArray *rois = g_ptr_array_new ();
  GstMeta *roi;
  gpointer state = NULL;
  guint i;

  while ((roi = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
    g_ptr_array_add (rois, roi);
  g_ptr_array_sort (rois, by_seqnum);
  for (i = 0; i < n && i < rois->len; i++)
    ((GstVideoRegionOfInterestMeta *) g_ptr_array_index (rois,
            rois->len - n + i))->id = (gint) ids[i];
  g_ptr_array_unref (rois);
}

/* object i's track as a TrackingMtd its ODMtd relates to */
static gboolean
add_track (GstAnalyticsRelationMeta * rmeta, const GstCascadeMeta * meta,
    guint i, guint od_id, const GstCascadeAnalyticsTrack * track)
{
  guint64 id = gst_cascade_meta_get_track_id (meta, i);
  GstAnalyticsTrackingMtd trk;

  if (id == 0)
    return TRUE;
  return gst_analytics_relation_meta_add_tracking_mtd (rmeta, id,
      track->first_seen, &trk)
      && (!GST_CLOCK_TIME_IS_VALID (track->last_seen)
      || gst_analytics_tracking_mtd_update_last_seen (&trk, track->last_seen))
      && gst_analytics_relation_meta_set_relation (rmeta,
      GST_ANALYTICS_REL_TYPE_RELATE_TO, od_id, trk.id);
}

static gboolean
has_mask_mtd (const GstCascadeMeta * meta, guint i)
{
#ifdef HAVE_GST_ANALYTICS_SEGMENTATION
  guint x, y, w, h;
  return gst_cascade_meta_get_mask_bounds (meta, i, meta->width,
      meta->height, &x, &y, &w, &h) && w > 0 && h > 0;
#else
  return FALSE;
#endif
}

guint
gst_cascade_analytics_count (const GstCascadeMeta * meta)
{
  guint n = gst_cascade_meta_get_count (meta), i, count = 2 * n;

  for (i = 0; i < n; i++)
    count += has_mask_mtd (meta, i) ? 1 : 0;
  return count;
}

gboolean
gst_cascade_analytics_release (GstBuffer * buffer, guint owned)
{
  GstAnalyticsRelationMeta *rmeta =
      gst_buffer_get_analytics_relation_meta (buffer);

  if (!rmeta || gst_analytics_relation_get_length (rmeta) != owned)
    return FALSE;
  return gst_buffer_remove_meta (buffer, (GstMeta *) rmeta);
}

gboolean
gst_cascade_analytics_attach (GstBuffer * buffer, guint n_new)
{
  return gst_cascade_analytics_attach_tracked (buffer, n_new, NULL);
}

gboolean
gst_cascade_analytics_attach_tracked (GstBuffer * buffer, guint n_new,
    const GstCascadeAnalyticsTrack * tracks)
{
  GstCascadeMeta *meta = gst_cascade_analytics_newest_meta (buffer);
  GstAnalyticsRelationMeta *rmeta;
  guint n, first, i, *ids;
  gboolean ok = TRUE;

  if (!meta)
    return FALSE;
  rmeta = gst_buffer_get_analytics_relation_meta (buffer);
  if (!rmeta)
    rmeta = gst_buffer_add_analytics_relation_meta (buffer);
  if (!rmeta)
    return FALSE;

  n = gst_cascade_meta_get_count (meta);
  first = n - MIN (n_new, n);
  ids = g_new (guint, MAX (n - first, 1));
  /* the boxes first: on a fresh relation meta the ODMtd ids are the
   * objects' indices */
  for (i = first; i < n && ok; i++) {
    const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
    GstAnalyticsODMtd od;
    gint x, y, w, h;

    gst_cascade_analytics_box (o, meta->width, meta->height, &x, &y, &w, &h);
    ok = gst_analytics_relation_meta_add_od_mtd (rmeta, o->label, x, y, w, h,
        o->score, &od);
    ids[i - first] = od.id;
  }
  /* the class and score again as a ClsMtd the ODMtd relates to: what
   * objectdetectionoverlay labels the box with */
  for (i = first; i < n && ok; i++) {
    const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
    GstAnalyticsClsMtd cls;

    ok = gst_analytics_relation_meta_add_one_cls_mtd (rmeta, o->score,
        o->label, &cls)
        && gst_analytics_relation_meta_set_relation (rmeta,
        GST_ANALYTICS_REL_TYPE_RELATE_TO, ids[i - first], cls.id);
  }
#ifdef HAVE_GST_ANALYTICS_SEGMENTATION
  for (i = first; i < n && ok; i++) {
    GstAnalyticsODMtd od;

    ok = gst_analytics_relation_meta_get_od_mtd (rmeta, ids[i - first], &od)
        && add_mask (rmeta, meta, i, &od);
  }
#endif
  for (i = first; tracks && i < n && ok; i++)
    ok = add_track (rmeta, meta, i, ids[i - first], &tracks[i - first]);
  if (ok)
    pair_roi_ids (buffer, ids, n - first);
  else
    GST_WARNING ("the analytics relation meta refused an object");
  g_free (ids);
  return ok;
}
