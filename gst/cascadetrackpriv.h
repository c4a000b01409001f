/* gst-cascade: cascadetrack's state, shared by its files (private)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/video/video.h>

#include "gstcascadetrack.h"
#include "cascadetracker.h"
#include "cascadezones.h"

G_BEGIN_DECLS

typedef enum
{
  GST_CASCADE_TRACK_ANCHOR_CENTER,
  GST_CASCADE_TRACK_ANCHOR_BOTTOM_CENTER,
} GstCascadeTrackAnchor;

GType gst_cascade_track_anchor_get_type (void);

#define DEFAULT_ANCHOR GST_CASCADE_TRACK_ANCHOR_BOTTOM_CENTER
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_POST_EVENTS TRUE

enum
{
  PROP_0,
  PROP_IOU_THRESHOLD,
  PROP_BIRTH_SCORE,
  PROP_MIN_HITS,
  PROP_MAX_AGE,
  PROP_ZONES,
  PROP_ZONES_FILE,
  PROP_ANCHOR,
  PROP_POST_MESSAGES,
  PROP_POST_EVENTS,
  PROP_COUNTS,
};

/* the element's properties (cascadetrackprops.c) */
void gst_cascade_track_install_properties (GObjectClass * gobject_class);

struct _GstCascadeTrack
{
  GstVideoFilter parent;

  /* properties, under the object lock */
  GstCascadeTrackerParams params;
  gchar *zones_spec;
  gchar *zones_file;
  GstCascadeTrackAnchor anchor;
  gboolean post_messages;
  gboolean post_events;

  /* < private > streaming thread */
  GPtrArray *trackers;          /* GstCascadeTracker, per GstCascadeMeta */
  GArray *sources;              /* guint64 per tracker: result consumed */
  guint64 next_id;              /* the IDs of all trackers */
  guint64 frame_count;
  GstClockTime frame_duration;
  gint width, height;           /* the frame size the tracks are in (0: none
                                   yet) */

  /* zones, also read by the `counts` getter: under zones_lock */
  GMutex zones_lock;
  GstCascadeZones *zones;
  GstStructure *final_counts;   /* the counts when the zones went */
};

/* the tracking of one buffer (cascadetrackframe.c) */
GstFlowReturn gst_cascade_track_process (GstCascadeTrack * self,
    GstBuffer * buffer);

/* trackers (and the zones' track states) go: a flush, a stop */
void gst_cascade_track_reset (GstCascadeTrack * self);

G_END_DECLS
