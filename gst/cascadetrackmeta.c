/* gst-cascade: cascadetrack's per-frame events and zone status (a custom meta)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <gst/video/video.h>

#include "cascadetrackmeta.h"

static gboolean
copy_field (GQuark field, const GValue * value, gpointer user_data)
{
  gst_structure_id_set_value (user_data, field, value);
  return TRUE;
}

/* copies and scales keep it: the geometry is in fractions of the frame */
static gboolean
transform (GstBuffer * transbuf, GstCustomMeta * meta, GstBuffer * buffer,
    GQuark type, gpointer data, gpointer user_data)
{
  GstCustomMeta *dmeta;

  if (!GST_META_TRANSFORM_IS_COPY (type)
      && !GST_VIDEO_META_TRANSFORM_IS_SCALE (type))
    return FALSE;
  dmeta = gst_buffer_add_custom_meta (transbuf, GST_CASCADE_TRACK_META_NAME);
  if (!dmeta)
    return FALSE;
  gst_structure_foreach (gst_custom_meta_get_structure (meta), copy_field,
      gst_custom_meta_get_structure (dmeta));
  return TRUE;
}

void
gst_cascade_track_meta_register (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    static const gchar *tags[] = { NULL };
    gst_meta_register_custom (GST_CASCADE_TRACK_META_NAME, tags, transform,
        NULL, NULL);
    g_once_init_leave (&once, 1);
  }
}

GstStructure *
gst_cascade_track_meta_add (GstBuffer * buffer)
{
  GstCustomMeta *meta;
  GstStructure *s;

  meta = gst_buffer_get_custom_meta (buffer, GST_CASCADE_TRACK_META_NAME);
  if (!meta)
    meta = gst_buffer_add_custom_meta (buffer, GST_CASCADE_TRACK_META_NAME);
  s = gst_custom_meta_get_structure (meta);
  if (!gst_structure_has_field (s, "events")) {
    GValue events = G_VALUE_INIT, zones = G_VALUE_INIT;

    g_value_init (&events, GST_TYPE_LIST);
    g_value_init (&zones, GST_TYPE_LIST);
    gst_structure_take_value (s, "events", &events);
    gst_structure_take_value (s, "zones", &zones);
  }
  return s;
}

const GstStructure *
gst_cascade_track_meta_get (GstBuffer * buffer)
{
  GstCustomMeta *meta;

  if (!gst_meta_get_info (GST_CASCADE_TRACK_META_NAME))
    return NULL;
  meta = gst_buffer_get_custom_meta (buffer, GST_CASCADE_TRACK_META_NAME);
  return meta ? gst_custom_meta_get_structure (meta) : NULL;
}
