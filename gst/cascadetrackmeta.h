/* gst-cascade: cascadetrack's per-frame events and zone status (a custom meta)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* A GstCustomMeta of this name carries a `cascade-track` structure:
 * `events` (a list of `cascade-track-event` structures: what happened on
 * this frame) and `zones` (a list of `zone` and `line` structures: each
 * one's geometry as fractions of the frame, counts and occupancy).
 * Applications read it with gst_buffer_get_custom_meta (buffer,
 * GST_CASCADE_TRACK_META_NAME) once cascadetrack is loaded. */
#define GST_CASCADE_TRACK_META_NAME "GstCascadeTrackMeta"

/* registers the meta (once; cascadetrack's class_init) */
void gst_cascade_track_meta_register (void);

/* the meta's structure on buffer (added, with empty lists, if absent) */
GstStructure *gst_cascade_track_meta_add (GstBuffer * buffer);

/* the meta's structure, or NULL without one (or before registration) */
const GstStructure *gst_cascade_track_meta_get (GstBuffer * buffer);

G_END_DECLS
