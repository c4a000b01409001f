/* gst-cascade tests: RPN proposals against a plain-C transcript of
 * mmdetection's RPNHead._predict_by_feat_single + _bbox_post_process
 * (anchors, per-level top-k, delta2bbox, size filter, batched NMS).
 *
 * exp() is the one operation whose rounding may differ between the device
 * and the C library, so inputs that reach exp (logits, dw, dh) lie on a
 * grid of 1/16 and the reference takes exp of those values from the device
 * (through cascade_delta2bbox on the box (-1, -1, 1, 1), whose x2 is
 * exactly exp(clamp(dw))).  Every other operation is exact IEEE float32 on
 * both sides, so boxes must match bit for bit and the kept sets exactly. */
#include "testutil.h"
#include "ops/proposals.h"
#include "ops/box_coder.h"
#include "nms_ref.h"

#include <string.h>

#define GRID 16                 /* values k / GRID */
#define KMAX 96                 /* |k| <= KMAX: [-6, 6] */

static CascadeCtx *ctx;
static CascadeArena *arena;
static gfloat exp_table[2 * KMAX + 1];  /* device exp(clamp(k / GRID)) */

static void
fill_exp_table (void)
{
  GError *err = NULL;
  gsize n = 2 * KMAX + 1, i;
  gfloat *rois = g_new (gfloat, n * 4), *deltas = g_new0 (gfloat, n * 4);
  gfloat *out;
  const gfloat stds[4] = { 1, 1, 1, 1 };
  CascadeTensor tr, td;
  for (i = 0; i < n; i++) {
    rois[i * 4 + 0] = rois[i * 4 + 1] = -1.0f;
    rois[i * 4 + 2] = rois[i * 4 + 3] = 1.0f;
    deltas[i * 4 + 2] = deltas[i * 4 + 3] = (gfloat) ((gint) i - KMAX) / GRID;
  }
  tr = test_upload (ctx, rois, 2, CASCADE_SHAPE (n, 4));
  td = test_upload (ctx, deltas, 2, CASCADE_SHAPE (n, 4));
  g_assert_true (cascade_delta2bbox (ctx, &tr, &td, n, stds, 1e30f, 1e30f,
          &tr, &err));
  g_assert_no_error (err);
  out = test_download (ctx, &tr);
  for (i = 0; i < n; i++) {
    exp_table[i] = out[i * 4 + 2];
    g_assert_cmpfloat (out[i * 4 + 3], ==, exp_table[i]);
    /* the device clamps |dw| to log(1000 / 16) */
    g_assert_cmpfloat (fabs (exp_table[i] - exp (CLAMP ((gdouble) ((gint) i -
                        KMAX) / GRID, -4.135166556742356, 4.135166556742356))),
        <=, 1e-6 * exp_table[i]);
  }
  g_free (out);
  g_free (rois);
  g_free (deltas);
  cascade_tensor_release (&tr);
  cascade_tensor_release (&td);
}

static gfloat
dev_exp (gfloat v)
{
  gint k = (gint) lrintf (v * GRID);
  g_assert_cmpint (k, >=, -KMAX);
  g_assert_cmpint (k, <=, KMAX);
  g_assert_cmpfloat ((gfloat) k / GRID, ==, v);
  return exp_table[k + KMAX];
}

static gfloat
ref_sigmoid (gfloat x)
{
  return 1.0f / (1.0f + dev_exp (-x));
}

/* AnchorGenerator base anchor, float32 as torch computes it */
static void
ref_base_anchor (guint stride, gfloat ratio, gfloat * b)
{
  volatile gfloat hr = sqrtf (ratio), wr = 1.0f / hr;
  volatile gfloat ws = (gfloat) stride * wr, hs = (gfloat) stride * hr;
  ws = ws * 8.0f;
  hs = hs * 8.0f;
  b[0] = -(0.5f * ws);
  b[1] = -(0.5f * hs);
  b[2] = 0.5f * ws;
  b[3] = 0.5f * hs;
}

/* delta2bbox of one anchor, means 0, stds 1 */
static void
ref_decode (const gfloat * an, const gfloat * d, gfloat max_w, gfloat max_h,
    gfloat * out)
{
  gfloat px = (an[0] + an[2]) * 0.5f, py = (an[1] + an[3]) * 0.5f;
  gfloat pw = an[2] - an[0], ph = an[3] - an[1];
  gfloat dx = pw * d[0], dy = ph * d[1];
  gfloat gx = px + dx, gy = py + dy;
  gfloat gw = pw * dev_exp (d[2]), gh = ph * dev_exp (d[3]);
  out[0] = MIN (MAX (gx - gw * 0.5f, 0.0f), max_w);
  out[1] = MIN (MAX (gy - gh * 0.5f, 0.0f), max_h);
  out[2] = MIN (MAX (gx + gw * 0.5f, 0.0f), max_w);
  out[3] = MIN (MAX (gy + gh * 0.5f, 0.0f), max_h);
}

typedef struct
{
  guint h, w;
  gfloat *cls, *reg;
} Level;

static gsize
ref_rpn (const CascadeRpnParams * p, const Level * lv, guint img_w,
    guint img_h, gfloat * out_boxes, gfloat * out_scores)
{
  gsize total = 0, i, nk, l;
  gfloat *boxes, *scores;
  gint *groups, *keep;
  for (l = 0; l < p->num_levels; l++)
    total += 3 * lv[l].h * lv[l].w;
  boxes = g_new (gfloat, total * 4);
  scores = g_new (gfloat, total);
  groups = g_new (gint, total);
  keep = g_new (gint, total);
  total = 0;
  for (l = 0; l < p->num_levels; l++) {
    gsize hw = lv[l].h * lv[l].w, n = 3 * hw, take, r;
    ScoreIdx *order = g_new (ScoreIdx, n);
    gfloat base[3][4];
    ref_base_anchor (p->strides[l], 0.5f, base[0]);
    ref_base_anchor (p->strides[l], 1.0f, base[1]);
    ref_base_anchor (p->strides[l], 2.0f, base[2]);
    for (i = 0; i < n; i++) {
      order[i].s = ref_sigmoid (lv[l].cls[(i % 3) * hw + i / 3]);
      order[i].i = i;
    }
    if (p->nms_pre > 0 && p->nms_pre < n) {
      qsort (order, n, sizeof (ScoreIdx), cmp_score_desc);
      take = p->nms_pre;
    } else {
      take = n;
    }
    for (r = 0; r < take; r++) {
      gsize t = order[r].i, a = t % 3, pos = t / 3, c;
      gfloat an[4], d[4];
      gfloat sx = (gfloat) (pos % lv[l].w) * (gfloat) p->strides[l];
      gfloat sy = (gfloat) (pos / lv[l].w) * (gfloat) p->strides[l];
      gfloat *b = boxes + total * 4;
      an[0] = base[a][0] + sx;
      an[1] = base[a][1] + sy;
      an[2] = base[a][2] + sx;
      an[3] = base[a][3] + sy;
      for (c = 0; c < 4; c++)
        d[c] = lv[l].reg[(a * 4 + c) * hw + pos];
      ref_decode (an, d, (gfloat) img_w, (gfloat) img_h, b);
      scores[total] = order[r].s;
      groups[total] = (p->min_bbox_size < 0
          || (b[2] - b[0] > p->min_bbox_size
              && b[3] - b[1] > p->min_bbox_size)) ? (gint) l : -1;
      total++;
    }
    g_free (order);
  }
  nk = ref_batched_nms (boxes, scores, groups, total, p->nms_iou, keep);
  nk = MIN (nk, p->max_per_img);
  for (i = 0; i < nk; i++) {
    memcpy (out_boxes + i * 4, boxes + keep[i] * 4, 4 * sizeof (gfloat));
    out_scores[i] = scores[keep[i]];
  }
  g_free (boxes);
  g_free (scores);
  g_free (groups);
  g_free (keep);
  return nk;
}

static void
make_level (GRand * r, Level * lv, guint h, guint w)
{
  gsize hw = (gsize) h * w, i;
  lv->h = h;
  lv->w = w;
  lv->cls = g_new (gfloat, 3 * hw);
  lv->reg = g_new (gfloat, 12 * hw);
  for (i = 0; i < 3 * hw; i++)
    lv->cls[i] = (gfloat) g_rand_int_range (r, -64, 65) / GRID;
  for (i = 0; i < 12 * hw; i++) {
    if ((i / hw) % 4 < 2) {
      lv->reg[i] = (gfloat) g_rand_double_range (r, -0.6, 0.6);
    } else {
      gint k = g_rand_int_range (r, 0, 25) == 0 ?
          g_rand_int_range (r, -KMAX, KMAX + 1) : g_rand_int_range (r, -12,
          13);
      lv->reg[i] = (gfloat) k / GRID;
    }
  }
}

static void
check_rpn (const CascadeRpnParams * p, const guint (*sizes)[2], guint img_w,
    guint img_h, guint seed, gboolean check_ref)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (seed);
  Level lv[CASCADE_RPN_MAX_LEVELS];
  CascadeTensor tc[CASCADE_RPN_MAX_LEVELS], tr[CASCADE_RPN_MAX_LEVELS];
  CascadeTensor tb, ts;
  gfloat *want_b = g_new (gfloat, p->max_per_img * 4);
  gfloat *want_s = g_new (gfloat, p->max_per_img), *got_b, *got_s;
  gsize nw = 0, i;
  guint l, count = 0;
  gint64 t0, t1;

  for (l = 0; l < p->num_levels; l++) {
    make_level (r, &lv[l], sizes[l][0], sizes[l][1]);
    tc[l] = test_upload (ctx, lv[l].cls, 4, CASCADE_SHAPE (1, 3, lv[l].h,
            lv[l].w));
    tr[l] = test_upload (ctx, lv[l].reg, 4, CASCADE_SHAPE (1, 12, lv[l].h,
            lv[l].w));
  }
  g_assert_true (cascade_tensor_new (ctx, &tb, CASCADE_DTYPE_F32, 2,
          CASCADE_SHAPE (p->max_per_img, 4), NULL, &err));
  g_assert_true (cascade_tensor_new (ctx, &ts, CASCADE_DTYPE_F32, 1,
          CASCADE_SHAPE (p->max_per_img), NULL, &err));
  /* twice: the second run reuses the arena and must give the same */
  for (i = 0; i < 2; i++) {
    g_assert_true (cascade_ctx_finish (ctx, &err));
    t0 = g_get_monotonic_time ();
    g_assert_true (cascade_rpn_proposals (ctx, arena, p, tc, tr, img_w,
            img_h, &tb, &ts, &count, &err));
    g_assert_no_error (err);
    g_assert_true (cascade_ctx_finish (ctx, &err));
    t1 = g_get_monotonic_time ();
  }
  g_test_message ("rpn %ux%u (level 0 %ux%u): %u proposals, %.1f ms",
      img_w, img_h, sizes[0][0], sizes[0][1], count, (t1 - t0) / 1000.0);
  if (g_test_perf ())
    g_test_minimized_result ((t1 - t0) / 1e6, "cascade_rpn_proposals %ux%u: "
        "%.1f ms", img_w, img_h, (t1 - t0) / 1000.0);

  if (check_ref) {
    got_b = test_download (ctx, &tb);
    got_s = test_download (ctx, &ts);
    nw = ref_rpn (p, lv, img_w, img_h, want_b, want_s);
    g_test_message ("reference: %" G_GSIZE_FORMAT " proposals", nw);
    g_assert_cmpuint (count, ==, nw);
    g_assert_cmpuint (nw, >, 50);
    /* same boxes in the same order: both sides break score ties by the
     * candidate order */
    for (i = 0; i < nw * 4; i++)
      if (got_b[i] != want_b[i]) {
        g_printerr ("proposal %" G_GSIZE_FORMAT ": box %g, expected %g\n",
            i / 4, got_b[i], want_b[i]);
        g_assert_not_reached ();
      }
    test_assert_close ("rpn scores", got_s, want_s, nw, 0, 1e-6);
    g_free (got_b);
    g_free (got_s);
  }

  for (l = 0; l < p->num_levels; l++) {
    g_free (lv[l].cls);
    g_free (lv[l].reg);
    cascade_tensor_release (&tc[l]);
    cascade_tensor_release (&tr[l]);
  }
  cascade_tensor_release (&tb);
  cascade_tensor_release (&ts);
  g_free (want_b);
  g_free (want_s);
  g_rand_free (r);
}

static const guint odd_sizes[5][2] = {
  {37, 50}, {19, 25}, {10, 13}, {5, 7}, {3, 4}
};

static void
test_rpn_default (void)
{
  CascadeRpnParams p = { 5, {4, 8, 16, 32, 64}, 1000, 0.7f, 1000, 0.0f };
  check_rpn (&p, odd_sizes, 197, 147, 11, TRUE);
}

static void
test_rpn_small_k (void)
{
  /* top 300 per level, 200 out, boxes of 2 pixels or less dropped */
  CascadeRpnParams p = { 5, {4, 8, 16, 32, 64}, 300, 0.7f, 200, 2.0f };
  check_rpn (&p, odd_sizes, 199, 150, 12, TRUE);
}

static void
test_rpn_keep_all (void)
{
  /* nms_pre 0: every anchor; 3 levels; no size filter */
  CascadeRpnParams p = { 3, {8, 16, 32}, 0, 0.5f, 700, -1.0f };
  static const guint sizes[3][2] = { {13, 17}, {7, 9}, {4, 5} };
  check_rpn (&p, sizes, 130, 100, 13, TRUE);
}

static void
test_rpn_errors (void)
{
  GError *err = NULL;
  CascadeRpnParams p = { 1, {4}, 10, 0.7f, 10, 0.0f };
  CascadeTensor tc, tr, tb, ts;
  gfloat z[2 * 12 * 2] = { 0 };
  guint count = 5;
  tc = test_upload (ctx, z, 4, CASCADE_SHAPE (1, 3, 2, 2));
  tr = test_upload (ctx, z, 4, CASCADE_SHAPE (1, 12, 2, 1));
  tb = test_upload (ctx, z, 2, CASCADE_SHAPE (10, 4));
  ts = test_upload (ctx, z, 1, CASCADE_SHAPE (10));
  g_assert_false (cascade_rpn_proposals (ctx, arena, &p, &tc, &tr, 8, 8,
          &tb, &ts, &count, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  p.num_levels = 6;
  g_assert_false (cascade_rpn_proposals (ctx, arena, &p, &tc, &tc, 8, 8,
          &tb, &ts, &count, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  cascade_tensor_release (&tc);
  cascade_tensor_release (&tr);
  cascade_tensor_release (&tb);
  cascade_tensor_release (&ts);
}

/* the levels of a 1333x800 input; timing only (-m perf) */
static void
test_rpn_perf (void)
{
  CascadeRpnParams p = { 5, {4, 8, 16, 32, 64}, 1000, 0.7f, 1000, 0.0f };
  static const guint sizes[5][2] = {
    {200, 336}, {100, 168}, {50, 84}, {25, 42}, {13, 21}
  };
  check_rpn (&p, sizes, 1333, 800, 14, FALSE);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  arena = cascade_arena_new (ctx);
  fill_exp_table ();
  g_test_add_func ("/rpn/default", test_rpn_default);
  g_test_add_func ("/rpn/small-k", test_rpn_small_k);
  g_test_add_func ("/rpn/keep-all", test_rpn_keep_all);
  g_test_add_func ("/rpn/errors", test_rpn_errors);
  if (g_test_perf ())
    g_test_add_func ("/rpn/perf-1333x800", test_rpn_perf);
  ret = g_test_run ();
  cascade_arena_free (arena);
  cascade_ctx_free (ctx);
  return ret;
}
