/* gst-cascade: one forward pass and its observer */
#include "net/pass.h"

#include <stdarg.h>

const gchar *const cascade_stage_names[CASCADE_N_STAGES] = {
  "preprocess", "backbone", "fpn", "rpn", "stage1", "stage2", "stage3",
  "nms", "mask", "postprocess"
};

static gboolean
wants_stages (const CascadePass * pass)
{
  return pass->observer && pass->observer->stage;
}

void
cascade_pass_stage_begin (const CascadePass * pass, CascadeStage stage)
{
  if (wants_stages (pass))
    pass->observer->stage (stage, TRUE, 0.0, 0, pass->observer->user_data);
}

gboolean
cascade_pass_stage_end (const CascadePass * pass, CascadeStage stage,
    gdouble flops, guint count, GError ** error)
{
  if (!wants_stages (pass))
    return TRUE;
  if (!cascade_ctx_finish (pass->ctx, error))
    return FALSE;
  pass->observer->stage (stage, FALSE, flops, count,
      pass->observer->user_data);
  return TRUE;
}

gboolean
cascade_pass_wants_tensors (const CascadePass * pass)
{
  return pass->observer && pass->observer->tensor;
}

gboolean
cascade_pass_tensor (const CascadePass * pass, const CascadeTensor * t,
    GError ** error, const gchar * name_format, ...)
{
  va_list args;
  gchar *name;
  gboolean ok;

  if (!cascade_pass_wants_tensors (pass))
    return TRUE;
  va_start (args, name_format);
  name = g_strdup_vprintf (name_format, args);
  va_end (args);
  ok = pass->observer->tensor (name, t, pass->ctx, pass->observer->user_data,
      error);
  g_free (name);
  return ok;
}
