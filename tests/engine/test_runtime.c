/* gst-cascade tests: device selection, errors, programs, tensors, arena,
 * GEMM */
#include "testutil.h"
#include "blas/gemm.h"
#include "runtime/util.h"
#include "runtime/program-cache.h"

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
  check_gemm (13, 97, 5, FALSE, FALSE);         /* row and column edges */
  check_gemm (3, 70, 300, FALSE, FALSE);        /* fewer rows than a tile */
  check_gemm (21, 45, 2500, FALSE, FALSE);      /* deeper than one pass */
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

/* ---- the on-disk program cache (program-cache.h) ---- */

#define PC_OPTIONS "-cl-std=CL1.2"
#define PC_SOURCE \
  "__kernel void pc_axpi (__global float *x, const float a, const int n)\n" \
  "{\n" \
  "  int i = get_global_id (0);\n" \
  "  if (i < n)\n" \
  "    x[i] = a * x[i] + (float) i;\n" \
  "}\n"

/* removes a directory tree made by a test */
static void
rm_rf (const gchar * path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const gchar *n;
  if (d) {
    while ((n = g_dir_read_name (d))) {
      gchar *sub = g_build_filename (path, n, NULL);
      rm_rf (sub);
      g_free (sub);
    }
    g_dir_close (d);
  }
  g_remove (path);
}

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
  g_setenv ("CASCADE_CACHE_DIR", tmp, TRUE);

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
  g_setenv ("CASCADE_CACHE_DIR", "off", TRUE);
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
    g_setenv ("CASCADE_CACHE_DIR", saved, TRUE);
  else
    g_unsetenv ("CASCADE_CACHE_DIR");
  rm_rf (tmp);
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
  g_setenv ("CASCADE_CACHE_DIR", tmp, TRUE);

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
  g_setenv ("CASCADE_CACHE_DIR", "off", TRUE);
  pc_run_child ();
  files = program_files (tmp);
  g_assert_cmpuint (files->len, ==, 0);
  g_ptr_array_unref (files);
  sub = g_build_filename (xdg, "gst-cascade", NULL);
  g_assert_false (g_file_test (sub, G_FILE_TEST_EXISTS));
  /* ... which is where an unset CASCADE_CACHE_DIR writes */
  g_unsetenv ("CASCADE_CACHE_DIR");
  pc_run_child ();
  files = program_files (sub);
  g_assert_cmpuint (files->len, ==, 1);
  g_ptr_array_unref (files);

  if (saved_dir)
    g_setenv ("CASCADE_CACHE_DIR", saved_dir, TRUE);
  if (saved_xdg)
    g_setenv ("XDG_CACHE_HOME", saved_xdg, TRUE);
  else
    g_unsetenv ("XDG_CACHE_HOME");
  rm_rf (tmp);
  rm_rf (xdg);
  g_free (sub);
  g_free (path);
  g_free (tmp);
  g_free (xdg);
  g_free (saved_dir);
  g_free (saved_xdg);
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
  g_test_add_func ("/runtime/program-cache", test_program_cache);
  g_test_add_func ("/runtime/program-cache-device",
      test_program_cache_device);
  ret = g_test_run ();
  cascade_ctx_free (ctx);
  return ret;
}
