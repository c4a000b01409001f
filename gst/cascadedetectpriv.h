/* gst-cascade: cascadedetect's instance, shared by its files
 * (gstcascadedetect.c: the element; cascadedetectframe.c: what runs per
 * frame)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include "cascade.h"
#include "gstcascadedetect.h"
#include "cascadedetectprops.h"
#include "cascadedetectinfo.h"
#include "cascadestats.h"
#include "cascadeworker.h"

G_BEGIN_DECLS

struct _GstCascadeDetect
{
  GstVideoFilter parent;

  /* properties, under the object lock */
  GstCascadeDetectProps props;

  /* < private > streaming thread (and start/stop) */
  GstCascadeShared *shared;
  CascadeEngine *engine;        /* once loaded and set up */
  CascadeDetectParams model_params;     /* the model file's defaults */
  gchar **labels;               /* NULL or num_classes labels */
  gboolean *class_filter;       /* NULL or num_classes flags */
  CascadePixelFormat format;
  guint width, height;
  guint64 frame_count;
  CascadeResult *last;          /* the result attached last */
  GstClockTime last_pts;        /* of the frame it came from */
  guint64 last_frame;
  gboolean size_seen;           /* an inference ran at this size */
  gint64 stats_posted;          /* monotonic time of the last message */

  /* under lock */
  GMutex lock;
  GstCascadeDetectMode running; /* AUTO while undecided */
  GstCascadeStream *stream;     /* newest-frame */
  GstCascadeStats stats;
  GstClockTime qos_earliest;    /* running time; NONE: no QoS */
  GstClockTime reported;        /* latency added in the last query */
  GstCascadeDetectInfo info;    /* the read-only properties */
};

/* the counters, with the pending frames counted now */
GstStructure *gst_cascade_detect_get_stats (GstCascadeDetect * self);

/* posts the `cascade-progress` message of a load (a CascadeProgressFunc
 * with the element as user_data) */
void gst_cascade_detect_start_progress (CascadeProgressPhase phase,
    const gchar * what, guint k, guint n, gpointer user_data);

/* The error of a failed engine load, as GST_ELEMENT_ERROR. */
void gst_cascade_detect_post_load_error (GstCascadeDetect * self,
    const GError * error, const gchar * model);

/* The engine is loaded: its defaults, the labels and the class filter
 * (the properties as they are now); posts the error and returns FALSE on
 * failure. */
gboolean gst_cascade_detect_setup_engine (GstCascadeDetect * self,
    CascadeEngine * engine);

/* newest-frame before the worker has loaded the engine: FALSE while it
 * loads; a failed load posts the error (*ret GST_FLOW_ERROR) */
gboolean gst_cascade_detect_engine_ready (GstCascadeDetect * self,
    GstFlowReturn * ret);

/* One frame in blocking mode: analysed here, but for `interval` and QoS. */
GstFlowReturn gst_cascade_detect_blocking_frame (GstCascadeDetect * self,
    GstVideoFrame * frame);

/* One frame in newest-frame mode: offered to the worker (replacing one it
 * has not taken), passed at once with the newest finished result. */
GstFlowReturn gst_cascade_detect_newest_frame (GstCascadeDetect * self,
    GstVideoFrame * frame);

/* the `cascade-stats` message, when stats-interval says it is time */
void gst_cascade_detect_post_stats (GstCascadeDetect * self);

G_END_DECLS
