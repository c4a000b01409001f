/* gst-cascade devtools: the device's measured FMA peak (benchmarks) */
#pragma once

#include "runtime/context.h"

G_BEGIN_DECLS

/* Measures the device's float32 FMA throughput in GFLOP/s (the best of
 * three timed runs of runtime/util.cl's cascade_peak_fma, about a second
 * each on a 2-core CPU): the 100% against which the benchmarks report. */
gboolean cascade_peak_gflops (CascadeCtx * ctx, gdouble * gflops,
    GError ** error);

G_END_DECLS
