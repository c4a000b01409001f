/* gst-cascade: cascadeoverlay's tracking drawings (IDs, trails, zones)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <math.h>

#include "cascadeoverlaytrack.h"
#include "cascadetrackmeta.h"

#define DEFAULT_DRAW_TRACK_IDS TRUE
#define DEFAULT_TRAIL 0
#define DEFAULT_DRAW_ZONES TRUE
#define MAX_TRAIL 256
/* a track unseen for this many frames loses its trail */
#define TRAIL_KEEP_FRAMES 30

enum
{
  P_DRAW_TRACK_IDS,
  P_TRAIL,
  P_DRAW_ZONES,
};

typedef struct
{
  gfloat x[MAX_TRAIL], y[MAX_TRAIL];
  guint head, n;                /* ring: newest at head - 1 */
  guint64 seen;
} Trail;

void
gst_cascade_overlay_track_install (GObjectClass * klass, guint first_id)
{
  /**
   * GstCascadeOverlay:draw-track-ids:
   *
   * Put the track ID (`#7`) before the label of tracked objects
   * (cascadetrack).
   *
   * Since: 0.3
   */
  g_object_class_install_property (klass, first_id + P_DRAW_TRACK_IDS,
      g_param_spec_boolean ("draw-track-ids", "Draw track IDs",
          "Put the track ID before the label of tracked objects",
          DEFAULT_DRAW_TRACK_IDS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstCascadeOverlay:trail:
   *
   * Draw the last this many positions (box centres) of each tracked
   * object as a line behind it; 0 draws none.
   *
   * Since: 0.3
   */
  g_object_class_install_property (klass, first_id + P_TRAIL,
      g_param_spec_uint ("trail", "Trail",
          "Past positions of each tracked object drawn as a line (0: none)",
          0, MAX_TRAIL, DEFAULT_TRAIL, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstCascadeOverlay:draw-zones:
   *
   * Draw cascadetrack's zones and lines with their names and counts.
   *
   * Since: 0.3
   */
  g_object_class_install_property (klass, first_id + P_DRAW_ZONES,
      g_param_spec_boolean ("draw-zones", "Draw zones",
          "Draw cascadetrack's zones and lines with their counts",
          DEFAULT_DRAW_ZONES, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
}

void
gst_cascade_overlay_track_props_init (GstCascadeOverlayTrackProps * p)
{
  p->draw_track_ids = DEFAULT_DRAW_TRACK_IDS;
  p->trail = DEFAULT_TRAIL;
  p->draw_zones = DEFAULT_DRAW_ZONES;
}

gboolean
gst_cascade_overlay_track_set (GstCascadeOverlayTrackProps * p,
    guint first_id, guint prop_id, const GValue * value)
{
  if (prop_id == first_id + P_DRAW_TRACK_IDS)
    p->draw_track_ids = g_value_get_boolean (value);
  else if (prop_id == first_id + P_TRAIL)
    p->trail = g_value_get_uint (value);
  else if (prop_id == first_id + P_DRAW_ZONES)
    p->draw_zones = g_value_get_boolean (value);
  else
    return FALSE;
  return TRUE;
}

gboolean
gst_cascade_overlay_track_get (const GstCascadeOverlayTrackProps * p,
    guint first_id, guint prop_id, GValue * value)
{
  if (prop_id == first_id + P_DRAW_TRACK_IDS)
    g_value_set_boolean (value, p->draw_track_ids);
  else if (prop_id == first_id + P_TRAIL)
    g_value_set_uint (value, p->trail);
  else if (prop_id == first_id + P_DRAW_ZONES)
    g_value_set_boolean (value, p->draw_zones);
  else
    return FALSE;
  return TRUE;
}

void
gst_cascade_trails_init (GstCascadeTrails * t)
{
  t->tracks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
      g_free);
  t->frame = 0;
}

void
gst_cascade_trails_clear (GstCascadeTrails * t)
{
  g_clear_pointer (&t->tracks, g_hash_table_unref);
}

const gchar *
gst_cascade_overlay_track_prefix (const GstCascadeMeta * meta, guint index,
    gboolean ids, gchar buf[32])
{
  guint64 id = gst_cascade_meta_get_track_id (meta, index);

  if (!ids || !id)
    return "";
  g_snprintf (buf, 32, "#%" G_GUINT64_FORMAT " ", id);
  return buf;
}

/* a line of width lw from (x0, y0) to (x1, y1): squares along it */
static void
draw_segment (GstCascadeBlender * b, GstVideoFrame * frame, gdouble x0,
    gdouble y0, gdouble x1, gdouble y1, guint lw, const GstCascadeColour * c)
{
  gdouble len = MAX (fabs (x1 - x0), fabs (y1 - y0));
  gint steps = (gint) MIN (ceil (len), 16384.0), i;
  gint half = (gint) lw / 2;

  for (i = 0; i <= steps; i++) {
    gdouble f = steps ? (gdouble) i / steps : 0.0;
    gint x = (gint) lrint (x0 + f * (x1 - x0)) - half;
    gint y = (gint) lrint (y0 + f * (y1 - y0)) - half;
    gst_cascade_blender_fill (b, frame, x, y, (gint) lw, (gint) lw, c);
  }
}

static gboolean
stale (gpointer key, gpointer value, gpointer user_data)
{
  const Trail *tr = value;
  const guint64 *frame = user_data;

  return *frame - tr->seen > TRAIL_KEEP_FRAMES;
}

void
gst_cascade_trails_draw (GstCascadeTrails * t, GstCascadeBlender * b,
    GstVideoFrame * frame, const GstCascadeMeta * meta, gdouble sx,
    gdouble sy, guint len, guint line_width,
    void (*colour_of) (gpointer owner, gint class_id, GstCascadeColour * c),
    gpointer owner)
{
  guint n = meta ? gst_cascade_meta_get_count (meta) : 0, i, k;

  t->frame++;
  for (i = 0; i < n && len; i++) {
    const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
    guint64 id = gst_cascade_meta_get_track_id (meta, i);
    GstCascadeColour c;
    Trail *tr;
    guint m;

    if (!id)
      continue;
    tr = g_hash_table_lookup (t->tracks, &id);
    if (!tr) {
      tr = g_new0 (Trail, 1);
      g_hash_table_insert (t->tracks, g_memdup2 (&id, sizeof (id)), tr);
    }
    tr->x[tr->head] = (gfloat) (0.5 * (o->x1 + o->x2) * sx);
    tr->y[tr->head] = (gfloat) (0.5 * (o->y1 + o->y2) * sy);
    tr->head = (tr->head + 1) % MAX_TRAIL;
    tr->n = MIN (tr->n + 1, MAX_TRAIL);
    tr->seen = t->frame;

    colour_of (owner, o->class_id, &c);
    m = MIN (tr->n, len + 1);
    for (k = 1; k < m; k++) {
      guint a = (tr->head + MAX_TRAIL - k) % MAX_TRAIL;
      guint z = (tr->head + MAX_TRAIL - k - 1) % MAX_TRAIL;
      draw_segment (b, frame, tr->x[a], tr->y[a], tr->x[z], tr->y[z],
          MAX (line_width, 2), &c);
    }
  }
  g_hash_table_foreach_remove (t->tracks, stale, &t->frame);
}

static void
zone_text (const GstStructure * s, gchar * buf, gsize size)
{
  const gchar *name = gst_structure_get_string (s, "name");
  guint a = 0, b = 0;

  if (gst_structure_has_name (s, "line")) {
    gst_structure_get_uint (s, "forward", &a);
    gst_structure_get_uint (s, "backward", &b);
    g_snprintf (buf, size, "%s: %u fwd, %u back", GST_STR_NULL (name), a, b);
  } else {
    gst_structure_get_uint (s, "occupancy", &a);
    gst_structure_get_uint (s, "entered", &b);
    g_snprintf (buf, size, "%s: %u in, %u entered", GST_STR_NULL (name), a, b);
  }
}

void
gst_cascade_overlay_draw_zones (GstCascadeBlender * b,
    GstCascadeTextCache * text, GstObject * owner, GstVideoFrame * frame,
    guint line_width)
{
  const GstStructure *s = gst_cascade_track_meta_get (frame->buffer);
  const GValue *zones = s ? gst_structure_get_value (s, "zones") : NULL;
  gdouble fw = GST_VIDEO_FRAME_WIDTH (frame);
  gdouble fh = GST_VIDEO_FRAME_HEIGHT (frame);
  GstCascadeColour c, ink;
  guint i, k;

  if (!zones)
    return;
  gst_cascade_blender_colour (b, 255, 255, 255, &c);
  gst_cascade_blender_colour (b, 0, 0, 0, &ink);
  for (i = 0; i < gst_value_list_get_size (zones); i++) {
    const GstStructure *z =
        gst_value_get_structure (gst_value_list_get_value (zones, i));
    const GValue *pts = gst_structure_get_value (z, "points");
    guint n = pts ? gst_value_array_get_size (pts) / 2 : 0;
    gboolean line = gst_structure_has_name (z, "line");
    const GstCascadeTextBitmap *bm;
    gchar buf[160];
    gdouble x0 = 0, y0 = 0;

    for (k = 0; k < n && (line ? k + 1 < n : TRUE); k++) {
      guint j = (k + 1) % n;
      gdouble ax = g_value_get_double (gst_value_array_get_value (pts, 2 * k));
      gdouble ay =
          g_value_get_double (gst_value_array_get_value (pts, 2 * k + 1));
      gdouble bx = g_value_get_double (gst_value_array_get_value (pts, 2 * j));
      gdouble by =
          g_value_get_double (gst_value_array_get_value (pts, 2 * j + 1));

      if (k == 0) {
        x0 = ax * fw;
        y0 = ay * fh;
      }
      draw_segment (b, frame, ax * fw, ay * fh, bx * fw, by * fh,
          MAX (line_width, 2), &c);
    }
    if (!n)
      continue;
    zone_text (z, buf, sizeof (buf));
    bm = gst_cascade_text_cache_get (text, owner, buf);
    x0 = CLAMP (x0, 0, MAX (fw - bm->width, 0));
    y0 = CLAMP (y0, 0, MAX (fh - bm->height, 0));
    gst_cascade_blender_fill (b, frame, (gint) x0, (gint) y0, bm->width,
        bm->height, &c);
    gst_cascade_blender_blend (b, frame, (gint) x0, (gint) y0, bm->width,
        bm->height, bm->alpha, bm->width, &ink);
  }
}
