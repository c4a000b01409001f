/* gst-cascade devtools: the host CPU's FMA peak in native code */
#include "native-peak.h"

#if defined (__x86_64__) && defined (__GNUC__)
#include <immintrin.h>
#define HAVE_X86 1
#endif

/* steps of a run at width 16, 12.9 GFLOP (12 chains x 2 flops x 16) */
#define NATIVE_STEPS (1 << 25)

typedef struct
{
  CascadeNativeIsa isa;
  gint64 steps;
  gfloat result;
} PeakJob;

#ifdef HAVE_X86
/* 12 chains of x = x * m + 0.5, as runtime/util.cl's peak kernels */
__attribute__((target ("avx2,fma")))
static gfloat
fma_avx2 (gint64 steps)
{
  const __m256 m = _mm256_set1_ps (0.999f), h = _mm256_set1_ps (0.5f);
  __m256 x0 = _mm256_set1_ps (0), x1 = _mm256_set1_ps (1),
      x2 = _mm256_set1_ps (2), x3 = _mm256_set1_ps (3),
      x4 = _mm256_set1_ps (4), x5 = _mm256_set1_ps (5),
      x6 = _mm256_set1_ps (6), x7 = _mm256_set1_ps (7),
      x8 = _mm256_set1_ps (8), x9 = _mm256_set1_ps (9),
      x10 = _mm256_set1_ps (10), x11 = _mm256_set1_ps (11);
  gfloat out[8];
  gint64 i;

  for (i = 0; i < steps; i++) {
    x0 = _mm256_fmadd_ps (x0, m, h);
    x1 = _mm256_fmadd_ps (x1, m, h);
    x2 = _mm256_fmadd_ps (x2, m, h);
    x3 = _mm256_fmadd_ps (x3, m, h);
    x4 = _mm256_fmadd_ps (x4, m, h);
    x5 = _mm256_fmadd_ps (x5, m, h);
    x6 = _mm256_fmadd_ps (x6, m, h);
    x7 = _mm256_fmadd_ps (x7, m, h);
    x8 = _mm256_fmadd_ps (x8, m, h);
    x9 = _mm256_fmadd_ps (x9, m, h);
    x10 = _mm256_fmadd_ps (x10, m, h);
    x11 = _mm256_fmadd_ps (x11, m, h);
  }
  x0 = _mm256_add_ps (_mm256_add_ps (_mm256_add_ps (x0, x1),
          _mm256_add_ps (x2, x3)), _mm256_add_ps (_mm256_add_ps (x4, x5),
          _mm256_add_ps (x6, x7)));
  x0 = _mm256_add_ps (x0, _mm256_add_ps (_mm256_add_ps (x8, x9),
          _mm256_add_ps (x10, x11)));
  _mm256_storeu_ps (out, x0);
  return out[0] + out[7];
}

__attribute__((target ("avx512f")))
static gfloat
fma_avx512 (gint64 steps)
{
  const __m512 m = _mm512_set1_ps (0.999f), h = _mm512_set1_ps (0.5f);
  __m512 x0 = _mm512_set1_ps (0), x1 = _mm512_set1_ps (1),
      x2 = _mm512_set1_ps (2), x3 = _mm512_set1_ps (3),
      x4 = _mm512_set1_ps (4), x5 = _mm512_set1_ps (5),
      x6 = _mm512_set1_ps (6), x7 = _mm512_set1_ps (7),
      x8 = _mm512_set1_ps (8), x9 = _mm512_set1_ps (9),
      x10 = _mm512_set1_ps (10), x11 = _mm512_set1_ps (11);
  gfloat out[16];
  gint64 i;

  for (i = 0; i < steps; i++) {
    x0 = _mm512_fmadd_ps (x0, m, h);
    x1 = _mm512_fmadd_ps (x1, m, h);
    x2 = _mm512_fmadd_ps (x2, m, h);
    x3 = _mm512_fmadd_ps (x3, m, h);
    x4 = _mm512_fmadd_ps (x4, m, h);
    x5 = _mm512_fmadd_ps (x5, m, h);
    x6 = _mm512_fmadd_ps (x6, m, h);
    x7 = _mm512_fmadd_ps (x7, m, h);
    x8 = _mm512_fmadd_ps (x8, m, h);
    x9 = _mm512_fmadd_ps (x9, m, h);
    x10 = _mm512_fmadd_ps (x10, m, h);
    x11 = _mm512_fmadd_ps (x11, m, h);
  }
  x0 = _mm512_add_ps (_mm512_add_ps (_mm512_add_ps (x0, x1),
          _mm512_add_ps (x2, x3)), _mm512_add_ps (_mm512_add_ps (x4, x5),
          _mm512_add_ps (x6, x7)));
  x0 = _mm512_add_ps (x0, _mm512_add_ps (_mm512_add_ps (x8, x9),
          _mm512_add_ps (x10, x11)));
  _mm512_storeu_ps (out, x0);
  return out[0] + out[15];
}
#endif

const gchar *
cascade_native_isa_name (CascadeNativeIsa isa)
{
  return isa == CASCADE_NATIVE_AVX512 ? "avx512" : "avx2";
}

gboolean
cascade_native_isa_supported (CascadeNativeIsa isa)
{
#ifdef HAVE_X86
  __builtin_cpu_init ();
  if (isa == CASCADE_NATIVE_AVX512)
    return __builtin_cpu_supports ("avx512f");
  return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
#else
  (void) isa;
  return FALSE;
#endif
}

static gpointer
peak_thread (gpointer data)
{
  PeakJob *job = data;
#ifdef HAVE_X86
  job->result = job->isa == CASCADE_NATIVE_AVX512 ?
      fma_avx512 (job->steps) : fma_avx2 (job->steps);
#endif
  return NULL;
}

gdouble
cascade_native_peak_gflops (CascadeNativeIsa isa, guint threads)
{
  guint width = isa == CASCADE_NATIVE_AVX512 ? 16 : 8, rep, i;
  PeakJob *jobs;
  GThread **th;
  gdouble best = 0;

  if (!cascade_native_isa_supported (isa) || threads == 0)
    return 0;
  jobs = g_new0 (PeakJob, threads);
  th = g_new0 (GThread *, threads);
  for (rep = 0; rep < 4; rep++) {
    gint64 t0 = g_get_monotonic_time ();
    gdouble s;
    for (i = 0; i < threads; i++) {
      jobs[i].isa = isa;
      /* the same flops per run whatever the width */
      jobs[i].steps = NATIVE_STEPS / width * 16 / threads;
      th[i] = g_thread_new ("native-peak", peak_thread, &jobs[i]);
    }
    for (i = 0; i < threads; i++)
      g_thread_join (th[i]);
    s = (g_get_monotonic_time () - t0) / 1e6;
    /* the first run warms the cores up: keep the best of the others */
    if (rep > 0)
      best = MAX (best, threads * (gdouble) jobs[0].steps * 12 * width * 2
          / s / 1e9);
  }
  g_free (th);
  g_free (jobs);
  return best;
}
