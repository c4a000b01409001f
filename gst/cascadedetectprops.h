/* gst-cascade: the properties of cascadedetect
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

/* GstCascadeDetect:mode */
typedef enum
{
  GST_CASCADE_DETECT_MODE_AUTO,
  GST_CASCADE_DETECT_MODE_BLOCKING,
  GST_CASCADE_DETECT_MODE_NEWEST_FRAME,
} GstCascadeDetectMode;

#define GST_TYPE_CASCADE_DETECT_MODE (gst_cascade_detect_mode_get_type ())
GType gst_cascade_detect_mode_get_type (void);

/* The property values of one element, under its object lock. */
typedef struct
{
  gchar *model;
  gchar *device;
  gdouble score_threshold;
  gdouble nms_threshold;
  guint max_detections;
  guint input_long, input_short;        /* 0: the model's */
  gchar *labels_file;
  gchar *classes;
  gboolean masks;
  guint interval;
  gboolean post_messages;
  guint num_stages;
  GstCascadeDetectMode mode;
  guint stats_interval;         /* ms, 0: no cascade-stats messages */
  gboolean classes_changed;     /* classes set since last read */
  /* a refused value (the property kept its previous one): what was wrong
   * and what is allowed, so that start fails with it as an error */
  gchar *invalid_input_size;
  gchar *invalid_classes;
  gboolean refused;             /* the last set refused its value */
} GstCascadeDetectProps;

/* Installs the properties of cascadedetect on its class. */
void gst_cascade_detect_props_install (GObjectClass * klass);

/* The defaults, and their release. */
void gst_cascade_detect_props_init (GstCascadeDetectProps * props);
void gst_cascade_detect_props_clear (GstCascadeDetectProps * props);

/* set_property / get_property on props, with the object lock of object
 * held; FALSE for an unknown prop_id (and for `stats`, which the element
 * answers). */
gboolean gst_cascade_detect_props_set (GstCascadeDetectProps * props,
    GObject * object, guint prop_id, const GValue * value);
gboolean gst_cascade_detect_props_get (const GstCascadeDetectProps * props,
    guint prop_id, GValue * value);

/* The message of a refused property value, or NULL (free with g_free);
 * with the object lock held. */
gchar *gst_cascade_detect_props_invalid (const GstCascadeDetectProps *
    props);

/* The parameters of the next frame: params holds the model file's
 * defaults, which the properties override; with the object lock held. */
void gst_cascade_detect_props_frame_params (const GstCascadeDetectProps *
    props, CascadeDetectParams * params, guint * interval, gboolean * post);

G_END_DECLS
