/* gst-cascade: what cascadedetect runs per frame, in its two modes
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "cascadedetectpriv.h"
#include "gstcascademeta.h"
#include "cascadeformats.h"
#include "cascadelabels.h"
#include "cascaderoi.h"
#include "cascadeanalytics.h"

GST_DEBUG_CATEGORY_EXTERN (gst_cascade_detect_debug);
#define GST_CAT_DEFAULT gst_cascade_detect_debug

/* the counters, with the pending frames counted now */
GstStructure *
gst_cascade_detect_get_stats (GstCascadeDetect * self)
{
  GstStructure *s;

  g_mutex_lock (&self->lock);
  self->stats.pending = self->stream ?
      gst_cascade_stream_pending (self->stream) : 0;
  s = gst_cascade_stats_structure (&self->stats, "cascade-stats");
  g_mutex_unlock (&self->lock);
  return s;
}

void
gst_cascade_detect_start_progress (CascadeProgressPhase phase,
    const gchar * what, guint k, guint n, gpointer user_data)
{
  gst_cascade_post_progress (user_data, phase, what, k, n);
}

/* The error of a failed engine load, as GST_ELEMENT_ERROR. */
void
gst_cascade_detect_post_load_error (GstCascadeDetect * self,
    const GError * error, const gchar * model)
{
  if (error->domain == G_FILE_ERROR)
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", error->message),
        ("model %s", model));
  else if (g_error_matches (error, CASCADE_ERROR, CASCADE_ERROR_MODEL))
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s", error->message),
        ("model %s", model));
  else if (g_error_matches (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG))
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, ("%s", error->message),
        ("model %s", model));
  else
    GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("%s", error->message),
        ("model %s", model));
}

/* The engine is loaded: its defaults, the labels and the class filter
 * (the properties as they are now); posts the error and returns FALSE on
 * failure. */
gboolean
gst_cascade_detect_setup_engine (GstCascadeDetect * self,
    CascadeEngine * engine)
{
  gchar *labels_file, *classes;
  GError *error = NULL;
  guint n = cascade_engine_num_classes (engine), n_lines = 0;
  gboolean ok = FALSE;

  GST_OBJECT_LOCK (self);
  labels_file = g_strdup (self->props.labels_file);
  classes = g_strdup (self->props.classes);
  self->props.classes_changed = FALSE;
  GST_OBJECT_UNLOCK (self);

  GST_INFO_OBJECT (self, "%u classes%s on %s", n,
      cascade_engine_has_masks (engine) ? " with masks" : "",
      cascade_engine_device_name (engine));
  cascade_detect_params_init (&self->model_params, engine);

  if (labels_file && *labels_file) {
    self->labels = gst_cascade_labels_load (labels_file, n, &n_lines, &error);
    if (!self->labels) {
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", error->message),
          ("labels %s", labels_file));
      goto done;
    }
    if (n_lines != n)
      GST_WARNING_OBJECT (self, "%s has %u labels for %u classes",
          labels_file, n_lines, n);
  }
  if (!gst_cascade_classes_resolve (classes, self->labels, engine,
          &self->class_filter, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
        (NULL));
    goto done;
  }
  self->engine = engine;
  g_mutex_lock (&self->lock);
  gst_cascade_detect_info_fill (&self->info, engine, self->labels);
  g_mutex_unlock (&self->lock);
  ok = TRUE;

done:
  g_clear_error (&error);
  g_free (labels_file);
  g_free (classes);
  return ok;
}

/* The parameters of the next frame, copied under the object lock. */
static void
get_params (GstCascadeDetect * self, CascadeDetectParams * p,
    guint * interval, gboolean * post)
{
  gchar *classes = NULL;
  gboolean changed;

  *p = self->model_params;

  GST_OBJECT_LOCK (self);
  gst_cascade_detect_props_frame_params (&self->props, p, interval, post);
  changed = self->props.classes_changed;
  if (changed) {
    classes = g_strdup (self->props.classes);
    self->props.classes_changed = FALSE;
  }
  GST_OBJECT_UNLOCK (self);

  if (changed) {
    gboolean *filter = NULL;
    GError *error = NULL;

    if (gst_cascade_classes_resolve (classes, self->labels, self->engine,
            &filter, &error)) {
      g_free (self->class_filter);
      self->class_filter = filter;
    } else {
      GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("%s", error->message),
          ("keeping the previous class filter"));
      g_clear_error (&error);
    }
    g_free (classes);
  }
  p->class_filter = self->class_filter;
}

/* Attaches self->last (computed on frame last_frame) to buffer. */
static void
attach_last (GstCascadeDetect * self, GstBuffer * buffer, gboolean post)
{
  GstCascadeRoiSource src;
  GstStructure *s;
  GstClockTime pts = GST_BUFFER_PTS (buffer);

  src.pts = self->last_pts;
  src.repeated = self->last_frame != self->frame_count;
  src.element = GST_OBJECT_NAME (self);
  s = gst_cascade_roi_attach (buffer, self->last, self->labels, self->engine,
      self->model_params.mask_threshold, &src,
      &GST_BASE_TRANSFORM (self)->segment, self->frame_count, post);
  /* GStreamer >= 1.24: the same objects in the analytics relation meta
   * (a no-op without the library) */
  gst_cascade_analytics_attach (buffer, cascade_result_count (self->last));
  if (s)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), s));

  g_mutex_lock (&self->lock);
  if (src.repeated)
    self->stats.repeated++;
  self->stats.age_frames = self->frame_count - self->last_frame;
  self->stats.age_ms = GST_CLOCK_TIME_IS_VALID (pts)
      && GST_CLOCK_TIME_IS_VALID (src.pts) ? ((gdouble) pts -
      (gdouble) src.pts) / GST_MSECOND : 0.0;
  g_mutex_unlock (&self->lock);
}

/* TRUE when QoS says the frame is already late */
static gboolean
is_late (GstCascadeDetect * self, GstBuffer * buffer)
{
  GstSegment *segment = &GST_BASE_TRANSFORM (self)->segment;
  GstClockTime rt, earliest;

  if (!gst_base_transform_is_qos_enabled (GST_BASE_TRANSFORM (self))
      || segment->format != GST_FORMAT_TIME)
    return FALSE;
  rt = gst_segment_to_running_time (segment, GST_FORMAT_TIME,
      GST_BUFFER_PTS (buffer));
  g_mutex_lock (&self->lock);
  earliest = self->qos_earliest;
  g_mutex_unlock (&self->lock);
  return GST_CLOCK_TIME_IS_VALID (rt) && GST_CLOCK_TIME_IS_VALID (earliest)
      && rt <= earliest;
}

/* blocking: every frame analysed here (but for interval and QoS) */
GstFlowReturn
gst_cascade_detect_blocking_frame (GstCascadeDetect * self,
    GstVideoFrame * frame)
{
  CascadeDetectParams params;
  CascadeFrame cf;
  CascadeResult *result;
  GError *error = NULL;
  guint interval;
  gboolean post, late, counted, grew;
  gint64 t0;
  gdouble ms;

  get_params (self, &params, &interval, &post);

  late = self->last && is_late (self, frame->buffer);
  if (self->last && (late || self->frame_count % interval != 0)) {
    GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": repeating %u "
        "objects%s", self->frame_count, cascade_result_count (self->last),
        late ? " (late)" : "");
    if (late) {
      g_mutex_lock (&self->lock);
      self->stats.skipped_late++;
      g_mutex_unlock (&self->lock);
    }
    attach_last (self, frame->buffer, post);
    return GST_FLOW_OK;
  }

  gst_cascade_frame_from_video (frame, self->format, &cf);

  gst_cascade_shared_lock (self->shared);
  t0 = g_get_monotonic_time ();
  result = cascade_engine_detect (self->engine, &cf, &params, &error);
  ms = (g_get_monotonic_time () - t0) / 1000.0;
  gst_cascade_shared_unlock (self->shared);
  if (!result)
    goto detect_failed;

  /* the first inference at a size includes its per-shape tuning: not
   * counted in the latency */
  counted = self->size_seen;
  self->size_seen = TRUE;
  g_mutex_lock (&self->lock);
  gst_cascade_stats_add_inference (&self->stats, ms, counted);
  grew = gst_cascade_stats_window_max (&self->stats) * GST_MSECOND >
      self->reported * 1.25 + GST_MSECOND;
  if (grew)
    self->reported = (GstClockTime)
        (gst_cascade_stats_window_max (&self->stats) * GST_MSECOND);
  g_mutex_unlock (&self->lock);
  if (grew)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));

  GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": %u objects in %.1f ms",
      self->frame_count, cascade_result_count (result), ms);
  g_clear_pointer (&self->last, cascade_result_free);
  self->last = result;
  self->last_pts = GST_BUFFER_PTS (frame->buffer);
  self->last_frame = self->frame_count;
  attach_last (self, frame->buffer, post);
  return GST_FLOW_OK;

  /* ERRORS */
detect_failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s", error->message),
        ("frame %" G_GUINT64_FORMAT, self->frame_count));
    g_clear_error (&error);
    return GST_FLOW_ERROR;
  }
}

/* newest-frame: the frame goes to the worker (replacing one it has not
 * taken) and passes at once with the newest finished result */
GstFlowReturn
gst_cascade_detect_newest_frame (GstCascadeDetect * self, GstVideoFrame * frame)
{
  CascadeDetectParams params;
  GstCascadeDone *done;
  GError *error;
  guint interval;
  gboolean post, taken;
  gint64 t0;
  gdouble ms;

  if ((error = gst_cascade_stream_take_error (self->stream)))
    goto detect_failed;

  if ((done = gst_cascade_stream_take (self->stream))) {
    g_clear_pointer (&self->last, cascade_result_free);
    self->last = done->result;
    self->last_pts = done->pts;
    self->last_frame = done->frame;
    done->result = NULL;
    g_mutex_lock (&self->lock);
    gst_cascade_stats_add_inference (&self->stats, done->ms, TRUE);
    g_mutex_unlock (&self->lock);
    gst_cascade_done_free (done);
  }
  /* never a result of another frame size */
  if (self->last && (cascade_result_frame_width (self->last) != self->width
          || cascade_result_frame_height (self->last) != self->height))
    g_clear_pointer (&self->last, cascade_result_free);

  get_params (self, &params, &interval, &post);
  /* with interval N, one frame in N is offered to the worker */
  if (self->frame_count % interval == 0) {
    t0 = g_get_monotonic_time ();
    taken = gst_cascade_stream_submit (self->stream, frame, self->format,
        &params, cascade_engine_num_classes (self->engine), self->frame_count);
    ms = (g_get_monotonic_time () - t0) / 1000.0;
    g_mutex_lock (&self->lock);
    gst_cascade_stats_add_copy (&self->stats, ms);
    if (!taken)
      self->stats.replaced++;
    g_mutex_unlock (&self->lock);
  }

  if (self->last) {
    attach_last (self, frame->buffer, post);
  } else {
    g_mutex_lock (&self->lock);
    self->stats.no_result++;
    g_mutex_unlock (&self->lock);
  }
  return GST_FLOW_OK;

  /* ERRORS */
detect_failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s", error->message),
        ("frame %" G_GUINT64_FORMAT, self->frame_count));
    g_clear_error (&error);
    return GST_FLOW_ERROR;
  }
}

/* newest-frame before the worker has loaded the engine: FALSE while it
 * loads; a failed load posts the error (*ret GST_FLOW_ERROR) */
gboolean
gst_cascade_detect_engine_ready (GstCascadeDetect * self, GstFlowReturn * ret)
{
  GError *error = NULL;
  CascadeEngine *e = gst_cascade_shared_engine (self->shared, &error);

  *ret = GST_FLOW_OK;
  if (e)
    return gst_cascade_detect_setup_engine (self, e)
        || ((*ret = GST_FLOW_ERROR), FALSE);
  if (error) {
    gchar *model;

    GST_OBJECT_LOCK (self);
    model = g_strdup (self->props.model);
    GST_OBJECT_UNLOCK (self);
    gst_cascade_detect_post_load_error (self, error, model);
    g_free (model);
    g_clear_error (&error);
    *ret = GST_FLOW_ERROR;
  }
  return FALSE;
}

void
gst_cascade_detect_post_stats (GstCascadeDetect * self)
{
  guint period;
  gint64 now = g_get_monotonic_time ();

  GST_OBJECT_LOCK (self);
  period = self->props.stats_interval;
  GST_OBJECT_UNLOCK (self);
  if (period == 0 || now - self->stats_posted < (gint64) period * 1000)
    return;
  self->stats_posted = now;
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          gst_cascade_detect_get_stats (self)));
}
