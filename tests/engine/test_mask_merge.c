/* gst-cascade tests: the merge of the mask heads' sigmoids against a
 * plain-C reference of mmdetection's merge_aug_masks */
#include "testutil.h"
#include "ops/mask_merge.h"
#include "runtime/util.h"

#include <string.h>

static CascadeCtx *ctx;

/* a call that must succeed: shows the error message when it does not */
#define OK(call) G_STMT_START { gboolean ok_ = (call); \
    g_assert_no_error (err); g_assert_true (ok_); } G_STMT_END

static gfloat
sigmoid (gfloat x)
{
  return 1.0f / (1.0f + expf (-x));
}

/* three heads merged both ways: scale 1/3 per head, and mmdetection's
 * order (sum, then divide) with cascade_mask_merge_finish */
static void
check_merge (gsize n, guint C, guint m, guint seed)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (seed);
  gsize mm = (gsize) m * m, i, p, h;
  gfloat *logits[3], *want_scaled = g_new0 (gfloat, n * mm);
  gfloat *want_mean = g_new0 (gfloat, n * mm), *got;
  gint *labels = g_new (gint, n);
  CascadeTensor tl[3], tlab, tp;
  gfloat third = 1.0f / 3.0f;

  for (h = 0; h < 3; h++) {
    logits[h] = test_random (r, n * C * mm, -8, 8);
    tl[h] = test_upload (ctx, logits[h], 4, CASCADE_SHAPE (n, C, m, m));
  }
  for (i = 0; i < n; i++)
    labels[i] = g_rand_int_range (r, 0, C);
  OK (cascade_tensor_new (ctx, &tlab, CASCADE_DTYPE_I32, 1,
          CASCADE_SHAPE (n), labels, &err));
  OK (cascade_tensor_new (ctx, &tp, CASCADE_DTYPE_F32, 3,
          CASCADE_SHAPE (n, m, m), NULL, &err));
  /* garbage in probs: first=TRUE must ignore it */
  OK (cascade_fill (ctx, &tp, 7.0f, &err));

  for (i = 0; i < n; i++)
    for (p = 0; p < mm; p++) {
      gfloat acc = 0.0f, sum = 0.0f;
      for (h = 0; h < 3; h++) {
        gfloat s = sigmoid (logits[h][(i * C + labels[i]) * mm + p]);
        acc = acc + third * s;
        sum = sum + s;
      }
      want_scaled[i * mm + p] = acc;
      want_mean[i * mm + p] = sum / 3.0f;
    }

  for (h = 0; h < 3; h++)
    OK (cascade_mask_merge (ctx, &tl[h], &tlab, n, C, m, third,
            h == 0, &tp, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &tp);
  /* the device's exp may differ from the host's by a few ulps */
  test_assert_close ("merge 1/3", got, want_scaled, n * mm, 1e-7, 1e-6);
  g_free (got);

  OK (cascade_fill (ctx, &tp, 7.0f, &err));
  for (h = 0; h < 3; h++)
    OK (cascade_mask_merge (ctx, &tl[h], &tlab, n, C, m, 1.0f,
            h == 0, &tp, &err));
  OK (cascade_mask_merge_finish (ctx, &tp, n, m, 3.0f, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &tp);
  test_assert_close ("merge mean", got, want_mean, n * mm, 1e-7, 1e-6);
  g_free (got);

  for (h = 0; h < 3; h++) {
    cascade_tensor_release (&tl[h]);
    g_free (logits[h]);
  }
  cascade_tensor_release (&tlab);
  cascade_tensor_release (&tp);
  g_free (labels);
  g_free (want_scaled);
  g_free (want_mean);
  g_rand_free (r);
}

static void
test_merge (void)
{
  check_merge (13, 5, 28, 21);
  check_merge (3, 1, 13, 22);
  check_merge (101, 3, 28, 23);
}

static void
test_merge_errors (void)
{
  GError *err = NULL;
  gfloat z[28 * 28] = { 0 };
  CascadeTensor tp = test_upload (ctx, z, 2, CASCADE_SHAPE (28, 28));
  CascadeTensor tf = test_upload (ctx, z, 1, CASCADE_SHAPE (100));
  /* labels must be i32 */
  g_assert_false (cascade_mask_merge (ctx, &tp, &tf, 1, 1, 28, 1.0f, TRUE,
          &tp, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  cascade_tensor_release (&tp);
  cascade_tensor_release (&tf);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  g_test_add_func ("/mask_merge/merge", test_merge);
  g_test_add_func ("/mask_merge/errors", test_merge_errors);
  ret = g_test_run ();
  cascade_ctx_free (ctx);
  return ret;
}
