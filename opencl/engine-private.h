/* gst-cascade: engine internals shared with the tests and the benchmark */
#pragma once

#include "cascade.h"
#include "capture.h"
#include "ops/preprocess.h"

G_BEGIN_DECLS

typedef enum
{
  CASCADE_STAGE_PREPROCESS,
  CASCADE_STAGE_BACKBONE,
  CASCADE_STAGE_FPN,
  CASCADE_STAGE_RPN,
  CASCADE_STAGE_BOX1,
  CASCADE_STAGE_BOX2,
  CASCADE_STAGE_BOX3,
  CASCADE_STAGE_NMS,
  CASCADE_STAGE_MASK,
  CASCADE_STAGE_POSTPROCESS,
  CASCADE_N_STAGES
} CascadeStage;

extern const gchar *const cascade_stage_names[CASCADE_N_STAGES];

/* Per-stage wall time (the queue is finished after each stage, so this
 * costs a little) and the stage's floating-point operations. */
typedef struct
{
  gdouble ms[CASCADE_N_STAGES];
  gdouble flops[CASCADE_N_STAGES];
  guint proposals;
  guint detections;
} CascadeTimings;

/* cascade_engine_detect with intermediate captures and/or timings */
CascadeResult *cascade_engine_detect_full (CascadeEngine * engine,
    const CascadeFrame * frame, const CascadeDetectParams * params,
    CascadeCapture * cap, CascadeTimings * timings, GError ** error);

/* Runs the network from an already preprocessed input [1, 3, info->pad_h,
 * info->pad_w] (host floats), e.g. mmdetection's stored input tensor. */
CascadeResult *cascade_engine_run_input (CascadeEngine * engine,
    const gfloat * input, const CascadeResizeInfo * info,
    const CascadeDetectParams * params, CascadeCapture * cap,
    CascadeTimings * timings, GError ** error);

/* The mask heads alone, on given detections: boxes [n, 4] in network-input
 * coordinates and labels [n], with the features of a preprocessed input as
 * in cascade_engine_run_input; writes the merged 28x28 probabilities
 * [n, 28, 28].  (The masks are very sensitive to the box coordinates, so
 * tests check the heads on the reference's own boxes.) */
gboolean cascade_engine_mask_probs (CascadeEngine * engine,
    const gfloat * input, const CascadeResizeInfo * info,
    const gfloat * boxes, const gint * labels, guint n, gfloat * probs,
    GError ** error);

/* the engine's execution context (benchmarks: the peak measurement) */
CascadeCtx *cascade_engine_ctx (CascadeEngine * engine);

/* number of device buffer allocations so far (steady state: constant) */
guint cascade_engine_allocations (const CascadeEngine * engine);

G_END_DECLS
