/* gst-cascade tests: device selection, errors, programs, tensors, arena,
 * GEMM */
#include "testutil.h"
#include "gemm.h"
#include "util.h"

#include <clblast_c.h>
#include <string.h>

static CascadeCtx *ctx;

static void
test_error_strings (void)
{
  GError *err = NULL;
  g_assert_cmpstr (cascade_cl_status_string (CL_OUT_OF_RESOURCES), ==,
      "CL_OUT_OF_RESOURCES");
  g_assert_cmpstr (cascade_cl_status_string (-12345), ==,
      "unknown OpenCL error");
  g_assert_cmpstr (cascade_clblast_status_string (CLBlastInvalidLeadDimA),
      ==, "CLBlastInvalidLeadDimA");
  g_assert_cmpstr (cascade_clblast_status_string (CL_INVALID_VALUE), ==,
      "CL_INVALID_VALUE");
  g_assert_true (cascade_cl_check (CL_SUCCESS, "x", &err));
  g_assert_false (cascade_cl_check (CL_INVALID_KERNEL, "clFoo", &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_CL);
  g_assert_nonnull (strstr (err->message, "clFoo failed: CL_INVALID_KERNEL"));
  g_clear_error (&err);
  g_assert_false (cascade_clblast_check (CLBlastInvalidDimension, "Sgemm",
          &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_BLAS);
  g_assert_nonnull (strstr (err->message, "CLBlastInvalidDimension"));
  g_clear_error (&err);
}

static void
test_device_pick (void)
{
  GError *err = NULL;
  CascadeDevice *a, *b, *c;
  gchar *list = cascade_device_list_all ();
  g_assert_nonnull (strstr (list, "0: "));
  g_free (list);

  a = cascade_device_open ("0", &err);
  g_assert_no_error (err);
  b = cascade_device_open ("0:0", &err);
  g_assert_no_error (err);
  /* same device, same shared context */
  g_assert_true (a == b);
  g_assert_true (cascade_device_context (a) == cascade_device_context (b));
  {
    /* a substring of the name, in other case */
    const gchar *name = cascade_device_name (a);
    gchar *sub = g_ascii_strup (name + strlen (name) / 2, 4);
    c = cascade_device_open (sub, &err);
    g_assert_no_error (err);
    g_assert_true (c == a);
    cascade_device_unref (c);
    g_free (sub);
  }
  g_assert_cmpuint (cascade_device_global_mem (a), >=, 512u << 20);
  cascade_device_unref (b);
  cascade_device_unref (a);

  g_assert_null (cascade_device_open ("no-such-device-xyz", &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_NO_DEVICE);
  g_assert_nonnull (strstr (err->message, "no-such-device-xyz"));
  g_assert_nonnull (strstr (err->message, "available:"));
  g_clear_error (&err);
  g_assert_null (cascade_device_open ("99", &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_NO_DEVICE);
  g_clear_error (&err);
  g_assert_null (cascade_device_open ("0:99", &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_NO_DEVICE);
  g_clear_error (&err);

  /* a device without enough memory is refused, with the figures */
  g_setenv ("CASCADE_DEVICE_MIN_MEM_MB", "100000000", TRUE);
  g_assert_null (cascade_device_open ("0", &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_DEVICE);
  g_assert_nonnull (strstr (err->message, "100000000 MiB"));
  g_clear_error (&err);
  g_unsetenv ("CASCADE_DEVICE_MIN_MEM_MB");

  /* the environment variable wins over the caller's spec */
  g_setenv (CASCADE_DEVICE_ENV, "no-such-device-env", TRUE);
  g_assert_null (cascade_device_open ("0", &err));
  g_assert_nonnull (strstr (err->message, "no-such-device-env"));
  g_clear_error (&err);
  g_unsetenv (CASCADE_DEVICE_ENV);
}

static void
test_program_errors (void)
{
  GError *err = NULL;
  g_assert_null (cascade_ctx_kernel (ctx, "no_such_program", "k", &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_BUILD);
  g_clear_error (&err);
  g_assert_null (cascade_ctx_kernel (ctx, "util", "no_such_kernel", &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_BUILD);
  g_assert_nonnull (strstr (err->message, "CL_INVALID_KERNEL_NAME"));
  g_clear_error (&err);
  /* every embedded program compiles */
  {
    const gchar *const *names = cascade_kernel_source_names ();
    for (; *names; names++) {
      g_assert_nonnull (cascade_device_program (cascade_ctx_device (ctx),
              *names, &err));
      g_assert_no_error (err);
    }
  }
}

static void
test_fill_copy (void)
{
  GError *err = NULL;
  CascadeTensor a, b;
  gsize n = 1237, i;
  gfloat *host;
  g_assert_true (cascade_tensor_new (ctx, &a, CASCADE_DTYPE_F32, 1,
          CASCADE_SHAPE (n), NULL, &err));
  g_assert_true (cascade_tensor_new (ctx, &b, CASCADE_DTYPE_F32, 1,
          CASCADE_SHAPE (n), NULL, &err));
  g_assert_true (cascade_fill (ctx, &a, 3.5f, &err));
  g_assert_true (cascade_fill (ctx, &b, -1.0f, &err));
  g_assert_true (cascade_copy (ctx, &a, 5, &b, 7, 100, &err));
  g_assert_no_error (err);
  host = test_download (ctx, &b);
  for (i = 0; i < n; i++)
    g_assert_cmpfloat (host[i], ==, (i >= 7 && i < 107) ? 3.5f : -1.0f);
  g_free (host);
  cascade_tensor_release (&a);
  cascade_tensor_release (&b);
}

static void
test_arena_reuse (void)
{
  GError *err = NULL;
  CascadeArena *arena = cascade_arena_new (ctx);
  CascadeTensor t, u;
  cl_mem first;
  g_assert_true (cascade_arena_tensor (arena, "x", &t, CASCADE_DTYPE_F32, 4,
          CASCADE_SHAPE (1, 3, 17, 19), &err));
  first = t.mem;
  g_assert_cmpuint (cascade_arena_allocations (arena), ==, 1);
  /* the same or a smaller request reuses the buffer */
  g_assert_true (cascade_arena_tensor (arena, "x", &u, CASCADE_DTYPE_F32, 4,
          CASCADE_SHAPE (1, 3, 10, 19), &err));
  g_assert_true (u.mem == first);
  g_assert_cmpuint (u.shape[2], ==, 10);
  g_assert_cmpuint (cascade_arena_allocations (arena), ==, 1);
  /* a larger one grows it once */
  g_assert_true (cascade_arena_tensor (arena, "x", &u, CASCADE_DTYPE_F32, 4,
          CASCADE_SHAPE (1, 3, 40, 19), &err));
  g_assert_cmpuint (cascade_arena_allocations (arena), ==, 2);
  g_assert_true (cascade_arena_tensor (arena, "x", &u, CASCADE_DTYPE_F32, 4,
          CASCADE_SHAPE (1, 3, 40, 19), &err));
  g_assert_cmpuint (cascade_arena_allocations (arena), ==, 2);
  g_assert_cmpuint (cascade_arena_bytes (arena), ==, 3 * 40 * 19 * 4);
  /* a request beyond the device's largest allocation is refused */
  g_assert_false (cascade_arena_tensor (arena, "huge", &u, CASCADE_DTYPE_F32,
          2, CASCADE_SHAPE ((gsize) 1 << 40, 16), &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_DEVICE);
  g_clear_error (&err);
  cascade_arena_free (arena);
}

/* C = A * B (+ transposes) against a plain loop, on odd sizes */
static void
check_gemm (gsize m, gsize n, gsize k, gboolean ta, gboolean tb)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (m * 131 + n * 7 + k);
  gfloat *a = test_random (r, m * k, -1, 1), *b = test_random (r, k * n, -1,
      1), *c = test_random (r, m * n, -1, 1), *want = g_new (gfloat, m * n);
  gfloat *got;
  gsize i, j, l;
  CascadeTensor ta_ = test_upload (ctx, a, 1, CASCADE_SHAPE (m * k));
  CascadeTensor tb_ = test_upload (ctx, b, 1, CASCADE_SHAPE (k * n));
  CascadeTensor tc_ = test_upload (ctx, c, 1, CASCADE_SHAPE (m * n));
  CascadeMatrix ma = { ta_.mem, 0, ta ? m : k, ta };
  CascadeMatrix mb = { tb_.mem, 0, tb ? k : n, tb };
  CascadeMatrix mc = { tc_.mem, 0, n, FALSE };

  for (i = 0; i < m; i++)
    for (j = 0; j < n; j++) {
      gdouble s = 0;
      for (l = 0; l < k; l++)
        s += (gdouble) (ta ? a[l * m + i] : a[i * k + l]) *
            (tb ? b[j * k + l] : b[l * n + j]);
      want[i * n + j] = (gfloat) (0.5 * s + 2.0 * c[i * n + j]);
    }
  g_assert_true (cascade_gemm (ctx, m, n, k, 0.5f, &ma, &mb, 2.0f, &mc,
          &err));
  g_assert_no_error (err);
  got = test_download (ctx, &tc_);
  test_assert_close ("gemm", got, want, m * n, 1e-4, 1e-4);
  g_free (got);
  g_free (a);
  g_free (b);
  g_free (c);
  g_free (want);
  cascade_tensor_release (&ta_);
  cascade_tensor_release (&tb_);
  cascade_tensor_release (&tc_);
  g_rand_free (r);
}

static void
gemm_shapes (void)
{
  check_gemm (1, 1, 1, FALSE, FALSE);
  check_gemm (37, 53, 29, FALSE, FALSE);
  check_gemm (16, 64, 40, FALSE, FALSE);        /* whole 8x32 tiles only */
  check_gemm (13, 97, 5, FALSE, FALSE);         /* row and column edges */
  check_gemm (3, 70, 300, FALSE, FALSE);        /* fewer rows than a tile */
  check_gemm (64, 33, 147, FALSE, TRUE);
  check_gemm (5, 71, 13, TRUE, FALSE);
  check_gemm (19, 23, 31, TRUE, TRUE);
}

/* both implementations behind gemm.h, forced in turn */
static void
test_gemm (void)
{
  g_setenv ("CASCADE_GEMM", "clblast", TRUE);
  g_assert_cmpint (cascade_gemm_impl (ctx), ==, CASCADE_GEMM_CLBLAST);
  gemm_shapes ();
  g_setenv ("CASCADE_GEMM", "cpu", TRUE);
  g_assert_cmpint (cascade_gemm_impl (ctx), ==, CASCADE_GEMM_CPU);
  gemm_shapes ();
  g_unsetenv ("CASCADE_GEMM");
}

/* C = A*B + beta*C + bias[row] + residual, ReLU: fused (CPU kernel) and as
 * a separate pass (CLBlast) */
static void
check_epilogue (const gchar * impl, gsize m, gsize n, gsize k, gboolean relu,
    gboolean per_col)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (m + n + k + relu);
  gsize nb = (per_col ? n : m) + 3;
  gfloat *a = test_random (r, m * k, -1, 1), *b = test_random (r, k * n, -1,
      1), *c = test_random (r, m * n, -1, 1), *bias = test_random (r, nb,
      -1, 1), *res = test_random (r, m * n + 5, -2, 2);
  gfloat *want = g_new (gfloat, m * n), *got;
  gsize i, j, l;
  CascadeTensor ta = test_upload (ctx, a, 1, CASCADE_SHAPE (m * k));
  CascadeTensor tb = test_upload (ctx, b, 1, CASCADE_SHAPE (k * n));
  CascadeTensor tc = test_upload (ctx, c, 1, CASCADE_SHAPE (m * n));
  CascadeTensor tbias = test_upload (ctx, bias, 1, CASCADE_SHAPE (nb));
  CascadeTensor tres = test_upload (ctx, res, 1, CASCADE_SHAPE (m * n + 5));
  CascadeMatrix ma = { ta.mem, 0, k, FALSE }, mb = { tb.mem, 0, n, FALSE };
  CascadeMatrix mc = { tc.mem, 0, n, FALSE };
  CascadeEpilogue epi = {.bias = tbias.mem,.bias_offset = 3,
    .bias_per_column = per_col,.residual = tres.mem,.residual_offset = 5,
    .relu = relu
  };

  for (i = 0; i < m; i++)
    for (j = 0; j < n; j++) {
      gdouble s = 0;
      for (l = 0; l < k; l++)
        s += (gdouble) a[i * k + l] * b[l * n + j];
      s = s + 0.5 * c[i * n + j] + bias[3 + (per_col ? j : i)] +
          res[5 + i * n + j];
      want[i * n + j] = (gfloat) (relu && s < 0 ? 0 : s);
    }
  g_setenv ("CASCADE_GEMM", impl, TRUE);
  g_assert_true (cascade_gemm_ex (ctx, m, n, k, 1.0f, &ma, &mb, 0.5f, &mc,
          &epi, &err));
  g_assert_no_error (err);
  g_unsetenv ("CASCADE_GEMM");
  got = test_download (ctx, &tc);
  test_assert_close ("gemm epilogue", got, want, m * n, 1e-4, 1e-4);
  g_free (got);
  g_free (a);
  g_free (b);
  g_free (c);
  g_free (bias);
  g_free (res);
  g_free (want);
  cascade_tensor_release (&ta);
  cascade_tensor_release (&tb);
  cascade_tensor_release (&tc);
  cascade_tensor_release (&tbias);
  cascade_tensor_release (&tres);
  g_rand_free (r);
}

static void
test_gemm_epilogue (void)
{
  check_epilogue ("cpu", 21, 75, 17, TRUE, FALSE);
  check_epilogue ("cpu", 8, 32, 9, FALSE, FALSE);
  check_epilogue ("cpu", 21, 75, 17, TRUE, TRUE);
  check_epilogue ("cpu", 3, 64, 5, FALSE, TRUE);
  check_epilogue ("clblast", 21, 75, 17, TRUE, FALSE);
  check_epilogue ("clblast", 5, 3, 2, FALSE, FALSE);
  check_epilogue ("clblast", 13, 37, 6, TRUE, TRUE);
}

static void
test_gemm_error (void)
{
  GError *err = NULL;
  CascadeTensor t = test_upload (ctx, (gfloat[4]) {
      0}, 1, CASCADE_SHAPE (4));
  CascadeMatrix a = { t.mem, 0, 2, FALSE }, b = { t.mem, 0, 2, FALSE };
  CascadeMatrix c = { t.mem, 0, 64, FALSE };
  /* 64x64 output does not fit in a 16-byte buffer */
  g_setenv ("CASCADE_GEMM", "clblast", TRUE);
  g_assert_false (cascade_gemm (ctx, 64, 64, 2, 1, &a, &b, 0, &c, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_BLAS);
  g_clear_error (&err);
  g_setenv ("CASCADE_GEMM", "cpu", TRUE);
  g_assert_false (cascade_gemm (ctx, 64, 64, 2, 1, &a, &b, 0, &c, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  g_unsetenv ("CASCADE_GEMM");
  cascade_tensor_release (&t);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  g_test_add_func ("/runtime/error-strings", test_error_strings);
  g_test_add_func ("/runtime/device-pick", test_device_pick);
  g_test_add_func ("/runtime/program-errors", test_program_errors);
  g_test_add_func ("/runtime/fill-copy", test_fill_copy);
  g_test_add_func ("/runtime/arena-reuse", test_arena_reuse);
  g_test_add_func ("/runtime/gemm", test_gemm);
  g_test_add_func ("/runtime/gemm-epilogue", test_gemm_epilogue);
  g_test_add_func ("/runtime/gemm-error", test_gemm_error);
  ret = g_test_run ();
  cascade_ctx_free (ctx);
  return ret;
}
