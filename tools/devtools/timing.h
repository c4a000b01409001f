/* gst-cascade devtools: per-stage wall times and floating-point
 * operations of a forward pass (tools/cascade-bench): an engine observer
 * (net/pass.h) */
#pragma once

#include "net/pass.h"

G_BEGIN_DECLS

/* Per-stage wall time (the queue is finished at each stage's end, so
 * observing costs a little) and the stage's floating-point operations;
 * a stage that did not run keeps 0. */
typedef struct
{
  gdouble ms[CASCADE_N_STAGES];
  gdouble flops[CASCADE_N_STAGES];
  guint proposals;
  guint detections;
  gint64 begin_us;              /* the running stage's start */
} CascadeTimings;

/* Clears t and fills *observer so that it records the passes into t
 * (cascade_engine_set_observer); call cascade_timings_clear before each
 * pass. */
void cascade_timings_observer (CascadeTimings * t,
    CascadeObserver * observer);
void cascade_timings_clear (CascadeTimings * t);

/* The median of v[0..n) (n >= 1): the middle one, or the mean of the two
 * middle ones.  Sorts v in place (ascending), so that v[n - 1] is then the
 * largest. */
gdouble cascade_median (gdouble * v, guint n);

G_END_DECLS
