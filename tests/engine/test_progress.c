/* gst-cascade: the engine's start-up progress
 * (cascade_engine_new_with_progress, cascade_engine_prepare) and the
 * CASCADE_DETECT_DELAY_MS testing knob, on a fixture model */
#include "testutil.h"
#include "cascade.h"

#include <string.h>

typedef struct
{
  guint n[4];                   /* reports per phase */
  guint last_k[4], last_n[4];
  gboolean in_order;            /* k = previous k + 1 within a phase */
} Seen;

static void
record (CascadeProgressPhase phase, const gchar * what, guint k, guint n,
    gpointer user_data)
{
  Seen *s = user_data;

  g_assert_cmpuint (phase, <=, CASCADE_PROGRESS_PREPARE);
  g_assert_nonnull (what);
  g_assert_cmpuint (k, >=, 1);
  g_assert_cmpuint (k, <=, n);
  if (k != s->last_k[phase] + 1)
    s->in_order = FALSE;
  s->n[phase]++;
  s->last_k[phase] = k;
  s->last_n[phase] = n;
}

static gchar *
model_path (void)
{
  return g_build_filename (g_getenv ("CASCADE_TEST_DATA"), "fixtures",
      "models", "tiny_box.safetensors", NULL);
}

static void
blank_frame (CascadeFrame * f, guint8 * pixels, guint w, guint h)
{
  memset (f, 0, sizeof (*f));
  f->format = CASCADE_FORMAT_RGB;
  f->width = w;
  f->height = h;
  f->planes[0] = pixels;
  f->strides[0] = (gsize) 3 *w;
}

static void
test_progress (void)
{
  gchar *path = model_path ();
  GError *err = NULL;
  Seen s;
  CascadeEngine *e;

  memset (&s, 0, sizeof (s));
  s.in_order = TRUE;
  e = cascade_engine_new_with_progress (NULL, path, record, &s, &err);
  g_assert_no_error (err);
  g_assert_cmpuint (s.n[CASCADE_PROGRESS_LOAD], ==, 1);
  g_assert_cmpuint (s.n[CASCADE_PROGRESS_WEIGHTS], ==, 1);
  /* every program, 1..n in order */
  g_assert_cmpuint (s.n[CASCADE_PROGRESS_BUILD], >, 1);
  g_assert_cmpuint (s.n[CASCADE_PROGRESS_BUILD], ==,
      s.last_n[CASCADE_PROGRESS_BUILD]);
  g_assert_cmpuint (s.n[CASCADE_PROGRESS_PREPARE], ==, 0);
  g_assert_true (s.in_order);

  /* each stage of the pass, k of n in order */
  g_assert_true (cascade_engine_prepare (e, 64, 48, record, &s, &err));
  g_assert_no_error (err);
  g_assert_cmpuint (s.n[CASCADE_PROGRESS_PREPARE], >=, 4);
  g_assert_cmpuint (s.last_n[CASCADE_PROGRESS_PREPARE], >=,
      s.n[CASCADE_PROGRESS_PREPARE]);
  g_assert_true (s.in_order);
  /* without a progress function too */
  g_assert_true (cascade_engine_prepare (e, 48, 64, NULL, NULL, &err));
  g_assert_no_error (err);

  /* a bad size */
  g_assert_false (cascade_engine_prepare (e, 0, 10, NULL, NULL, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  g_assert_false (cascade_engine_prepare (e, 10, 9000, NULL, NULL, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  cascade_engine_free (e);

  g_assert_cmpstr (cascade_progress_phase_name (CASCADE_PROGRESS_BUILD), ==,
      "build");
  g_assert_null (cascade_progress_phase_name (99));

  /* a bad model: the load is reported, then the error */
  memset (&s, 0, sizeof (s));
  g_assert_null (cascade_engine_new_with_progress (NULL, "/nonexistent.st",
          record, &s, &err));
  g_assert_nonnull (err);
  g_clear_error (&err);
  g_assert_cmpuint (s.n[CASCADE_PROGRESS_LOAD], ==, 1);
  g_assert_cmpuint (s.n[CASCADE_PROGRESS_BUILD], ==, 0);
  g_free (path);
}

/* the knob adds at least its delay to every detect (a lower bound: a
 * sleep never ends early) */
static void
test_delay (void)
{
  gchar *path = model_path ();
  GError *err = NULL;
  CascadeEngine *e;
  CascadeDetectParams p;
  CascadeFrame f;
  CascadeResult *r;
  guint8 *pixels = g_malloc0 (3 * 64 * 48);
  gint64 t0;

  g_setenv ("CASCADE_DETECT_DELAY_MS", "250", TRUE);
  e = cascade_engine_new (NULL, path, &err);
  g_unsetenv ("CASCADE_DETECT_DELAY_MS");
  g_assert_no_error (err);
  cascade_detect_params_init (&p, e);
  blank_frame (&f, pixels, 64, 48);
  t0 = g_get_monotonic_time ();
  r = cascade_engine_detect (e, &f, &p, &err);
  g_assert_no_error (err);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 250000);
  cascade_result_free (r);
  cascade_engine_free (e);
  g_free (pixels);
  g_free (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cascade_ctx_free (test_ctx ());       /* skips without a device */
  g_test_add_func ("/progress/steps", test_progress);
  g_test_add_func ("/progress/delay", test_delay);
  return g_test_run ();
}
