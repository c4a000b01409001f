/* gst-cascade tests: fully connected layer (GEMM with W^T + bias/ReLU
 * epilogue) against a double-accumulating loop, and shape validation.
 * Values uniform in [-1, 1); tolerance |got - want| <= 2e-6 * sqrt (K) +
 * 1e-5 * |want| with K = in features.  Widths that are not a whole number
 * of 32-column tiles run padded (ops/fc.c): the padding never reaches the
 * output, whose neighbours in its buffer stay untouched. */
#include "testutil.h"
#include "ops/fc.h"
#include "runtime/util.h"

static CascadeCtx *ctx;
static CascadeArena *arena;

/* the FC of n rows of `in` into rows [1, n + 1) of a buffer of n + 2 rows
 * of `out` floats filled with NaN: the rows around it must stay NaN */
static void
check_fc (gsize n, guint in, guint out, gboolean bias, gboolean relu,
    guint ndim, const gsize * in_shape)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (n * 1000 + in * 10 + out);
  gfloat *x = test_random (r, n * in, -1, 1);
  gfloat *w = test_random (r, (gsize) out * in, -1, 1);
  gfloat *b = bias ? test_random (r, out, -1, 1) : NULL;
  gfloat *want = g_new (gfloat, (n + 2) * out), *got;
  CascadeFC fc;
  CascadeTensor tin, tbuf, tout;
  gsize i, j, l;
  gchar *what;

  for (i = 0; i < out; i++)
    want[i] = want[(n + 1) * out + i] = NAN;
  for (i = 0; i < n; i++)
    for (j = 0; j < out; j++) {
      gdouble s = b ? b[j] : 0.0;
      for (l = 0; l < in; l++)
        s += (gdouble) x[i * in + l] * w[j * in + l];
      want[(i + 1) * out + j] = (gfloat) (relu && s < 0 ? 0 : s);
    }
  g_assert_true (cascade_fc_init (&fc, ctx, in, out, w, b, &err));
  g_assert_no_error (err);
  g_assert_cmpuint (fc.out_pad % 32, ==, 0);
  g_assert_cmpuint (fc.out_pad, >=, out);
  g_assert_cmpuint (fc.out_pad, <, out + 32);
  tin = test_upload (ctx, x, ndim, in_shape);
  tbuf = test_upload (ctx, want, 2, CASCADE_SHAPE (n + 2, out));
  g_assert_true (cascade_fill (ctx, &tbuf, NAN, &err));
  tout = tbuf;
  tout.offset += out;
  cascade_tensor_set_shape (&tout, 2, CASCADE_SHAPE (n, out));
  g_assert_true (cascade_fc_forward (ctx, arena, &fc, &tin, n,
          relu ? CASCADE_ACT_RELU : CASCADE_ACT_NONE, &tout, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &tbuf);
  for (i = 0; i < out; i++) {
    g_assert_true (isnan (got[i]));
    g_assert_true (isnan (got[(n + 1) * out + i]));
  }
  what = g_strdup_printf ("fc n%" G_GSIZE_FORMAT " %u->%u%s%s", n, in, out,
      bias ? " bias" : "", relu ? " relu" : "");
  test_assert_close (what, got + out, want + out, n * out,
      2e-6 * sqrt ((gdouble) in), 1e-5);
  g_free (what);
  g_free (got);
  g_free (want);
  g_free (x);
  g_free (w);
  g_free (b);
  cascade_tensor_release (&tin);
  cascade_tensor_release (&tbuf);
  cascade_fc_clear (&fc);
  g_rand_free (r);
}

static void
test_fc (void)
{
  check_fc (1, 13, 7, TRUE, FALSE, 2, CASCADE_SHAPE (1, 13));
  check_fc (3, 37, 29, TRUE, TRUE, 2, CASCADE_SHAPE (3, 37));
  check_fc (37, 45, 19, FALSE, TRUE, 2, CASCADE_SHAPE (37, 45));
  /* RoI features [n, C, 7, 7] flattened as rows, as the box head does */
  check_fc (23, 3 * 7 * 7, 33, TRUE, TRUE, 4, CASCADE_SHAPE (23, 3, 7, 7));
  check_fc (5, 5 * 7 * 7, 81, TRUE, FALSE, 4, CASCADE_SHAPE (5, 5, 7, 7));
  /* whole tiles (no padding); the box head's cls (81) and reg (4) on more
   * rows than one tile, over a depth of more than one pass (blas/gemm.c's
   * KC = 1024) */
  check_fc (19, 21, 64, TRUE, TRUE, 2, CASCADE_SHAPE (19, 21));
  check_fc (45, 1100, 81, TRUE, FALSE, 2, CASCADE_SHAPE (45, 1100));
  check_fc (45, 1100, 4, TRUE, FALSE, 2, CASCADE_SHAPE (45, 1100));
  check_fc (11, 1100, 96, FALSE, TRUE, 2, CASCADE_SHAPE (11, 1100));
}

static void
test_fc_empty (void)
{
  GError *err = NULL;
  gfloat w[6] = { 0 };
  CascadeFC fc;
  CascadeTensor t = test_upload (ctx, w, 1, CASCADE_SHAPE (6));
  CascadeTensor e = t;
  /* zero rows (a frame without proposals) is fine and does nothing */
  g_assert_true (cascade_fc_init (&fc, ctx, 3, 2, w, NULL, &err));
  cascade_tensor_set_shape (&e, 2, CASCADE_SHAPE (0, 3));
  g_assert_true (cascade_fc_forward (ctx, arena, &fc, &e, 0, CASCADE_ACT_NONE, &e,
          &err));
  g_assert_no_error (err);
  cascade_fc_clear (&fc);
  cascade_tensor_release (&t);
}

static void
test_fc_errors (void)
{
  GError *err = NULL;
  gfloat w[12 * 5] = { 0 };
  CascadeFC fc;
  CascadeTensor in, out, bad;

  g_assert_false (cascade_fc_init (&fc, ctx, 0, 5, w, NULL, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);

  g_assert_true (cascade_fc_init (&fc, ctx, 12, 5, w, NULL, &err));
  in = test_upload (ctx, w, 2, CASCADE_SHAPE (3, 12));
  out = test_upload (ctx, w, 2, CASCADE_SHAPE (3, 5));
  g_assert_true (cascade_fc_forward (ctx, arena, &fc, &in, 3, CASCADE_ACT_NONE, &out,
          &err));
  g_assert_no_error (err);
  /* n does not match the input */
  g_assert_false (cascade_fc_forward (ctx, arena, &fc, &in, 2, CASCADE_ACT_NONE,
          &out, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  /* input rows of the wrong width */
  bad = in;
  cascade_tensor_set_shape (&bad, 2, CASCADE_SHAPE (3, 11));
  g_assert_false (cascade_fc_forward (ctx, arena, &fc, &bad, 3, CASCADE_ACT_NONE,
          &out, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  /* output of the wrong size */
  bad = out;
  cascade_tensor_set_shape (&bad, 2, CASCADE_SHAPE (3, 6));
  g_assert_false (cascade_fc_forward (ctx, arena, &fc, &in, 3, CASCADE_ACT_NONE,
          &bad, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  /* output aliasing the input */
  bad = in;
  cascade_tensor_set_shape (&bad, 2, CASCADE_SHAPE (3, 5));
  g_assert_false (cascade_fc_forward (ctx, arena, &fc, &in, 3, CASCADE_ACT_NONE,
          &bad, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  cascade_fc_clear (&fc);
  cascade_tensor_release (&in);
  cascade_tensor_release (&out);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  arena = cascade_arena_new (ctx);
  g_test_add_func ("/fc/forward", test_fc);
  g_test_add_func ("/fc/empty", test_fc_empty);
  g_test_add_func ("/fc/errors", test_fc_errors);
  ret = g_test_run ();
  cascade_arena_free (arena);
  cascade_ctx_free (ctx);
  return ret;
}
