/* gst-cascade: the video formats of the elements, in one table
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include "cascade.h"

G_BEGIN_DECLS

/* The engine's pixel format of a GStreamer one; CASCADE_FORMAT_LAST when
 * the table lacks it. */
CascadePixelFormat gst_cascade_format_from_video (GstVideoFormat format);

/* "video/x-raw" caps with every format of the table, in its order, width
 * and height [1, max_side] and any framerate. */
GstCaps *gst_cascade_formats_caps (gint max_side);

/* An always-present pad template with those caps. */
GstPadTemplate *gst_cascade_formats_pad_template (const gchar * name,
    GstPadDirection direction, gint max_side);

/* The engine's view of a mapped frame in the given format. */
void gst_cascade_frame_from_video (GstVideoFrame * frame,
    CascadePixelFormat format, CascadeFrame * cf);

/* Copies the planes of in into *block (reallocated when smaller than
 * *block_size says), keeping their strides (chroma planes have half the
 * rows); out views the copy. */
void gst_cascade_frame_copy (const CascadeFrame * in, CascadeFrame * out,
    guint8 ** block, gsize * block_size);

G_END_DECLS
