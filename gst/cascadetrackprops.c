/* gst-cascade: cascadetrack's properties
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "cascadetrackpriv.h"

static void
install_tracker_properties (GObjectClass * gobject_class)
{
  GstCascadeTrackerParams d;

  gst_cascade_tracker_params_init (&d);

  /**
   * GstCascadeTrack:iou-threshold:
   *
   * The least IoU between a track's predicted box and a detection for the
   * two to match (SORT's 0.3 by default).
   *
   * Since: 0.3
   */
  g_object_class_install_property (gobject_class, PROP_IOU_THRESHOLD,
      g_param_spec_double ("iou-threshold", "IoU threshold",
          "Least IoU of a predicted box and a detection that match",
          0.01, 1.0, d.iou_threshold, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstCascadeTrack:birth-score:
   *
   * The least score of a detection that starts a new track; detections
   * below it only extend existing tracks (ByteTrack's two thresholds:
   * cascadedetect's score-threshold is the lower one).
   *
   * Since: 0.3
   */
  g_object_class_install_property (gobject_class, PROP_BIRTH_SCORE,
      g_param_spec_double ("birth-score", "Birth score",
          "Least score of a detection that starts a track (lower ones only "
          "extend tracks)", 0.0, 1.0, d.birth_score, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstCascadeTrack:min-hits:
   *
   * Results that must match a new track before it gets an ID and is
   * shown (in the first results of a stream, tracks are shown at once).
   *
   * Since: 0.3
   */
  g_object_class_install_property (gobject_class, PROP_MIN_HITS,
      g_param_spec_uint ("min-hits", "Min hits",
          "Matched results before a track gets an ID", 1, 100, d.min_hits,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstCascadeTrack:max-age:
   *
   * How long (ns) a track lives on, predicted, without a matching result:
   * through occlusions, and on frames without any result.  The limit in
   * use is at least 2.5 times the time between results.
   *
   * Since: 0.3
   */
  g_object_class_install_property (gobject_class, PROP_MAX_AGE,
      g_param_spec_uint64 ("max-age", "Max age",
          "Nanoseconds a track is kept without a matching result (at least "
          "2.5 result periods)", 1, G_MAXUINT64, d.max_age,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
}

static void
install_zone_properties (GObjectClass * gobject_class)
{
  /**
   * GstCascadeTrack:zones:
   *
   * Zones and lines as JSON (see the element's documentation); checked
   * when the element starts.
   *
   * Since: 0.3
   */
  g_object_class_install_property (gobject_class, PROP_ZONES,
      g_param_spec_string ("zones", "Zones",
          "Zones (polygons) and lines as JSON: {\"zones\": [{\"name\", "
          "\"points\"}], \"lines\": [{\"name\", \"points\", \"direction\"}], "
          "\"units\": \"normalized\"|\"pixels\"}", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstCascadeTrack:zones-file:
   *
   * A file with the zones and lines as JSON, instead of
   * #GstCascadeTrack:zones.
   *
   * Since: 0.3
   */
  g_object_class_install_property (gobject_class, PROP_ZONES_FILE,
      g_param_spec_string ("zones-file", "Zones file",
          "A JSON file of zones and lines (as the zones property)", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstCascadeTrack:anchor:
   *
   * The point of a box that enters zones and crosses lines.
   *
   * Since: 0.3
   */
  g_object_class_install_property (gobject_class, PROP_ANCHOR,
      g_param_spec_enum ("anchor", "Anchor",
          "The point of a box that enters zones and crosses lines",
          gst_cascade_track_anchor_get_type (), DEFAULT_ANCHOR,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstCascadeTrack:post-messages:
   *
   * Post an element message `cascade-tracks` per frame: `timestamp`,
   * `frame` and `objects`, a list of `object` structures (`track-id`,
   * `age`, `predicted`, `label`, `label-id`, `score`, `x1`..`y2`).
   *
   * Since: 0.3
   */
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post the tracked objects of each frame as an element message",
          DEFAULT_POST_MESSAGES, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstCascadeTrack:post-events:
   *
   * Post each zone or line event as an element message
   * (`cascade-track-event`).
   *
   * Since: 0.3
   */
  g_object_class_install_property (gobject_class, PROP_POST_EVENTS,
      g_param_spec_boolean ("post-events", "Post events",
          "Post zone and line events as element messages",
          DEFAULT_POST_EVENTS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstCascadeTrack:counts:
   *
   * The counts so far (a `cascade-counts` structure): `zones`, a list of
   * `zone` structures (`name`, `occupancy`, `entered`, `left`,
   * `classes`), and `lines`, a list of `line` structures (`name`,
   * `forward`, `backward`, `classes`); `classes` lists `class` structures
   * (`label`, `class-id` and the same counts).  Kept after the element
   * stops, until it starts again.
   *
   * Since: 0.3
   */
  g_object_class_install_property (gobject_class, PROP_COUNTS,
      g_param_spec_boxed ("counts", "Counts",
          "Counts per zone, line and class so far", GST_TYPE_STRUCTURE,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}


void
gst_cascade_track_install_properties (GObjectClass * gobject_class)
{
  install_tracker_properties (gobject_class);
  install_zone_properties (gobject_class);
}
