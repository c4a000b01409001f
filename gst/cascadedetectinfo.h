/* gst-cascade: cascadedetect's read-only properties, what an application
 * asks at run time about the loaded model
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>

#include "cascade.h"

G_BEGIN_DECLS

/* A copy of what the loaded engine says, made when it is set up (so that
 * a property read never touches an engine being released) */
typedef struct
{
  gchar **class_names;          /* NULL before the model is loaded */
  gboolean has_masks;
  gchar *device;
  guint input_long, input_short;
} GstCascadeDetectInfo;

/* Installs class-names, has-masks, device-name and active-input-size. */
void gst_cascade_detect_info_install (GObjectClass * klass);

/* get_property for those; FALSE for another prop_id */
gboolean gst_cascade_detect_info_get (const GstCascadeDetectInfo * info,
    guint prop_id, GValue * value);

/* Fills info from engine, with labels (NULL, or a labels file's
 * override of the model's names) */
void gst_cascade_detect_info_fill (GstCascadeDetectInfo * info,
    const CascadeEngine * engine, gchar ** labels);
void gst_cascade_detect_info_clear (GstCascadeDetectInfo * info);

G_END_DECLS
