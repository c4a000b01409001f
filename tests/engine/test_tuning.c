/* gst-cascade tests: choices by measurement (tuning.h) and their disk
 * cache.  Every test works in a fresh temporary CASCADE_CACHE_DIR. */
#include "fs.h"
#include "testutil.h"
#include "runtime/cache.h"
#include "blas/gemm.h"
#include "ops/conv.h"
#include "blas/tuning.h"
#include "runtime/util.h"

#include <glib/gstdio.h>
#include <string.h>

static CascadeCtx *ctx;

/* a 3x3 conv with both algorithms, and its input and output */
typedef struct
{
  CascadeConv conv;
  CascadeTensor in, out;
  gfloat *want;                 /* IM2COL's output */
  gsize nout;
} Fixture;

static void
fixture_init (Fixture * f)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (7);
  gfloat *in = test_random (r, 2 * 6 * 13 * 17, -1, 1);
  gfloat *wt = test_random (r, 10 * 6 * 9, -1, 1);
  CascadeArena *arena = cascade_arena_new (ctx);
  g_assert_true (cascade_conv_init (&f->conv, ctx, 6, 10, 3, 1, 1, 1, wt,
          NULL, &err));
  g_assert_no_error (err);
  f->in = test_upload (ctx, in, 4, CASCADE_SHAPE (2, 6, 13, 17));
  f->out = test_upload (ctx, NULL, 4, CASCADE_SHAPE (2, 10, 13, 17));
  f->nout = 2 * 10 * 13 * 17;
  g_assert_true (cascade_conv_forward_algo (ctx, arena, &f->conv,
          CASCADE_CONV_IM2COL, &f->in, NULL, CASCADE_ACT_RELU, &f->out,
          &err));
  g_assert_no_error (err);
  f->want = test_download (ctx, &f->out);
  cascade_arena_free (arena);
  g_free (in);
  g_free (wt);
  g_rand_free (r);
}

static void
fixture_clear (Fixture * f)
{
  cascade_conv_clear (&f->conv);
  cascade_tensor_release (&f->in);
  cascade_tensor_release (&f->out);
  g_free (f->want);
}

/* runs the conv with AUTO in a fresh arena (output NaN first); returns the
 * arena's bytes, which tell the algorithm apart (conv.shift vs conv.col) */
static void
run_auto_in (Fixture * f, CascadeArena * arena)
{
  GError *err = NULL;
  gfloat *got;
  test_fill_nan (ctx, &f->out);
  g_assert_true (cascade_conv_forward (ctx, arena, &f->conv, &f->in, NULL,
          CASCADE_ACT_RELU, &f->out, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &f->out);
  test_assert_close ("auto conv", got, f->want, f->nout, 1e-5, 1e-5);
  g_free (got);
}

static gsize
run_auto (Fixture * f)
{
  GError *err = NULL;
  CascadeArena *arena = cascade_arena_new (ctx);
  gfloat *got;
  gsize bytes;
  test_fill_nan (ctx, &f->out);
  g_assert_true (cascade_conv_forward (ctx, arena, &f->conv, &f->in, NULL,
          CASCADE_ACT_RELU, &f->out, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &f->out);
  test_assert_close ("auto conv", got, f->want, f->nout, 1e-5, 1e-5);
  g_free (got);
  bytes = cascade_arena_bytes (arena);
  cascade_arena_free (arena);
  return bytes;
}

static gsize
arena_bytes_of (Fixture * f, CascadeConvAlgo algo)
{
  GError *err = NULL;
  CascadeArena *arena = cascade_arena_new (ctx);
  gsize bytes;
  g_assert_true (cascade_conv_forward_algo (ctx, arena, &f->conv, algo,
          &f->in, NULL, CASCADE_ACT_RELU, &f->out, &err));
  g_assert_no_error (err);
  bytes = cascade_arena_bytes (arena);
  cascade_arena_free (arena);
  return bytes;
}

static gchar *
fresh_cache (void)
{
  gchar *dir = g_dir_make_tmp ("cascade-tuning-XXXXXX", NULL);
  g_assert_nonnull (dir);
  test_setenv (CASCADE_CACHE_DIR_ENV, dir);
  cascade_tuning_reset ();
  return dir;
}

static gchar *
stored (Fixture * f, const gchar * op)
{
  gchar *path = cascade_tuning_path (cascade_ctx_device (ctx)), *key, *v;
  GKeyFile *kf = g_key_file_new ();
  g_assert_true (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE,
          NULL));
  key = cascade_conv_tuning_key (&f->conv, 2, 13, 17);
  v = g_key_file_get_string (kf, op, key, NULL);
  g_key_file_unref (kf);
  g_free (key);
  g_free (path);
  return v;
}

/* first use measures every candidate (im2col, shift, Winograd), stores
 * the fastest with all the times, and the output is right; the stored
 * choice is then used without measuring */
static void
test_measure_and_store (void)
{
  gchar *dir = fresh_cache (), *v, *path;
  Fixture f;
  gsize shift_bytes, col_bytes, wino_bytes, bytes, chosen_bytes;

  test_setenv (CASCADE_TUNE_ENV, "measure");
  fixture_init (&f);
  shift_bytes = arena_bytes_of (&f, CASCADE_CONV_SHIFT);
  col_bytes = arena_bytes_of (&f, CASCADE_CONV_IM2COL);
  wino_bytes = arena_bytes_of (&f, CASCADE_CONV_WINOGRAD);
  g_assert_cmpuint (shift_bytes, !=, col_bytes);
  g_assert_cmpuint (wino_bytes, !=, col_bytes);
  g_assert_cmpuint (wino_bytes, !=, shift_bytes);

  /* measuring runs all three; the losers' im2col and Winograd scratch is
   * given back (shift's layout stays) */
  bytes = run_auto (&f);
  v = stored (&f, "conv");
  g_assert_nonnull (v);
  g_assert_true (g_str_has_prefix (v, "shift ")
      || g_str_has_prefix (v, "im2col ") || g_str_has_prefix (v,
          "winograd "));
  g_assert_cmpuint (bytes, ==, shift_bytes + (g_str_has_prefix (v,
              "im2col ") ? col_bytes : 0) + (g_str_has_prefix (v,
              "winograd ") ? wino_bytes : 0));
  chosen_bytes = g_str_has_prefix (v, "shift ") ? shift_bytes :
      g_str_has_prefix (v, "im2col ") ? col_bytes : wino_bytes;
  g_assert_nonnull (strstr (v, " im2col="));
  g_assert_nonnull (strstr (v, " shift="));
  g_assert_nonnull (strstr (v, " winograd="));
  /* the im2col candidate measured its GEMM too (the two images side by
   * side: one 10 x 442 x 54 product) */
  path = cascade_tuning_path (cascade_ctx_device (ctx));
  {
    GKeyFile *kf = g_key_file_new ();
    gchar *gkey = cascade_gemm_tuning_key (10, 2 * 13 * 17, 54);
    g_assert_true (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE,
            NULL));
    g_assert_true (g_key_file_has_key (kf, "gemm", gkey, NULL));
    g_free (gkey);
    g_key_file_unref (kf);
  }

  /* a new process (reset) reads the file: one algorithm only runs */
  cascade_tuning_reset ();
  g_assert_cmpuint (run_auto (&f), ==, chosen_bytes);

  /* an edited choice is obeyed, whichever */
  {
    GKeyFile *kf = g_key_file_new ();
    gchar *key = cascade_conv_tuning_key (&f.conv, 2, 13, 17), *data;
    g_assert_true (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE,
            NULL));
    g_key_file_set_string (kf, "conv", key, "im2col");
    data = g_key_file_to_data (kf, NULL, NULL);
    g_assert_true (g_file_set_contents (path, data, -1, NULL));
    cascade_tuning_reset ();
    g_assert_cmpuint (run_auto (&f), ==, col_bytes);
    g_key_file_set_string (kf, "conv", key, "shift im2col=1 shift=2");
    g_free (data);
    data = g_key_file_to_data (kf, NULL, NULL);
    g_assert_true (g_file_set_contents (path, data, -1, NULL));
    cascade_tuning_reset ();
    g_assert_cmpuint (run_auto (&f), ==, shift_bytes);
    g_key_file_set_string (kf, "conv", key, "winograd shift=2");
    g_free (data);
    data = g_key_file_to_data (kf, NULL, NULL);
    g_assert_true (g_file_set_contents (path, data, -1, NULL));
    cascade_tuning_reset ();
    g_assert_cmpuint (run_auto (&f), ==, wino_bytes);
    g_free (data);
    g_free (key);
    g_key_file_unref (kf);
  }
  g_free (path);
  g_free (v);
  fixture_clear (&f);
  cascade_remove_tree (dir);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_free (dir);
}

/* a damaged file, or a choice that names no candidate, is measured again
 * and the file rewritten */
static void
test_damaged (void)
{
  gchar *dir = fresh_cache (), *path, *v;
  Fixture f;
  static const gchar *const bad[] = {
    "\x01\x02 not a key file [[[",
    "[conv]\nc6-o10-k3-s1-p1-g1-n2-h13-w17=fft im2col=1\n",
    "",
  };
  guint i;

  test_setenv (CASCADE_TUNE_ENV, "measure");
  fixture_init (&f);
  path = cascade_tuning_path (cascade_ctx_device (ctx));
  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_assert_true (g_file_set_contents (path, bad[i], -1, NULL));
    cascade_tuning_reset ();
    run_auto (&f);
    v = stored (&f, "conv");
    g_assert_nonnull (v);
    g_assert_nonnull (strstr (v, " shift="));
    g_free (v);
  }
  g_free (path);
  fixture_clear (&f);
  cascade_remove_tree (dir);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_free (dir);
}

/* "off" and "cached" never measure nor write; the cache can be turned off */
static void
test_modes (void)
{
  gchar *dir = fresh_cache (), *path;
  Fixture f;
  gsize shift_bytes, col_bytes;
  CascadeArena *probe = cascade_arena_new (ctx);

  /* (the GEMMs inside IM2COL would measure too) */
  test_setenv (CASCADE_TUNE_ENV, "off");
  fixture_init (&f);
  shift_bytes = arena_bytes_of (&f, CASCADE_CONV_SHIFT);
  col_bytes = arena_bytes_of (&f, CASCADE_CONV_IM2COL);
  path = cascade_tuning_path (cascade_ctx_device (ctx));

  g_assert_cmpuint (run_auto (&f), ==, cascade_conv_default_algo (ctx,
          &f.conv) == CASCADE_CONV_SHIFT ? shift_bytes : col_bytes);
  test_setenv (CASCADE_TUNE_ENV, "cached");
  g_assert_cmpuint (run_auto (&f), !=, shift_bytes + col_bytes);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* no disk cache: measured, remembered for the process, nothing written */
  test_setenv (CASCADE_TUNE_ENV, "measure");
  test_setenv (CASCADE_CACHE_DIR_ENV, "off");
  cascade_tuning_reset ();
  g_assert_null (cascade_tuning_path (cascade_ctx_device (ctx)));
  run_auto_in (&f, probe);
  /* measured: every algorithm's scratch was allocated (shift's layout,
   * im2col's columns and batched product, Winograd's V and M; the losers'
   * given back); the second run measures nothing and allocates nothing */
  g_assert_cmpuint (cascade_arena_allocations (probe), ==, 5);
  run_auto_in (&f, probe);
  g_assert_cmpuint (cascade_arena_allocations (probe), ==, 5);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_free (path);
  cascade_arena_free (probe);
  fixture_clear (&f);
  cascade_remove_tree (dir);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_free (dir);
}

static void
test_keys (void)
{
  CascadeConv c = {.cin = 256,.cout = 256,.kh = 3,.kw = 3,.stride = 1,
    .pad = 1,.groups = 1
  };
  gchar *a = cascade_conv_tuning_key (&c, 37, 14, 14);
  gchar *b = cascade_conv_tuning_key (&c, 64, 14, 14);
  gchar *d = cascade_conv_tuning_key (&c, 65, 14, 14);
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, d);
  g_free (a);
  g_free (b);
  g_free (d);
  a = cascade_gemm_tuning_key (1000, 1024, 12544);
  g_assert_cmpstr (a, ==, "m1024-n1024-k12544");
  g_free (a);
  g_assert_cmpuint (cascade_next_pow2 (0), ==, 1);
  g_assert_cmpuint (cascade_next_pow2 (1), ==, 1);
  g_assert_cmpuint (cascade_next_pow2 (1025), ==, 2048);
}

/* the thread's allowance (cascade_tuning_frame_begin): none runs the
 * built-in choice, measures and records nothing; room measures and
 * records the shape; an unlimited one (the default) measures as before */
static void
test_allowance (void)
{
  gchar *dir = fresh_cache (), *path, *v = NULL, *key;
  Fixture f;
  gsize shift_bytes, col_bytes, wino_bytes, builtin_bytes;
  CascadeConvAlgo builtin;

  test_setenv (CASCADE_TUNE_ENV, "measure");
  fixture_init (&f);
  shift_bytes = arena_bytes_of (&f, CASCADE_CONV_SHIFT);
  col_bytes = arena_bytes_of (&f, CASCADE_CONV_IM2COL);
  wino_bytes = arena_bytes_of (&f, CASCADE_CONV_WINOGRAD);
  builtin = cascade_conv_builtin_algo (ctx, &f.conv,
      cascade_conv_default_algo (ctx, &f.conv), 2, 13, 17);
  builtin_bytes = builtin == CASCADE_CONV_SHIFT ? shift_bytes :
      builtin == CASCADE_CONV_IM2COL ? col_bytes : wino_bytes;
  path = cascade_tuning_path (cascade_ctx_device (ctx));

  cascade_tuning_frame_begin (0);
  g_assert_cmpuint (run_auto (&f), ==, builtin_bytes);
  g_assert_cmpuint (run_auto (&f), ==, builtin_bytes);
  g_assert_cmpuint (cascade_tuning_frame_measured (), ==, 0);
  g_assert_cmpuint (cascade_tuning_frame_deferred (), ==, 2);
  /* (the file may hold the GEMMs that fixture_init's im2col measured) */
  g_assert_true (!g_file_test (path, G_FILE_TEST_EXISTS)
      || !(v = stored (&f, "conv")));
  key = cascade_conv_tuning_key (&f.conv, 2, 13, 17);
  g_assert_null (cascade_tuning_lookup (cascade_ctx_device (ctx), "conv",
          key));
  g_free (key);

  /* room for one shape: measured (every candidate timed) and stored */
  cascade_tuning_frame_begin (1e-3);
  run_auto (&f);
  g_assert_cmpuint (cascade_tuning_frame_measured (), >=, 1);
  g_assert_cmpuint (cascade_tuning_frame_deferred (), ==, 0);
  v = stored (&f, "conv");
  g_assert_nonnull (v);
  g_assert_nonnull (strstr (v, " im2col="));
  g_assert_nonnull (strstr (v, " shift="));
  g_assert_nonnull (strstr (v, " winograd="));
  g_free (v);
  /* the stored choice runs from now on, whatever the allowance */
  cascade_tuning_frame_begin (0);
  run_auto (&f);
  g_assert_cmpuint (cascade_tuning_frame_deferred (), ==, 0);
  g_assert_cmpuint (cascade_tuning_frame_measured (), ==, 0);

  /* back to unlimited: a new process measures on first use */
  cascade_tuning_frame_begin (-1);
  cascade_remove_tree (dir);
  cascade_tuning_reset ();
  run_auto (&f);
  g_assert_cmpuint (cascade_tuning_frame_measured (), >=, 1);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  fixture_clear (&f);
  cascade_remove_tree (dir);
  g_free (path);
  g_free (dir);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  test_setenv ("CASCADE_CONV", NULL);
  test_setenv ("CASCADE_GEMM", NULL);
  ctx = test_ctx ();
  g_test_add_func ("/tuning/keys", test_keys);
  g_test_add_func ("/tuning/measure-and-store", test_measure_and_store);
  g_test_add_func ("/tuning/damaged", test_damaged);
  g_test_add_func ("/tuning/modes", test_modes);
  g_test_add_func ("/tuning/allowance", test_allowance);
  ret = g_test_run ();
  cascade_ctx_free (ctx);
  return ret;
}
