/* gst-cascade: cascadetrack's zone and line events, counts and status
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <math.h>
#include <string.h>

#include "cascadezonespriv.h"

static gboolean
class_applies (const Region * r, const gchar * label)
{
  return !r->classes || g_strv_contains ((const gchar * const *) r->classes,
      label ? label : "");
}

static ClassCount *
class_count (Region * r, gint class_id, const gchar * label)
{
  ClassCount c;
  guint i;

  for (i = 0; i < r->counts->len; i++) {
    ClassCount *p = &g_array_index (r->counts, ClassCount, i);
    if (p->class_id == class_id && p->label == label)
      return p;
  }
  memset (&c, 0, sizeof (c));
  c.class_id = class_id;
  c.label = label;
  g_array_append_val (r->counts, c);
  return &g_array_index (r->counts, ClassCount, r->counts->len - 1);
}

static GstStructure *
event_new (const gchar * type, const Region * r, guint64 id, gint class_id,
    const gchar * label, guint64 ts)
{
  return gst_structure_new ("cascade-track-event",
      "type", G_TYPE_STRING, type,
      "name", G_TYPE_STRING, r->name,
      "track-id", G_TYPE_UINT64, id,
      "class-id", G_TYPE_INT, class_id,
      "label", G_TYPE_STRING, label ? label : "",
      "timestamp", G_TYPE_UINT64, ts, NULL);
}

/* the side of (x, y) of line r: +1 forward, -1 backward, 0 in the band */
static gint
line_side (const Region * r, gdouble x, gdouble y)
{
  const gdouble *p = r->px;
  gdouble dx = p[2] - p[0], dy = p[3] - p[1];
  gdouble d = (dx * (y - p[1]) - dy * (x - p[0])) / hypot (dx, dy);

  if (fabs (d) <= r->hyst_px)
    return 0;
  return d * r->fwd > 0 ? 1 : -1;
}

/* TRUE when the path (x0, y0) -> (x1, y1), which changes sides, meets the
 * segment of r (within its ends) */
static gboolean
through_segment (const Region * r, gdouble x0, gdouble y0, gdouble x1,
    gdouble y1)
{
  const gdouble *p = r->px;
  gdouble ex = p[2] - p[0], ey = p[3] - p[1];
  gdouble mx = x1 - x0, my = y1 - y0;
  gdouble den = mx * ey - my * ex, t, u;

  if (den == 0.0)
    return FALSE;
  /* (x0, y0) + t m = A + u e */
  t = ((p[0] - x0) * ey - (p[1] - y0) * ex) / den;
  u = ((p[0] - x0) * my - (p[1] - y0) * mx) / den;
  return t >= -1e-9 && t <= 1 + 1e-9 && u >= -1e-9 && u <= 1 + 1e-9;
}

static gboolean
inside_polygon (const Region * r, gdouble x, gdouble y)
{
  gboolean in = FALSE;
  guint i, j;

  for (i = 0, j = r->n - 1; i < r->n; j = i++) {
    gdouble xi = r->px[2 * i], yi = r->px[2 * i + 1];
    gdouble xj = r->px[2 * j], yj = r->px[2 * j + 1];

    if ((yi > y) != (yj > y) && x < xi + (y - yi) * (xj - xi) / (yj - yi))
      in = !in;
  }
  return in;
}

static TrackState *
track_state (GstCascadeZones * z, guint64 id, gboolean * created)
{
  TrackState *s = g_hash_table_lookup (z->tracks, &id);
  guint n = z->regions->len;

  *created = s == NULL;
  if (s)
    return s;
  s = g_new0 (TrackState, 1);
  s->side = g_new0 (gint8, n);
  s->last = g_new0 (gdouble, 2 * n);
  s->enter = g_new0 (guint64, n);
  s->enter_label = g_new0 (const gchar *, n);
  s->enter_class = g_new0 (gint, n);
  g_hash_table_insert (z->tracks, g_memdup2 (&id, sizeof (id)), s);
  return s;
}

static void
observe_line (Region * r, TrackState * s, guint k, gboolean first,
    guint64 id, gint class_id, const gchar * label, gdouble x, gdouble y,
    guint64 ts, GPtrArray * events)
{
  gint side = line_side (r, x, y);
  gboolean dir_fwd;
  GstStructure *e;
  ClassCount *c;

  if (side == 0)
    return;
  if (first || s->side[k] == 0 || side == s->side[k]) {
    s->side[k] = (gint8) side;
    s->last[2 * k] = x;
    s->last[2 * k + 1] = y;
    return;
  }
  /* a change of side */
  dir_fwd = side > 0;
  if (through_segment (r, s->last[2 * k], s->last[2 * k + 1], x, y)) {
    c = class_count (r, class_id, label);
    c->n[dir_fwd ? C_IN : C_OUT]++;
    r->total[dir_fwd ? C_IN : C_OUT]++;
    e = event_new ("line-cross", r, id, class_id, label, ts);
    gst_structure_set (e, "direction", G_TYPE_STRING,
        dir_fwd ? "forward" : "backward", NULL);
    g_ptr_array_add (events, e);
  }
  s->side[k] = (gint8) side;
  s->last[2 * k] = x;
  s->last[2 * k + 1] = y;
}

static void
zone_leave (Region * r, TrackState * s, guint k, guint64 id, gint class_id,
    const gchar * label, guint64 ts, const gchar * reason, GPtrArray * events)
{
  ClassCount *c = class_count (r, s->enter_class[k], s->enter_label[k]);
  GstStructure *e;

  s->side[k] = 0;
  c->n[C_OUT]++;
  c->n[C_OCC]--;
  r->total[C_OUT]++;
  r->total[C_OCC]--;
  e = event_new ("zone-leave", r, id, class_id, label, ts);
  gst_structure_set (e, "dwell", G_TYPE_UINT64,
      ts > s->enter[k] ? ts - s->enter[k] : 0,
      "occupancy", G_TYPE_UINT, r->total[C_OCC],
      "reason", G_TYPE_STRING, reason, NULL);
  g_ptr_array_add (events, e);
}

static void
observe_zone (Region * r, TrackState * s, guint k, guint64 id, gint class_id,
    const gchar * label, gdouble x, gdouble y, guint64 ts, GPtrArray * events)
{
  gboolean in = inside_polygon (r, x, y);
  GstStructure *e;
  ClassCount *c;

  if (in == (s->side[k] != 0))
    return;
  if (!in) {
    zone_leave (r, s, k, id, class_id, label, ts, "left", events);
    return;
  }
  s->side[k] = 1;
  s->enter[k] = ts;
  s->enter_label[k] = label;
  s->enter_class[k] = class_id;
  c = class_count (r, class_id, label);
  c->n[C_IN]++;
  c->n[C_OCC]++;
  r->total[C_IN]++;
  r->total[C_OCC]++;
  e = event_new ("zone-enter", r, id, class_id, label, ts);
  gst_structure_set (e, "occupancy", G_TYPE_UINT, r->total[C_OCC], NULL);
  g_ptr_array_add (events, e);
}

void
gst_cascade_zones_observe (GstCascadeZones * z, guint64 track_id,
    gint class_id, const gchar * label, gdouble x, gdouble y, guint64 ts,
    GPtrArray * events)
{
  TrackState *s;
  gboolean first;
  guint k;

  if (!z || !z->width || !z->regions->len)
    return;
  label = g_intern_string (label ? label : "");
  s = track_state (z, track_id, &first);
  for (k = 0; k < z->regions->len; k++) {
    Region *r = g_ptr_array_index (z->regions, k);

    if (!class_applies (r, label))
      continue;
    if (r->line)
      observe_line (r, s, k, first, track_id, class_id, label, x, y, ts,
          events);
    else
      observe_zone (r, s, k, track_id, class_id, label, x, y, ts, events);
  }
}

void
gst_cascade_zones_forget (GstCascadeZones * z, guint64 track_id, guint64 ts,
    GPtrArray * events)
{
  TrackState *s;
  guint k;

  if (!z)
    return;
  s = g_hash_table_lookup (z->tracks, &track_id);
  if (!s)
    return;
  for (k = 0; k < z->regions->len; k++) {
    Region *r = g_ptr_array_index (z->regions, k);

    if (!r->line && s->side[k])
      zone_leave (r, s, k, track_id, s->enter_class[k], s->enter_label[k],
          ts, "lost", events);
  }
  g_hash_table_remove (z->tracks, &track_id);
}

void
gst_cascade_zones_reset_tracks (GstCascadeZones * z)
{
  guint k, i;

  if (!z)
    return;
  g_hash_table_remove_all (z->tracks);
  /* nobody is inside any more */
  for (k = 0; k < z->regions->len; k++) {
    Region *r = g_ptr_array_index (z->regions, k);

    r->total[C_OCC] = 0;
    for (i = 0; i < r->counts->len; i++)
      g_array_index (r->counts, ClassCount, i).n[C_OCC] = 0;
  }
}

/* ------------------------------------------------------------------ */
/* counts and status */

static void
append_structure (GValue * list, GstStructure * s)
{
  GValue v = G_VALUE_INIT;

  g_value_init (&v, GST_TYPE_STRUCTURE);
  g_value_take_boxed (&v, s);
  gst_value_list_append_and_take_value (list, &v);
}

static void
set_counts (GstStructure * s, const Region * r, const guint n[C_N])
{
  if (r->line)
    gst_structure_set (s, "forward", G_TYPE_UINT, n[C_IN],
        "backward", G_TYPE_UINT, n[C_OUT], NULL);
  else
    gst_structure_set (s, "occupancy", G_TYPE_UINT, n[C_OCC],
        "entered", G_TYPE_UINT, n[C_IN], "left", G_TYPE_UINT, n[C_OUT], NULL);
}

static GstStructure *
region_counts (const Region * r)
{
  GstStructure *s = gst_structure_new (r->line ? "line" : "zone",
      "name", G_TYPE_STRING, r->name, NULL);
  GValue classes = G_VALUE_INIT;
  guint i;

  set_counts (s, r, r->total);
  g_value_init (&classes, GST_TYPE_LIST);
  for (i = 0; i < r->counts->len; i++) {
    const ClassCount *c = &g_array_index (r->counts, ClassCount, i);
    GstStructure *cs = gst_structure_new ("class", "label", G_TYPE_STRING,
        c->label, "class-id", G_TYPE_INT, c->class_id, NULL);

    set_counts (cs, r, c->n);
    append_structure (&classes, cs);
  }
  gst_structure_take_value (s, "classes", &classes);
  return s;
}

GstStructure *
gst_cascade_zones_counts (const GstCascadeZones * z)
{
  GstStructure *s = gst_structure_new_empty ("cascade-counts");
  GValue zones = G_VALUE_INIT, lines = G_VALUE_INIT;
  guint k;

  g_value_init (&zones, GST_TYPE_LIST);
  g_value_init (&lines, GST_TYPE_LIST);
  for (k = 0; z && k < z->regions->len; k++) {
    const Region *r = g_ptr_array_index (z->regions, k);
    append_structure (r->line ? &lines : &zones, region_counts (r));
  }
  gst_structure_take_value (s, "zones", &zones);
  gst_structure_take_value (s, "lines", &lines);
  return s;
}

/* the dwell times so far of the tracks inside zone k */
static void
add_dwell (const GstCascadeZones * z, guint k, guint64 ts, GstStructure * s)
{
  GValue list = G_VALUE_INIT;
  GHashTableIter it;
  gpointer key, value;

  g_value_init (&list, GST_TYPE_LIST);
  g_hash_table_iter_init (&it, z->tracks);
  while (g_hash_table_iter_next (&it, &key, &value)) {
    const TrackState *t = value;

    if (!t->side[k])
      continue;
    append_structure (&list, gst_structure_new ("dwell",
            "track-id", G_TYPE_UINT64, *(guint64 *) key,
            "dwell", G_TYPE_UINT64, ts > t->enter[k] ? ts - t->enter[k] : 0,
            NULL));
  }
  gst_structure_take_value (s, "tracks", &list);
}

void
gst_cascade_zones_status (const GstCascadeZones * z, guint64 ts, GValue * list)
{
  guint k, i;

  for (k = 0; z && k < z->regions->len; k++) {
    const Region *r = g_ptr_array_index (z->regions, k);
    GstStructure *s = region_counts (r);
    GValue pts = G_VALUE_INIT, v = G_VALUE_INIT;

    /* the geometry as fractions of the frame, for any frame size */
    g_value_init (&pts, GST_TYPE_ARRAY);
    g_value_init (&v, G_TYPE_DOUBLE);
    for (i = 0; i < 2 * r->n; i++) {
      g_value_set_double (&v, r->px[i] / (i % 2 ? z->height : z->width));
      gst_value_array_append_value (&pts, &v);
    }
    g_value_unset (&v);
    gst_structure_take_value (s, "points", &pts);
    if (!r->line)
      add_dwell (z, k, ts, s);
    append_structure (list, s);
  }
}
