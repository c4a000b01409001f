/* gst-cascade devtools: the host CPU's FMA peak in native code, the check
 * of the OpenCL peak (peak.h) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CASCADE_NATIVE_AVX2,          /* 12 __m256 chains: 12 of 16 ymm */
  CASCADE_NATIVE_AVX512,        /* 12 __m512 chains: 12 of 32 zmm */
} CascadeNativeIsa;

/* "avx2" or "avx512" */
const gchar *cascade_native_isa_name (CascadeNativeIsa isa);

/* Whether this build and the CPU it runs on can run isa (x86-64 only:
 * compiled with per-function target attributes, chosen at run time) */
gboolean cascade_native_isa_supported (CascadeNativeIsa isa);

/* GFLOP/s of 12 independent FMA chains of isa's vectors, kept in
 * registers, on `threads` threads at once (GThread): the best of three
 * runs of about 13 GFLOP each.  0 when isa is not supported. */
gdouble cascade_native_peak_gflops (CascadeNativeIsa isa, guint threads);

G_END_DECLS
