/* gst-cascade tests: the mean of the stage logits, rounded as torch's
 * sum(list) / len(list) */
#include "testutil.h"
#include "ops/average.h"
#include "runtime/util.h"

#include <string.h>

static CascadeCtx *ctx;

/* torch: sum([s0, s1, s2]) / 3.0 = ((0 + s0) + s1) + s2) / 3 */
static void
test_accumulate (void)
{
  GError *err = NULL;
  gsize n = 4051, i;
  GRand *r = g_rand_new_with_seed (31);
  gfloat *s[3], *got;
  CascadeTensor ts[3], acc;
  for (i = 0; i < 3; i++) {
    s[i] = test_random (r, n, -30, 30);
    ts[i] = test_upload (ctx, s[i], 1, CASCADE_SHAPE (n));
  }
  g_assert_true (cascade_tensor_new (ctx, &acc, CASCADE_DTYPE_F32, 1,
          CASCADE_SHAPE (n), NULL, &err));
  g_assert_true (cascade_fill (ctx, &acc, NAN, &err));
  for (i = 0; i < 3; i++)
    g_assert_true (cascade_accumulate (ctx, &ts[i], n, 1.0f, i == 0, &acc,
            &err));
  g_assert_true (cascade_divide (ctx, &acc, n, 3.0f, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &acc);
  for (i = 0; i < n; i++) {
    volatile gfloat a = 0.0f + s[0][i];
    a = a + s[1][i];
    a = a + s[2][i];
    a = a / 3.0f;
    g_assert_cmpfloat (got[i], ==, a);
  }
  g_free (got);
  /* a scale */
  g_assert_true (cascade_accumulate (ctx, &ts[0], n, 0.25f, TRUE, &acc,
          &err));
  g_assert_true (cascade_accumulate (ctx, &ts[1], n, -2.0f, FALSE, &acc,
          &err));
  got = test_download (ctx, &acc);
  for (i = 0; i < n; i++) {
    volatile gfloat a = 0.0f + 0.25f * s[0][i];
    a = a + -2.0f * s[1][i];
    g_assert_cmpfloat (got[i], ==, a);
  }
  g_free (got);
  for (i = 0; i < 3; i++) {
    cascade_tensor_release (&ts[i]);
    g_free (s[i]);
  }
  cascade_tensor_release (&acc);
  g_rand_free (r);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  g_test_add_func ("/average/accumulate", test_accumulate);
  ret = g_test_run ();
  cascade_ctx_free (ctx);
  return ret;
}
