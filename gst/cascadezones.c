/* gst-cascade: cascadetrack's zones and lines, and their events
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* A zone is a polygon (even-odd rule); a line is a segment A-B with a
 * forward sense (by default A->B turned 90 degrees clockwise on the
 * screen: for a line drawn left to right, forward is downwards).  A
 * track's anchor is on one side of a line (the sign of the cross product,
 * none within the hysteresis band); a crossing is a change of side along
 * a path that passes through the segment, between the last position on
 * the old side and the first one on the new side, so a track that wobbles
 * inside the band counts once, and one that passes beyond an end of the
 * segment not at all.  Zone membership changes give zone-enter and
 * zone-leave (with the dwell time); a track first seen inside a zone
 * enters it then, and a track that is deleted inside one leaves it
 * ("reason" "lost"), so occupancy is always entered - left. */

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "cascadezonespriv.h"

G_DEFINE_QUARK (gst_cascade_zones_error, gst_cascade_zones_error);

static void
region_free (gpointer data)
{
  Region *r = data;

  g_free (r->name);
  g_free (r->spec);
  g_free (r->px);
  g_strfreev (r->classes);
  g_array_unref (r->counts);
  g_free (r);
}

static void
track_state_free (gpointer data)
{
  TrackState *s = data;

  g_free (s->side);
  g_free (s->last);
  g_free (s->enter);
  g_free (s->enter_label);
  g_free (s->enter_class);
  g_free (s);
}

void
gst_cascade_zones_free (GstCascadeZones * z)
{
  if (!z)
    return;
  g_ptr_array_unref (z->regions);
  g_hash_table_unref (z->tracks);
  g_free (z);
}

guint
gst_cascade_zones_count (const GstCascadeZones * z)
{
  return z ? z->regions->len : 0;
}

/* ------------------------------------------------------------------ */
/* parsing */

#define FAIL(...) G_STMT_START { \
    g_set_error (error, GST_CASCADE_ZONES_ERROR, 0, __VA_ARGS__); \
    return FALSE; } G_STMT_END

static gboolean
get_number (JsonNode * node, gdouble * out)
{
  if (!node || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  switch (json_node_get_value_type (node)) {
    case G_TYPE_INT64:
    case G_TYPE_DOUBLE:
      *out = json_node_get_double (node);
      return isfinite (*out);
    default:
      return FALSE;
  }
}

static gboolean
parse_points (Region * r, const gchar * what, JsonNode * node, GError ** error)
{
  JsonArray *a;
  guint i, n;

  if (!node || !JSON_NODE_HOLDS_ARRAY (node))
    FAIL ("%s '%s': \"points\" must be an array of [x, y] pairs", what,
        r->name);
  a = json_node_get_array (node);
  n = json_array_get_length (a);
  if (r->line && n != 2)
    FAIL ("line '%s': a line has exactly 2 points, not %u", r->name, n);
  if (!r->line && n < 3)
    FAIL ("zone '%s': a zone needs at least 3 points, not %u", r->name, n);
  r->n = n;
  r->spec = g_new (gdouble, 2 * n);
  r->px = g_new (gdouble, 2 * n);
  for (i = 0; i < n; i++) {
    JsonNode *p = json_array_get_element (a, i);
    JsonArray *xy = p && JSON_NODE_HOLDS_ARRAY (p) ? json_node_get_array (p)
        : NULL;
    gdouble *v = r->spec + 2 * i;

    if (!xy || json_array_get_length (xy) != 2
        || !get_number (json_array_get_element (xy, 0), &v[0])
        || !get_number (json_array_get_element (xy, 1), &v[1]))
      FAIL ("%s '%s': point %u is not an [x, y] pair of numbers", what,
          r->name, i + 1);
    if (r->normalized && (v[0] < 0 || v[0] > 1 || v[1] < 0 || v[1] > 1))
      FAIL ("%s '%s': point %u (%g, %g) is outside [0, 1]; set \"units\": "
          "\"pixels\" for pixel coordinates", what, r->name, i + 1, v[0], v[1]);
  }
  return TRUE;
}

static gboolean
check_shape (Region * r, GError ** error)
{
  const gdouble *s = r->spec;
  gdouble area = 0.0;
  guint i;

  if (r->line) {
    if (s[0] == s[2] && s[1] == s[3])
      FAIL ("line '%s': its two points are the same", r->name);
    if (r->has_dir) {
      gdouble dot = r->dir[0] * -(s[3] - s[1]) + r->dir[1] * (s[2] - s[0]);
      if (dot == 0.0)
        FAIL ("line '%s': \"direction\" runs along the line; it must point "
            "to one side of it", r->name);
      r->fwd = dot > 0 ? 1.0 : -1.0;
    } else {
      r->fwd = 1.0;
    }
    return TRUE;
  }
  for (i = 0; i < r->n; i++) {
    guint j = (i + 1) % r->n;
    area += s[2 * i] * s[2 * j + 1] - s[2 * j] * s[2 * i + 1];
  }
  if (fabs (area) < 1e-12)
    FAIL ("zone '%s': the polygon has no area", r->name);
  return TRUE;
}

static gboolean
parse_classes (Region * r, const gchar * what, JsonNode * node, GError ** error)
{
  JsonArray *a;
  guint i, n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    FAIL ("%s '%s': \"classes\" must be an array of labels", what, r->name);
  a = json_node_get_array (node);
  n = json_array_get_length (a);
  r->classes = g_new0 (gchar *, n + 1);
  for (i = 0; i < n; i++) {
    const gchar *c = json_array_get_string_element (a, i);
    if (!c || !*c)
      FAIL ("%s '%s': class %u is not a label", what, r->name, i + 1);
    r->classes[i] = g_strdup (c);
  }
  return TRUE;
}

static gboolean
parse_units (JsonObject * o, gboolean * normalized, const gchar * where,
    GError ** error)
{
  const gchar *u;

  if (!json_object_has_member (o, "units"))
    return TRUE;
  u = json_object_get_string_member_with_default (o, "units", "");
  if (!g_strcmp0 (u, "normalized"))
    *normalized = TRUE;
  else if (!g_strcmp0 (u, "pixels"))
    *normalized = FALSE;
  else
    FAIL ("%s: \"units\" is \"normalized\" or \"pixels\"", where);
  return TRUE;
}

static gboolean
parse_region (GstCascadeZones * z, JsonNode * node, gboolean line,
    gboolean normalized, GError ** error)
{
  const gchar *what = line ? "line" : "zone";
  Region *r = g_new0 (Region, 1);
  JsonObject *o;
  GList *members, *l;
  gboolean ok = FALSE;
  gdouble h = 0.0;
  guint i;

  r->line = line;
  r->normalized = normalized;
  r->counts = g_array_new (FALSE, TRUE, sizeof (ClassCount));
  g_ptr_array_add (z->regions, r);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    FAIL ("a %s must be a JSON object", what);
  o = json_node_get_object (node);
  r->name = g_strdup (json_object_get_string_member_with_default (o, "name",
          ""));
  if (!*r->name)
    FAIL ("every %s needs a \"name\"", what);
  for (i = 0; i + 1 < z->regions->len; i++)
    if (!g_strcmp0 (((Region *) g_ptr_array_index (z->regions, i))->name,
            r->name))
      FAIL ("the name '%s' is used twice", r->name);
  members = json_object_get_members (o);
  for (l = members; l; l = l->next) {
    const gchar *m = l->data;
    if (strcmp (m, "name") && strcmp (m, "points") && strcmp (m, "units")
        && strcmp (m, "classes") && (!line || (strcmp (m, "direction")
                && strcmp (m, "hysteresis")))) {
      g_set_error (error, GST_CASCADE_ZONES_ERROR, 0, "%s '%s': unknown "
          "member \"%s\" (allowed: name, points, units, classes%s)", what,
          r->name, m, line ? ", direction, hysteresis" : "");
      g_list_free (members);
      return FALSE;
    }
  }
  g_list_free (members);
  if (!parse_units (o, &r->normalized, r->name, error)
      || !parse_points (r, what, json_object_get_member (o, "points"), error))
    return FALSE;
  if (json_object_has_member (o, "classes")
      && !parse_classes (r, what, json_object_get_member (o, "classes"), error))
    return FALSE;
  if (line && json_object_has_member (o, "direction")) {
    JsonNode *d = json_object_get_member (o, "direction");
    JsonArray *a = JSON_NODE_HOLDS_ARRAY (d) ? json_node_get_array (d) : NULL;
    if (!a || json_array_get_length (a) != 2
        || !get_number (json_array_get_element (a, 0), &r->dir[0])
        || !get_number (json_array_get_element (a, 1), &r->dir[1]))
      FAIL ("line '%s': \"direction\" is a vector [dx, dy]", r->name);
    r->has_dir = TRUE;
  }
  if (line && json_object_has_member (o, "hysteresis")) {
    if (!get_number (json_object_get_member (o, "hysteresis"), &h) || h < 0)
      FAIL ("line '%s': \"hysteresis\" is a distance >= 0", r->name);
  }
  r->hysteresis = h;
  ok = check_shape (r, error);
  return ok;
}

static gboolean
parse_list (GstCascadeZones * z, JsonObject * root, const gchar * member,
    gboolean normalized, GError ** error)
{
  JsonNode *node = json_object_get_member (root, member);
  JsonArray *a;
  guint i;

  if (!node)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    FAIL ("\"%s\" must be an array", member);
  a = json_node_get_array (node);
  for (i = 0; i < json_array_get_length (a); i++)
    if (!parse_region (z, json_array_get_element (a, i),
            !strcmp (member, "lines"), normalized, error))
      return FALSE;
  return TRUE;
}

static gboolean
parse_root (GstCascadeZones * z, JsonNode * root, GError ** error)
{
  JsonObject *o;
  GList *members, *l;
  gboolean normalized = TRUE;

  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    FAIL ("the specification must be a JSON object with \"zones\" and/or "
        "\"lines\"");
  o = json_node_get_object (root);
  members = json_object_get_members (o);
  for (l = members; l; l = l->next) {
    if (strcmp (l->data, "zones") && strcmp (l->data, "lines")
        && strcmp (l->data, "units")) {
      g_set_error (error, GST_CASCADE_ZONES_ERROR, 0, "unknown member \"%s\" "
          "(allowed: zones, lines, units)", (const gchar *) l->data);
      g_list_free (members);
      return FALSE;
    }
  }
  g_list_free (members);
  return parse_units (o, &normalized, "the specification", error)
      && parse_list (z, o, "zones", normalized, error)
      && parse_list (z, o, "lines", normalized, error);
}

GstCascadeZones *
gst_cascade_zones_parse (const gchar * json, GError ** error)
{
  GstCascadeZones *z = g_new0 (GstCascadeZones, 1);
  JsonParser *parser = json_parser_new ();
  GError *err = NULL;

  z->regions = g_ptr_array_new_with_free_func (region_free);
  z->tracks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
      track_state_free);
  if (!json_parser_load_from_data (parser, json ? json : "", -1, &err)) {
    g_set_error (error, GST_CASCADE_ZONES_ERROR, 0,
        "the zones are not valid JSON: %s", err->message);
    g_clear_error (&err);
    goto failed;
  }
  if (!parse_root (z, json_parser_get_root (parser), error))
    goto failed;
  g_object_unref (parser);
  return z;

failed:
  g_object_unref (parser);
  gst_cascade_zones_free (z);
  return NULL;
}

GstCascadeZones *
gst_cascade_zones_load (const gchar * path, GError ** error)
{
  GstCascadeZones *z;
  gchar *text = NULL;
  GError *err = NULL;

  if (!g_file_get_contents (path, &text, NULL, &err)) {
    g_set_error (error, GST_CASCADE_ZONES_ERROR, 0, "cannot read the zones "
        "file: %s", err->message);
    g_clear_error (&err);
    return NULL;
  }
  z = gst_cascade_zones_parse (text, &err);
  if (!z) {
    g_set_error (error, GST_CASCADE_ZONES_ERROR, 0, "%s: %s", path,
        err->message);
    g_clear_error (&err);
  }
  g_free (text);
  return z;
}

gboolean
gst_cascade_zones_set_frame_size (GstCascadeZones * z, guint width,
    guint height, GError ** error)
{
  guint i, k;

  if (!width || !height)
    FAIL ("no frame size");
  z->width = width;
  z->height = height;
  for (i = 0; i < z->regions->len; i++) {
    Region *r = g_ptr_array_index (z->regions, i);
    gdouble sx = r->normalized ? width : 1.0, sy = r->normalized ? height : 1.0;

    for (k = 0; k < r->n; k++) {
      r->px[2 * k] = r->spec[2 * k] * sx;
      r->px[2 * k + 1] = r->spec[2 * k + 1] * sy;
    }
    /* the band's width in the units given, along the larger side */
    r->hyst_px = r->hysteresis * MAX (sx, sy);
    if (r->line && r->has_dir) {
      gdouble dx = (r->px[2] - r->px[0]), dy = (r->px[3] - r->px[1]);
      gdouble dot = r->dir[0] * sx * -dy + r->dir[1] * sy * dx;
      r->fwd = dot > 0 ? 1.0 : -1.0;
    }
  }
  return TRUE;
}

#undef FAIL
