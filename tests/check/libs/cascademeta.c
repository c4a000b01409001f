/* gst-cascade: tests of the GstCascadeMeta library */
#include <math.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "gstcascademeta.h"

#define M GST_CASCADE_META_MASK_SIZE

static gfloat *
random_mask (GRand * r)
{
  gfloat *m = g_new (gfloat, M * M);
  gint i;

  for (i = 0; i < M * M; i++)
    m[i] = (gfloat) g_rand_double (r);
  return m;
}

GST_START_TEST (test_add_get)
{
  GstBuffer *buf = gst_buffer_new ();
  GstCascadeMeta *meta;
  const GstCascadeObject *o;
  gfloat mask[M * M];
  gint i;

  for (i = 0; i < M * M; i++)
    mask[i] = i / (gfloat) (M * M);

  fail_unless (gst_buffer_get_cascade_meta (buf) == NULL);
  meta = gst_buffer_add_cascade_meta (buf, 640, 480);
  fail_unless (meta != NULL);
  fail_unless (gst_buffer_get_cascade_meta (buf) == meta);
  fail_unless_equals_int (meta->width, 640);
  fail_unless_equals_int (meta->height, 480);
  fail_unless_equals_float (meta->mask_threshold, 0.5f);
  fail_unless_equals_int (meta->flags, GST_CASCADE_META_FLAG_NONE);
  fail_unless_equals_int (gst_cascade_meta_get_count (meta), 0);

  fail_unless_equals_int (gst_cascade_meta_add_object (meta, 1.5f, 2.5f,
          100.25f, 200.75f, 0.9f, 3, "person", mask), 0);
  fail_unless_equals_int (gst_cascade_meta_add_object (meta, -10.0f, 5.0f,
          20.0f, 30.0f, 0.4f, 7, NULL, NULL), 1);
  fail_unless_equals_int (gst_cascade_meta_add_object (meta, 0.0f, 0.0f,
          1.0f, 1.0f, 0.3f, 3, "person", NULL), 2);
  /* the mask was copied */
  mask[0] = 42.0f;

  fail_unless_equals_int (gst_cascade_meta_get_count (meta), 3);
  o = gst_cascade_meta_get_object (meta, 0);
  fail_unless_equals_float (o->x1, 1.5f);
  fail_unless_equals_float (o->y1, 2.5f);
  fail_unless_equals_float (o->x2, 100.25f);
  fail_unless_equals_float (o->y2, 200.75f);
  fail_unless_equals_float (o->score, 0.9f);
  fail_unless_equals_int (o->class_id, 3);
  fail_unless_equals_string (gst_cascade_meta_get_label (meta, 0), "person");
  fail_unless (o->label == g_quark_from_string ("person"));
  /* interned: the same string for the same label */
  fail_unless (gst_cascade_meta_get_label (meta, 0) ==
      gst_cascade_meta_get_label (meta, 2));
  fail_unless (gst_cascade_meta_get_mask_probs (meta, 0) != NULL);
  fail_unless_equals_float (gst_cascade_meta_get_mask_probs (meta, 0)[0],
      0.0f);
  fail_unless_equals_float (gst_cascade_meta_get_mask_probs (meta, 0)[100],
      100 / (gfloat) (M * M));

  fail_unless (gst_cascade_meta_get_label (meta, 1) == NULL);
  fail_unless (gst_cascade_meta_get_mask_probs (meta, 1) == NULL);
  fail_unless (gst_cascade_meta_get_object (meta, 3) == NULL);
  fail_unless (gst_cascade_meta_get_label (meta, 3) == NULL);

  /* no mask, or out of range */
  {
    guint8 out[4];
    fail_if (gst_cascade_meta_get_mask (meta, 1, 2, 2, out, 2));
    fail_if (gst_cascade_meta_get_mask (meta, 5, 2, 2, out, 2));
  }

  fail_unless (gst_meta_api_type_has_tag (GST_CASCADE_META_API_TYPE,
          g_quark_from_string (GST_META_TAG_VIDEO_STR)));
  fail_unless (gst_meta_api_type_has_tag (GST_CASCADE_META_API_TYPE,
          g_quark_from_string (GST_META_TAG_VIDEO_SIZE_STR)));

  gst_buffer_unref (buf);
}

GST_END_TEST;

GST_START_TEST (test_copy)
{
  GstBuffer *buf = gst_buffer_new (), *copy;
  GstCascadeMeta *meta, *cmeta;
  GRand *r = g_rand_new_with_seed (1);
  gfloat *mask = random_mask (r);
  guint i;

  meta = gst_buffer_add_cascade_meta (buf, 320, 240);
  meta->mask_threshold = 0.7f;
  meta->flags = GST_CASCADE_META_FLAG_REPEATED;
  gst_cascade_meta_add_object (meta, 10, 20, 30, 40, 0.8f, 1, "car", mask);
  gst_cascade_meta_add_object (meta, 50, 60, 70, 80, 0.6f, 2, "bus", NULL);

  copy = gst_buffer_copy (buf);
  cmeta = gst_buffer_get_cascade_meta (copy);
  fail_unless (cmeta != NULL);
  fail_unless (cmeta != meta);
  fail_unless_equals_int (cmeta->width, 320);
  fail_unless_equals_int (cmeta->height, 240);
  fail_unless_equals_float (cmeta->mask_threshold, 0.7f);
  fail_unless_equals_int (cmeta->flags, GST_CASCADE_META_FLAG_REPEATED);
  fail_unless_equals_int (gst_cascade_meta_get_count (cmeta), 2);
  for (i = 0; i < 2; i++) {
    const GstCascadeObject *a = gst_cascade_meta_get_object (meta, i);
    const GstCascadeObject *b = gst_cascade_meta_get_object (cmeta, i);
    fail_unless_equals_float (a->x1, b->x1);
    fail_unless_equals_float (a->y1, b->y1);
    fail_unless_equals_float (a->x2, b->x2);
    fail_unless_equals_float (a->y2, b->y2);
    fail_unless_equals_float (a->score, b->score);
    fail_unless_equals_int (a->class_id, b->class_id);
    fail_unless (a->label == b->label);
  }
  /* a deep copy of the mask */
  fail_unless (gst_cascade_meta_get_mask_probs (cmeta, 0) !=
      gst_cascade_meta_get_mask_probs (meta, 0));
  fail_unless (memcmp (gst_cascade_meta_get_mask_probs (cmeta, 0), mask,
          sizeof (gfloat) * M * M) == 0);
  fail_unless (gst_cascade_meta_get_mask_probs (cmeta, 1) == NULL);

  /* the copy outlives the original */
  gst_buffer_unref (buf);
  fail_unless_equals_string (gst_cascade_meta_get_label (cmeta, 0), "car");
  fail_unless (memcmp (gst_cascade_meta_get_mask_probs (cmeta, 0), mask,
          sizeof (gfloat) * M * M) == 0);
  gst_buffer_unref (copy);
  g_free (mask);
  g_rand_free (r);
}

GST_END_TEST;

static gboolean
transform (GstBuffer * src, GstBuffer * dest, GQuark type, gpointer data)
{
  GstCascadeMeta *meta = gst_buffer_get_cascade_meta (src);
  const GstMetaInfo *info = GST_CASCADE_META_INFO;

  return info->transform_func (dest, (GstMeta *) meta, src, type, data);
}

GST_START_TEST (test_scale_transform)
{
  GstBuffer *buf = gst_buffer_new (), *out = gst_buffer_new ();
  GstCascadeMeta *meta, *smeta;
  GstVideoInfo in, outinfo;
  GstVideoMetaTransform trans = { &in, &outinfo };
  const GstCascadeObject *o;
  GRand *r = g_rand_new_with_seed (2);
  gfloat *mask = random_mask (r);

  gst_video_info_set_format (&in, GST_VIDEO_FORMAT_RGB, 640, 480);
  gst_video_info_set_format (&outinfo, GST_VIDEO_FORMAT_RGB, 320, 360);

  meta = gst_buffer_add_cascade_meta (buf, 640, 480);
  meta->mask_threshold = 0.6f;
  gst_cascade_meta_add_object (meta, 100, 40, 300, 440, 0.5f, 4, "dog", mask);

  fail_unless (transform (buf, out, gst_video_meta_transform_scale_get_quark
          (), &trans));
  smeta = gst_buffer_get_cascade_meta (out);
  fail_unless (smeta != NULL);
  fail_unless_equals_int (smeta->width, 320);
  fail_unless_equals_int (smeta->height, 360);
  fail_unless_equals_float (smeta->mask_threshold, 0.6f);
  o = gst_cascade_meta_get_object (smeta, 0);
  fail_unless_equals_float (o->x1, 50.0f);
  fail_unless_equals_float (o->x2, 150.0f);
  fail_unless_equals_float (o->y1, 30.0f);
  fail_unless_equals_float (o->y2, 330.0f);
  fail_unless_equals_float (o->score, 0.5f);
  fail_unless_equals_int (o->class_id, 4);
  fail_unless_equals_string (gst_cascade_meta_get_label (smeta, 0), "dog");
  /* box-relative: the probabilities are unchanged */
  fail_unless (memcmp (gst_cascade_meta_get_mask_probs (smeta, 0), mask,
          sizeof (gfloat) * M * M) == 0);

  /* the scaled meta pastes like the original asked for the new size (the
   * scale factors are exact in binary here) */
  {
    guint8 *a = g_malloc (320 * 360), *b = g_malloc (320 * 360);
    fail_unless (gst_cascade_meta_get_mask (meta, 0, 320, 360, a, 320));
    fail_unless (gst_cascade_meta_get_mask (smeta, 0, 320, 360, b, 320));
    fail_unless (memcmp (a, b, 320 * 360) == 0);
    g_free (a);
    g_free (b);
  }

  gst_buffer_unref (out);

  /* any other geometry transform drops it */
  out = gst_buffer_new ();
  fail_if (transform (buf, out, g_quark_from_string ("gst-video-rotate"),
          NULL));
  fail_unless (gst_buffer_get_cascade_meta (out) == NULL);
  gst_buffer_unref (out);

  gst_buffer_unref (buf);
  g_free (mask);
  g_rand_free (r);
}

GST_END_TEST;

/* where the result comes from: the source PTS and the repeated flag, kept
 * by copies and by a real scaler */
GST_START_TEST (test_source)
{
  GstBuffer *buf, *copy, *out;
  GstCascadeMeta *meta;
  GstHarness *h;
  GstVideoInfo info;

  buf = gst_buffer_new ();
  meta = gst_buffer_add_cascade_meta (buf, 64, 48);
  fail_unless_equals_uint64 (gst_cascade_meta_get_source_pts (meta),
      GST_CLOCK_TIME_NONE);
  fail_unless (!gst_cascade_meta_is_repeated (meta));
  gst_cascade_meta_set_source (meta, 3 * GST_SECOND, TRUE);
  fail_unless_equals_uint64 (gst_cascade_meta_get_source_pts (meta),
      3 * GST_SECOND);
  fail_unless (gst_cascade_meta_is_repeated (meta));
  fail_unless (meta->flags & GST_CASCADE_META_FLAG_REPEATED);

  copy = gst_buffer_copy (buf);
  meta = gst_buffer_get_cascade_meta (copy);
  fail_unless (meta != NULL);
  fail_unless_equals_uint64 (gst_cascade_meta_get_source_pts (meta),
      3 * GST_SECOND);
  fail_unless (gst_cascade_meta_is_repeated (meta));
  /* and cleared again */
  gst_cascade_meta_set_source (meta, 5, FALSE);
  fail_unless (!gst_cascade_meta_is_repeated (meta));
  fail_unless_equals_uint64 (gst_cascade_meta_get_source_pts (meta), 5);
  gst_buffer_unref (copy);
  gst_buffer_unref (buf);

  h = gst_harness_new_parse ("videoscale ! "
      "capsfilter caps=video/x-raw,width=128,height=96");
  gst_harness_set_src_caps_str (h,
      "video/x-raw,format=RGBx,width=64,height=48,framerate=30/1");
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGBx, 64, 48);
  buf = gst_buffer_new_allocate (NULL, info.size, NULL);
  gst_buffer_memset (buf, 0, 0, info.size);
  meta = gst_buffer_add_cascade_meta (buf, 64, 48);
  gst_cascade_meta_set_source (meta, 7 * GST_SECOND, TRUE);
  out = gst_harness_push_and_pull (h, buf);
  meta = gst_buffer_get_cascade_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->width, 128);
  fail_unless_equals_uint64 (gst_cascade_meta_get_source_pts (meta),
      7 * GST_SECOND);
  fail_unless (gst_cascade_meta_is_repeated (meta));
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* a real scaler: videoscale keeps metas tagged "video" + "size" and calls
 * the scale transform */
GST_START_TEST (test_videoscale)
{
  GstHarness *h;
  GstBuffer *buf, *out;
  GstCascadeMeta *meta;
  const GstCascadeObject *o;
  GstVideoInfo info;

  h = gst_harness_new_parse ("videoscale ! "
      "capsfilter caps=video/x-raw,width=128,height=48");
  gst_harness_set_src_caps_str (h,
      "video/x-raw,format=RGBx,width=64,height=48,framerate=30/1");

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGBx, 64, 48);
  buf = gst_buffer_new_allocate (NULL, info.size, NULL);
  gst_buffer_memset (buf, 0, 0, info.size);
  meta = gst_buffer_add_cascade_meta (buf, 64, 48);
  gst_cascade_meta_add_object (meta, 8, 4, 24, 40, 0.75f, 0, "cat", NULL);

  out = gst_harness_push_and_pull (h, buf);
  fail_unless (out != NULL);
  meta = gst_buffer_get_cascade_meta (out);
  fail_unless (meta != NULL, "videoscale dropped the meta");
  fail_unless_equals_int (meta->width, 128);
  fail_unless_equals_int (meta->height, 48);
  o = gst_cascade_meta_get_object (meta, 0);
  fail_unless_equals_float (o->x1, 16.0f);
  fail_unless_equals_float (o->x2, 48.0f);
  fail_unless_equals_float (o->y1, 4.0f);
  fail_unless_equals_float (o->y2, 40.0f);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* For a box of probabilities 1, bilinear sampling with zero padding gives
 * fx * fy where, along x, fx = clamp (0.5 + 28 * d / (x2 - x1), 0, 1) and
 * d is the distance of the pixel centre inside the nearer box edge
 * (negative outside); likewise fy.  So the pasted mask is known exactly. */
static gboolean
uniform_want (gdouble x1, gdouble y1, gdouble x2, gdouble y2, gint x, gint y)
{
  gdouble cx = x + 0.5, cy = y + 0.5;
  gdouble fx = CLAMP (0.5 + M * MIN (cx - x1, x2 - cx) / (x2 - x1), 0, 1);
  gdouble fy = CLAMP (0.5 + M * MIN (cy - y1, y2 - cy) / (y2 - y1), 0, 1);

  return fx * fy >= 0.5;
}

GST_START_TEST (test_mask_uniform)
{
  GstBuffer *buf = gst_buffer_new ();
  GstCascadeMeta *meta;
  gfloat ones[M * M];
  const gint W = 48, H = 32;
  guint8 out[48 * 32 + 16];
  gint x, y, i, n;

  for (i = 0; i < M * M; i++)
    ones[i] = 1.0f;
  meta = gst_buffer_add_cascade_meta (buf, W, H);
  gst_cascade_meta_add_object (meta, 10.25f, 5.25f, 30.75f, 20.0f, 1, 0, "a",
      ones);
  /* partly outside the frame */
  gst_cascade_meta_add_object (meta, -7.0f, 25.0f, 5.125f, 40.0f, 1, 0, "b",
      ones);
  /* zero width, and entirely outside */
  gst_cascade_meta_add_object (meta, 5.0f, 5.0f, 5.0f, 9.0f, 1, 0, "c", ones);
  gst_cascade_meta_add_object (meta, 60.0f, 5.0f, 70.0f, 9.0f, 1, 0, "d",
      ones);

  memset (out, 0xcc, sizeof (out));
  fail_unless (gst_cascade_meta_get_mask (meta, 0, W, H, out, W));
  for (y = 0, n = 0; y < H; y++)
    for (x = 0; x < W; x++) {
      gboolean want = uniform_want (10.25, 5.25, 30.75, 20.0, x, y);
      fail_unless (out[y * W + x] == want, "(%d, %d): %d", x, y,
          out[y * W + x]);
      n += want;
    }
  /* the inner pixels and most of the edge ones */
  fail_unless (n >= 20 * 14 && n <= 21 * 15, "%d", n);
  fail_unless_equals_int (out[W * H], 0xcc);    /* nothing beyond */

  fail_unless (gst_cascade_meta_get_mask (meta, 1, W, H, out, W));
  for (y = 0; y < H; y++)
    for (x = 0; x < W; x++) {
      gboolean want = uniform_want (-7.0, 25.0, 5.125, 40.0, x, y);
      fail_unless (out[y * W + x] == want, "(%d, %d): %d", x, y,
          out[y * W + x]);
    }

  /* zero width, as mmdetection pastes it: columns floor (5) - 1 to
   * ceil (5) + 1 have an infinite grid position, set to 0 (the middle of
   * the map); rows 5..8 have their centres inside y 5..9 */
  {
    guint bx, by, bw, bh;
    fail_unless (gst_cascade_meta_get_mask (meta, 2, W, H, out, W));
    for (y = 0; y < H; y++)
      for (x = 0; x < W; x++)
        fail_unless_equals_int (out[y * W + x], x >= 4 && x < 6 && y >= 5
            && y < 9);
    fail_unless (gst_cascade_meta_get_mask_bounds (meta, 2, W, H, &bx, &by,
            &bw, &bh));
    fail_unless (bx == 4 && by == 4 && bw == 2 && bh == 6);
  }
  for (i = 3; i < 4; i++) {
    guint bx, by, bw, bh;
    fail_unless (gst_cascade_meta_get_mask (meta, i, W, H, out, W));
    for (x = 0; x < W * H; x++)
      fail_unless_equals_int (out[x], 0);
    fail_unless (gst_cascade_meta_get_mask_bounds (meta, i, W, H, &bx, &by,
            &bw, &bh));
    fail_unless_equals_int (bw * bh, 0);
  }

  /* a padded stride leaves the padding alone */
  {
    guint8 padded[32 * 64];
    memset (padded, 0xcc, sizeof (padded));
    fail_unless (gst_cascade_meta_get_mask (meta, 0, W, H, padded, 64));
    for (y = 0; y < H; y++) {
      for (x = 0; x < W; x++)
        fail_unless_equals_int (padded[y * 64 + x],
            uniform_want (10.25, 5.25, 30.75, 20.0, x, y));
      for (x = W; x < 64; x++)
        fail_unless_equals_int (padded[y * 64 + x], 0xcc);
    }
  }

  gst_buffer_unref (buf);
}

GST_END_TEST;

/* mmdetection's _do_paste_mask in double precision, written the plain way:
 * grid_sample(align_corners=False) maps g in [-1, 1] to ((g + 1) * 28 - 1)
 * / 2, bilinear with zero padding, over the whole frame */
static gdouble
ref_sample (const gfloat * m, gdouble x1, gdouble y1, gdouble x2, gdouble y2,
    gint px, gint py)
{
  gdouble gx = (px + 0.5 - x1) / (x2 - x1) * 2 - 1;
  gdouble gy = (py + 0.5 - y1) / (y2 - y1) * 2 - 1;
  gdouble ix = ((gx + 1) * M - 1) / 2, iy = ((gy + 1) * M - 1) / 2;
  gint x0 = (gint) floor (ix), y0 = (gint) floor (iy), dx, dy;
  gdouble v = 0;

  for (dy = 0; dy < 2; dy++)
    for (dx = 0; dx < 2; dx++) {
      gint xx = x0 + dx, yy = y0 + dy;
      gdouble w = (dx ? ix - x0 : 1 - (ix - x0)) * (dy ? iy - y0 : 1 - (iy -
              y0));
      if (xx >= 0 && xx < M && yy >= 0 && yy < M)
        v += w * m[yy * M + xx];
    }
  return v;
}

GST_START_TEST (test_mask_random)
{
  GRand *r = g_rand_new_with_seed (3);
  const gint W = 97, H = 61;
  guint8 *out = g_malloc (W * H), *region = g_malloc (W * H);
  gint trial;

  for (trial = 0; trial < 20; trial++) {
    GstBuffer *buf = gst_buffer_new ();
    GstCascadeMeta *meta = gst_buffer_add_cascade_meta (buf, W, H);
    gfloat *mask = random_mask (r);
    gfloat x1 = (gfloat) g_rand_double_range (r, -20, W - 5);
    gfloat y1 = (gfloat) g_rand_double_range (r, -20, H - 5);
    gfloat x2 = x1 + (gfloat) g_rand_double_range (r, 0.5, 80);
    gfloat y2 = y1 + (gfloat) g_rand_double_range (r, 0.5, 60);
    gint x, y, n_set = 0, n_near = 0;
    guint bx, by, bw, bh;

    meta->mask_threshold = trial % 2 ? 0.5f : 0.3f;
    gst_cascade_meta_add_object (meta, x1, y1, x2, y2, 1, 0, NULL, mask);
    fail_unless (gst_cascade_meta_get_mask (meta, 0, W, H, out, W));
    fail_unless (gst_cascade_meta_get_mask_bounds (meta, 0, W, H, &bx, &by,
            &bw, &bh));

    for (y = 0; y < H; y++)
      for (x = 0; x < W; x++) {
        gdouble v = ref_sample (mask, x1, y1, x2, y2, x, y);
        gboolean inside = x >= (gint) bx && x < (gint) (bx + bw)
            && y >= (gint) by && y < (gint) (by + bh);
        gboolean want = inside && v >= meta->mask_threshold;

        /* outside the bounds mmdetection does not paste (skip_empty) */
        if (!inside)
          fail_unless_equals_int (out[y * W + x], 0);
        if (fabs (v - meta->mask_threshold) < 1e-5) {
          n_near++;
          continue;
        }
        fail_unless (out[y * W + x] == want,
            "trial %d (%d, %d): got %d, reference %f", trial, x, y,
            out[y * W + x], v);
        n_set += want;
      }
    fail_unless (n_near < 3);

    /* the region API is a crop of the full mask */
    if (bw > 2 && bh > 2) {
      fail_unless (gst_cascade_meta_get_mask_region (meta, 0, W, H, bx + 1,
              by + 1, bw - 2, bh - 2, region, bw));
      for (y = 0; y < (gint) bh - 2; y++)
        fail_unless (memcmp (region + y * bw, out + (by + 1 + y) * W + bx + 1,
                bw - 2) == 0);
    }
    fail_if (gst_cascade_meta_get_mask_region (meta, 0, W, H, W - 2, 0, 3, 1,
            region, 3));

    gst_buffer_unref (buf);
    g_free (mask);
  }

  g_free (out);
  g_free (region);
  g_rand_free (r);
}

GST_END_TEST;

/* the mask threshold of the meta decides */
GST_START_TEST (test_mask_threshold)
{
  GstBuffer *buf = gst_buffer_new ();
  GstCascadeMeta *meta = gst_buffer_add_cascade_meta (buf, 28, 28);
  gfloat m[M * M];
  guint8 out[28 * 28];
  gint i, n;

  for (i = 0; i < M * M; i++)
    m[i] = (i % M) / (gfloat) M;        /* 0 .. 27/28 left to right */
  /* one mask pixel per frame pixel: the samples hit the cells, except
   * that in torch's float32 arithmetic the centre of row 0 lands 2.4e-7
   * above the first cell row ((g + 1) * 14 - 0.5), so zero padding takes
   * that weight: mmdetection (torch 1.13) pastes 0.49999988 at (14, 0) and
   * 0.74999982 at (21, 0), below their thresholds */
  gst_cascade_meta_add_object (meta, 0, 0, 28, 28, 1, 0, NULL, m);
  fail_unless (gst_cascade_meta_get_mask (meta, 0, 28, 28, out, 28));
  for (i = 0, n = 0; i < 28 * 28; i++) {
    fail_unless_equals_int (out[i], (i % M) >= 14 && i != 14);
    n += out[i];
  }
  fail_unless_equals_int (n, 14 * 28 - 1);

  meta->mask_threshold = 0.75f;
  fail_unless (gst_cascade_meta_get_mask (meta, 0, 28, 28, out, 28));
  for (i = 0; i < 28 * 28; i++)
    fail_unless_equals_int (out[i], (i % M) >= 21 && i != 21);

  gst_buffer_unref (buf);
}

GST_END_TEST;

static Suite *
cascademeta_suite (void)
{
  Suite *s = suite_create ("cascademeta");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_add_get);
  tcase_add_test (tc, test_copy);
  tcase_add_test (tc, test_scale_transform);
  tcase_add_test (tc, test_videoscale);
  tcase_add_test (tc, test_source);
  tcase_add_test (tc, test_mask_uniform);
  tcase_add_test (tc, test_mask_random);
  tcase_add_test (tc, test_mask_threshold);
  return s;
}

GST_CHECK_MAIN (cascademeta);
