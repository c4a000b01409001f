/* gst-cascade: the video formats of the elements, in one table
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "cascadeformats.h"

/* Every format the elements accept, in the order of their caps: the
 * engine reads them all (cascadedetect) and cascadeoverlay draws on them
 * all. */
static const struct
{
  GstVideoFormat video;
  CascadePixelFormat cascade;
} formats[] = {
  {GST_VIDEO_FORMAT_RGB, CASCADE_FORMAT_RGB},
  {GST_VIDEO_FORMAT_BGR, CASCADE_FORMAT_BGR},
  {GST_VIDEO_FORMAT_RGBx, CASCADE_FORMAT_RGBx},
  {GST_VIDEO_FORMAT_BGRx, CASCADE_FORMAT_BGRx},
  {GST_VIDEO_FORMAT_xRGB, CASCADE_FORMAT_xRGB},
  {GST_VIDEO_FORMAT_xBGR, CASCADE_FORMAT_xBGR},
  {GST_VIDEO_FORMAT_RGBA, CASCADE_FORMAT_RGBA},
  {GST_VIDEO_FORMAT_BGRA, CASCADE_FORMAT_BGRA},
  {GST_VIDEO_FORMAT_ARGB, CASCADE_FORMAT_ARGB},
  {GST_VIDEO_FORMAT_ABGR, CASCADE_FORMAT_ABGR},
  {GST_VIDEO_FORMAT_NV12, CASCADE_FORMAT_NV12},
  {GST_VIDEO_FORMAT_I420, CASCADE_FORMAT_I420},
};

CascadePixelFormat
gst_cascade_format_from_video (GstVideoFormat format)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    if (formats[i].video == format)
      return formats[i].cascade;
  }
  return CASCADE_FORMAT_LAST;
}

GstCaps *
gst_cascade_formats_caps (gint max_side)
{
  GString *s = g_string_new ("video/x-raw, format = (string) { ");
  GstCaps *caps;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    g_string_append_printf (s, "%s%s", i ? ", " : "",
        gst_video_format_to_string (formats[i].video));
  }
  g_string_append_printf (s, " }, width = (int) [ 1, %d ], "
      "height = (int) [ 1, %d ], framerate = (fraction) [ 0, max ]",
      max_side, max_side);
  caps = gst_caps_from_string (s->str);
  g_string_free (s, TRUE);
  return caps;
}

GstPadTemplate *
gst_cascade_formats_pad_template (const gchar * name,
    GstPadDirection direction, gint max_side)
{
  GstCaps *caps = gst_cascade_formats_caps (max_side);
  GstPadTemplate *templ;

  templ = gst_pad_template_new (name, direction, GST_PAD_ALWAYS, caps);
  gst_caps_unref (caps);
  return templ;
}

void
gst_cascade_frame_from_video (GstVideoFrame * frame,
    CascadePixelFormat format, CascadeFrame * cf)
{
  guint i;

  memset (cf, 0, sizeof (*cf));
  cf->format = format;
  cf->width = GST_VIDEO_FRAME_WIDTH (frame);
  cf->height = GST_VIDEO_FRAME_HEIGHT (frame);
  for (i = 0; i < GST_VIDEO_FRAME_N_PLANES (frame) && i < 3; i++) {
    cf->planes[i] = GST_VIDEO_FRAME_PLANE_DATA (frame, i);
    cf->strides[i] = GST_VIDEO_FRAME_PLANE_STRIDE (frame, i);
  }
}

void
gst_cascade_frame_copy (const CascadeFrame * in, CascadeFrame * out,
    guint8 ** block, gsize * block_size)
{
  gsize sizes[3] = { 0, 0, 0 }, total = 0, off = 0;
  guint i;

  for (i = 0; i < 3 && in->planes[i]; i++) {
    guint rows = i == 0 ? in->height : (in->height + 1) / 2;
    sizes[i] = in->strides[i] * rows;
    total += sizes[i];
  }
  if (!*block || *block_size < total) {
    g_free (*block);
    *block = g_malloc (total);
    *block_size = total;
  }
  *out = *in;
  for (i = 0; i < 3 && in->planes[i]; i++) {
    memcpy (*block + off, in->planes[i], sizes[i]);
    out->planes[i] = *block + off;
    off += sizes[i];
  }
}
