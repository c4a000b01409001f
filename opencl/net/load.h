/* gst-cascade: loading a stage's convolutions and FCs from the model file
 * (the weights uploaded once, at the stage's _init) */
#pragma once

#include "model/model.h"
#include "ops/conv.h"
#include "ops/fc.h"

G_BEGIN_DECLS

/* conv `conv_name` (no bias) followed by BatchNorm `bn_name`, folded */
gboolean cascade_load_conv_bn (CascadeConv * conv, CascadeCtx * ctx,
    const CascadeModel * model, const gchar * conv_name,
    const gchar * bn_name, guint cin, guint cout, guint k, guint stride,
    guint pad, guint groups, GError ** error);
/* conv `name` with its bias (name.weight, name.bias) */
gboolean cascade_load_conv (CascadeConv * conv, CascadeCtx * ctx,
    const CascadeModel * model, const gchar * name, guint cin, guint cout,
    guint k, guint stride, guint pad, GError ** error);
gboolean cascade_load_fc (CascadeFC * fc, CascadeCtx * ctx,
    const CascadeModel * model, const gchar * name, guint in, guint out,
    GError ** error);

G_END_DECLS
