/* gst-cascade: cascadeoverlay, draws the detections of GstCascadeMeta
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_CASCADE_OVERLAY (gst_cascade_overlay_get_type ())
G_DECLARE_FINAL_TYPE (GstCascadeOverlay, gst_cascade_overlay, GST,
    CASCADE_OVERLAY, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE (cascadeoverlay);

G_END_DECLS
