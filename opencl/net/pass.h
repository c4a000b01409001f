/* gst-cascade: one forward pass of the network: the context and arena it
 * runs in, and the observer that may watch it.  Every stage's _forward
 * takes a pass; it reports its stage boundaries and its intermediate
 * tensors through it.  A pass without an observer (production) reports
 * nothing and never finishes the queue: each report is a pointer test. */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

/* the stages an observer sees, in order (cascade_stage_names: the names
 * that tools/cascade-bench prints) */
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

/* What tools and tests hook into a pass (cascade_engine_set_observer).
 * Either hook may be NULL. */
typedef struct
{
  /* A stage begins (begin TRUE) or ends.  The queue is finished before
   * the end is reported, so the time between the two calls is the
   * stage's.  At the end, flops is the stage's floating-point operations
   * and count what it produced (RPN: proposals; NMS: detections; else 0). */
  void (*stage) (CascadeStage stage, gboolean begin, gdouble flops,
      guint count, gpointer user_data);
  /* An intermediate tensor, by the name that the reference dumps use
   * ("backbone.C2", "rpn.proposals.bboxes", ...); t is valid during the
   * call only (read it through ctx).  Returning FALSE with error set
   * stops the pass with that error. */
  gboolean (*tensor) (const gchar * name, const CascadeTensor * t,
      CascadeCtx * ctx, gpointer user_data, GError ** error);
  gpointer user_data;
} CascadeObserver;

typedef struct
{
  CascadeCtx *ctx;
  CascadeArena *arena;
  const CascadeObserver *observer;      /* NULL: not observed */
} CascadePass;

void cascade_pass_stage_begin (const CascadePass * pass, CascadeStage stage);
/* with a stage hook: finishes the queue, then reports the end */
gboolean cascade_pass_stage_end (const CascadePass * pass,
    CascadeStage stage, gdouble flops, guint count, GError ** error);
/* TRUE when the observer takes tensors (worth preparing one for it) */
gboolean cascade_pass_wants_tensors (const CascadePass * pass);
/* reports t under the printf-formatted name (formatted only when wanted) */
gboolean cascade_pass_tensor (const CascadePass * pass,
    const CascadeTensor * t, GError ** error, const gchar * name_format,
    ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS
