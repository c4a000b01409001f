/* gst-cascade tests: cascadetrack's zones and lines (gst/cascadezones.c,
 * gst/cascadezonesevents.c): the specification's checks and the events of
 * hand-made paths whose crossings are known; no pipeline. */
#include <gst/gst.h>
#include <string.h>

#include "cascadezones.h"

#define SEC G_GUINT64_CONSTANT (1000000000)

static void
expect_error (const gchar * json, const gchar * part)
{
  GError *error = NULL;
  GstCascadeZones *z = gst_cascade_zones_parse (json, &error);

  g_assert_null (z);
  g_assert_nonnull (error);
  if (!strstr (error->message, part))
    g_error ("'%s' does not say '%s'", error->message, part);
  g_clear_error (&error);
}

static void
test_bad_specs (void)
{
  expect_error ("{\"lines\": [", "not valid JSON");
  expect_error ("[1, 2]", "must be a JSON object");
  expect_error ("{\"zone\": []}", "unknown member \"zone\"");
  expect_error ("{\"units\": \"inches\"}", "\"normalized\" or \"pixels\"");
  expect_error ("{\"lines\": [{\"name\": \"gate\", \"points\": "
      "[[0, 0], [1, 1], [0, 1]]}]}", "line 'gate': a line has exactly 2");
  expect_error ("{\"zones\": [{\"name\": \"door\", \"points\": "
      "[[0, 0], [1, 1]]}]}", "zone 'door': a zone needs at least 3");
  expect_error ("{\"zones\": [{\"name\": \"door\", \"points\": "
      "[[0, 0], [320, 0], [0, 1]]}]}", "point 2 (320, 0) is outside [0, 1]");
  expect_error ("{\"zones\": [{\"points\": [[0, 0], [1, 0], [0, 1]]}]}",
      "needs a \"name\"");
  expect_error ("{\"lines\": [{\"name\": \"a\", \"points\": [[0, 0], [1, 1]]},"
      " {\"name\": \"a\", \"points\": [[0, 1], [1, 0]]}]}", "used twice");
  expect_error ("{\"zones\": [{\"name\": \"flat\", \"points\": "
      "[[0, 0], [0.5, 0.5], [1, 1]]}]}", "has no area");
  expect_error ("{\"lines\": [{\"name\": \"g\", \"points\": [[0, 0], [1, 0]],"
      " \"direction\": [1, 0]}]}", "runs along the line");
  expect_error
      ("{\"lines\": [{\"name\": \"g\", \"points\": [[0, 0], [0, 0]]}]}",
      "the same");
  expect_error
      ("{\"lines\": [{\"name\": \"g\", \"points\": [[0, 0], [\"a\", 1]]}" "]}",
      "point 2 is not an [x, y] pair");
  expect_error ("{\"zones\": [{\"name\": \"z\", \"polygon\": []}]}",
      "unknown member \"polygon\"");
  expect_error ("{\"lines\": [{\"name\": \"g\", \"points\": [[0, 0], [1, 1]], "
      "\"hysteresis\": -1}]}", "hysteresis");
}

static guint
count_type (GPtrArray * ev, const gchar * type, const gchar * dir)
{
  guint i, n = 0;

  for (i = 0; i < ev->len; i++) {
    const GstStructure *s = g_ptr_array_index (ev, i);
    if (g_strcmp0 (gst_structure_get_string (s, "type"), type))
      continue;
    if (dir && g_strcmp0 (gst_structure_get_string (s, "direction"), dir))
      continue;
    n++;
  }
  return n;
}

/* A vertical line x = 100 (pixels) from y 0 to 200, forward to the right:
 * a path that crosses, wobbles in the band, crosses back, and one that
 * passes below the end of the segment. */
static void
test_line_crossing (void)
{
  GError *error = NULL;
  GstCascadeZones *z = gst_cascade_zones_parse ("{\"units\": \"pixels\", "
      "\"lines\": [{\"name\": \"gate\", \"points\": [[100, 0], [100, 200]], "
      "\"direction\": [1, 0], \"hysteresis\": 3}]}", &error);
  GPtrArray *ev = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_structure_free);
  const gdouble xs[] = { 80, 90, 99, 101, 98, 102, 110, 120, 101, 99, 97, 80 };
  GstStructure *counts;
  const GValue *lines, *line;
  guint i, fwd = 0;

  g_assert_no_error (error);
  g_assert_true (gst_cascade_zones_set_frame_size (z, 640, 480, &error));
  for (i = 0; i < G_N_ELEMENTS (xs); i++)
    gst_cascade_zones_observe (z, 1, 0, "circle", xs[i], 50, i * SEC, ev);
  /* right once (at 110: 102 is in the band), left once (at 80): wobbles
   * in the band do not
   * count */
  g_assert_cmpuint (ev->len, ==, 2);
  g_assert_cmpuint (count_type (ev, "line-cross", "forward"), ==, 1);
  g_assert_cmpuint (count_type (ev, "line-cross", "backward"), ==, 1);
  g_assert_cmpstr (gst_structure_get_string (g_ptr_array_index (ev, 0),
          "name"), ==, "gate");
  {
    guint64 id, ts;
    g_assert_true (gst_structure_get_uint64 (g_ptr_array_index (ev, 0),
            "track-id", &id));
    g_assert_true (gst_structure_get_uint64 (g_ptr_array_index (ev, 0),
            "timestamp", &ts));
    g_assert_cmpuint (id, ==, 1);
    g_assert_cmpuint (ts, ==, 6 * SEC);
  }
  /* beyond the end of the segment: no crossing */
  g_ptr_array_set_size (ev, 0);
  gst_cascade_zones_observe (z, 2, 0, "circle", 80, 300, 0, ev);
  gst_cascade_zones_observe (z, 2, 0, "circle", 120, 300, SEC, ev);
  gst_cascade_zones_observe (z, 2, 0, "circle", 120, 150, 2 * SEC, ev);
  g_assert_cmpuint (ev->len, ==, 0);
  /* a second object: forward */
  gst_cascade_zones_observe (z, 3, 1, "square", 60, 150, 0, ev);
  gst_cascade_zones_observe (z, 3, 1, "square", 140, 150, SEC, ev);
  g_assert_cmpuint (count_type (ev, "line-cross", "forward"), ==, 1);

  counts = gst_cascade_zones_counts (z);
  lines = gst_structure_get_value (counts, "lines");
  g_assert_cmpuint (gst_value_list_get_size (lines), ==, 1);
  line = gst_value_list_get_value (lines, 0);
  g_assert_true (gst_structure_get_uint (gst_value_get_structure (line),
          "forward", &fwd));
  g_assert_cmpuint (fwd, ==, 2);
  g_assert_cmpuint (gst_value_list_get_size (gst_structure_get_value
          (gst_value_get_structure (line), "classes")), ==, 2);
  gst_structure_free (counts);
  g_ptr_array_unref (ev);
  gst_cascade_zones_free (z);
}

/* A square zone in normalised units on a 200x100 frame: enter, stay,
 * leave with the dwell time; a track that ends inside leaves as "lost";
 * a zone for squares only ignores circles. */
static void
test_zone_dwell (void)
{
  GError *error = NULL;
  GstCascadeZones *z = gst_cascade_zones_parse ("{\"zones\": ["
      "{\"name\": \"box\", \"points\": [[0.25, 0.25], [0.75, 0.25], "
      "[0.75, 0.75], [0.25, 0.75]]},"
      "{\"name\": \"sq\", \"classes\": [\"square\"], \"points\": [[0, 0], "
      "[1, 0], [1, 1], [0, 1]]}]}", &error);
  GPtrArray *ev = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_structure_free);
  const GstStructure *e;
  GValue status = G_VALUE_INIT;
  guint64 dwell;
  guint occ;

  g_assert_no_error (error);
  g_assert_true (gst_cascade_zones_set_frame_size (z, 200, 100, &error));
  gst_cascade_zones_observe (z, 7, 0, "circle", 10, 50, 0, ev);
  gst_cascade_zones_observe (z, 7, 0, "circle", 100, 50, SEC, ev);
  g_assert_cmpuint (ev->len, ==, 1);
  e = g_ptr_array_index (ev, 0);
  g_assert_cmpstr (gst_structure_get_string (e, "type"), ==, "zone-enter");
  g_assert_cmpstr (gst_structure_get_string (e, "name"), ==, "box");
  g_assert_true (gst_structure_get_uint (e, "occupancy", &occ));
  g_assert_cmpuint (occ, ==, 1);
  gst_cascade_zones_observe (z, 7, 0, "circle", 120, 60, 2 * SEC, ev);
  g_assert_cmpuint (ev->len, ==, 1);

  g_value_init (&status, GST_TYPE_LIST);
  gst_cascade_zones_status (z, 3 * SEC, &status);
  {
    const GstStructure *s =
        gst_value_get_structure (gst_value_list_get_value (&status, 0));
    const GValue *pts = gst_structure_get_value (s, "points");
    const GValue *tracks = gst_structure_get_value (s, "tracks");
    g_assert_cmpuint (gst_value_array_get_size (pts), ==, 8);
    g_assert_cmpfloat (g_value_get_double (gst_value_array_get_value (pts, 2)),
        ==, 0.75);
    g_assert_cmpuint (gst_value_list_get_size (tracks), ==, 1);
    g_assert_true (gst_structure_get_uint64 (gst_value_get_structure
            (gst_value_list_get_value (tracks, 0)), "dwell", &dwell));
    g_assert_cmpuint (dwell, ==, 2 * SEC);
  }
  g_value_unset (&status);

  gst_cascade_zones_observe (z, 7, 0, "circle", 190, 60, 4 * SEC, ev);
  g_assert_cmpuint (ev->len, ==, 2);
  e = g_ptr_array_index (ev, 1);
  g_assert_cmpstr (gst_structure_get_string (e, "type"), ==, "zone-leave");
  g_assert_cmpstr (gst_structure_get_string (e, "reason"), ==, "left");
  g_assert_true (gst_structure_get_uint64 (e, "dwell", &dwell));
  g_assert_cmpuint (dwell, ==, 3 * SEC);

  /* a square appears inside both zones, then its track ends */
  g_ptr_array_set_size (ev, 0);
  gst_cascade_zones_observe (z, 8, 1, "square", 100, 50, 5 * SEC, ev);
  g_assert_cmpuint (count_type (ev, "zone-enter", NULL), ==, 2);
  gst_cascade_zones_forget (z, 8, 6 * SEC, ev);
  g_assert_cmpuint (count_type (ev, "zone-leave", NULL), ==, 2);
  e = g_ptr_array_index (ev, 3);
  g_assert_cmpstr (gst_structure_get_string (e, "reason"), ==, "lost");
  g_assert_true (gst_structure_get_uint (e, "occupancy", &occ));
  g_assert_cmpuint (occ, ==, 0);
  g_ptr_array_unref (ev);
  gst_cascade_zones_free (z);
}

int
main (int argc, char **argv)
{
  gst_init (NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/zones/bad-specs", test_bad_specs);
  g_test_add_func ("/zones/line-crossing", test_line_crossing);
  g_test_add_func ("/zones/zone-dwell", test_zone_dwell);
  return g_test_run ();
}
