/* gst-cascade tests: the FMA peak measurements (tools/devtools/peak.h,
 * native-peak.h).  Only behaviour is asserted: the shape of the kernel and
 * that every measurement runs and gives a positive figure; never a
 * speed. */
#include "testutil.h"
#include "peak.h"
#include "native-peak.h"

/* the peak kernel's chains are vectors of the device's native width,
 * rounded down to a width util.cl has a kernel for */
static void
test_width (void)
{
  CascadeCtx *ctx = test_ctx ();
  guint native = cascade_device_vector_width (cascade_ctx_device (ctx));
  guint w = cascade_peak_width (ctx);
  g_assert_cmpuint (native, >=, 1);
  g_assert_true (w == 1 || w == 4 || w == 8 || w == 16);
  g_assert_cmpuint (w, <=, native);
  g_assert_true (native >= 16 ? w == 16 : native >= 8 ? w == 8 :
      native >= 4 ? w == 4 : w == 1);
  cascade_ctx_free (ctx);
}

static void
test_opencl_peak (void)
{
  CascadeCtx *ctx = test_ctx ();
  GError *err = NULL;
  gdouble g = 0;
  g_assert_true (cascade_peak_gflops (ctx, &g, &err));
  g_assert_no_error (err);
  g_assert_cmpfloat (g, >, 0.0);
  cascade_ctx_free (ctx);
}

/* every width util.cl has runs; another is an error */
static void
test_peak_widths (void)
{
  CascadeCtx *ctx = test_ctx ();
  GError *err = NULL;
  guint widths[] = { 1, 4, 8, 16 }, i;
  gdouble g;
  for (i = 0; i < G_N_ELEMENTS (widths); i++) {
    g = 0;
    g_assert_true (cascade_peak_gflops_width (ctx, widths[i], &g, &err));
    g_assert_no_error (err);
    g_assert_cmpfloat (g, >, 0.0);
  }
  g_assert_false (cascade_peak_gflops_width (ctx, 3, &g, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  cascade_ctx_free (ctx);
}

/* a supported ISA gives a figure on one thread and on two; an unsupported
 * one gives 0, as do zero threads */
static void
test_native_peak (void)
{
  guint isa;
  for (isa = CASCADE_NATIVE_AVX2; isa <= CASCADE_NATIVE_AVX512; isa++) {
    gboolean ok = cascade_native_isa_supported (isa);
    g_assert_nonnull (cascade_native_isa_name (isa));
    if (ok) {
      g_assert_cmpfloat (cascade_native_peak_gflops (isa, 1), >, 0.0);
      g_assert_cmpfloat (cascade_native_peak_gflops (isa, 2), >, 0.0);
    } else {
      g_assert_cmpfloat (cascade_native_peak_gflops (isa, 2), ==, 0.0);
    }
    g_assert_cmpfloat (cascade_native_peak_gflops (isa, 0), ==, 0.0);
  }
  g_assert_cmpstr (cascade_native_isa_name (CASCADE_NATIVE_AVX512), ==,
      "avx512");
  g_assert_cmpstr (cascade_native_isa_name (CASCADE_NATIVE_AVX2), ==, "avx2");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/peak/width", test_width);
  g_test_add_func ("/peak/opencl", test_opencl_peak);
  g_test_add_func ("/peak/widths", test_peak_widths);
  g_test_add_func ("/peak/native", test_native_peak);
  return g_test_run ();
}
