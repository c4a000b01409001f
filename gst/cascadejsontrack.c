/* gst-cascade: cascadejson's members from cascadetrack (track IDs, events)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "cascadejsontrack.h"
#include "cascadetrackmeta.h"

void
gst_cascade_json_add_track (JsonBuilder * b, const GstCascadeMeta * meta,
    guint index)
{
  guint64 id = gst_cascade_meta_get_track_id (meta, index);

  if (!id)
    return;
  json_builder_set_member_name (b, "track_id");
  json_builder_add_int_value (b, (gint64) id);
  json_builder_set_member_name (b, "track_age");
  json_builder_add_int_value (b, gst_cascade_meta_get_track_age (meta, index));
  json_builder_set_member_name (b, "predicted");
  json_builder_add_boolean_value (b, gst_cascade_meta_is_predicted (meta,
          index));
}

static void add_value (JsonBuilder * b, const GValue * v);

static gboolean
add_field (GQuark field, const GValue * value, gpointer user_data)
{
  JsonBuilder *b = user_data;
  gchar *name = g_strdelimit (g_strdup (g_quark_to_string (field)), "-", '_');

  json_builder_set_member_name (b, name);
  add_value (b, value);
  g_free (name);
  return TRUE;
}

static void
add_value (JsonBuilder * b, const GValue * v)
{
  GType t = G_VALUE_TYPE (v);
  guint i;

  if (t == G_TYPE_STRING) {
    json_builder_add_string_value (b, g_value_get_string (v));
  } else if (t == G_TYPE_INT) {
    json_builder_add_int_value (b, g_value_get_int (v));
  } else if (t == G_TYPE_UINT) {
    json_builder_add_int_value (b, g_value_get_uint (v));
  } else if (t == G_TYPE_UINT64) {
    json_builder_add_int_value (b, (gint64) g_value_get_uint64 (v));
  } else if (t == G_TYPE_DOUBLE) {
    json_builder_add_double_value (b, g_value_get_double (v));
  } else if (t == G_TYPE_BOOLEAN) {
    json_builder_add_boolean_value (b, g_value_get_boolean (v));
  } else if (t == GST_TYPE_LIST) {
    json_builder_begin_array (b);
    for (i = 0; i < gst_value_list_get_size (v); i++)
      add_value (b, gst_value_list_get_value (v, i));
    json_builder_end_array (b);
  } else if (t == GST_TYPE_ARRAY) {
    json_builder_begin_array (b);
    for (i = 0; i < gst_value_array_get_size (v); i++)
      add_value (b, gst_value_array_get_value (v, i));
    json_builder_end_array (b);
  } else if (t == GST_TYPE_STRUCTURE) {
    json_builder_begin_object (b);
    gst_structure_foreach (gst_value_get_structure (v), add_field, b);
    json_builder_end_object (b);
  } else {
    json_builder_add_null_value (b);
  }
}

void
gst_cascade_json_add_events (JsonBuilder * b, GstBuffer * buffer)
{
  const GstStructure *s = gst_cascade_track_meta_get (buffer);

  if (!s)
    return;
  json_builder_set_member_name (b, "events");
  add_value (b, gst_structure_get_value (s, "events"));
  json_builder_set_member_name (b, "zones");
  add_value (b, gst_structure_get_value (s, "zones"));
}
