/* gst-cascade tests: delta2bbox against a plain-C transcript of
 * mmdetection's DeltaXYWHBBoxCoder.decode in torch's float32 order */
#include "testutil.h"
#include "ops/box_coder.h"

#include <string.h>

static CascadeCtx *ctx;
#define MAX_RATIO 4.135166556742356     /* |log(16 / 1000)| */

/* mmdetection's delta2bbox of one row, float32 op order of torch; exp in
 * double rounded to float */
static void
ref_delta2bbox (const gfloat * r, const gfloat * d, const gfloat * stds,
    gfloat max_w, gfloat max_h, gfloat * out)
{
  gfloat dx = d[0] * stds[0] + 0.0f, dy = d[1] * stds[1] + 0.0f;
  gfloat dw = d[2] * stds[2] + 0.0f, dh = d[3] * stds[3] + 0.0f;
  gfloat px = (r[0] + r[2]) * 0.5f, py = (r[1] + r[3]) * 0.5f;
  gfloat pw = r[2] - r[0], ph = r[3] - r[1];
  gfloat mr = (gfloat) MAX_RATIO, gx, gy, gw, gh;
  dx = pw * dx;
  dy = ph * dy;
  dw = MIN (MAX (dw, -mr), mr);
  dh = MIN (MAX (dh, -mr), mr);
  gx = px + dx;
  gy = py + dy;
  gw = pw * (gfloat) exp (dw);
  gh = ph * (gfloat) exp (dh);
  out[0] = MIN (MAX (gx - gw * 0.5f, 0.0f), max_w);
  out[1] = MIN (MAX (gy - gh * 0.5f, 0.0f), max_h);
  out[2] = MIN (MAX (gx + gw * 0.5f, 0.0f), max_w);
  out[3] = MIN (MAX (gy + gh * 0.5f, 0.0f), max_h);
}

static void
check_delta2bbox (gsize n, const gfloat * stds, gboolean zero_dwh,
    gboolean alias, guint seed)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (seed);
  gfloat *rois = g_new (gfloat, n * 4), *deltas = g_new (gfloat, n * 4);
  gfloat *want = g_new (gfloat, n * 4), *got;
  gfloat max_w = 301.0f, max_h = 203.0f;
  CascadeTensor tr, td, to;
  gsize i, clamped = 0, clipped = 0;

  for (i = 0; i < n; i++) {
    gfloat x = (gfloat) g_rand_double_range (r, -20, 320);
    gfloat y = (gfloat) g_rand_double_range (r, -20, 220);
    gfloat w = (gfloat) g_rand_double_range (r, 0, 150);
    gfloat h = (gfloat) g_rand_double_range (r, 0, 150);
    guint c;
    if (i % 17 == 3)
      w = 0.0f;                 /* degenerate roi */
    rois[i * 4 + 0] = x;
    rois[i * 4 + 1] = y;
    rois[i * 4 + 2] = x + w;
    rois[i * 4 + 3] = y + h;
    for (c = 0; c < 4; c++)
      deltas[i * 4 + c] = (gfloat) g_rand_double_range (r, -3, 3);
    if (i % 5 == 0)             /* far beyond the clamp of dw, dh */
      deltas[i * 4 + 2 + i % 2] = (gfloat) g_rand_double_range (r, -200, 200);
    if (zero_dwh)
      deltas[i * 4 + 2] = deltas[i * 4 + 3] = 0.0f;
    if (fabs (deltas[i * 4 + 2] * stds[2]) > MAX_RATIO
        || fabs (deltas[i * 4 + 3] * stds[3]) > MAX_RATIO)
      clamped++;
    ref_delta2bbox (rois + i * 4, deltas + i * 4, stds, max_w, max_h,
        want + i * 4);
    for (c = 0; c < 4; c++)
      if (want[i * 4 + c] == 0.0f || want[i * 4 + c] == (c % 2 ? max_h :
              max_w))
        clipped++;
  }
  if (n >= 100) {
    if (!zero_dwh)
      g_assert_cmpuint (clamped, >, n / 20);
    g_assert_cmpuint (clipped, >, n / 20);
  }

  tr = test_upload (ctx, rois, 2, CASCADE_SHAPE (n, 4));
  td = test_upload (ctx, deltas, 2, CASCADE_SHAPE (n, 4));
  if (!alias)
    g_assert_true (cascade_tensor_new (ctx, &to, CASCADE_DTYPE_F32, 2,
            CASCADE_SHAPE (n, 4), NULL, &err));
  g_assert_true (cascade_delta2bbox (ctx, &tr, &td, n, stds, max_w, max_h,
          alias ? &tr : &to, &err));
  g_assert_no_error (err);
  got = test_download (ctx, alias ? &tr : &to);
  if (zero_dwh) {
    /* no exp (exp(0) = 1): every operation is exact IEEE float32, so the
     * order of operations must be torch's to the bit */
    for (i = 0; i < n * 4; i++)
      g_assert_cmpfloat (got[i], ==, want[i]);
  } else {
    /* exp within a few ulp; x1 = gx - gw / 2 may cancel */
    test_assert_close ("delta2bbox", got, want, n * 4, 1e-4, 1e-6);
  }
  g_free (got);
  cascade_tensor_release (&tr);
  cascade_tensor_release (&td);
  if (!alias)
    cascade_tensor_release (&to);
  g_free (rois);
  g_free (deltas);
  g_free (want);
  g_rand_free (r);
}

static void
test_delta2bbox (void)
{
  const gfloat s0[4] = { 0.1f, 0.1f, 0.2f, 0.2f };
  const gfloat s2[4] = { 0.033f, 0.033f, 0.067f, 0.067f };
  const gfloat s1[4] = { 1, 1, 1, 1 };
  check_delta2bbox (1, s0, FALSE, FALSE, 21);
  check_delta2bbox (1003, s0, FALSE, FALSE, 22);
  check_delta2bbox (999, s2, FALSE, TRUE, 23);
  check_delta2bbox (1001, s1, FALSE, FALSE, 24);
  check_delta2bbox (777, s0, TRUE, FALSE, 25);
  check_delta2bbox (555, s1, TRUE, TRUE, 26);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  g_test_add_func ("/box_coder/delta2bbox", test_delta2bbox);
  ret = g_test_run ();
  cascade_ctx_free (ctx);
  return ret;
}
