/* gst-cascade: engine internals shared with the tests and the tools */
#pragma once

#include "cascade.h"
#include "net/pass.h"
#include "ops/preprocess.h"

G_BEGIN_DECLS

/* Sets the observer of every later pass (a copy of *observer; NULL: none).
 * The observer's hooks (net/pass.h: CascadeObserver) see the stages begin
 * and end, with the queue finished at each end, and the intermediate
 * tensors by name; tools/devtools has a capture and a timing observer.
 * Without one (the default) a pass never waits for the queue. */
void cascade_engine_set_observer (CascadeEngine * engine,
    const CascadeObserver * observer);

/* Runs the network from an already preprocessed input [1, 3, info->pad_h,
 * info->pad_w] (host floats), e.g. mmdetection's stored input tensor. */
CascadeResult *cascade_engine_run_input (CascadeEngine * engine,
    const gfloat * input, const CascadeResizeInfo * info,
    const CascadeDetectParams * params, GError ** error);

/* The mask heads alone, on given detections: boxes [n, 4] in network-input
 * coordinates and labels [n], with the features of a preprocessed input as
 * in cascade_engine_run_input; writes the merged 28x28 probabilities
 * [n, 28, 28].  Not observed.  (The masks are very sensitive to the box
 * coordinates, so tests check the heads on the reference's own boxes.) */
gboolean cascade_engine_mask_probs (CascadeEngine * engine,
    const gfloat * input, const CascadeResizeInfo * info,
    const gfloat * boxes, const gint * labels, guint n, gfloat * probs,
    GError ** error);

/* the engine's execution context (benchmarks: the peak measurement) */
CascadeCtx *cascade_engine_ctx (CascadeEngine * engine);

/* How long each pass after the engine's first may spend measuring shapes
 * not measured yet (blas/tuning.h cascade_tuning_frame_begin; < 0: no
 * limit, and then the first pass measures too, as `cascade-tune` wants;
 * default 1000 ms).  After a pass, cascade_tuning_frame_measured and
 * _deferred on the thread that ran it count that pass's shapes. */
void cascade_engine_set_tune_budget (CascadeEngine * engine, gdouble ms);

/* number of device buffer allocations so far (steady state: constant) */
guint cascade_engine_allocations (const CascadeEngine * engine);

G_END_DECLS
