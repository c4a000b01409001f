/* gst-cascade: cascadetrack, persistent object IDs, motion between results,
 * zone and line events
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-cascadetrack
 * @title: cascadetrack
 * @see_also: cascadedetect, cascadeoverlay, cascadejson, #GstCascadeMeta
 *
 * Follows cascadedetect and gives each object an ID that it keeps while
 * it is visible; an ID is never reused in a stream.  A SORT-style tracker
 * (cascadetracker.c): a constant-velocity Kalman filter on each box
 * (centre, width, height and their velocities, in continuous time),
 * assignment by the largest total IoU between predicted and detected
 * boxes (the Hungarian method: globally optimal), then, for what is left,
 * by the smallest total Mahalanobis distance within the filter's 95%
 * gate (a young track whose velocity is unknown, or one that coasted
 * through an occlusion).  Of two detections that overlap with IoU >= 0.7
 * (one object as two classes) the better one counts; only detections
 * scoring #GstCascadeTrack:birth-score start tracks.  A track gets its ID
 * after
 * #GstCascadeTrack:min-hits matched results, and is deleted once no
 * result matched it for #GstCascadeTrack:max-age (at least 2.5 times the
 * time between results, so that slow inference keeps its IDs).
 *
 * Each result is consumed at the frame it was computed on (the source PTS
 * of the #GstCascadeMeta: cascadedetect's `interval`, its newest-frame
 * mode, QoS), and every frame's boxes are predicted from it to the
 * frame's own PTS: between results boxes move, they do not stand still.
 * Masks are box-relative, so they move with their boxes.  Frames without
 * any result keep the tracks, predicted, until the age limit.  A box is
 * predicted at most #GstCascadeTrack:max-age ahead of its result (then it
 * stays), and one predicted out of the frame is not shown.
 *
 * The element replaces each #GstCascadeMeta with the tracked objects of
 * the frame (those with an ID, matched by the latest result), whose
 * gst_cascade_meta_get_track_id(), gst_cascade_meta_get_track_age()
 * (frames since first shown) and gst_cascade_meta_is_predicted() are set,
 * and the cascadedetect ROI metas with one #GstVideoRegionOfInterestMeta
 * per tracked object, carrying the `detection` param, DL Streamer's
 * `object_id` param (`id`, int) and a `tracking` param: `id` (guint64),
 * `age` (guint, frames), `hits` (guint, results matched), `predicted`
 * (boolean).  Built against GStreamer >= 1.24, the frame's analytics
 * relation meta describes the tracked objects too: an ODMtd each (whose id
 * the ROI meta's `id` is), relating to a TrackingMtd with the track ID
 * (README, "Metadata, by GStreamer version").
 *
 * Classes: each match votes for its class with its score (older votes
 * decay by 0.8 per result); the track's class is the one of most votes,
 * so a misclassified result changes neither the ID nor the label, while a
 * lasting change of class changes the label and keeps the ID.  A
 * detection of another class matches a track only with IoU >= 0.5.
 * Occlusions: a track that a result misses is lost: not shown, but
 * predicted, and found again (same ID) when the object reappears near
 * its prediction before the age limit.
 *
 * ## Zones and lines
 *
 * #GstCascadeTrack:zones (or #GstCascadeTrack:zones-file) is JSON:
 * |[
 * {"units": "normalized",
 *  "zones": [{"name": "door", "points": [[0.1, 0.1], [0.4, 0.1], [0.4, 0.6],
 *             [0.1, 0.6]], "classes": ["person"]}],
 *  "lines": [{"name": "gate", "points": [[0.5, 0.0], [0.5, 1.0]],
 *             "direction": [1, 0], "hysteresis": 0.01}]}
 * ]|
 * `units` is `normalized` (fractions of the frame, the default) or
 * `pixels`, for the whole file or per zone or line; `classes` limits a
 * zone or line to those labels; a line's `direction` is the vector of its
 * forward sense (by default the line's A->B turned 90 degrees clockwise
 * on the screen: a line drawn left to right counts downward crossings as
 * forward); `hysteresis` is a band around the line in which no side
 * changes.  The point of a track that counts is its box's bottom centre
 * or centre (#GstCascadeTrack:anchor), at each result that matched it.
 * A bad specification fails the start with a message that names the zone
 * and what is wrong.
 *
 * Events: `zone-enter`, `zone-leave` (with `dwell`, ns, and `reason`
 * `left` or `lost` when the track ended inside) and `line-cross` (with
 * `direction` `forward` or `backward`), each a `cascade-track-event`
 * structure with `type`, `name`, `track-id` (guint64), `class-id`,
 * `label` and `timestamp` (the PTS of the frame of the result that showed
 * it), and for zones `occupancy` after the event.  They are posted as
 * element messages (#GstCascadeTrack:post-events) and attached to the
 * frame in a custom meta (`GstCascadeTrackMeta`: `events`, and `zones`,
 * the geometry, counts and occupants' dwell times of each zone and line),
 * which cascadejson writes and cascadeoverlay draws.
 * #GstCascadeTrack:counts gives the counts per zone, line and class at
 * any time.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! \
 *     cascadedetect interval=3 ! cascadetrack \
 *     zones='{"lines": [{"name": "gate", "points": [[0.5, 0], [0.5, 1]]}]}' ! \
 *     cascadeoverlay track-ids=true trail=20 ! videoconvert ! autovideosink
 * ]|
 */

#include "cascadetrackpriv.h"
#include "cascadetrackmeta.h"

GST_DEBUG_CATEGORY (gst_cascade_track_debug);
#define GST_CAT_DEFAULT gst_cascade_track_debug



#define CAPS_STR GST_VIDEO_CAPS_MAKE ("{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, " \
    "RGBA, BGRA, ARGB, ABGR, NV12, I420 }")

#define gst_cascade_track_parent_class parent_class
G_DEFINE_TYPE (GstCascadeTrack, gst_cascade_track, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cascadetrack, "cascadetrack", GST_RANK_NONE,
    GST_TYPE_CASCADE_TRACK);

GType
gst_cascade_track_anchor_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_CASCADE_TRACK_ANCHOR_CENTER, "The centre of the box", "center"},
    {GST_CASCADE_TRACK_ANCHOR_BOTTOM_CENTER,
          "The middle of the box's bottom edge (where people stand)",
        "bottom-center"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstCascadeTrackAnchor", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

static void gst_cascade_track_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_cascade_track_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_cascade_track_finalize (GObject * object);
static gboolean gst_cascade_track_start (GstBaseTransform * trans);
static gboolean gst_cascade_track_stop (GstBaseTransform * trans);
static gboolean gst_cascade_track_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static GstFlowReturn gst_cascade_track_transform_ip (GstBaseTransform *
    trans, GstBuffer * buffer);
static gboolean gst_cascade_track_set_info (GstVideoFilter * filter,
    GstCaps * incaps, GstVideoInfo * in_info, GstCaps * outcaps,
    GstVideoInfo * out_info);

static void
gst_cascade_track_class_init (GstCascadeTrackClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  GstCaps *caps;

  GST_DEBUG_CATEGORY_INIT (gst_cascade_track_debug, "cascadetrack", 0,
      "cascadetrack");
  gst_cascade_track_meta_register ();

  gobject_class->set_property = gst_cascade_track_set_property;
  gobject_class->get_property = gst_cascade_track_get_property;
  gobject_class->finalize = gst_cascade_track_finalize;
  gst_cascade_track_install_properties (gobject_class);

  gst_element_class_set_static_metadata (element_class,
      "Cascade R-CNN object tracker", "Filter/Analyzer/Video",
      "Gives cascadedetect's objects IDs that persist across frames, "
      "predicts their boxes between results (Kalman filter, optimal IoU "
      "assignment) and reports zone and line events", "gst-cascade developers");

  caps = gst_caps_from_string (CAPS_STR);
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref (caps);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_cascade_track_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_cascade_track_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_cascade_track_sink_event);
  /* metadata only: the frame is never mapped */
  trans_class->transform_ip =
      GST_DEBUG_FUNCPTR (gst_cascade_track_transform_ip);
  trans_class->transform_ip_on_passthrough = FALSE;
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_cascade_track_set_info);

  gst_type_mark_as_plugin_api (gst_cascade_track_anchor_get_type (), 0);
}

static void
gst_cascade_track_init (GstCascadeTrack * self)
{
  gst_cascade_tracker_params_init (&self->params);
  self->anchor = DEFAULT_ANCHOR;
  self->post_messages = DEFAULT_POST_MESSAGES;
  self->post_events = DEFAULT_POST_EVENTS;
  self->next_id = 1;
  self->trackers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_cascade_tracker_free);
  self->sources = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_mutex_init (&self->zones_lock);
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_cascade_track_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstCascadeTrack *self = GST_CASCADE_TRACK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_IOU_THRESHOLD:
      self->params.iou_threshold = g_value_get_double (value);
      break;
    case PROP_BIRTH_SCORE:
      self->params.birth_score = g_value_get_double (value);
      break;
    case PROP_MIN_HITS:
      self->params.min_hits = g_value_get_uint (value);
      break;
    case PROP_MAX_AGE:
      self->params.max_age = g_value_get_uint64 (value);
      break;
    case PROP_ZONES:
      g_free (self->zones_spec);
      self->zones_spec = g_value_dup_string (value);
      break;
    case PROP_ZONES_FILE:
      g_free (self->zones_file);
      self->zones_file = g_value_dup_string (value);
      break;
    case PROP_ANCHOR:
      self->anchor = g_value_get_enum (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_POST_EVENTS:
      self->post_events = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cascade_track_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstCascadeTrack *self = GST_CASCADE_TRACK (object);

  if (prop_id == PROP_COUNTS) {
    g_mutex_lock (&self->zones_lock);
    if (self->zones)
      g_value_take_boxed (value, gst_cascade_zones_counts (self->zones));
    else if (self->final_counts)
      g_value_set_boxed (value, self->final_counts);
    else
      g_value_take_boxed (value, gst_cascade_zones_counts (NULL));
    g_mutex_unlock (&self->zones_lock);
    return;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_IOU_THRESHOLD:
      g_value_set_double (value, self->params.iou_threshold);
      break;
    case PROP_BIRTH_SCORE:
      g_value_set_double (value, self->params.birth_score);
      break;
    case PROP_MIN_HITS:
      g_value_set_uint (value, self->params.min_hits);
      break;
    case PROP_MAX_AGE:
      g_value_set_uint64 (value, self->params.max_age);
      break;
    case PROP_ZONES:
      g_value_set_string (value, self->zones_spec);
      break;
    case PROP_ZONES_FILE:
      g_value_set_string (value, self->zones_file);
      break;
    case PROP_ANCHOR:
      g_value_set_enum (value, self->anchor);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_POST_EVENTS:
      g_value_set_boolean (value, self->post_events);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cascade_track_finalize (GObject * object)
{
  GstCascadeTrack *self = GST_CASCADE_TRACK (object);

  g_free (self->zones_spec);
  g_free (self->zones_file);
  g_ptr_array_unref (self->trackers);
  g_array_unref (self->sources);
  gst_cascade_zones_free (self->zones);
  g_clear_pointer (&self->final_counts, gst_structure_free);
  g_mutex_clear (&self->zones_lock);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

void
gst_cascade_track_reset (GstCascadeTrack * self)
{
  g_ptr_array_set_size (self->trackers, 0);
  g_array_set_size (self->sources, 0);
  g_mutex_lock (&self->zones_lock);
  gst_cascade_zones_reset_tracks (self->zones);
  g_mutex_unlock (&self->zones_lock);
}

static gboolean
gst_cascade_track_start (GstBaseTransform * trans)
{
  GstCascadeTrack *self = GST_CASCADE_TRACK (trans);
  GstCascadeZones *zones = NULL;
  gchar *spec, *file;
  GError *error = NULL;

  GST_OBJECT_LOCK (self);
  spec = g_strdup (self->zones_spec);
  file = g_strdup (self->zones_file);
  GST_OBJECT_UNLOCK (self);

  if (spec && *spec && file && *file)
    goto both;
  if (file && *file)
    zones = gst_cascade_zones_load (file, &error);
  else if (spec && *spec)
    zones = gst_cascade_zones_parse (spec, &error);
  if (error)
    goto bad_zones;
  g_free (spec);
  g_free (file);

  gst_cascade_track_reset (self);
  self->next_id = 1;
  self->frame_count = 0;
  self->width = self->height = 0;
  g_mutex_lock (&self->zones_lock);
  gst_cascade_zones_free (self->zones);
  self->zones = zones;
  g_clear_pointer (&self->final_counts, gst_structure_free);
  g_mutex_unlock (&self->zones_lock);
  GST_DEBUG_OBJECT (self, "%u zones and lines",
      gst_cascade_zones_count (zones));
  return TRUE;

  /* ERRORS */
both:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Set either zones or zones-file, not both"), (NULL));
    g_free (spec);
    g_free (file);
    return FALSE;
  }
bad_zones:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
        ("zones=%s zones-file=%s", GST_STR_NULL (spec), GST_STR_NULL (file)));
    g_clear_error (&error);
    g_free (spec);
    g_free (file);
    return FALSE;
  }
}

static gboolean
gst_cascade_track_stop (GstBaseTransform * trans)
{
  GstCascadeTrack *self = GST_CASCADE_TRACK (trans);

  gst_cascade_track_reset (self);
  g_mutex_lock (&self->zones_lock);
  if (self->zones) {
    g_clear_pointer (&self->final_counts, gst_structure_free);
    self->final_counts = gst_cascade_zones_counts (self->zones);
  }
  g_clear_pointer (&self->zones, gst_cascade_zones_free);
  g_mutex_unlock (&self->zones_lock);
  return TRUE;
}

static gboolean
gst_cascade_track_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstCascadeTrack *self = GST_CASCADE_TRACK (filter);
  GError *error = NULL;
  gboolean ok = TRUE;

  /* boxes of another frame size mean nothing in this one: a caps change
   * to a new size ends the tracks (IDs still count on, never reused) */
  if (self->width && (self->width != GST_VIDEO_INFO_WIDTH (in_info)
          || self->height != GST_VIDEO_INFO_HEIGHT (in_info))) {
    GST_DEBUG_OBJECT (self, "frame size %dx%d -> %dx%d: the tracks go",
        self->width, self->height, GST_VIDEO_INFO_WIDTH (in_info),
        GST_VIDEO_INFO_HEIGHT (in_info));
    gst_cascade_track_reset (self);
  }
  self->width = GST_VIDEO_INFO_WIDTH (in_info);
  self->height = GST_VIDEO_INFO_HEIGHT (in_info);
  self->frame_duration = GST_VIDEO_INFO_FPS_N (in_info) > 0 ?
      gst_util_uint64_scale_int (GST_SECOND, GST_VIDEO_INFO_FPS_D (in_info),
      GST_VIDEO_INFO_FPS_N (in_info)) : GST_SECOND / 30;

  g_mutex_lock (&self->zones_lock);
  if (self->zones)
    ok = gst_cascade_zones_set_frame_size (self->zones,
        GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info),
        &error);
  g_mutex_unlock (&self->zones_lock);
  if (!ok) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
        (NULL));
    g_clear_error (&error);
  }
  return ok;
}

static gboolean
gst_cascade_track_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstCascadeTrack *self = GST_CASCADE_TRACK (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    GST_DEBUG_OBJECT (self, "flush: the tracks go");
    gst_cascade_track_reset (self);
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static GstFlowReturn
gst_cascade_track_transform_ip (GstBaseTransform * trans, GstBuffer * buffer)
{
  return gst_cascade_track_process (GST_CASCADE_TRACK (trans), buffer);
}
