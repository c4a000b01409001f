/* gst-cascade: tests of cascadeoverlay (no model needed: the tests attach
 * the meta themselves) */
#include <math.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "cascade-check.h"

#define W 67
#define H 45
#define M GST_CASCADE_META_MASK_SIZE

/* background: grey, far from the class-0 palette colour (220, 20, 60) */
#define BG_R 128
#define BG_G 128
#define BG_B 128

typedef struct
{
  GstBuffer *before, *after;
  GstVideoInfo info;
} Run;

/* Pushes one frame with `meta` (copied onto the frame; may be NULL)
 * through cascadeoverlay configured by `props` (gst-launch syntax). */
static void
run_overlay (const gchar * format, const gchar * props,
    void (*add) (GstCascadeMeta * meta), Run * run)
{
  gchar *launch = g_strdup_printf ("cascadeoverlay %s", props);
  gchar *caps = cascade_check_caps_str (format, W, H);
  GstHarness *h = gst_harness_new_parse (launch);
  GstBuffer *buf;

  gst_harness_set_src_caps_str (h, caps);
  cascade_check_info (&run->info, format, W, H);
  buf = cascade_check_frame_new (&run->info, BG_R, BG_G, BG_B);
  if (add)
    add (gst_buffer_add_cascade_meta (buf, W, H));
  GST_BUFFER_PTS (buf) = 42 * GST_MSECOND;
  run->before = gst_buffer_copy_deep (buf);
  run->after = gst_harness_push_and_pull (h, buf);
  fail_unless (run->after != NULL);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (run->after), 42 * GST_MSECOND);
  /* the meta travels on */
  if (add)
    fail_unless (gst_buffer_get_cascade_meta (run->after) != NULL);

  gst_harness_teardown (h);
  g_free (launch);
  g_free (caps);
}

static void
run_clear (Run * run)
{
  gst_buffer_unref (run->before);
  gst_buffer_unref (run->after);
}

/* Asserts the changed pixels are exactly `want` (W x H): for YUV the luma
 * exactly, and the chroma samples whose 2x2 block touches `want`. */
static void
assert_changed (const gchar * format, Run * run, const guint8 * want)
{
  guint8 *luma, *chroma;
  gboolean untouched_ok;
  gchar *what = g_strdup_printf ("%s pixels", format);

  cascade_check_diff (&run->info, run->before, run->after, &luma, &chroma,
      &untouched_ok);
  fail_unless (untouched_ok, "%s: x/A bytes were modified", format);
  cascade_check_assert_maps (what, luma, want, W, H);
  if (chroma) {
    guint8 *cwant = cascade_check_chroma_of (want, W, H);
    cascade_check_assert_maps ("chroma", chroma, cwant, (W + 1) / 2,
        (H + 1) / 2);
    g_free (cwant);
  }
  g_free (luma);
  g_free (chroma);
  g_free (what);
}

static void
add_box (GstCascadeMeta * meta)
{
  /* covers columns 10..40, rows 8..30 */
  gst_cascade_meta_add_object (meta, 10.3f, 8.6f, 40.2f, 30.9f, 0.9f, 0,
      "person", NULL);
  /* partly outside the frame: columns 50..66, rows 20..44 */
  gst_cascade_meta_add_object (meta, 50.0f, 20.0f, 90.0f, 80.0f, 0.8f, 1,
      "car", NULL);
}

GST_START_TEST (test_boxes)
{
  guint i;

  for (i = 0; cascade_check_formats[i]; i++) {
    const gchar *format = cascade_check_formats[i];
    guint8 want[W * H];
    Run run;
    gint x, y;

    memset (want, 0, sizeof (want));
    for (y = 8; y <= 30; y++)
      for (x = 10; x <= 40; x++)
        want[y * W + x] = x < 10 + 3 || x > 40 - 3 || y < 8 + 3 || y > 30 - 3;
    /* the second box: its right and bottom edges are outside */
    for (y = 20; y < H; y++)
      for (x = 50; x < W; x++)
        want[y * W + x] |= x < 50 + 3 || y < 20 + 3;

    run_overlay (format, "line-width=3 draw-labels=false draw-masks=false",
        add_box, &run);
    assert_changed (format, &run, want);
    run_clear (&run);
  }
}

GST_END_TEST;

/* a disc-shaped mask in a box */
static void
add_mask (GstCascadeMeta * meta)
{
  gfloat m[M * M];
  gint x, y;

  for (y = 0; y < M; y++)
    for (x = 0; x < M; x++) {
      gdouble dx = x - 13.5, dy = y - 13.5;
      m[y * M + x] = (gfloat) CLAMP (1.2 - sqrt (dx * dx + dy * dy) / 12.0,
          0.0, 1.0);
    }
  gst_cascade_meta_add_object (meta, 5.5f, 3.25f, 45.0f, 40.5f, 0.9f, 0,
      "person", m);
  /* another class, overlapping, partly outside */
  gst_cascade_meta_add_object (meta, 40.0f, 30.0f, 75.0f, 52.0f, 0.7f, 2,
      "dog", m);
}

static void
mask_union (GstBuffer * buf, guint8 * want)
{
  GstCascadeMeta *meta = gst_buffer_get_cascade_meta (buf);
  guint8 tmp[W * H];
  guint i, k, n = 0;

  memset (want, 0, W * H);
  for (i = 0; i < gst_cascade_meta_get_count (meta); i++) {
    fail_unless (gst_cascade_meta_get_mask (meta, i, W, H, tmp, W));
    for (k = 0; k < W * H; k++) {
      want[k] |= tmp[k];
      n += tmp[k];
    }
  }
  fail_unless (n > 200);        /* the masks are not trivial */
}

GST_START_TEST (test_masks)
{
  guint i;

  for (i = 0; cascade_check_formats[i]; i++) {
    const gchar *format = cascade_check_formats[i];
    guint8 want[W * H];
    Run run;

    run_overlay (format, "draw-boxes=false draw-labels=false "
        "mask-opacity=0.5", add_mask, &run);
    mask_union (run.before, want);
    assert_changed (format, &run, want);
    run_clear (&run);

    /* outline only: fewer pixels, all inside the masks */
    run_overlay (format, "draw-boxes=false draw-labels=false "
        "mask-opacity=0", add_mask, &run);
    {
      guint8 *luma, *chroma;
      gboolean ok;
      gint k, n_out = 0, n_mask = 0;

      cascade_check_diff (&run.info, run.before, run.after, &luma, &chroma,
          &ok);
      for (k = 0; k < W * H; k++) {
        fail_if (luma[k] && !want[k], "%s: outline outside the mask", format);
        n_out += luma[k];
        n_mask += want[k];
      }
      fail_unless (n_out > 0 && n_out < n_mask / 2, "%s: %d of %d", format,
          n_out, n_mask);
      g_free (luma);
      g_free (chroma);
    }
    run_clear (&run);
  }
}

GST_END_TEST;

/* the fill is translucent, the outline opaque: check the colours on RGB */
GST_START_TEST (test_mask_colours)
{
  Run run;
  GstVideoFrame f;
  guint8 want[W * H];
  gint x, y, n_fill = 0, n_edge = 0;

  run_overlay ("RGB", "draw-boxes=false draw-labels=false mask-opacity=0.5",
      add_mask, &run);
  mask_union (run.before, want);
  fail_unless (gst_video_frame_map (&f, &run.info, run.after, GST_MAP_READ));
  for (y = 0; y < H; y++)
    for (x = 0; x < W; x++) {
      const guint8 *p = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 0) +
          y * GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0) + 3 * x;
      if (!want[y * W + x])
        continue;
      if (p[0] == 220 && p[1] == 20 && p[2] == 60) {
        n_edge++;
      } else if (abs (p[0] - (128 + 220) / 2) <= 1
          && abs (p[1] - (128 + 20) / 2) <= 1
          && abs (p[2] - (128 + 60) / 2) <= 1) {
        n_fill++;
      }
    }
  gst_video_frame_unmap (&f);
  /* class 0 (first object) is pure palette colour on its outline and the
   * 50 % mix inside */
  fail_unless (n_edge > 20, "%d outline pixels", n_edge);
  fail_unless (n_fill > 100, "%d fill pixels", n_fill);
  run_clear (&run);
}

GST_END_TEST;

static void
add_label_box (GstCascadeMeta * meta)
{
  gst_cascade_meta_add_object (meta, 20.0f, 25.0f, 60.0f, 44.0f, 0.5f, 0,
      "a", NULL);
}

static void
add_label_box_top (GstCascadeMeta * meta)
{
  gst_cascade_meta_add_object (meta, 20.0f, 0.0f, 60.0f, 44.0f, 0.5f, 3,
      "b", NULL);
}

/* labels go above the box, or inside it when there is no room above */
GST_START_TEST (test_labels)
{
  guint i;

  for (i = 0; cascade_check_formats[i]; i++) {
    const gchar *format = cascade_check_formats[i];
    guint8 *luma, *chroma;
    gboolean ok;
    Run run;
    gint x, y, n, pass;

    for (pass = 0; pass < 2; pass++) {
      run_overlay (format, "draw-boxes=false draw-masks=false",
          pass ? add_label_box_top : add_label_box, &run);
      cascade_check_diff (&run.info, run.before, run.after, &luma, &chroma,
          &ok);
      fail_unless (ok);
      n = 0;
      for (y = 0; y < H; y++)
        for (x = 0; x < W; x++) {
          if (!luma[y * W + x])
            continue;
          n++;
          fail_unless (x >= 20, "%s: label pixel at (%d, %d)", format, x, y);
          if (pass == 0)
            fail_unless (y >= 5 && y < 25, "%s: label pixel at (%d, %d)",
                format, x, y);
          else
            fail_unless (y < 25, "%s: label pixel at (%d, %d)", format, x, y);
        }
      fail_unless (n > 50, "%s: only %d label pixels", format, n);
      g_free (luma);
      g_free (chroma);
      run_clear (&run);
    }
  }
}

GST_END_TEST;

GST_START_TEST (test_no_meta)
{
  guint i;

  for (i = 0; cascade_check_formats[i]; i++) {
    guint8 want[W * H];
    Run run;

    memset (want, 0, sizeof (want));
    run_overlay (cascade_check_formats[i], "", NULL, &run);
    assert_changed (cascade_check_formats[i], &run, want);
    run_clear (&run);
  }
}

GST_END_TEST;

/* a meta that refers to a frame twice the size is drawn scaled */
static void
add_box_2x (GstCascadeMeta * meta)
{
  meta->width = 2 * W;
  meta->height = 2 * H;
  gst_cascade_meta_add_object (meta, 20.0f, 16.0f, 80.0f, 60.0f, 0.9f, 0,
      "person", NULL);
}

GST_START_TEST (test_meta_size)
{
  guint8 want[W * H];
  Run run;
  gint x, y;

  memset (want, 0, sizeof (want));
  for (y = 8; y <= 29; y++)
    for (x = 10; x <= 39; x++)
      want[y * W + x] = x < 11 || x > 38 || y < 9 || y > 28;
  run_overlay ("BGRx", "line-width=1 draw-labels=false", add_box_2x, &run);
  assert_changed ("BGRx", &run, want);
  run_clear (&run);
}

GST_END_TEST;

GST_START_TEST (test_properties)
{
  GstElement *e = gst_element_factory_make ("cascadeoverlay", NULL);
  GParamSpec *p;
  guint lw;
  gdouble op;
  gboolean b, l, m;

  fail_unless (e != NULL);
  g_object_get (e, "line-width", &lw, "mask-opacity", &op, "draw-boxes", &b,
      "draw-labels", &l, "draw-masks", &m, NULL);
  fail_unless_equals_int (lw, 2);
  fail_unless_equals_float (op, 0.5);
  fail_unless (b && l && m);

  p = g_object_class_find_property (G_OBJECT_GET_CLASS (e), "line-width");
  fail_unless_equals_int (G_PARAM_SPEC_UINT (p)->minimum, 1);
  p = g_object_class_find_property (G_OBJECT_GET_CLASS (e), "mask-opacity");
  fail_unless_equals_float (G_PARAM_SPEC_DOUBLE (p)->minimum, 0.0);
  fail_unless_equals_float (G_PARAM_SPEC_DOUBLE (p)->maximum, 1.0);
  fail_unless (p->flags & GST_PARAM_MUTABLE_PLAYING);

  g_object_set (e, "line-width", 5, "mask-opacity", 0.25, "draw-masks",
      FALSE, NULL);
  g_object_get (e, "line-width", &lw, "mask-opacity", &op, "draw-masks", &m,
      NULL);
  fail_unless_equals_int (lw, 5);
  fail_unless_equals_float (op, 0.25);
  fail_unless (!m);
  gst_object_unref (e);
}

GST_END_TEST;

/* every format negotiates; others are refused */
GST_START_TEST (test_caps)
{
  GstElement *e = gst_element_factory_make ("cascadeoverlay", NULL);
  GstPad *sink = gst_element_get_static_pad (e, "sink");
  const gchar *bad[] = { "GRAY8", "YUY2", "RGB16", "v210", "NV21", NULL };
  guint i;

  for (i = 0; cascade_check_formats[i]; i++) {
    gchar *s = cascade_check_caps_str (cascade_check_formats[i], W, H);
    GstCaps *caps = gst_caps_from_string (s);
    fail_unless (gst_pad_query_accept_caps (sink, caps), "%s", s);
    gst_caps_unref (caps);
    g_free (s);
  }
  for (i = 0; bad[i]; i++) {
    gchar *s = cascade_check_caps_str (bad[i], W, H);
    GstCaps *caps = gst_caps_from_string (s);
    fail_if (gst_pad_query_accept_caps (sink, caps), "%s", s);
    gst_caps_unref (caps);
    g_free (s);
  }
  gst_object_unref (sink);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
cascadeoverlay_suite (void)
{
  Suite *s = suite_create ("cascadeoverlay");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_boxes);
  tcase_add_test (tc, test_masks);
  tcase_add_test (tc, test_mask_colours);
  tcase_add_test (tc, test_labels);
  tcase_add_test (tc, test_no_meta);
  tcase_add_test (tc, test_meta_size);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_caps);
  return s;
}

GST_CHECK_MAIN (cascadeoverlay);
