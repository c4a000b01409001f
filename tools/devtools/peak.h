/* gst-cascade devtools: the device's measured FMA peak (benchmarks) */
#pragma once

#include "runtime/context.h"

G_BEGIN_DECLS

/* Measures the device's float32 FMA throughput in GFLOP/s (the best of
 * three timed runs of runtime/util.cl's cascade_peak_fma<width>, each 13
 * GFLOP on a CPU: about 60 ms on a 2-core one): the 100% against which the benchmarks
 * report.  The kernel's 12 chains are vectors of the device's native
 * width (cascade_peak_width), so they stay in registers;
 * tools/cascade-peak checks the figure against a native FMA loop
 * (native-peak.h). */
gboolean cascade_peak_gflops (CascadeCtx * ctx, gdouble * gflops,
    GError ** error);

/* The vector width of the peak kernel's chains on ctx's device: its
 * native float width, rounded down to 1, 4, 8 or 16 */
guint cascade_peak_width (CascadeCtx * ctx);

/* cascade_peak_gflops with chains of another width (1, 4, 8 or 16; else
 * CASCADE_ERROR_INVALID_ARG): to compare, and to have PoCL compile a
 * width that another device would use (tools/spill-check.py) */
gboolean cascade_peak_gflops_width (CascadeCtx * ctx, guint width,
    gdouble * gflops, GError ** error);

G_END_DECLS
