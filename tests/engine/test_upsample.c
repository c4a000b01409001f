/* gst-cascade tests: the FPN's nearest upsample-and-add with float32
 * source indices.  Exact (one float addition), so results must match the
 * C reference bit for bit. */
#include "testutil.h"
#include "ops/upsample.h"

#include <string.h>

static CascadeCtx *ctx;

static void
check_upsample (guint n, guint c, guint h, guint w, guint bh, guint bw)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (h * 100 + w + bh * 7 + bw);
  gsize planes = (gsize) n * c, nbig = planes * bh * bw, pl, y, x;
  gfloat *small = test_random (r, planes * h * w, -1, 1);
  gfloat *big = test_random (r, nbig, -1, 1);
  gfloat *want = g_new (gfloat, nbig), *got;
  gfloat sy = (gfloat) h / (gfloat) bh, sx = (gfloat) w / (gfloat) bw;
  CascadeTensor ts, tb;
  gchar *what;

  for (pl = 0; pl < planes; pl++)
    for (y = 0; y < bh; y++)
      for (x = 0; x < bw; x++) {
        volatile gfloat fy = (gfloat) y * sy, fx = (gfloat) x * sx;
        gsize iy = MIN ((gsize) floorf (fy), h - 1);
        gsize ix = MIN ((gsize) floorf (fx), w - 1);
        gsize i = (pl * bh + y) * bw + x;
        want[i] = big[i] + small[(pl * h + iy) * w + ix];
      }
  ts = test_upload (ctx, small, 4, CASCADE_SHAPE (n, c, h, w));
  tb = test_upload (ctx, big, 4, CASCADE_SHAPE (n, c, bh, bw));
  g_assert_true (cascade_upsample_add (ctx, &ts, &tb, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &tb);
  what = g_strdup_printf ("upsample_add %ux%u -> %ux%u", h, w, bh, bw);
  test_assert_close (what, got, want, nbig, 0, 0);
  g_free (what);
  g_free (got);
  g_free (want);
  g_free (small);
  g_free (big);
  cascade_tensor_release (&ts);
  cascade_tensor_release (&tb);
  g_rand_free (r);
}

static void
test_upsample_add (void)
{
  /* exact 2x, as in the FPN on 32-padded inputs */
  check_upsample (2, 3, 5, 7, 10, 14);
  check_upsample (1, 4, 13, 21, 26, 42);
  /* same size */
  check_upsample (1, 2, 6, 5, 6, 5);
  /* non-integer ratios */
  check_upsample (1, 3, 7, 9, 13, 17);
  check_upsample (2, 2, 5, 4, 11, 9);
  /* 14/46 and 21/69 are ratios where float32 and exact arithmetic pick
   * different rows (dst 23: float 6, exact 7) and columns (dst 23 and 46);
   * torch 1.13 F.interpolate picks the float32 ones */
  check_upsample (1, 3, 14, 21, 46, 69);
}

/* the float32 index rule itself, pinned to what torch computes */
static void
test_upsample_float_index (void)
{
  GError *err = NULL;
  gfloat small[14 * 21], *got;
  gfloat *zeros = g_new0 (gfloat, 46 * 69);
  CascadeTensor ts, tb;
  guint i;
  for (i = 0; i < 14 * 21; i++)
    small[i] = (gfloat) i;
  ts = test_upload (ctx, small, 4, CASCADE_SHAPE (1, 1, 14, 21));
  tb = test_upload (ctx, zeros, 4, CASCADE_SHAPE (1, 1, 46, 69));
  g_assert_true (cascade_upsample_add (ctx, &ts, &tb, &err));
  got = test_download (ctx, &tb);
  /* values from torch.nn.functional.interpolate (size=(46, 69)) */
  g_assert_cmpfloat (got[23 * 69 + 0], ==, 6 * 21 + 0);
  g_assert_cmpfloat (got[0 * 69 + 23], ==, 6);
  g_assert_cmpfloat (got[0 * 69 + 46], ==, 13);
  g_assert_cmpfloat (got[45 * 69 + 68], ==, 13 * 21 + 20);
  g_free (got);
  g_free (zeros);
  cascade_tensor_release (&ts);
  cascade_tensor_release (&tb);
}

static void
test_upsample_errors (void)
{
  GError *err = NULL;
  gfloat v[4 * 9 * 9] = { 0 };
  CascadeTensor in = test_upload (ctx, v, 4, CASCADE_SHAPE (1, 4, 9, 9));
  CascadeTensor out = test_upload (ctx, v, 4, CASCADE_SHAPE (1, 4, 5, 5));
  CascadeTensor bad;

  /* source aliasing the destination */
  bad = out;
  bad.mem = in.mem;
  bad.offset = 3;
  g_assert_false (cascade_upsample_add (ctx, &bad, &in, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  /* upsample: channels or batch differ */
  bad = out;
  bad.shape[1] = 3;
  g_assert_false (cascade_upsample_add (ctx, &bad, &in, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  bad = out;
  bad.shape[0] = 2;
  g_assert_false (cascade_upsample_add (ctx, &bad, &in, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  bad = out;
  bad.ndim = 3;
  g_assert_false (cascade_upsample_add (ctx, &bad, &in, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  cascade_tensor_release (&in);
  cascade_tensor_release (&out);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  g_test_add_func ("/upsample/add", test_upsample_add);
  g_test_add_func ("/upsample/float-index", test_upsample_float_index);
  g_test_add_func ("/upsample/errors", test_upsample_errors);
  ret = g_test_run ();
  cascade_ctx_free (ctx);
  return ret;
}
