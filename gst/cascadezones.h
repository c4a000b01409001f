/* gst-cascade: cascadetrack's zones and lines, and their events
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* the error domain of a bad specification */
#define GST_CASCADE_ZONES_ERROR (gst_cascade_zones_error_quark ())
GQuark gst_cascade_zones_error_quark (void);

typedef struct _GstCascadeZones GstCascadeZones;

/* Parses a specification (JSON, see gstcascadetrack.c's documentation):
 * NULL with a message naming the zone, the point and the rule when it is
 * not valid. */
GstCascadeZones *gst_cascade_zones_parse (const gchar * json,
    GError ** error);
GstCascadeZones *gst_cascade_zones_load (const gchar * path,
    GError ** error);
void gst_cascade_zones_free (GstCascadeZones * z);

guint gst_cascade_zones_count (const GstCascadeZones * z);

/* Puts the geometry in pixels of a width x height frame; FALSE when a
 * pixel point is not finite or the frame size is 0. */
gboolean gst_cascade_zones_set_frame_size (GstCascadeZones * z, guint width,
    guint height, GError ** error);

/* A tracked object's anchor point (x, y) at time ts: appends the
 * `cascade-track-event` structures of what changed (zone-enter, line-cross)
 * to events (a GPtrArray owning them). */
void gst_cascade_zones_observe (GstCascadeZones * z, guint64 track_id,
    gint class_id, const gchar * label, gdouble x, gdouble y, guint64 ts,
    GPtrArray * events);

/* The track is gone at ts: zone-leave events for the zones it was in. */
void gst_cascade_zones_forget (GstCascadeZones * z, guint64 track_id,
    guint64 ts, GPtrArray * events);

/* a flush: every track's state goes, without events; counts stay */
void gst_cascade_zones_reset_tracks (GstCascadeZones * z);

/* The counts so far: a `cascade-counts` structure with `zones` and `lines`
 * lists (see gstcascadetrack.c). */
GstStructure *gst_cascade_zones_counts (const GstCascadeZones * z);

/* The status of each zone and line at ts, geometry normalised, for the
 * frame's meta: a GST_TYPE_LIST of `zone` and `line` structures. */
void gst_cascade_zones_status (const GstCascadeZones * z, guint64 ts,
    GValue * list);

G_END_DECLS
