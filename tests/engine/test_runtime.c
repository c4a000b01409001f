/* gst-cascade tests: device selection, errors, programs, tensors, arena,
 * GEMM */
#include "fs.h"
#include "testutil.h"
#include "blas/gemm.h"
#include "blas/tuning.h"
#include "runtime/util.h"
#include "runtime/program-cache.h"
#include "runtime/clinfo.h"
#include "runtime/log.h"
#include "runtime/program.h"

#include <clblast_c.h>
#include <glib/gstdio.h>
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
  gchar *list = cascade_cl_device_list ();
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
  {
    /* the three names of one device resolve to one "P:D" */
    const gchar *name = cascade_device_name (a);
    gchar *r0 = cascade_device_resolve ("0", &err);
    gchar *r1 = cascade_device_resolve ("0:0", &err);
    gchar *r2 = cascade_device_resolve (name + strlen (name) / 2, &err);
    g_assert_no_error (err);
    g_assert_cmpstr (r0, ==, "0:0");
    g_assert_cmpstr (r1, ==, "0:0");
    g_assert_cmpstr (r2, ==, "0:0");
    g_free (r0);
    g_free (r1);
    g_free (r2);
    g_assert_null (cascade_device_resolve ("no-such-device-xyz", &err));
    g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_NO_DEVICE);
    g_clear_error (&err);
  }
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
  test_setenv ("CASCADE_DEVICE_MIN_MEM_MB", "100000000");
  g_assert_null (cascade_device_open ("0", &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_DEVICE);
  g_assert_nonnull (strstr (err->message, "100000000 MiB"));
  g_clear_error (&err);
  test_setenv ("CASCADE_DEVICE_MIN_MEM_MB", NULL);

  /* the environment variable wins over the caller's spec */
  test_setenv (CASCADE_DEVICE_ENV, "no-such-device-env");
  g_assert_null (cascade_device_open ("0", &err));
  g_assert_nonnull (strstr (err->message, "no-such-device-env"));
  g_clear_error (&err);
  test_setenv (CASCADE_DEVICE_ENV, NULL);
}

static void
test_program_errors (void)
{
  static CascadeKernelDesc no_program =
      CASCADE_KERNEL_DESC ("no_such_program", "k");
  static CascadeKernelDesc no_kernel =
      CASCADE_KERNEL_DESC ("util", "no_such_kernel");
  GError *err = NULL;
  g_assert_null (cascade_ctx_kernel (ctx, &no_program, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_BUILD);
  g_clear_error (&err);
  g_assert_null (cascade_ctx_kernel (ctx, &no_kernel, &err));
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
  test_check_gemm (ctx, m, n, k, ta, tb, 1e-4, 1e-4);
}

static void
gemm_shapes (void)
{
  check_gemm (1, 1, 1, FALSE, FALSE);
  check_gemm (37, 53, 29, FALSE, FALSE);
  check_gemm (16, 64, 40, FALSE, FALSE);        /* whole 8x32 tiles only */
  check_gemm (12, 48, 40, FALSE, FALSE);        /* whole 6x16, 4x24 tiles */
  check_gemm (24, 96, 33, FALSE, FALSE);        /* whole 12x32 tiles only */
  check_gemm (5, 24, 11, FALSE, FALSE); /* one 4x24 tile and a row */
  check_gemm (7, 16, 9, FALSE, FALSE);  /* one 6x16 tile and a row */
  check_gemm (13, 97, 5, FALSE, FALSE);         /* row and column edges */
  check_gemm (3, 70, 300, FALSE, FALSE);        /* fewer rows than a tile */
  check_gemm (21, 45, 2500, FALSE, FALSE);      /* deeper than one pass */
  check_gemm (64, 33, 147, FALSE, TRUE);
  check_gemm (5, 71, 13, TRUE, FALSE);
  check_gemm (19, 23, 31, TRUE, TRUE);
}

/* every register tile of blas/gemm.h, the defaults first */
static const gchar *const tile_names[] = { "8x32", "6x16", "12x32", "4x24" };

/* both implementations behind gemm.h, forced in turn */
static void
test_gemm (void)
{
  guint i;
  test_setenv ("CASCADE_GEMM", "clblast");
  g_assert_cmpint (cascade_gemm_impl (ctx), ==, CASCADE_GEMM_CLBLAST);
  gemm_shapes ();
  test_setenv ("CASCADE_GEMM", "cpu");
  g_assert_cmpint (cascade_gemm_impl (ctx), ==, CASCADE_GEMM_CPU);
  gemm_shapes ();
  /* and our kernel in each of its register tiles */
  for (i = 0; i < G_N_ELEMENTS (tile_names); i++) {
    test_setenv ("CASCADE_GEMM_TILE", tile_names[i]);
    g_assert_cmpstr (cascade_gemm_tile (ctx)->name, ==, tile_names[i]);
    gemm_shapes ();
  }
  test_setenv ("CASCADE_GEMM_TILE", NULL);
  test_setenv ("CASCADE_GEMM", NULL);
}

/* the device's default tile follows its vector width (gemm.h); an
 * invalid $CASCADE_GEMM_TILE is the device's */
static void
test_gemm_tile (void)
{
  guint w = cascade_device_vector_width (cascade_ctx_device (ctx));
  const CascadeGemmTile *t = cascade_gemm_tile (ctx);
  guint i;
  g_assert_cmpstr (t->name, ==, w >= 16 ? "8x32" : "6x16");
  g_assert_cmpuint (t->width, ==, w >= 16 ? 16 : 8);
  test_setenv ("CASCADE_GEMM_TILE", "5x7");
  g_assert_true (cascade_gemm_tile (ctx) == t);
  test_setenv ("CASCADE_GEMM_TILE", NULL);
  for (i = 0; i < G_N_ELEMENTS (tile_names); i++) {
    const CascadeGemmTile *n = cascade_gemm_tile_named (tile_names[i]);
    g_assert_nonnull (n);
    g_assert_cmpstr (n->name, ==, tile_names[i]);
    g_assert_cmpuint (n->tn % n->width, ==, 0);
  }
  g_assert_null (cascade_gemm_tile_named ("5x7"));
}

/* the tiles cascade_gemm_tile_run ran, in order */
static gboolean
record_tile (gpointer data, const CascadeGemmTile * tile, GError ** error)
{
  g_string_append_printf (data, "%s ", tile->name);
  return TRUE;
}

/* the tile is measured per shape among the device's width's tiles, the
 * fastest stored; forced, or not measurable: one run of one tile */
static void
test_gemm_tile_choice (void)
{
  const CascadeGemmTile *def = cascade_gemm_tile (ctx);
  /* AVX-512 has one candidate (gemm.c): run once, unmeasured */
  const gchar *mine = def->width == 16 ? "8x32 " : "6x16 6x16 4x24 4x24 ";
  GString *ran = g_string_new (NULL);
  const gchar *stored;
  GError *err = NULL;
  gchar *want = g_strdup_printf ("%s ", def->name);

  g_assert_true (cascade_gemm_tile_run (ctx, "test-tile", "once", FALSE,
          record_tile, ran, &err));
  g_assert_cmpstr (ran->str, ==, want);
  g_free (want);
  g_string_truncate (ran, 0);
  test_setenv ("CASCADE_GEMM_TILE", "4x24");
  g_assert_true (cascade_gemm_tile_run (ctx, "test-tile", "forced", TRUE,
          record_tile, ran, &err));
  g_assert_cmpstr (ran->str, ==, "4x24 ");
  test_setenv ("CASCADE_GEMM_TILE", NULL);
  g_string_truncate (ran, 0);
  /* measured (again: not what an earlier run left on disk): each of the
   * width's tiles twice, then the fastest again unless it was the last */
  cascade_tuning_reset ();
  test_setenv ("CASCADE_TUNE", "force");
  g_assert_true (cascade_gemm_tile_run (ctx, "test-tile", "measured", TRUE,
          record_tile, ran, &err));
  g_assert_no_error (err);
  /* what this process measured (force: the disk is not read) */
  stored = cascade_tuning_lookup (cascade_ctx_device (ctx), "test-tile",
      "measured");
  test_setenv ("CASCADE_TUNE", NULL);
  if (def->width == 16) {
    /* one candidate: run once, nothing measured nor stored */
    g_assert_cmpstr (ran->str, ==, mine);
    g_assert_null (stored);
    g_string_free (ran, TRUE);
    cascade_tuning_reset ();
    return;
  }
  g_assert_nonnull (stored);
  g_assert_true (g_str_has_prefix (ran->str, mine));
  want = g_strdup_printf ("%s%s ", mine, stored);
  g_assert_true (strcmp (ran->str, mine) == 0 || strcmp (ran->str,
          want) == 0);
  g_assert_nonnull (strstr (mine, stored));
  g_free (want);
  /* then the stored one only */
  g_string_truncate (ran, 0);
  g_assert_true (cascade_gemm_tile_run (ctx, "test-tile", "measured", TRUE,
          record_tile, ran, &err));
  want = g_strdup_printf ("%s ", stored);
  g_assert_cmpstr (ran->str, ==, want);
  g_free (want);
  g_string_free (ran, TRUE);
  cascade_tuning_reset ();
}

/* every element is the same chain of fma in either tile: the same bits,
 * through the full tiles, both edges and several K passes */
static void
test_gemm_tiles_same_bits (void)
{
  const gsize m = 29, n = 83, k = 1100;
  GRand *r = g_rand_new_with_seed (29);
  gfloat *a = test_random (r, m * k, -1, 1), *b = test_random (r, k * n, -1,
      1);
  CascadeTensor ta = test_upload (ctx, a, 1, CASCADE_SHAPE (m * k));
  CascadeTensor tb = test_upload (ctx, b, 1, CASCADE_SHAPE (k * n));
  CascadeTensor tc = test_upload (ctx, NULL, 1, CASCADE_SHAPE (m * n));
  CascadeMatrix ma = { ta.mem, 0, k, FALSE }, mb = { tb.mem, 0, n, FALSE };
  CascadeMatrix mc = { tc.mem, 0, n, FALSE };
  gfloat *got[G_N_ELEMENTS (tile_names)];
  GError *err = NULL;
  guint i;

  test_setenv ("CASCADE_GEMM", "cpu");
  for (i = 0; i < G_N_ELEMENTS (tile_names); i++) {
    test_setenv ("CASCADE_GEMM_TILE", tile_names[i]);
    test_fill_nan (ctx, &tc);
    g_assert_true (cascade_gemm (ctx, m, n, k, 1.0f, &ma, &mb, 0.0f, &mc,
            &err));
    g_assert_no_error (err);
    got[i] = test_download (ctx, &tc);
  }
  test_setenv ("CASCADE_GEMM_TILE", NULL);
  test_setenv ("CASCADE_GEMM", NULL);
  for (i = 1; i < G_N_ELEMENTS (tile_names); i++) {
    g_assert_cmpmem (got[0], m * n * 4, got[i], m * n * 4);
    g_free (got[i]);
  }
  g_free (got[0]);
  g_free (a);
  g_free (b);
  cascade_tensor_release (&ta);
  cascade_tensor_release (&tb);
  cascade_tensor_release (&tc);
  g_rand_free (r);
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
  test_setenv ("CASCADE_GEMM", impl);
  g_assert_true (cascade_gemm_ex (ctx, m, n, k, 1.0f, &ma, &mb, 0.5f, &mc,
          &epi, &err));
  g_assert_no_error (err);
  test_setenv ("CASCADE_GEMM", NULL);
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
  guint t;
  /* our kernel in each register tile, then CLBlast */
  for (t = 0; t < G_N_ELEMENTS (tile_names); t++) {
    test_setenv ("CASCADE_GEMM_TILE", tile_names[t]);
    check_epilogue ("cpu", 21, 75, 17, TRUE, FALSE);
    check_epilogue ("cpu", 8, 32, 9, FALSE, FALSE);
    check_epilogue ("cpu", 21, 75, 17, TRUE, TRUE);
    check_epilogue ("cpu", 3, 64, 5, FALSE, TRUE);
    check_epilogue ("cpu", 19, 70, 2309, TRUE, FALSE);
    check_epilogue ("cpu", 9, 40, 1025, FALSE, TRUE);
  }
  test_setenv ("CASCADE_GEMM_TILE", NULL);
  check_epilogue ("cpu", 21, 75, 17, TRUE, FALSE);
  check_epilogue ("cpu", 8, 32, 9, FALSE, FALSE);
  check_epilogue ("cpu", 21, 75, 17, TRUE, TRUE);
  check_epilogue ("cpu", 3, 64, 5, FALSE, TRUE);
  /* K over several passes: bias, residual and ReLU on the last only */
  check_epilogue ("cpu", 19, 70, 2309, TRUE, FALSE);
  check_epilogue ("cpu", 9, 40, 1025, FALSE, TRUE);
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
  test_setenv ("CASCADE_GEMM", "clblast");
  g_assert_false (cascade_gemm (ctx, 64, 64, 2, 1, &a, &b, 0, &c, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_BLAS);
  g_clear_error (&err);
  test_setenv ("CASCADE_GEMM", "cpu");
  g_assert_false (cascade_gemm (ctx, 64, 64, 2, 1, &a, &b, 0, &c, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  test_setenv ("CASCADE_GEMM", NULL);
  cascade_tensor_release (&t);
}

/* ---- the on-disk program cache (program-cache.h) ---- */

#define PC_OPTIONS "-cl-std=CL1.2"
#define PC_SOURCE \
  "__kernel void pc_axpi (__global float *x, const float a, const int n)\n" \
  "{\n" \
  "  int i = get_global_id (0);\n" \
  "  if (i < n)\n" \
  "    x[i] = a * x[i] + (float) i;\n" \
  "}\n"

/* the .bin files in dir/programs, sorted */
static GPtrArray *
program_files (const gchar * dir)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  gchar *sub = g_build_filename (dir, "programs", NULL);
  GDir *d = g_dir_open (sub, 0, NULL);
  const gchar *n;
  if (d) {
    while ((n = g_dir_read_name (d)))
      if (g_str_has_suffix (n, ".bin"))
        g_ptr_array_add (out, g_build_filename (sub, n, NULL));
    g_dir_close (d);
  }
  g_ptr_array_sort (out, (GCompareFunc) g_strcmp0);
  g_free (sub);
  return out;
}

static gchar *
read_all (const gchar * path, gsize * len)
{
  gchar *data = NULL;
  GError *err = NULL;
  g_assert_true (g_file_get_contents (path, &data, len, &err));
  g_assert_no_error (err);
  return data;
}

static void
write_all (const gchar * path, const gchar * data, gsize len)
{
  GError *err = NULL;
  g_assert_true (g_file_set_contents (path, data, (gssize) len, &err));
  g_assert_no_error (err);
}

/* the test's source built the ordinary way */
static cl_program
pc_build_source (void)
{
  CascadeDevice *dev = cascade_ctx_device (ctx);
  cl_device_id id = cascade_device_id (dev);
  const gchar *src = PC_SOURCE;
  cl_int st;
  cl_program prog = clCreateProgramWithSource (cascade_device_context (dev),
      1, &src, NULL, &st);
  g_assert_cmpint (st, ==, CL_SUCCESS);
  g_assert_cmpint (clBuildProgram (prog, 1, &id, PC_OPTIONS, NULL, NULL), ==,
      CL_SUCCESS);
  return prog;
}

/* runs pc_axpi of prog on 1000 elements against a CPU loop */
static void
pc_check_program (cl_program prog)
{
  const gint n = 1000;
  const gfloat a = -1.5f;
  gfloat *host = g_new (gfloat, n), *got = g_new (gfloat, n);
  cl_context context = cascade_ctx_context (ctx);
  cl_command_queue q = cascade_ctx_queue (ctx);
  size_t global = (size_t) n;
  cl_int st;
  cl_kernel k;
  cl_mem mem;
  gint i;

  for (i = 0; i < n; i++)
    host[i] = (gfloat) (i % 17) - 8.0f;
  k = clCreateKernel (prog, "pc_axpi", &st);
  g_assert_cmpint (st, ==, CL_SUCCESS);
  mem = clCreateBuffer (context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
      sizeof (gfloat) * n, host, &st);
  g_assert_cmpint (st, ==, CL_SUCCESS);
  g_assert_cmpint (clSetKernelArg (k, 0, sizeof (mem), &mem), ==, CL_SUCCESS);
  g_assert_cmpint (clSetKernelArg (k, 1, sizeof (a), &a), ==, CL_SUCCESS);
  g_assert_cmpint (clSetKernelArg (k, 2, sizeof (n), &n), ==, CL_SUCCESS);
  g_assert_cmpint (clEnqueueNDRangeKernel (q, k, 1, NULL, &global, NULL, 0,
          NULL, NULL), ==, CL_SUCCESS);
  g_assert_cmpint (clEnqueueReadBuffer (q, mem, CL_TRUE, 0,
          sizeof (gfloat) * n, got, 0, NULL, NULL), ==, CL_SUCCESS);
  for (i = 0; i < n; i++)
    g_assert_cmpfloat (got[i], ==, a * host[i] + (gfloat) i);
  clReleaseMemObject (mem);
  clReleaseKernel (k);
  g_free (host);
  g_free (got);
}

static void
test_program_cache (void)
{
  CascadeDevice *dev = cascade_ctx_device (ctx);
  cl_context context = cascade_device_context (dev);
  cl_device_id id = cascade_device_id (dev);
  gchar *saved = g_strdup (g_getenv ("CASCADE_CACHE_DIR"));
  gchar *tmp = g_dir_make_tmp ("cascade-progcache-XXXXXX", NULL);
  gchar *path, *other, *good, *data;
  gsize good_len, len;
  GPtrArray *files;
  cl_program prog;

  g_assert_nonnull (tmp);
  test_setenv ("CASCADE_CACHE_DIR", tmp);

  /* the entry lies in programs/; options and source are in its key */
  path = cascade_program_cache_file (id, PC_OPTIONS, PC_SOURCE);
  g_assert_nonnull (path);
  g_assert_true (g_str_has_prefix (path, tmp));
  g_assert_true (g_str_has_suffix (path, ".bin"));
  other = cascade_program_cache_file (id, PC_OPTIONS " -cl-fast-relaxed-math",
      PC_SOURCE);
  g_assert_cmpstr (path, !=, other);
  g_free (other);
  other = cascade_program_cache_file (id, PC_OPTIONS, PC_SOURCE "\n");
  g_assert_cmpstr (path, !=, other);
  g_free (other);

  /* nothing there yet */
  g_assert_null (cascade_program_cache_load (context, id, "pc", PC_OPTIONS,
          PC_SOURCE));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* a source build stores one file, which loads into a working program */
  prog = pc_build_source ();
  g_assert_true (cascade_program_cache_store (prog, id, "pc", PC_OPTIONS,
          PC_SOURCE));
  clReleaseProgram (prog);
  files = program_files (tmp);
  g_assert_cmpuint (files->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (files, 0), ==, path);
  g_ptr_array_unref (files);
  good = read_all (path, &good_len);
  prog = cascade_program_cache_load (context, id, "pc", PC_OPTIONS,
      PC_SOURCE);
  g_assert_nonnull (prog);
  pc_check_program (prog);
  clReleaseProgram (prog);
  /* other options: another entry, not there */
  g_assert_null (cascade_program_cache_load (context, id, "pc",
          PC_OPTIONS " -cl-fast-relaxed-math", PC_SOURCE));

  /* damaged entries are refused; a source build then rewrites them */
  {
    gchar *garbage = g_strnfill (4096, 'x'), *flipped = g_memdup2 (good,
        good_len);
    const struct
    {
      const gchar *data;
      gsize len;
    } bad[] = {
      {"", 0},
      {good, 20},               /* inside the header */
      {good, good_len / 2},     /* truncated */
      {good, good_len - 1},
      {garbage + 48, 4096 - 48},
      {garbage, 4096},          /* checksum right, binary wrong */
      {flipped, good_len},      /* one byte of the binary changed */
    };
    guint i;
    /* a well-formed entry whose binary the driver must refuse: the
     * header (program-cache.c) over garbage */
    {
      GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
      guint64 n = GUINT64_TO_LE (4096 - 48);
      gsize dl = 32;
      memcpy (garbage, "CASCLBN1", 8);
      memcpy (garbage + 8, &n, 8);
      g_checksum_update (sum, (const guchar *) garbage + 48, 4096 - 48);
      g_checksum_get_digest (sum, (guint8 *) garbage + 16, &dl);
      g_checksum_free (sum);
    }
    flipped[good_len - good_len / 3] ^= 0x5a;
    for (i = 0; i < G_N_ELEMENTS (bad); i++) {
      write_all (path, bad[i].data, bad[i].len);
      g_assert_null (cascade_program_cache_load (context, id, "pc",
              PC_OPTIONS, PC_SOURCE));
      prog = pc_build_source ();
      pc_check_program (prog);
      g_assert_true (cascade_program_cache_store (prog, id, "pc", PC_OPTIONS,
              PC_SOURCE));
      clReleaseProgram (prog);
      data = read_all (path, &len);
      g_assert_cmpuint (len, >, 48);
      g_assert_false (len == bad[i].len
          && memcmp (data, bad[i].data, len) == 0);
      g_free (data);
      prog = cascade_program_cache_load (context, id, "pc", PC_OPTIONS,
          PC_SOURCE);
      g_assert_nonnull (prog);
      pc_check_program (prog);
      clReleaseProgram (prog);
    }
    g_free (garbage);
    g_free (flipped);
  }

  /* CASCADE_CACHE_DIR=off: no path, nothing read or written */
  g_assert_true (g_remove (path) == 0);
  test_setenv ("CASCADE_CACHE_DIR", "off");
  g_assert_null (cascade_program_cache_file (id, PC_OPTIONS, PC_SOURCE));
  prog = pc_build_source ();
  g_assert_false (cascade_program_cache_store (prog, id, "pc", PC_OPTIONS,
          PC_SOURCE));
  clReleaseProgram (prog);
  g_assert_null (cascade_program_cache_load (context, id, "pc", PC_OPTIONS,
          PC_SOURCE));
  files = program_files (tmp);
  g_assert_cmpuint (files->len, ==, 0);
  g_ptr_array_unref (files);

  if (saved)
    test_setenv ("CASCADE_CACHE_DIR", saved);
  else
    test_setenv ("CASCADE_CACHE_DIR", NULL);
  cascade_remove_tree (tmp);
  g_free (good);
  g_free (path);
  g_free (tmp);
  g_free (saved);
}

/* In a child process (a fresh device registry): cascade_fill through
 * util.cl, built by cascade_device_program with the disk cache as the
 * environment sets it. */
static void
pc_child_fill (void)
{
  GError *err = NULL;
  CascadeTensor t;
  gsize n = 333, i;
  gfloat *host;
  g_assert_true (cascade_tensor_new (ctx, &t, CASCADE_DTYPE_F32, 1,
          CASCADE_SHAPE (n), NULL, &err));
  g_assert_true (cascade_fill (ctx, &t, 2.25f, &err));
  g_assert_no_error (err);
  host = test_download (ctx, &t);
  for (i = 0; i < n; i++)
    g_assert_cmpfloat (host[i], ==, 2.25f);
  g_free (host);
  cascade_tensor_release (&t);
}

static void
pc_run_child (void)
{
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static gboolean
same_file (const gchar * path, GStatBuf * before)
{
  GStatBuf now;
  g_assert_true (g_stat (path, &now) == 0);
  return now.st_ino == before->st_ino && now.st_dev == before->st_dev;
}

/* cascade_device_program writes, reuses and repairs its entries */
static void
test_program_cache_device (void)
{
  gchar *saved_dir, *saved_xdg, *tmp, *xdg, *path, *sub, *data;
  gsize len;
  GPtrArray *files;
  GStatBuf st;

  if (g_test_subprocess ()) {
    pc_child_fill ();
    return;
  }
  saved_dir = g_strdup (g_getenv ("CASCADE_CACHE_DIR"));
  saved_xdg = g_strdup (g_getenv ("XDG_CACHE_HOME"));
  tmp = g_dir_make_tmp ("cascade-progcache-XXXXXX", NULL);
  xdg = g_dir_make_tmp ("cascade-xdgcache-XXXXXX", NULL);
  g_assert_nonnull (tmp);
  g_assert_nonnull (xdg);
  /* the children's default cache directory, if anything fell back to it */
  g_setenv ("XDG_CACHE_HOME", xdg, TRUE);
  test_setenv ("CASCADE_CACHE_DIR", tmp);

  /* a cold start writes the entry of util.cl */
  pc_run_child ();
  files = program_files (tmp);
  g_assert_cmpuint (files->len, ==, 1);
  path = g_strdup (g_ptr_array_index (files, 0));
  g_ptr_array_unref (files);
  g_assert_true (g_stat (path, &st) == 0);

  /* a warm start loads it and leaves it alone (a rewrite would be a new
   * file, renamed into place) */
  pc_run_child ();
  g_assert_true (same_file (path, &st));
  files = program_files (tmp);
  g_assert_cmpuint (files->len, ==, 1);
  g_ptr_array_unref (files);

  /* garbage and a truncated copy: built from source, and rewritten */
  data = read_all (path, &len);
  write_all (path, "garbage", 7);
  g_assert_true (g_stat (path, &st) == 0);
  pc_run_child ();
  g_assert_false (same_file (path, &st));
  g_free (data);
  data = read_all (path, &len);
  g_assert_cmpuint (len, >, 7);
  write_all (path, data, len / 2);
  g_assert_true (g_stat (path, &st) == 0);
  pc_run_child ();
  g_assert_false (same_file (path, &st));
  g_free (data);
  data = read_all (path, &len);
  g_assert_cmpuint (len, >, 7);
  g_free (data);

  /* off: nothing written, neither there nor in the default directory */
  g_assert_true (g_remove (path) == 0);
  test_setenv ("CASCADE_CACHE_DIR", "off");
  pc_run_child ();
  files = program_files (tmp);
  g_assert_cmpuint (files->len, ==, 0);
  g_ptr_array_unref (files);
  sub = g_build_filename (xdg, "gst-cascade", NULL);
  g_assert_false (g_file_test (sub, G_FILE_TEST_EXISTS));
  /* ... which is where an unset CASCADE_CACHE_DIR writes */
  test_setenv ("CASCADE_CACHE_DIR", NULL);
  pc_run_child ();
  files = program_files (sub);
  g_assert_cmpuint (files->len, ==, 1);
  g_ptr_array_unref (files);

  if (saved_dir)
    test_setenv ("CASCADE_CACHE_DIR", saved_dir);
  if (saved_xdg)
    g_setenv ("XDG_CACHE_HOME", saved_xdg, TRUE);
  else
    g_unsetenv ("XDG_CACHE_HOME");
  cascade_remove_tree (tmp);
  cascade_remove_tree (xdg);
  g_free (sub);
  g_free (path);
  g_free (tmp);
  g_free (xdg);
  g_free (saved_dir);
  g_free (saved_xdg);
}

/* what a log function received */
typedef struct
{
  GPtrArray *info;              /* INFO messages */
  GPtrArray *debug;             /* DEBUG messages */
  GPtrArray *warnings;          /* WARNING messages */
} LogSeen;

static void
log_seen (GLogLevelFlags level, const gchar * message, gpointer data)
{
  LogSeen *seen = data;
  if (level & G_LOG_LEVEL_INFO)
    g_ptr_array_add (seen->info, g_strdup (message));
  else if (level & G_LOG_LEVEL_DEBUG)
    g_ptr_array_add (seen->debug, g_strdup (message));
  else if (level & G_LOG_LEVEL_WARNING)
    g_ptr_array_add (seen->warnings, g_strdup (message));
}

static void
log_seen_init (LogSeen * seen)
{
  seen->info = g_ptr_array_new_with_free_func (g_free);
  seen->debug = g_ptr_array_new_with_free_func (g_free);
  seen->warnings = g_ptr_array_new_with_free_func (g_free);
}

static void
log_seen_clear (gpointer data)
{
  LogSeen *seen = data;
  g_ptr_array_unref (seen->info);
  g_ptr_array_unref (seen->debug);
  g_ptr_array_unref (seen->warnings);
}

/* how many of the messages contain every one of the words */
static guint
count_with (GPtrArray * messages, const gchar * a, const gchar * b)
{
  guint i, n = 0;
  for (i = 0; i < messages->len; i++) {
    const gchar *m = g_ptr_array_index (messages, i);
    if (strstr (m, a) && (!b || strstr (m, b)))
      n++;
  }
  return n;
}

/* a program build, and the disk cache's miss, store and hit, reach the log
 * function at INFO; so do plain g_log calls in the engine's domain */
static void
test_log_program_build (void)
{
  CascadeDevice *dev = cascade_ctx_device (ctx);
  gchar *saved = g_strdup (g_getenv ("CASCADE_CACHE_DIR"));
  gchar *tmp = g_dir_make_tmp ("cascade-log-XXXXXX", NULL);
  GError *err = NULL;
  LogSeen seen;
  cl_program prog;

  log_seen_init (&seen);
  test_setenv ("CASCADE_CACHE_DIR", tmp);
  cascade_set_log_func (log_seen, &seen, NULL);
  /* a cold cache: a miss, a build from source, a store */
  prog = cascade_program_build (cascade_device_context (dev),
      cascade_device_id (dev), cascade_device_name (dev), "util", &err);
  g_assert_no_error (err);
  g_assert_nonnull (prog);
  clReleaseProgram (prog);
  g_assert_cmpuint (count_with (seen.info, "built OpenCL program util.cl",
          cascade_device_name (dev)), ==, 1);
  g_assert_cmpuint (count_with (seen.info, "program cache: miss for util.cl",
          NULL), ==, 1);
  g_assert_cmpuint (count_with (seen.info, "util.cl stored in", tmp), ==, 1);
  /* a warm one: a hit, no build */
  prog = cascade_program_build (cascade_device_context (dev),
      cascade_device_id (dev), cascade_device_name (dev), "util", &err);
  g_assert_no_error (err);
  clReleaseProgram (prog);
  g_assert_cmpuint (count_with (seen.info, "program cache: hit for util.cl",
          tmp), ==, 1);
  g_assert_cmpuint (count_with (seen.info, "built OpenCL program", NULL), ==,
      1);
  g_assert_cmpuint (seen.warnings->len, ==, 0);
  /* g_log in the engine's domain goes the same way */
  g_log (CASCADE_LOG_DOMAIN, G_LOG_LEVEL_DEBUG, "plain %s", "debug");
  g_assert_cmpuint (count_with (seen.debug, "plain debug", NULL), ==, 1);
  /* replacing the function gives its data back (log_seen_clear) */
  cascade_set_log_func (log_seen, &seen, log_seen_clear);
  cascade_set_log_func (NULL, NULL, NULL);

  test_setenv ("CASCADE_CACHE_DIR", saved);
  cascade_remove_tree (tmp);
  g_free (tmp);
  g_free (saved);
}

/* an invalid CASCADE_TUNE is one warning that names it, whatever the
 * number of contexts and products; the mode is then off */
static void
test_options_invalid (void)
{
  gchar *saved = g_strdup (g_getenv ("CASCADE_TUNE"));
  LogSeen seen;
  CascadeCtx *other;
  GError *err = NULL;

  log_seen_init (&seen);
  cascade_set_log_func (log_seen, &seen, log_seen_clear);
  test_setenv ("CASCADE_TUNE", "sometimes");
  g_assert_cmpint (cascade_options_tune (), ==, CASCADE_TUNE_OFF);
  g_assert_cmpuint (seen.warnings->len, ==, 1);
  g_assert_cmpuint (count_with (seen.warnings, "CASCADE_TUNE=sometimes",
          "measure, cached, off or force"), ==, 1);
  /* read again on every new context, warned about once */
  other = cascade_ctx_new (cascade_ctx_device (ctx), &err);
  g_assert_no_error (err);
  cascade_ctx_free (other);
  cascade_options_reload ();
  g_assert_cmpint (cascade_options_tune (), ==, CASCADE_TUNE_OFF);
  g_assert_cmpuint (seen.warnings->len, ==, 1);
  /* a valid value is obeyed, silently */
  test_setenv ("CASCADE_TUNE", "cached");
  g_assert_cmpint (cascade_options_tune (), ==, CASCADE_TUNE_CACHED);
  g_assert_cmpuint (seen.warnings->len, ==, 1);
  cascade_set_log_func (NULL, NULL, NULL);

  /* without a log function the warning goes to g_log, domain cascadecl */
  g_test_expect_message (CASCADE_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
      "CASCADE_TUNE=never is not valid*");
  test_setenv ("CASCADE_TUNE", "never");
  g_test_assert_expected_messages ();
  g_assert_cmpint (cascade_options_tune (), ==, CASCADE_TUNE_OFF);

  test_setenv ("CASCADE_TUNE", saved);
  g_free (saved);
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
  g_test_add_func ("/runtime/gemm-tile", test_gemm_tile);
  g_test_add_func ("/runtime/gemm-tile-choice", test_gemm_tile_choice);
  g_test_add_func ("/runtime/gemm-tiles-same-bits",
      test_gemm_tiles_same_bits);
  g_test_add_func ("/runtime/gemm-epilogue", test_gemm_epilogue);
  g_test_add_func ("/runtime/gemm-error", test_gemm_error);
  g_test_add_func ("/runtime/program-cache", test_program_cache);
  g_test_add_func ("/runtime/program-cache-device",
      test_program_cache_device);
  g_test_add_func ("/runtime/log-program-build", test_log_program_build);
  g_test_add_func ("/runtime/options-invalid", test_options_invalid);
  ret = g_test_run ();
  cascade_ctx_free (ctx);
  return ret;
}
