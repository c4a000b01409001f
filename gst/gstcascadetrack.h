/* gst-cascade: cascadetrack, persistent object IDs, motion between results,
 * zone and line events
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_CASCADE_TRACK (gst_cascade_track_get_type ())
G_DECLARE_FINAL_TYPE (GstCascadeTrack, gst_cascade_track, GST, CASCADE_TRACK,
    GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE (cascadetrack);

G_END_DECLS
