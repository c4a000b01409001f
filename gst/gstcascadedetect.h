/* gst-cascade: cascadedetect, runs Cascade (Mask) R-CNN on video frames
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

#define GST_TYPE_CASCADE_DETECT (gst_cascade_detect_get_type ())
G_DECLARE_FINAL_TYPE (GstCascadeDetect, gst_cascade_detect, GST,
    CASCADE_DETECT, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE (cascadedetect);

G_END_DECLS
