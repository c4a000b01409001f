/* gst-cascade tests: the first frame from an empty cache (blas/tuning.h,
 * engine.c run_network, ops/conv-choice.c, runtime/program-cache.h).
 *  - the engine's first frame measures nothing: every shape runs its
 *    built-in choice and nothing is written to the tuning file;
 *  - each later frame measures at least one shape still unmeasured, until
 *    all are; then the file holds exactly the shapes measured, each with
 *    its candidates' times, and a frame measures nothing;
 *  - the detections of the first frame (built-in choices) match those on
 *    the measured choices;
 *  - the compiled programs reach the disk cache by the engine's end;
 *  - the built-in rule: Winograd for the large 3x3 shapes, shift for the
 *    others. */
#include "fs.h"
#include "testutil.h"
#include "image.h"
#include "engine-private.h"
#include "blas/tuning.h"
#include "blas/gemm.h"
#include "ops/conv.h"
#include "runtime/cache.h"
#include "runtime/program.h"

#include <math.h>
#include <string.h>

static gchar *
fixture (const gchar * dir, const gchar * name)
{
  return g_build_filename (g_getenv ("CASCADE_TEST_DATA"), "fixtures", dir,
      name, NULL);
}

static guint
count_keys (const gchar * path, const gchar * group, gboolean with_times)
{
  GKeyFile *kf = g_key_file_new ();
  gchar **keys;
  guint n = 0, i;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL)) {
    g_key_file_unref (kf);
    return 0;
  }
  keys = g_key_file_get_keys (kf, group, NULL, NULL);
  for (i = 0; keys && keys[i]; i++) {
    gchar *v = g_key_file_get_string (kf, group, keys[i], NULL);
    gchar **tok = g_strsplit (v, " ", -1);
    gchar *want = g_strdup_printf ("%s=", tok[0]);
    guint j, times = 0;
    gboolean has_choice = FALSE;
    for (j = 1; tok[j]; j++) {
      times++;
      has_choice |= g_str_has_prefix (tok[j], want);
    }
    /* "choice name=ms name=ms ...", the choice among those timed */
    if (with_times) {
      g_assert_cmpuint (times, >=, 2);
      g_assert_true (has_choice);
    }
    g_free (want);
    g_strfreev (tok);
    g_free (v);
    n++;
  }
  g_strfreev (keys);
  g_key_file_unref (kf);
  return n;
}

static gdouble
iou (const CascadeDetection * a, const CascadeDetection * b)
{
  gdouble w = MIN (a->x2, b->x2) - MAX (a->x1, b->x1);
  gdouble h = MIN (a->y2, b->y2) - MAX (a->y1, b->y1);
  gdouble i = w > 0 && h > 0 ? w * h : 0;
  gdouble u = (a->x2 - a->x1) * (a->y2 - a->y1) + (b->x2 - b->x1) *
      (b->y2 - b->y1) - i;
  return u > 0 ? i / u : 0;
}

/* every detection of a scoring >= min has one in b: same class, score
 * within 1e-3, IoU >= 0.99 (test_engine.c's match against PyTorch) */
static guint
assert_matched (CascadeResult * a, CascadeResult * b, gfloat min)
{
  guint i, j, n = 0;
  for (i = 0; i < cascade_result_count (a); i++) {
    const CascadeDetection *d = cascade_result_get (a, i);
    gboolean found = FALSE;
    if (d->score < min)
      continue;
    for (j = 0; j < cascade_result_count (b) && !found; j++) {
      const CascadeDetection *o = cascade_result_get (b, j);
      found = o->class_id == d->class_id && fabs (o->score - d->score) <= 1e-3
          && iou (d, o) >= 0.99;
    }
    if (!found)
      g_printerr ("detection %u (class %d, score %.4f) has no match\n", i,
          d->class_id, d->score);
    g_assert_true (found);
    n++;
  }
  return n;
}

static guint
program_entries (const gchar * cache)
{
  gchar *dir = g_build_filename (cache, "programs", NULL);
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;
  guint n = 0;
  while (d && (name = g_dir_read_name (d)))
    n += g_str_has_suffix (name, ".bin");
  if (d)
    g_dir_close (d);
  g_free (dir);
  return n;
}

static void
test_defaults_then_measured (void)
{
  gchar *cache = g_dir_make_tmp ("cascade-first-XXXXXX", NULL);
  gchar *model = fixture ("models", "tiny_mask.safetensors");
  gchar *image = fixture ("images", "img_b_200x150.ppm"), *path;
  GError *err = NULL;
  CascadeEngine *e;
  CascadeFrame frame;
  CascadeDetectParams p;
  CascadeResult *first, *r = NULL;
  guint8 *pixels;
  guint measured, deferred, total = 0, frames, matched;

  test_setenv (CASCADE_CACHE_DIR_ENV, cache);
  test_setenv (CASCADE_TUNE_ENV, "measure");
  cascade_tuning_reset ();
  g_assert_true (tool_read_ppm (image, &frame, &pixels, &err));
  g_assert_no_error (err);
  e = cascade_engine_new (NULL, model, &err);
  g_assert_no_error (err);
  path = cascade_tuning_path (cascade_ctx_device (cascade_engine_ctx (e)));
  cascade_detect_params_init (&p, e);
  p.score_threshold = 0.05f;

  /* the first frame: built-in choices only, nothing measured or stored */
  first = cascade_engine_detect (e, &frame, &p, &err);
  g_assert_no_error (err);
  measured = cascade_tuning_frame_measured ();
  deferred = cascade_tuning_frame_deferred ();
  g_assert_cmpuint (measured, ==, 0);
  g_assert_cmpuint (deferred, >, 0);
  g_assert_cmpuint (count_keys (path, "conv", FALSE), ==, 0);
  g_assert_cmpuint (count_keys (path, "gemm", FALSE), ==, 0);

  /* a budget every shape passes: one shape (and the GEMMs measured inside
   * it) per frame, until a frame finds nothing left */
  cascade_engine_set_tune_budget (e, 0.001);
  for (frames = 0; frames < 500; frames++) {
    cascade_result_free (r);
    r = cascade_engine_detect (e, &frame, &p, &err);
    g_assert_no_error (err);
    measured = cascade_tuning_frame_measured ();
    deferred = cascade_tuning_frame_deferred ();
    if (measured == 0)
      break;
    /* the one shape, or it and GEMMs inside its im2col candidate */
    g_assert_cmpuint (measured, <=, 8);
    total += measured;
  }
  g_assert_cmpuint (measured, ==, 0);
  g_assert_cmpuint (deferred, ==, 0);
  /* more than one frame: the shapes were spread over frames */
  g_assert_cmpuint (frames, >, 1);
  g_assert_cmpuint (count_keys (path, "conv", TRUE) + count_keys (path,
          "gemm", TRUE), ==, total);
  g_assert_cmpuint (count_keys (path, "conv", TRUE), >, 0);

  /* the built-in choices found what the measured ones find */
  matched = assert_matched (first, r, 0.1f);
  g_test_message ("%u shapes measured over %u frames; %u detections "
      "matched", total, frames, matched);
  g_assert_cmpuint (matched, >, 0);
  assert_matched (r, first, 0.11f);

  cascade_result_free (first);
  cascade_result_free (r);
  cascade_engine_free (e);
  /* written in the background after the first frame, waited for at the
   * end: every program of the engine's */
  g_assert_cmpuint (program_entries (cache), >=,
      g_strv_length ((gchar **) cascade_kernel_source_names ()));
  cascade_remove_tree (cache);
  g_free (path);
  g_free (pixels);
  g_free (cache);
  g_free (model);
  g_free (image);
}

/* CASCADE_TUNE=force measures on the first frame all the same (what
 * cascade-tune runs), and a budget < 0 lets the first frame measure */
static void
test_force_and_unlimited (void)
{
  const gchar *modes[] = { "force", "measure" };
  gchar *model = fixture ("models", "tiny_box.safetensors");
  guint i;

  for (i = 0; i < G_N_ELEMENTS (modes); i++) {
    gchar *cache = g_dir_make_tmp ("cascade-first-XXXXXX", NULL), *path;
    GError *err = NULL;
    CascadeEngine *e;
    CascadeFrame frame;
    CascadeDetectParams p;
    guint8 *pixels = g_malloc0 (3 * 96 * 64);
    guint measured, deferred;

    test_setenv (CASCADE_CACHE_DIR_ENV, cache);
    test_setenv (CASCADE_TUNE_ENV, modes[i]);
    cascade_tuning_reset ();
    e = cascade_engine_new (NULL, model, &err);
    g_assert_no_error (err);
    if (i == 1)
      cascade_engine_set_tune_budget (e, -1);
    memset (&frame, 0, sizeof frame);
    frame.format = CASCADE_FORMAT_RGB;
    frame.width = 96;
    frame.height = 64;
    frame.planes[0] = pixels;
    frame.strides[0] = 3 * 96;
    cascade_detect_params_init (&p, e);
    cascade_result_free (cascade_engine_detect (e, &frame, &p, &err));
    g_assert_no_error (err);
    measured = cascade_tuning_frame_measured ();
    deferred = cascade_tuning_frame_deferred ();
    g_assert_cmpuint (measured, >, 0);
    g_assert_cmpuint (deferred, ==, 0);
    path = cascade_tuning_path (cascade_ctx_device (cascade_engine_ctx (e)));
    g_assert_cmpuint (count_keys (path, "conv", TRUE), >, 0);
    cascade_engine_free (e);
    cascade_remove_tree (cache);
    g_free (path);
    g_free (cache);
    g_free (pixels);
  }
  g_free (model);
}

/* the built-in choice for an input of n x h x w (3x3 pad 1) */
static CascadeConvAlgo
builtin (CascadeCtx * ctx, const CascadeConv * conv, gsize n, gsize h,
    gsize w)
{
  gsize oh, ow;
  cascade_conv_out_size (conv, h, w, &oh, &ow);
  return cascade_conv_builtin_algo (ctx, conv, cascade_conv_default_algo
      (ctx, conv), n, oh, ow);
}

/* the built-in rule of ops/conv-choice.c on this device */
static void
test_builtin_rule (void)
{
  CascadeEngine *e;
  CascadeCtx *ctx;
  gchar *model = fixture ("models", "tiny_box.safetensors");
  GError *err = NULL;
  CascadeConv big, small, strided;
  gfloat *w = g_new0 (gfloat, 256 * 256 * 9);
  const gchar *tile;

  e = cascade_engine_new (NULL, model, &err);
  g_assert_no_error (err);
  ctx = cascade_engine_ctx (e);
  tile = cascade_gemm_tile (ctx)->name;
  g_assert_true (cascade_conv_init (&big, ctx, 256, 256, 3, 1, 1, 1, w, NULL,
          &err));
  g_assert_true (cascade_conv_init (&small, ctx, 64, 64, 3, 1, 1, 1, w, NULL,
          &err));
  g_assert_true (cascade_conv_init (&strided, ctx, 256, 256, 3, 2, 1, 1, w,
          NULL, &err));
  g_assert_no_error (err);
  if (cascade_conv_default_algo (ctx, &big) == CASCADE_CONV_SHIFT
      && (!strcmp (tile, "8x32") || !strcmp (tile, "6x16"))) {
    /* the FPN's P2 conv and 128 mask RoIs: Winograd */
    g_assert_cmpint (builtin (ctx, &big, 1, 200, 272), ==,
        CASCADE_CONV_WINOGRAD);
    g_assert_cmpint (builtin (ctx, &big, 128, 14, 14), ==,
        CASCADE_CONV_WINOGRAD);
    /* fewer pixels, fewer channels, stride 2: shift */
    g_assert_cmpint (builtin (ctx, &big, 1, 100, 136), ==,
        CASCADE_CONV_SHIFT);
    g_assert_cmpint (builtin (ctx, &small, 1, 200, 272), ==,
        CASCADE_CONV_SHIFT);
    g_assert_cmpint (builtin (ctx, &strided, 1, 400, 544),
        ==, CASCADE_CONV_SHIFT);
  } else {
    /* elsewhere the rule is the default algorithm */
    g_assert_cmpint (builtin (ctx, &big, 1, 200, 272), ==,
        cascade_conv_default_algo (ctx, &big));
  }
  cascade_conv_clear (&big);
  cascade_conv_clear (&small);
  cascade_conv_clear (&strided);
  cascade_engine_free (e);
  g_free (w);
  g_free (model);
}

int
main (int argc, char **argv)
{
  /* the device's own choices (before any thread exists) */
  g_unsetenv ("CASCADE_CONV");
  g_unsetenv ("CASCADE_GEMM");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/first-frame/defaults-then-measured",
      test_defaults_then_measured);
  g_test_add_func ("/first-frame/force-and-unlimited",
      test_force_and_unlimited);
  g_test_add_func ("/first-frame/builtin-rule", test_builtin_rule);
  return g_test_run ();
}
