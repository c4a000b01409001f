/* gst-cascade tests: cascadetrack's tracker on hand-built scenes whose
 * right answer is known (gst/cascadetracker.c); GLib only. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "cascadetracker.h"

#define MS G_GUINT64_CONSTANT (1000000)

static GstCascadeTrackInput
det (gdouble cx, gdouble cy, gdouble w, gdouble h, gint class_id)
{
  GstCascadeTrackInput d;

  memset (&d, 0, sizeof (d));
  d.x1 = (gfloat) (cx - w / 2);
  d.y1 = (gfloat) (cy - h / 2);
  d.x2 = (gfloat) (cx + w / 2);
  d.y2 = (gfloat) (cy + h / 2);
  d.score = 0.9f;
  d.class_id = class_id;
  return d;
}

/* the confirmed track whose latest match was detection j, or NULL */
static GstCascadeTracklet *
by_det (GstCascadeTracker * t, gint j)
{
  guint i;

  for (i = 0; i < gst_cascade_tracker_count (t); i++) {
    GstCascadeTracklet *tr = gst_cascade_tracker_get (t, i);
    if (tr->det_index == j && tr->state == GST_CASCADE_TRACKLET_CONFIRMED)
      return tr;
  }
  return NULL;
}

static guint
n_confirmed (GstCascadeTracker * t)
{
  guint i, n = 0;

  for (i = 0; i < gst_cascade_tracker_count (t); i++)
    n += gst_cascade_tracker_get (t, i)->state ==
        GST_CASCADE_TRACKLET_CONFIRMED;
  return n;
}

/* Two boxes of one class cross head-on; around the crossing the detector
 * sees only the front one (occlusion).  After it each ID must still be on
 * the object it started with: the prediction carries the hidden one
 * through. */
static void
test_crossing_occlusion (void)
{
  GstCascadeTrackerParams p;
  guint64 next = 1, id_a = 0, id_b = 0;
  GstCascadeTracker *t;
  guint f;

  gst_cascade_tracker_params_init (&p);
  t = gst_cascade_tracker_new (&p, &next);
  for (f = 0; f < 60; f++) {
    gdouble xa = 40 + 8 * f, xb = 520 - 8 * f;
    GstCascadeTrackInput d[2];
    guint n = 0;

    d[n++] = det (xa, 100, 40, 40, 0);
    /* B is behind A while they overlap */
    if (fabs (xa - xb) > 30)
      d[n++] = det (xb, 100, 40, 40, 0);
    gst_cascade_tracker_update (t, f * 100 * MS, d, n);
    if (f == 5) {
      g_assert_nonnull (by_det (t, 0));
      g_assert_nonnull (by_det (t, 1));
      id_a = by_det (t, 0)->id;
      id_b = by_det (t, 1)->id;
      g_assert_cmpuint (id_a, !=, id_b);
    }
    if (f > 5) {
      g_assert_nonnull (by_det (t, 0));
      g_assert_cmpuint (by_det (t, 0)->id, ==, id_a);
      if (n == 2) {
        g_assert_nonnull (by_det (t, 1));
        g_assert_cmpuint (by_det (t, 1)->id, ==, id_b);
      }
    }
  }
  /* no other ID was ever given */
  g_assert_cmpuint (next, ==, 3);
  gst_cascade_tracker_free (t);
}

/* Between results, a box is predicted along its velocity; the prediction
 * is capped at the age limit. */
static void
test_prediction_moves (void)
{
  GstCascadeTrackerParams p;
  guint64 next = 1;
  GstCascadeTracker *t;
  GstCascadeTracklet *tr;
  gdouble b0[4], b1[4], b2[4];
  guint f;

  gst_cascade_tracker_params_init (&p);
  t = gst_cascade_tracker_new (&p, &next);
  for (f = 0; f < 10; f++) {
    GstCascadeTrackInput d = det (100 + 30 * f, 200, 50, 50, 1);
    gst_cascade_tracker_update (t, f * 300 * MS, &d, 1);
  }
  tr = by_det (t, 0);
  g_assert_nonnull (tr);
  gst_cascade_tracklet_box_at (t, tr, 9 * 300 * MS, b0);
  gst_cascade_tracklet_box_at (t, tr, 9 * 300 * MS + 150 * MS, b1);
  gst_cascade_tracklet_box_at (t, tr, 9 * 300 * MS + 60 * G_GUINT64_CONSTANT
      (1000000000), b2);
  /* 100 px/s: 15 px in 150 ms */
  g_assert_cmpfloat (fabs ((b1[0] - b0[0]) - 15.0), <, 1.0);
  g_assert_cmpfloat (fabs (b1[1] - b0[1]), <, 0.5);
  /* capped: no further than the hold time (1 s here) */
  g_assert_cmpuint (gst_cascade_tracker_hold_time (t), ==, 1000 * MS);
  g_assert_cmpfloat (fabs ((b2[0] - b0[0]) - 100.0), <, 5.0);
  gst_cascade_tracker_free (t);
}

/* An object that goes for longer than the age limit gets a new ID when it
 * comes back; IDs only grow. */
static void
test_no_id_reuse (void)
{
  GstCascadeTrackerParams p;
  guint64 next = 1, first, second;
  GstCascadeTracker *t;
  const GstCascadeTracklet *gone;
  GstCascadeTrackInput d = det (100, 100, 40, 40, 0);
  guint f, n;

  gst_cascade_tracker_params_init (&p);
  t = gst_cascade_tracker_new (&p, &next);
  for (f = 0; f < 5; f++)
    gst_cascade_tracker_update (t, f * 100 * MS, &d, 1);
  first = by_det (t, 0)->id;
  /* 1.5 s of empty results: deleted after 1 s */
  for (f = 5; f < 20; f++) {
    gst_cascade_tracker_update (t, f * 100 * MS, NULL, 0);
    gone = gst_cascade_tracker_removed (t, &n);
    if (f < 15)
      g_assert_cmpuint (gst_cascade_tracker_count (t), ==, 1);
    if (f == 15) {
      g_assert_cmpuint (n, ==, 1);
      g_assert_cmpuint (gone[0].id, ==, first);
    }
  }
  g_assert_cmpuint (gst_cascade_tracker_count (t), ==, 0);
  for (f = 20; f < 23; f++)
    gst_cascade_tracker_update (t, f * 100 * MS, &d, 1);
  second = by_det (t, 0)->id;
  g_assert_cmpuint (second, >, first);
  gst_cascade_tracker_free (t);
}

/* After the start of the stream a new object needs min-hits results; a
 * one-result false positive never gets an ID. */
static void
test_min_hits (void)
{
  GstCascadeTrackerParams p;
  guint64 next = 1;
  GstCascadeTracker *t;
  GstCascadeTrackInput d[2];
  guint f;

  gst_cascade_tracker_params_init (&p);
  p.min_hits = 3;
  t = gst_cascade_tracker_new (&p, &next);
  d[0] = det (100, 100, 40, 40, 0);
  d[1] = det (400, 300, 40, 40, 2);
  for (f = 0; f < 5; f++)
    gst_cascade_tracker_update (t, f * 100 * MS, d, 1);
  g_assert_cmpuint (n_confirmed (t), ==, 1);
  /* a false positive, once */
  gst_cascade_tracker_update (t, 5 * 100 * MS, d, 2);
  g_assert_null (by_det (t, 1));
  gst_cascade_tracker_update (t, 6 * 100 * MS, d, 1);
  g_assert_cmpuint (gst_cascade_tracker_count (t), ==, 1);
  /* a real new object: an ID at its third result */
  gst_cascade_tracker_update (t, 7 * 100 * MS, d, 2);
  gst_cascade_tracker_update (t, 8 * 100 * MS, d, 2);
  g_assert_null (by_det (t, 1));
  gst_cascade_tracker_update (t, 9 * 100 * MS, d, 2);
  g_assert_nonnull (by_det (t, 1));
  g_assert_cmpuint (by_det (t, 1)->id, ==, 2);
  gst_cascade_tracker_free (t);
}

/* A single misclassified result keeps the ID and the class; a lasting
 * change keeps the ID and changes the class. */
static void
test_class_change (void)
{
  GstCascadeTrackerParams p;
  guint64 next = 1, id;
  GstCascadeTracker *t;
  GstCascadeTrackInput d = det (100, 100, 40, 40, 0);
  guint f;

  gst_cascade_tracker_params_init (&p);
  t = gst_cascade_tracker_new (&p, &next);
  for (f = 0; f < 5; f++)
    gst_cascade_tracker_update (t, f * 100 * MS, &d, 1);
  id = by_det (t, 0)->id;
  d.class_id = 3;
  gst_cascade_tracker_update (t, 5 * 100 * MS, &d, 1);
  g_assert_cmpuint (by_det (t, 0)->id, ==, id);
  g_assert_cmpint (by_det (t, 0)->class_id, ==, 0);
  for (f = 6; f < 10; f++)
    gst_cascade_tracker_update (t, f * 100 * MS, &d, 1);
  g_assert_cmpuint (by_det (t, 0)->id, ==, id);
  g_assert_cmpint (by_det (t, 0)->class_id, ==, 3);
  g_assert_cmpuint (gst_cascade_tracker_count (t), ==, 1);
  gst_cascade_tracker_free (t);
}

/* Results 1 s apart of an object that moves 1.5 widths between them: the
 * boxes never overlap, the Mahalanobis stage keeps one track. */
static void
test_fast_object_gated (void)
{
  GstCascadeTrackerParams p;
  guint64 next = 1;
  GstCascadeTracker *t;
  guint f;

  gst_cascade_tracker_params_init (&p);
  t = gst_cascade_tracker_new (&p, &next);
  for (f = 0; f < 8; f++) {
    GstCascadeTrackInput d = det (50 + 60 * f, 100, 40, 40, 0);
    gst_cascade_tracker_update (t, f * 1000 * MS, &d, 1);
    g_assert_cmpuint (gst_cascade_tracker_count (t), ==, 1);
    g_assert_nonnull (by_det (t, 0));
    g_assert_cmpuint (by_det (t, 0)->id, ==, 1);
  }
  /* the hold time follows the 1 s period: 2.5 s */
  g_assert_cmpuint (gst_cascade_tracker_hold_time (t), ==, 2500 * MS);
  /* another class at the predicted place is not taken by the gate */
  {
    GstCascadeTrackInput d = det (50 + 60 * 9 + 30, 100, 40, 40, 4);
    gst_cascade_tracker_update (t, 9 * 1000 * MS, &d, 1);
    g_assert_cmpuint (gst_cascade_tracker_count (t), ==, 2);
  }
  gst_cascade_tracker_free (t);
}

/* Time going back (another stream without a flush) resets; IDs go on. */
static void
test_time_back_and_expire (void)
{
  GstCascadeTrackerParams p;
  guint64 next = 1;
  GstCascadeTracker *t;
  GstCascadeTrackInput d = det (100, 100, 40, 40, 0);
  guint f, n;

  gst_cascade_tracker_params_init (&p);
  t = gst_cascade_tracker_new (&p, &next);
  for (f = 0; f < 3; f++)
    gst_cascade_tracker_update (t, (10 + f) * 100 * MS, &d, 1);
  gst_cascade_tracker_update (t, 0, &d, 1);
  gst_cascade_tracker_removed (t, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (gst_cascade_tracker_count (t), ==, 1);
  g_assert_cmpuint (by_det (t, 0)->id, ==, 2);
  /* no result at all: kept until the hold time, then gone */
  gst_cascade_tracker_expire (t, 900 * MS);
  g_assert_cmpuint (gst_cascade_tracker_count (t), ==, 1);
  gst_cascade_tracker_expire (t, 1100 * MS);
  g_assert_cmpuint (gst_cascade_tracker_count (t), ==, 0);
  gst_cascade_tracker_removed (t, &n);
  g_assert_cmpuint (n, ==, 1);
  gst_cascade_tracker_free (t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tracker/crossing-occlusion", test_crossing_occlusion);
  g_test_add_func ("/tracker/prediction-moves", test_prediction_moves);
  g_test_add_func ("/tracker/no-id-reuse", test_no_id_reuse);
  g_test_add_func ("/tracker/min-hits", test_min_hits);
  g_test_add_func ("/tracker/class-change", test_class_change);
  g_test_add_func ("/tracker/fast-object-gated", test_fast_object_gated);
  g_test_add_func ("/tracker/time-back-and-expire", test_time_back_and_expire);
  return g_test_run ();
}
