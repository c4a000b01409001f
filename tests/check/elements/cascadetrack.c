/* gst-cascade: tests of cascadetrack through GstHarness: frames carrying
 * GstCascadeMeta as cascadedetect attaches it (fresh results, repeated
 * ones with their source PTS, none), the tracked metas, ROI params,
 * events and counts read back */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "cascade-check.h"

#define W 320
#define H 240
#define STEP (100 * GST_MSECOND)        /* 10 fps */
#define M GST_CASCADE_META_MASK_SIZE

typedef struct
{
  gfloat cx, cy, w, h;
  gint class_id;
} Obj;

static GstHarness *
track_harness (const gchar * launch)
{
  GstHarness *h = gst_harness_new_parse (launch);

  gst_harness_set_src_caps_str (h, "video/x-raw, format=NV12, width=320, "
      "height=240, framerate=10/1");
  return h;
}

/* frame i, with a meta of objs computed on frame src (repeated when src !=
 * i; no meta when n < 0) */
static GstBuffer *
frame (gint i, gint src, const Obj * objs, gint n, const gfloat * mask)
{
  GstVideoInfo info;
  GstBuffer *buf;
  gint k;

  cascade_check_info (&info, "NV12", W, H);
  buf = cascade_check_frame_new (&info, 0, 0, 0);
  GST_BUFFER_PTS (buf) = i * STEP;
  GST_BUFFER_DURATION (buf) = STEP;
  if (n >= 0) {
    GstCascadeMeta *meta = gst_buffer_add_cascade_meta (buf, W, H);
    GstVideoRegionOfInterestMeta *roi;

    gst_cascade_meta_set_source (meta, src * STEP, src != i);
    for (k = 0; k < n; k++) {
      const Obj *o = &objs[k];
      gst_cascade_meta_add_object (meta, o->cx - o->w / 2, o->cy - o->h / 2,
          o->cx + o->w / 2, o->cy + o->h / 2, 0.9f, o->class_id,
          o->class_id ? "square" : "circle", mask);
      /* as cascadedetect does: an ROI meta with a detection param */
      roi = gst_buffer_add_video_region_of_interest_meta (buf, "circle", 0,
          0, 1, 1);
      roi->id = k;
      gst_video_region_of_interest_meta_add_param (roi,
          gst_structure_new ("detection", "source_pts", G_TYPE_UINT64,
              (guint64) (src * STEP), NULL));
    }
  }
  return buf;
}

/* object k of a scene at frame f: moving right (k even) or left */
static Obj
moving (gint k, gint f)
{
  Obj o;

  o.cx = (k % 2 == 0) ? 40 + 5 * f : 280 - 5 * f;
  o.cy = 60 + 70 * k;
  o.w = 40;
  o.h = 30;
  o.class_id = k % 2;
  return o;
}

/* the index of the object nearest (cx, cy) in meta */
static guint
nearest (const GstCascadeMeta * meta, gfloat cx, gfloat cy)
{
  guint i, best = G_MAXUINT;
  gfloat d = G_MAXFLOAT;

  for (i = 0; i < gst_cascade_meta_get_count (meta); i++) {
    const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
    gfloat e = hypotf ((o->x1 + o->x2) / 2 - cx, (o->y1 + o->y2) / 2 - cy);
    if (e < d) {
      d = e;
      best = i;
    }
  }
  fail_unless (best != G_MAXUINT);
  return best;
}

/* pushes frames 0..n-1 of `objects` moving objects, a fresh result every
 * `interval` frames; checks the IDs stay and returns the last buffer */
static GstBuffer *
run_scene (GstHarness * h, gint start, gint n, gint objects, gint interval,
    guint64 * ids)
{
  GstBuffer *out = NULL;
  gint f, k;

  for (f = start; f < start + n; f++) {
    gint src = f - (f - start) % interval;
    Obj objs[4];
    GstCascadeMeta *meta;

    for (k = 0; k < objects; k++)
      objs[k] = moving (k, src);
    if (out)
      gst_buffer_unref (out);
    out = gst_harness_push_and_pull (h, frame (f, src, objs, objects, NULL));
    meta = gst_buffer_get_cascade_meta (out);
    fail_unless (meta != NULL);
    fail_unless_equals_int (gst_cascade_meta_get_count (meta), objects);
    for (k = 0; k < objects; k++) {
      Obj truth = moving (k, f);
      guint i = nearest (meta, truth.cx, truth.cy);
      guint64 id = gst_cascade_meta_get_track_id (meta, i);

      fail_unless (id != 0);
      if (f == start && !ids[k])
        ids[k] = id;
      fail_unless_equals_uint64 (id, ids[k]);
      fail_unless_equals_int (gst_cascade_meta_is_predicted (meta, i),
          f != src);
    }
  }
  return out;
}

GST_START_TEST (test_ids_persist_across_gaps)
{
  GstHarness *h = track_harness ("cascadetrack");
  guint64 ids[3] = { 0, 0, 0 };
  GstBuffer *out = run_scene (h, 0, 30, 3, 3, ids);
  GstVideoRegionOfInterestMeta *roi;
  GstCascadeMeta *meta = gst_buffer_get_cascade_meta (out);
  gpointer state = NULL;
  guint n_roi = 0;

  fail_unless (ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
  /* the ROI metas: one per tracked object, with tracking and object_id */
  while ((roi = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (out, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstStructure *t = gst_video_region_of_interest_meta_get_param (roi,
        "tracking");
    GstStructure *oid = gst_video_region_of_interest_meta_get_param (roi,
        "object_id");
    guint64 id;
    gint dl_id;
    guint age;
    gboolean predicted;

    fail_unless (t && oid);
    fail_unless (gst_structure_get_uint64 (t, "id", &id));
    fail_unless (gst_structure_get_int (oid, "id", &dl_id));
    fail_unless (gst_structure_get_uint (t, "age", &age));
    fail_unless (gst_structure_get_boolean (t, "predicted", &predicted));
    fail_unless_equals_uint64 (id, (guint64) dl_id);
    fail_unless (id == ids[0] || id == ids[1] || id == ids[2]);
    fail_unless_equals_int (age, 29);
    /* frame 29 is 2 frames after the result of frame 27 */
    fail_unless (predicted);
    fail_unless (gst_video_region_of_interest_meta_get_param (roi,
            "detection") != NULL);
    n_roi++;
  }
  fail_unless_equals_int (n_roi, 3);
  fail_unless_equals_int (gst_cascade_meta_get_track_age (meta, 0), 29);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Frames between results: the input boxes stand still, the output boxes
 * move on (5 px per frame); masks come along, box-relative. */
GST_START_TEST (test_prediction_moves_boxes)
{
  GstHarness *h = track_harness ("cascadetrack");
  gfloat mask[M * M];
  gint f, i;

  for (i = 0; i < M * M; i++)
    mask[i] = (gfloat) i / (M * M);
  for (f = 0; f < 40; f++) {
    gint src = f - f % 10;
    Obj o = moving (0, src);
    GstBuffer *out = gst_harness_push_and_pull (h, frame (f, src, &o, 1,
            mask));
    GstCascadeMeta *meta = gst_buffer_get_cascade_meta (out);
    const GstCascadeObject *obj;
    gfloat cx;

    fail_unless_equals_int (gst_cascade_meta_get_count (meta), 1);
    obj = gst_cascade_meta_get_object (meta, 0);
    cx = (obj->x1 + obj->x2) / 2;
    fail_unless (obj->mask != NULL);
    fail_unless (memcmp (obj->mask, mask, sizeof (mask)) == 0);
    fail_unless_equals_uint64 (gst_cascade_meta_get_source_pts (meta),
        src * STEP);
    /* once the velocity is known (after two results), predictions follow
     * the truth; the repeated input stays 5 (f - src) px behind */
    if (f >= 20)
      fail_unless (fabsf (cx - moving (0, f).cx) < 2.0f, "frame %d: %f vs %f",
          f, cx, moving (0, f).cx);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

/* newest-frame mode: the result of frame k arrives on frame k + 2; it is
 * consumed at k and predicted to k + 2 */
GST_START_TEST (test_result_consumed_at_source)
{
  GstHarness *h = track_harness ("cascadetrack");
  gint f;

  for (f = 2; f < 40; f++) {
    gint src = (f - 2) - (f - 2) % 4;   /* a result every 4 frames, late */
    Obj o = moving (0, src);
    GstBuffer *out = gst_harness_push_and_pull (h, frame (f, src, &o, 1,
            NULL));
    GstCascadeMeta *meta = gst_buffer_get_cascade_meta (out);
    const GstCascadeObject *obj = gst_cascade_meta_get_object (meta, 0);

    fail_unless (gst_cascade_meta_is_predicted (meta, 0));
    if (f >= 20)
      fail_unless (fabsf ((obj->x1 + obj->x2) / 2 - moving (0, f).cx) < 2.0f);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Results 1 s apart of an object leaving on the right: between them its
 * box moves on, and once predicted out of the frame it is not shown. */
GST_START_TEST (test_predicted_out_of_frame)
{
  GstHarness *h = track_harness ("cascadetrack max-age=3000000000");
  gint f, shown_after = 0;

  for (f = 0; f < 50; f++) {
    gint src = MIN (f - f % 10, 20);
    Obj o = { 200 + 4 * src, 100, 30, 30, 0 };
    GstBuffer *out = gst_harness_push_and_pull (h, frame (f, src, &o, 1,
            NULL));
    GstCascadeMeta *meta = gst_buffer_get_cascade_meta (out);
    guint n = meta ? gst_cascade_meta_get_count (meta) : 0;

    /* at 40 px/s (4 px a frame) the box's left edge (cx - 15) passes
     * x = 320 at frame 34 */
    if (f >= 30 && n) {
      const GstCascadeObject *b = gst_cascade_meta_get_object (meta, 0);
      fail_unless (b->x1 < W);
      shown_after = f;
    }
    if (f < 32)
      fail_unless_equals_int (n, 1);
    gst_buffer_unref (out);
  }
  fail_unless (shown_after >= 32 && shown_after <= 36, "%d", shown_after);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* An object gone for longer than max-age comes back with a new ID; frames
 * without any meta coast the tracks until then. */
GST_START_TEST (test_no_id_reuse)
{
  GstHarness *h = track_harness ("cascadetrack max-age=500000000");
  guint64 ids[1] = { 0 }, again[1] = { 0 };
  GstBuffer *out = run_scene (h, 0, 10, 1, 1, ids);
  GstCascadeMeta *meta;
  gint f;

  gst_buffer_unref (out);
  /* no result at all: predicted for 0.5 s, then gone */
  for (f = 10; f < 20; f++) {
    out = gst_harness_push_and_pull (h, frame (f, f, NULL, -1, NULL));
    meta = gst_buffer_get_cascade_meta (out);
    if (f - 9 <= 5) {
      fail_unless (meta != NULL, "frame %d", f);
      fail_unless_equals_uint64 (gst_cascade_meta_get_track_id (meta, 0),
          ids[0]);
      fail_unless (gst_cascade_meta_is_predicted (meta, 0));
    } else {
      fail_unless (meta == NULL, "frame %d", f);
    }
    gst_buffer_unref (out);
  }
  /* a new track: an ID at its second result */
  for (f = 20; f < 22; f++) {
    Obj o = moving (0, f);
    out = gst_harness_push_and_pull (h, frame (f, f, &o, 1, NULL));
    meta = gst_buffer_get_cascade_meta (out);
    fail_unless_equals_int (gst_cascade_meta_get_count (meta), f - 20);
    gst_buffer_unref (out);
  }
  out = run_scene (h, 22, 5, 1, 1, again);
  fail_unless (again[0] > ids[0]);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* a zones file with a vertical line through the middle, forward to the
 * right, and the left half as a zone */
static gchar *
zones_file (void)
{
  GError *error = NULL;
  gchar *path = NULL;
  gint fd = g_file_open_tmp ("cascadetrack-XXXXXX.json", &path, &error);
  const gchar *spec = "{\"lines\": [{\"name\": \"gate\", \"points\": "
      "[[0.5, 0], [0.5, 1]], \"direction\": [1, 0], \"hysteresis\": 0.02}],"
      " \"zones\": [{\"name\": \"left\", \"points\": [[0, 0], [0.5, 0], "
      "[0.5, 1], [0, 1]]}]}";

  fail_unless (fd >= 0, "%s", error ? error->message : "");
  close (fd);
  fail_unless (g_file_set_contents (path, spec, -1, NULL));
  return path;
}

static guint
count_events (GstBus * bus, const gchar * type, const gchar * dir)
{
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (msg);

    if (gst_structure_has_name (s, "cascade-track-event")
        && !g_strcmp0 (gst_structure_get_string (s, "type"), type)
        && (!dir || !g_strcmp0 (gst_structure_get_string (s, "direction"),
                dir)))
      n++;
    gst_message_unref (msg);
  }
  return n;
}

/* An object crosses the line to the right, turns, crosses back, with
 * +-3 px of noise on its boxes: one event each way, on the bus, in the
 * frame's meta and in the counts. */
GST_START_TEST (test_events_once_per_crossing)
{
  gchar *path = zones_file ();
  gchar *launch = g_strdup_printf ("cascadetrack anchor=center "
      "zones-file=%s", path);
  GstHarness *h = track_harness (launch);
  GstBus *bus = gst_bus_new ();
  GstStructure *counts;
  const GValue *lines;
  GRand *rand = g_rand_new_with_seed (5);
  guint fwd = 9, back = 9, in_meta = 0;
  gint f;

  gst_element_set_bus (h->element, bus);
  for (f = 0; f < 80; f++) {
    Obj o = moving (0, f < 40 ? f : 80 - f);
    GstBuffer *out;
    GstCustomMeta *cm;

    o.cx += (gfloat) g_rand_double_range (rand, -3, 3);
    out = gst_harness_push_and_pull (h, frame (f, f, &o, 1, NULL));
    cm = gst_buffer_get_custom_meta (out, "GstCascadeTrackMeta");
    fail_unless (cm != NULL);
    in_meta += gst_value_list_get_size (gst_structure_get_value
        (gst_custom_meta_get_structure (cm), "events"));
    gst_buffer_unref (out);
  }
  /* the line twice; the zone entered (the track starts inside), left and
   * entered again */
  fail_unless_equals_int (in_meta, 5);
  fail_unless_equals_int (count_events (bus, "line-cross", NULL), 2);
  {
    GstElement *track = gst_harness_find_element (h, "cascadetrack");
    g_object_get (track, "counts", &counts, NULL);
    gst_object_unref (track);
  }
  lines = gst_structure_get_value (counts, "lines");
  fail_unless_equals_int (gst_value_list_get_size (lines), 1);
  fail_unless (gst_structure_get_uint (gst_value_get_structure
          (gst_value_list_get_value (lines, 0)), "forward", &fwd));
  fail_unless (gst_structure_get_uint (gst_value_get_structure
          (gst_value_list_get_value (lines, 0)), "backward", &back));
  fail_unless_equals_int (fwd, 1);
  fail_unless_equals_int (back, 1);
  gst_structure_free (counts);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  g_rand_free (rand);
  gst_harness_teardown (h);
  g_unlink (path);
  g_free (path);
  g_free (launch);
}

GST_END_TEST;

static void
expect_start_error (const gchar * prop, const gchar * value, const gchar * part)
{
  GstElement *e = gst_element_factory_make ("cascadetrack", NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *error = NULL;

  fail_unless (e != NULL);
  gst_element_set_bus (e, bus);
  g_object_set (e, prop, value, NULL);
  if (!strcmp (prop, "zones"))
    g_object_set (e, "zones-file", NULL, NULL);
  fail_unless_equals_int (gst_element_set_state (e, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &error, NULL);
  fail_unless (strstr (error->message, part) != NULL, "'%s' lacks '%s'",
      error->message, part);
  g_clear_error (&error);
  gst_message_unref (msg);
  gst_element_set_state (e, GST_STATE_NULL);
  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_object_unref (e);
}

GST_START_TEST (test_bad_zones)
{
  expect_start_error ("zones", "{\"zones\": [{\"name\": \"door\", "
      "\"points\": [[0, 0], [2, 0], [0, 1]]}]}",
      "zone 'door': point 2 (2, 0) is outside [0, 1]");
  expect_start_error ("zones", "{\"lines\": [{\"name\": \"g\", "
      "\"points\": [[0, 0]]}]}", "line 'g': a line has exactly 2 points");
  expect_start_error ("zones", "not json", "not valid JSON");
  expect_start_error ("zones-file", "/nonexistent/zones.json",
      "cannot read the zones file");
}

GST_END_TEST;

/* A flush, and a state cycle, end every track: the objects come back
 * with new IDs (a flush keeps counting, a new start counts from 1). */
GST_START_TEST (test_flush_and_state_reset)
{
  GstHarness *h = track_harness ("cascadetrack");
  guint64 ids[2] = { 0, 0 }, after[2] = { 0, 0 }, cycled[2] = { 0, 0 };
  GstBuffer *out = run_scene (h, 0, 6, 2, 1, ids);

  gst_buffer_unref (out);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  {
    GstSegment seg;
    gst_segment_init (&seg, GST_FORMAT_TIME);
    fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  }
  out = run_scene (h, 6, 4, 2, 1, after);
  fail_unless (MIN (after[0], after[1]) > MAX (ids[0], ids[1]));
  gst_buffer_unref (out);

  fail_unless_equals_int (gst_element_set_state (h->element,
          GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, "video/x-raw, format=NV12, width=320, "
      "height=240, framerate=10/1");
  out = run_scene (h, 0, 4, 2, 1, cycled);
  fail_unless_equals_uint64 (MIN (cycled[0], cycled[1]), 1);
  fail_unless_equals_uint64 (MAX (cycled[0], cycled[1]), 2);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A caps change to another frame size ends the tracks (their boxes are in
 * the old size's pixels): the same objects, moving on, get new IDs; a caps
 * change that keeps the size keeps them. */
GST_START_TEST (test_size_change_reset)
{
  GstHarness *h = track_harness ("cascadetrack");
  guint64 ids[2] = { 0, 0 }, same[2] = { 0, 0 }, after[2] = { 0, 0 };
  GstBuffer *out = run_scene (h, 0, 6, 2, 1, ids);

  gst_buffer_unref (out);
  gst_harness_set_src_caps_str (h, "video/x-raw, format=NV12, width=320, "
      "height=240, framerate=20/2");
  out = run_scene (h, 6, 3, 2, 1, same);
  fail_unless (same[0] == ids[0] && same[1] == ids[1]);
  gst_buffer_unref (out);
  gst_harness_set_src_caps_str (h, "video/x-raw, format=NV12, width=320, "
      "height=200, framerate=10/1");
  out = run_scene (h, 9, 4, 2, 1, after);
  fail_unless (MIN (after[0], after[1]) > MAX (ids[0], ids[1]),
      "%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT
      ",%" G_GUINT64_FORMAT, after[0], after[1], ids[0], ids[1]);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* The track fields survive a copy and a scale of the meta. */
GST_START_TEST (test_meta_copy_scale)
{
  GstHarness *h = track_harness ("cascadetrack");
  guint64 ids[1] = { 0 };
  GstBuffer *out = run_scene (h, 0, 6, 1, 2, ids), *copy, *scaled;
  GstCascadeMeta *meta = gst_buffer_get_cascade_meta (out), *c;
  GstVideoInfo in, outi;
  GstVideoMetaTransform trans = { &in, &outi };

  copy = gst_buffer_copy (out);
  c = gst_buffer_get_cascade_meta (copy);
  fail_unless_equals_uint64 (gst_cascade_meta_get_track_id (c, 0), ids[0]);
  fail_unless_equals_int (gst_cascade_meta_get_track_age (c, 0), 5);
  fail_unless (gst_cascade_meta_is_predicted (c, 0));

  cascade_check_info (&in, "NV12", W, H);
  cascade_check_info (&outi, "NV12", 2 * W, 2 * H);
  scaled = gst_buffer_new ();
  fail_unless (GST_CASCADE_META_INFO->transform_func (scaled,
          (GstMeta *) meta, out, gst_video_meta_transform_scale_get_quark (),
          &trans));
  c = gst_buffer_get_cascade_meta (scaled);
  fail_unless_equals_uint64 (gst_cascade_meta_get_track_id (c, 0), ids[0]);
  fail_unless_equals_int (gst_cascade_meta_get_track_age (c, 0), 5);
  fail_unless (gst_cascade_meta_is_predicted (c, 0));
  fail_unless (fabsf (gst_cascade_meta_get_object (c, 0)->x1 -
          2 * gst_cascade_meta_get_object (meta, 0)->x1) < 1e-3f);
  /* out of range: 0, not tracked */
  fail_unless_equals_uint64 (gst_cascade_meta_get_track_id (c, 5), 0);

  gst_buffer_unref (scaled);
  gst_buffer_unref (copy);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* post-messages: a `cascade-tracks` message per frame with the IDs */
GST_START_TEST (test_bus_message)
{
  GstHarness *h = track_harness ("cascadetrack post-messages=true");
  GstBus *bus = gst_bus_new ();
  guint64 ids[2] = { 0, 0 }, id = 0;
  GstBuffer *out;
  GstMessage *msg, *last = NULL;
  const GValue *objects;
  guint n = 0;

  gst_element_set_bus (h->element, bus);
  out = run_scene (h, 0, 3, 2, 1, ids);
  gst_buffer_unref (out);
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    if (gst_structure_has_name (gst_message_get_structure (msg),
            "cascade-tracks")) {
      n++;
      gst_clear_message (&last);
      last = msg;
    } else {
      gst_message_unref (msg);
    }
  }
  fail_unless_equals_int (n, 3);
  objects = gst_structure_get_value (gst_message_get_structure (last),
      "objects");
  fail_unless_equals_int (gst_value_list_get_size (objects), 2);
  fail_unless (gst_structure_get_uint64 (gst_value_get_structure
          (gst_value_list_get_value (objects, 0)), "track-id", &id));
  fail_unless (id == ids[0] || id == ids[1]);
  gst_message_unref (last);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
cascadetrack_suite (void)
{
  Suite *s = suite_create ("cascadetrack");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_ids_persist_across_gaps);
  tcase_add_test (tc, test_prediction_moves_boxes);
  tcase_add_test (tc, test_result_consumed_at_source);
  tcase_add_test (tc, test_no_id_reuse);
  tcase_add_test (tc, test_predicted_out_of_frame);
  tcase_add_test (tc, test_events_once_per_crossing);
  tcase_add_test (tc, test_bad_zones);
  tcase_add_test (tc, test_flush_and_state_reset);
  tcase_add_test (tc, test_size_change_reset);
  tcase_add_test (tc, test_meta_copy_scale);
  tcase_add_test (tc, test_bus_message);
  return s;
}

GST_CHECK_MAIN (cascadetrack);
