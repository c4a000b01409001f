/* gst-cascade: cascadejson, the detections of each frame as a JSON line
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_CASCADE_JSON (gst_cascade_json_get_type ())
G_DECLARE_FINAL_TYPE (GstCascadeJson, gst_cascade_json, GST, CASCADE_JSON,
    GstElement)

GST_ELEMENT_REGISTER_DECLARE (cascadejson);

G_END_DECLS
