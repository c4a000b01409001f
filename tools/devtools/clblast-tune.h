/* gst-cascade devtools: running CLBlast's tuners for a device (tools and
 * tests only; the engine reads what they write, blas/clblast-params.h). */
#pragma once

#include "runtime/device.h"

G_BEGIN_DECLS

/* Runs the CLBlast tuners of Debian's clblast-utils for dev (single
 * precision; minutes to hours), writes the best parameters found into dev's
 * file in the cache (atomically) and applies them.  fraction in (0, 1] is
 * the share of the GEMM kernels' search spaces that is explored at random
 * (the tuners' -fraction is its inverse); the small copy, pad and transpose
 * kernels are always tuned exhaustively.  The tuners use every core of the
 * machine: run nothing else meanwhile.  Progress is logged at INFO.
 * Caveat: it trusts the tuners' fastest result, measured at their own
 * sizes (1024^3 for Xgemm); on PoCL that set was 5x slower on our shapes
 * than the one shipped, and one accepted set crashed PoCL's compiled
 * kernel on a larger product. */
gboolean cascade_clblast_tune (CascadeDevice * dev, gdouble fraction,
    GError ** error);

G_END_DECLS
