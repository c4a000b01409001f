/* gst-cascade: cascadeoverlay's tracking drawings (IDs, trails, zones)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include "cascadeoverlayblend.h"
#include "cascadeoverlaytext.h"
#include "gstcascademeta.h"

G_BEGIN_DECLS

/* the properties (installed from first_id on), under the object lock */
typedef struct
{
  gboolean draw_track_ids;
  guint trail;
  gboolean draw_zones;
} GstCascadeOverlayTrackProps;

/* the past positions of each track ID (streaming thread) */
typedef struct
{
  GHashTable *tracks;           /* guint64 id -> trail */
  guint64 frame;
} GstCascadeTrails;

void gst_cascade_overlay_track_install (GObjectClass * klass, guint first_id);
void gst_cascade_overlay_track_props_init (GstCascadeOverlayTrackProps * p);
/* FALSE when prop_id is not one of them */
gboolean gst_cascade_overlay_track_set (GstCascadeOverlayTrackProps * p,
    guint first_id, guint prop_id, const GValue * value);
gboolean gst_cascade_overlay_track_get (const GstCascadeOverlayTrackProps * p,
    guint first_id, guint prop_id, GValue * value);

void gst_cascade_trails_init (GstCascadeTrails * t);
void gst_cascade_trails_clear (GstCascadeTrails * t);

/* "#ID " for a tracked object when IDs are drawn, else "" (static) */
const gchar *gst_cascade_overlay_track_prefix (const GstCascadeMeta * meta,
    guint index, gboolean ids, gchar buf[32]);

/* Adds the box centres of the frame's tracked objects to their trails and
 * draws the last `len` positions of each as a polyline in the colours
 * the caller picks per class (colour_of); forgets tracks unseen for a
 * while. */
void gst_cascade_trails_draw (GstCascadeTrails * t, GstCascadeBlender * b,
    GstVideoFrame * frame, const GstCascadeMeta * meta, gdouble sx,
    gdouble sy, guint len, guint line_width,
    void (*colour_of) (gpointer owner, gint class_id, GstCascadeColour * c),
    gpointer owner);

/* The zones and lines of cascadetrack's meta on the frame, with their
 * names and counts. */
void gst_cascade_overlay_draw_zones (GstCascadeBlender * b,
    GstCascadeTextCache * text, GstObject * owner, GstVideoFrame * frame,
    guint line_width);

G_END_DECLS
