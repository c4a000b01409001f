/* gst-cascade: cascadetrack's work on one frame
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "cascadetrackpriv.h"
#include "cascadetrackmeta.h"
#include "cascaderoi.h"
#include "cascadeanalytics.h"
#include "gstcascademeta.h"

GST_DEBUG_CATEGORY_EXTERN (gst_cascade_track_debug);
#define GST_CAT_DEFAULT gst_cascade_track_debug

/* what one GstCascadeMeta becomes */
typedef struct
{
  guint width, height;
  gfloat mask_threshold;
  GstClockTime source;          /* the result's frame */
  gboolean repeated;            /* not this frame's own result */
  gboolean coasting;            /* no meta on the frame */
  GstCascadeTracker *tracker;
} Output;

typedef struct
{
  GstCascadeTrackerParams params;
  GstCascadeTrackAnchor anchor;
  gboolean post_messages, post_events;
} Settings;

static GstCascadeTracker *
get_tracker (GstCascadeTrack * self, guint k, const Settings * set)
{
  while (self->trackers->len <= k) {
    guint64 none = GST_CLOCK_TIME_NONE;

    g_ptr_array_add (self->trackers, gst_cascade_tracker_new (&set->params,
            &self->next_id));
    g_array_append_val (self->sources, none);
  }
  gst_cascade_tracker_set_params (g_ptr_array_index (self->trackers, k),
      &set->params);
  return g_ptr_array_index (self->trackers, k);
}

static void
anchor_point (const gdouble box[4], GstCascadeTrackAnchor anchor,
    gdouble sx, gdouble sy, gdouble * x, gdouble * y)
{
  *x = 0.5 * (box[0] + box[2]) * sx;
  *y = (anchor == GST_CASCADE_TRACK_ANCHOR_CENTER ? 0.5 * (box[1] + box[3])
      : box[3]) * sy;
}

/* zones: the tracks the result at ts matched, and those it deleted */
static void
zones_observe (GstCascadeTrack * self, GstCascadeTracker * t,
    const Settings * set, guint64 ts, gdouble sx, gdouble sy,
    GPtrArray * events)
{
  const GstCascadeTracklet *gone;
  guint i, n;

  g_mutex_lock (&self->zones_lock);
  if (!self->zones) {
    g_mutex_unlock (&self->zones_lock);
    return;
  }
  for (i = 0; i < gst_cascade_tracker_count (t); i++) {
    const GstCascadeTracklet *tr = gst_cascade_tracker_get (t, i);
    gdouble box[4], x, y;

    if (!tr->id || tr->det_index < 0 || tr->update_time != ts)
      continue;
    gst_cascade_tracklet_box_at (t, tr, ts, box);
    anchor_point (box, set->anchor, sx, sy, &x, &y);
    gst_cascade_zones_observe (self->zones, tr->id, tr->class_id,
        g_quark_to_string (tr->label), x, y, ts, events);
  }
  gone = gst_cascade_tracker_removed (t, &n);
  for (i = 0; i < n; i++)
    if (gone[i].id)
      gst_cascade_zones_forget (self->zones, gone[i].id, ts, events);
  g_mutex_unlock (&self->zones_lock);
}

/* Feeds meta's result to tracker k when it is a new one; fills out. */
static void
track_meta (GstCascadeTrack * self, guint k, const GstCascadeMeta * meta,
    GstClockTime now, guint width, guint height, const Settings * set,
    Output * out, GPtrArray * events)
{
  GstCascadeTracker *t = get_tracker (self, k, set);
  GstClockTime src = gst_cascade_meta_get_source_pts (meta);
  guint64 *last = &g_array_index (self->sources, guint64, k);
  gboolean fresh, repeated = gst_cascade_meta_is_repeated (meta);
  GstClockTime ts;
  guint n = gst_cascade_meta_get_count (meta), i;

  fresh = GST_CLOCK_TIME_IS_VALID (src) ? src != *last : !repeated;
  ts = GST_CLOCK_TIME_IS_VALID (src) ? src : now;

  out->width = meta->width ? meta->width : width;
  out->height = meta->height ? meta->height : height;
  out->mask_threshold = meta->mask_threshold;
  out->source = ts;
  out->repeated = repeated;
  out->tracker = t;

  if (fresh) {
    GstCascadeTrackInput *in = g_new0 (GstCascadeTrackInput, n + 1);

    for (i = 0; i < n; i++) {
      const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
      in[i].x1 = o->x1;
      in[i].y1 = o->y1;
      in[i].x2 = o->x2;
      in[i].y2 = o->y2;
      in[i].score = o->score;
      in[i].class_id = o->class_id;
      in[i].label = o->label;
      in[i].mask = o->mask;
    }
    gst_cascade_tracker_update (t, ts, in, n);
    *last = src;
    g_free (in);
    GST_LOG_OBJECT (self, "meta %u: result of %" GST_TIME_FORMAT ", %u "
        "detections, %u tracks", k, GST_TIME_ARGS (ts), n,
        gst_cascade_tracker_count (t));
  } else {
    gst_cascade_tracker_expire (t, now);
    ts = now;
  }
  zones_observe (self, t, set, ts, (gdouble) width / out->width,
      (gdouble) height / out->height, events);
}

/* A tracker whose frame has no meta: its tracks coast (or expire). */
static void
coast (GstCascadeTrack * self, guint k, GstClockTime now, guint width,
    guint height, const Settings * set, Output * out, GPtrArray * events)
{
  GstCascadeTracker *t = get_tracker (self, k, set);

  gst_cascade_tracker_expire (t, now);
  out->width = width;
  out->height = height;
  out->mask_threshold = GST_CASCADE_META_DEFAULT_MASK_THRESHOLD;
  out->source = g_array_index (self->sources, guint64, k);
  out->repeated = TRUE;
  out->coasting = TRUE;
  out->tracker = t;
  zones_observe (self, t, set, now, 1.0, 1.0, events);
}

/* the ROI metas cascadedetect added (their `detection` param says where
 * the result comes from) */
static void
remove_detect_rois (GstBuffer * buffer)
{
  GstMeta *meta;
  gpointer state = NULL;
  GSList *gone = NULL, *l;

  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstStructure *s = gst_video_region_of_interest_meta_get_param (
        (GstVideoRegionOfInterestMeta *) meta, "detection");
    if (s && gst_structure_has_field (s, "source_pts"))
      gone = g_slist_prepend (gone, meta);
  }
  for (l = gone; l; l = l->next)
    gst_buffer_remove_meta (buffer, l->data);
  g_slist_free (gone);
}

static void
add_roi (GstBuffer * buffer, const GstCascadeMeta * meta, guint i,
    gint roi_id, const GstCascadeRoiSource * src, guint hits)
{
  const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
  const gchar *label = gst_cascade_meta_get_label (meta, i);
  guint64 id = gst_cascade_meta_get_track_id (meta, i);
  GstVideoRegionOfInterestMeta *roi;
  CascadeDetection d;

  d.x1 = o->x1;
  d.y1 = o->y1;
  d.x2 = o->x2;
  d.y2 = o->y2;
  d.score = o->score;
  d.class_id = o->class_id;
  gst_cascade_roi_add (buffer, &d, label ? label : "", roi_id, meta->width,
      meta->height, src);
  roi = gst_buffer_get_video_region_of_interest_meta_id (buffer, roi_id);
  if (!roi)
    return;
  gst_video_region_of_interest_meta_add_param (roi,
      gst_structure_new ("object_id", "id", G_TYPE_INT,
          (gint) MIN (id, (guint64) G_MAXINT), NULL));
  gst_video_region_of_interest_meta_add_param (roi,
      gst_structure_new ("tracking", "id", G_TYPE_UINT64, id,
          "age", G_TYPE_UINT, gst_cascade_meta_get_track_age (meta, i),
          "hits", G_TYPE_UINT, hits,
          "predicted", G_TYPE_BOOLEAN, gst_cascade_meta_is_predicted (meta,
              i), NULL));
}

static void
append_object (GValue * list, const GstCascadeMeta * meta, guint i)
{
  const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
  GValue v = G_VALUE_INIT;

  g_value_init (&v, GST_TYPE_STRUCTURE);
  g_value_take_boxed (&v, gst_structure_new ("object",
          "track-id", G_TYPE_UINT64, gst_cascade_meta_get_track_id (meta, i),
          "age", G_TYPE_UINT, gst_cascade_meta_get_track_age (meta, i),
          "predicted", G_TYPE_BOOLEAN, gst_cascade_meta_is_predicted (meta,
              i), "label", G_TYPE_STRING,
          GST_STR_NULL (gst_cascade_meta_get_label (meta, i)), "label-id",
          G_TYPE_INT, o->class_id, "score", G_TYPE_DOUBLE, (gdouble) o->score,
          "x1", G_TYPE_DOUBLE, (gdouble) o->x1, "y1", G_TYPE_DOUBLE,
          (gdouble) o->y1, "x2", G_TYPE_DOUBLE, (gdouble) o->x2, "y2",
          G_TYPE_DOUBLE, (gdouble) o->y2, NULL));
  gst_value_list_append_and_take_value (list, &v);
}

/* The new GstCascadeMeta of out at now, with its ROI metas, and (GStreamer
 * >= 1.24) its objects and their tracks in the analytics relation meta. */
static void
attach (GstBuffer * buffer, const Output * out, GstClockTime now,
    gint * roi_id, GValue * objects)
{
  GstCascadeMeta *meta;
  GstCascadeRoiSource src = { 0 };   /* no element: tracks merge them */
  GArray *tracks;
  guint i;

  if (out->coasting) {
    /* a frame without a result: a meta only when tracks coast */
    for (i = 0; i < gst_cascade_tracker_count (out->tracker); i++)
      if (gst_cascade_tracker_get (out->tracker, i)->state ==
          GST_CASCADE_TRACKLET_CONFIRMED)
        break;
    if (i == gst_cascade_tracker_count (out->tracker))
      return;
  }
  meta = gst_buffer_add_cascade_meta (buffer, out->width, out->height);
  meta->mask_threshold = out->mask_threshold;
  gst_cascade_meta_set_source (meta, out->source, out->repeated);
  src.pts = out->source;
  src.repeated = out->repeated;
  tracks = g_array_new (FALSE, FALSE, sizeof (GstCascadeAnalyticsTrack));
  for (i = 0; i < gst_cascade_tracker_count (out->tracker); i++) {
    GstCascadeTracklet *tr = gst_cascade_tracker_get (out->tracker, i);
    gdouble b[4];
    guint idx;
    gboolean predicted = !GST_CLOCK_TIME_IS_VALID (now) || now != tr->time;
    GstCascadeAnalyticsTrack at = { tr->birth_time, tr->update_time };

    if (tr->state != GST_CASCADE_TRACKLET_CONFIRMED)
      continue;
    gst_cascade_tracklet_box_at (out->tracker, tr, now, b);
    /* predicted out of the frame: gone (it is deleted at the age limit) */
    if (b[2] <= 0 || b[3] <= 0 || b[0] >= out->width || b[1] >= out->height)
      continue;
    idx = gst_cascade_meta_add_object (meta, (gfloat) b[0], (gfloat) b[1],
        (gfloat) b[2], (gfloat) b[3], tr->score, tr->class_id,
        g_quark_to_string (tr->label), tr->mask);
    gst_cascade_meta_set_track (meta, idx, tr->id, tr->frames, predicted);
    g_array_append_val (tracks, at);
    tr->frames++;
    add_roi (buffer, meta, idx, (*roi_id)++, &src, tr->hits);
    if (objects)
      append_object (objects, meta, idx);
  }
  gst_cascade_analytics_attach_tracked (buffer, tracks->len,
      (const GstCascadeAnalyticsTrack *) tracks->data);
  g_array_unref (tracks);
}

static void
read_settings (GstCascadeTrack * self, Settings * set)
{
  GST_OBJECT_LOCK (self);
  set->params = self->params;
  set->anchor = self->anchor;
  set->post_messages = self->post_messages;
  set->post_events = self->post_events;
  GST_OBJECT_UNLOCK (self);
}

/* events and the zones' status into the frame's custom meta and to the
 * bus */
static void
publish (GstCascadeTrack * self, GstBuffer * buffer, GPtrArray * events,
    GstClockTime now, const Settings * set)
{
  GstStructure *s;
  GValue *list;
  guint i;

  g_mutex_lock (&self->zones_lock);
  if (!self->zones && events->len == 0) {
    g_mutex_unlock (&self->zones_lock);
    return;
  }
  s = gst_cascade_track_meta_add (buffer);
  list = (GValue *) gst_structure_get_value (s, "zones");
  gst_cascade_zones_status (self->zones, now, list);
  g_mutex_unlock (&self->zones_lock);

  list = (GValue *) gst_structure_get_value (s, "events");
  for (i = 0; i < events->len; i++) {
    GstStructure *e = g_ptr_array_index (events, i);
    GValue v = G_VALUE_INIT;

    GST_DEBUG_OBJECT (self, "%" GST_PTR_FORMAT, e);
    if (set->post_events)
      gst_element_post_message (GST_ELEMENT (self),
          gst_message_new_element (GST_OBJECT (self), gst_structure_copy (e)));
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_set_boxed (&v, e);
    gst_value_list_append_and_take_value (list, &v);
  }
}

GstFlowReturn
gst_cascade_track_process (GstCascadeTrack * self, GstBuffer * buffer)
{
  GstVideoInfo *info = &GST_VIDEO_FILTER (self)->in_info;
  guint width = GST_VIDEO_INFO_WIDTH (info);
  guint height = GST_VIDEO_INFO_HEIGHT (info);
  GPtrArray *metas = g_ptr_array_new ();
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_structure_free);
  GstClockTime now = GST_BUFFER_PTS (buffer);
  GValue objects = G_VALUE_INIT;
  GstMeta *meta;
  gpointer state = NULL;
  Output *outs;
  Settings set;
  guint k, n_out, owned = 0;
  gint roi_id = 0;

  read_settings (self, &set);
  if (!GST_CLOCK_TIME_IS_VALID (now))
    now = self->frame_count * self->frame_duration;

  /* the metas in the order they were added (the buffer lists the newest
   * first) */
  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_CASCADE_META_API_TYPE)))
    g_ptr_array_insert (metas, 0, meta);

  n_out = MAX (metas->len, self->trackers->len);
  outs = g_new0 (Output, n_out + 1);
  for (k = 0; k < n_out; k++) {
    if (k < metas->len)
      track_meta (self, k, g_ptr_array_index (metas, k), now, width, height,
          &set, &outs[k], events);
    else
      coast (self, k, now, width, height, &set, &outs[k], events);
  }

  /* the detectors' objects go, in every meta they were in: the tracks
   * replace them */
  for (k = 0; k < metas->len; k++)
    owned += gst_cascade_analytics_count (g_ptr_array_index (metas, k));
  gst_cascade_analytics_release (buffer, owned);
  for (k = 0; k < metas->len; k++)
    gst_buffer_remove_meta (buffer, g_ptr_array_index (metas, k));
  remove_detect_rois (buffer);
  if (set.post_messages)
    g_value_init (&objects, GST_TYPE_LIST);
  for (k = 0; k < n_out; k++)
    attach (buffer, &outs[k], now, &roi_id,
        set.post_messages ? &objects : NULL);

  publish (self, buffer, events, now, &set);
  if (set.post_messages) {
    GstStructure *s = gst_structure_new ("cascade-tracks",
        "timestamp", G_TYPE_UINT64, GST_BUFFER_PTS (buffer),
        "frame", G_TYPE_UINT64, self->frame_count, NULL);

    gst_structure_take_value (s, "objects", &objects);
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), s));
  }

  self->frame_count++;
  g_free (outs);
  g_ptr_array_unref (metas);
  g_ptr_array_unref (events);
  return GST_FLOW_OK;
}
