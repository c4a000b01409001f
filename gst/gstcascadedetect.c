/* gst-cascade: cascadedetect, runs Cascade (Mask) R-CNN on video frames
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-cascadedetect
 * @title: cascadedetect
 * @see_also: cascadeoverlay, cascadejson, #GstCascadeMeta
 *
 * Runs a Cascade R-CNN or Cascade Mask R-CNN model (an mmdetection
 * checkpoint converted with models/convert_mmdet.py) on every video frame
 * with OpenCL and attaches the result; the pixels pass unchanged.
 *
 * Each processed frame gets one #GstCascadeMeta with all objects (box in
 * frame pixels, score, class id, label and, for mask models, the 28x28
 * mask probabilities) and one #GstVideoRegionOfInterestMeta per object,
 * whose `roi_type` is the label, whose `id` is the object's index in the
 * frame, and which carries a `detection` structure in DL Streamer's
 * convention: `label_id` (int), `confidence` (double), `x_min`, `x_max`,
 * `y_min`, `y_max` (doubles normalised to the frame, clipped to [0, 1])
 * and `label` (string).
 *
 * With #GstCascadeDetect:interval N > 1 the model runs on one frame in N;
 * the frames in between carry the last result again, with
 * %GST_CASCADE_META_FLAG_REPEATED set in the #GstCascadeMeta (and a
 * `repeated` field in the bus message).  After a flush the next frame is
 * always processed.
 *
 * With #GstCascadeDetect:post-messages the element posts an element
 * message `cascade-detections` for each frame: `timestamp`,
 * `stream-time`, `running-time`, `duration` (guint64), `frame` (guint64),
 * `repeated` (boolean) and `objects`, a list of `object` structures with
 * `label` (string), `label-id` (int), `score` (double) and `x1`, `y1`,
 * `x2`, `y2` (doubles, frame pixels).
 *
 * The model is loaded and the OpenCL device opened when the element goes
 * from READY to PAUSED; a missing model file fails that state change with
 * a RESOURCE NOT_FOUND error, a damaged one with RESOURCE OPEN_READ, a
 * missing or unusable OpenCL device with LIBRARY INIT.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! \
 *     cascadedetect model=cascade_mask_rcnn_r50.safetensors ! \
 *     cascadeoverlay ! videoconvert ! autovideosink
 * ]| Detects, draws and shows.
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! \
 *     cascadedetect classes=person,car score-threshold=0.5 interval=5 \
 *     post-messages=true ! fakesink -m
 * ]| People and cars on one camera frame in five, printed as bus messages.
 */

#include "cascade.h"
#include "gstcascadedetect.h"
#include "gstcascademeta.h"
#include "cascadedetectprops.h"
#include "cascadeformats.h"
#include "cascadelabels.h"
#include "cascaderoi.h"

/* also the category of cascadedetectprops.c */
GST_DEBUG_CATEGORY (gst_cascade_detect_debug);
#define GST_CAT_DEFAULT gst_cascade_detect_debug

/* the largest frame side of the caps */
#define MAX_FRAME_SIDE 8192

struct _GstCascadeDetect
{
  GstVideoFilter parent;

  /* properties, under the object lock */
  GstCascadeDetectProps props;

  /* < private > streaming thread (and start/stop) */
  CascadeEngine *engine;
  CascadeDetectParams model_params;     /* the model file's defaults */
  gchar **labels;               /* NULL or num_classes labels */
  gboolean *class_filter;       /* NULL or num_classes flags */
  CascadePixelFormat format;
  guint64 frame_count;
  CascadeResult *last;          /* result reattached by `interval` */
};

#define gst_cascade_detect_parent_class parent_class
G_DEFINE_TYPE (GstCascadeDetect, gst_cascade_detect, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cascadedetect, "cascadedetect", GST_RANK_NONE,
    GST_TYPE_CASCADE_DETECT);

static void gst_cascade_detect_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec);
static void gst_cascade_detect_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec);
static void gst_cascade_detect_finalize (GObject * object);
static gboolean gst_cascade_detect_start (GstBaseTransform * trans);
static gboolean gst_cascade_detect_stop (GstBaseTransform * trans);
static gboolean gst_cascade_detect_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_cascade_detect_set_info (GstVideoFilter * filter,
    GstCaps * incaps, GstVideoInfo * in_info, GstCaps * outcaps,
    GstVideoInfo * out_info);
static GstFlowReturn gst_cascade_detect_transform_frame_ip (GstVideoFilter *
    filter, GstVideoFrame * frame);

static void
gst_cascade_detect_class_init (GstCascadeDetectClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_cascade_detect_debug, "cascadedetect", 0,
      "cascadedetect");

  gobject_class->set_property = gst_cascade_detect_set_property;
  gobject_class->get_property = gst_cascade_detect_get_property;
  gobject_class->finalize = gst_cascade_detect_finalize;

  gst_cascade_detect_props_install (gobject_class);

  gst_element_class_set_static_metadata (element_class,
      "Cascade R-CNN object detector", "Filter/Analyzer/Video",
      "Detects objects and instance masks on every video frame with a "
      "Cascade R-CNN or Cascade Mask R-CNN model (mmdetection model zoo, "
      "converted to safetensors) on an OpenCL device; attaches a "
      "GstCascadeMeta with every object and one "
      "GstVideoRegionOfInterestMeta per object, and passes the pixels "
      "unchanged", "gst-cascade developers");

  gst_element_class_add_pad_template (element_class,
      gst_cascade_formats_pad_template ("sink", GST_PAD_SINK, MAX_FRAME_SIDE));
  gst_element_class_add_pad_template (element_class,
      gst_cascade_formats_pad_template ("src", GST_PAD_SRC, MAX_FRAME_SIDE));

  trans_class->start = GST_DEBUG_FUNCPTR (gst_cascade_detect_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_cascade_detect_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_cascade_detect_sink_event);

  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_cascade_detect_set_info);
  filter_class->transform_frame_ip =
      GST_DEBUG_FUNCPTR (gst_cascade_detect_transform_frame_ip);
}

static void
gst_cascade_detect_init (GstCascadeDetect * self)
{
  gst_cascade_detect_props_init (&self->props);
  self->format = CASCADE_FORMAT_LAST;

  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_cascade_detect_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (object);
  gboolean known;

  GST_OBJECT_LOCK (self);
  known = gst_cascade_detect_props_set (&self->props, object, prop_id, value);
  GST_OBJECT_UNLOCK (self);
  if (!known)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_cascade_detect_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (object);
  gboolean known;

  GST_OBJECT_LOCK (self);
  known = gst_cascade_detect_props_get (&self->props, prop_id, value);
  GST_OBJECT_UNLOCK (self);
  if (!known)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_cascade_detect_finalize (GObject * object)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (object);

  gst_cascade_detect_props_clear (&self->props);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* Reads the labels file into self->labels. */
static gboolean
load_labels (GstCascadeDetect * self, const gchar * path, GError ** error)
{
  guint n = cascade_engine_num_classes (self->engine), n_lines = 0;

  self->labels = gst_cascade_labels_load (path, n, &n_lines, error);
  if (!self->labels)
    return FALSE;
  if (n_lines != n)
    GST_WARNING_OBJECT (self, "%s has %u labels for %u classes", path,
        n_lines, n);
  return TRUE;
}

static gboolean
gst_cascade_detect_start (GstBaseTransform * trans)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (trans);
  gchar *model, *device, *labels_file, *classes;
  guint input_long, input_short;
  GError *error = NULL;

  GST_OBJECT_LOCK (self);
  model = g_strdup (self->props.model);
  device = g_strdup (self->props.device);
  labels_file = g_strdup (self->props.labels_file);
  classes = g_strdup (self->props.classes);
  input_long = self->props.input_long;
  input_short = self->props.input_short;
  self->props.classes_changed = FALSE;
  GST_OBJECT_UNLOCK (self);

  if (!model || !*model)
    goto no_model;
  if (!g_file_test (model, G_FILE_TEST_IS_REGULAR))
    goto model_not_found;

  GST_DEBUG_OBJECT (self, "loading %s on device %s", model,
      device ? device : "(default)");
  self->engine = cascade_engine_new (device, model, &error);
  if (!self->engine)
    goto engine_failed;
  GST_INFO_OBJECT (self, "%s: %u classes%s on %s", model,
      cascade_engine_num_classes (self->engine),
      cascade_engine_has_masks (self->engine) ? " with masks" : "",
      cascade_engine_device_name (self->engine));
  cascade_detect_params_init (&self->model_params, self->engine);

  if (input_long && !cascade_engine_set_input_size (self->engine,
          input_long, input_short, &error))
    goto bad_input_size;

  if (labels_file && *labels_file && !load_labels (self, labels_file, &error))
    goto labels_failed;

  if (!gst_cascade_classes_resolve (classes, self->labels, self->engine,
          &self->class_filter, &error))
    goto bad_classes;

  self->frame_count = 0;
  g_free (model);
  g_free (device);
  g_free (labels_file);
  g_free (classes);
  return TRUE;

  /* ERRORS */
no_model:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No model file set"), ("set the model property"));
    goto failed;
  }
model_not_found:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("Model file \"%s\" not found", model), (NULL));
    goto failed;
  }
engine_failed:
  {
    if (error->domain == G_FILE_ERROR)
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", error->message),
          ("model %s", model));
    else if (g_error_matches (error, CASCADE_ERROR, CASCADE_ERROR_MODEL))
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s", error->message),
          ("model %s", model));
    else
      GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("%s", error->message),
          ("model %s, device %s", model, device ? device : "(default)"));
    goto failed;
  }
bad_input_size:
  {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, ("%s", error->message), (NULL));
    goto failed;
  }
labels_failed:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", error->message),
        ("labels %s", labels_file));
    goto failed;
  }
bad_classes:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
        (NULL));
    goto failed;
  }
failed:
  {
    g_clear_error (&error);
    g_free (model);
    g_free (device);
    g_free (labels_file);
    g_free (classes);
    gst_cascade_detect_stop (trans);
    return FALSE;
  }
}

static gboolean
gst_cascade_detect_stop (GstBaseTransform * trans)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (trans);

  g_clear_pointer (&self->last, cascade_result_free);
  g_clear_pointer (&self->class_filter, g_free);
  g_clear_pointer (&self->labels, g_strfreev);
  g_clear_pointer (&self->engine, cascade_engine_free);
  self->format = CASCADE_FORMAT_LAST;

  return TRUE;
}

static gboolean
gst_cascade_detect_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    /* after a seek, process the next frame instead of repeating a result
     * of another part of the stream */
    g_clear_pointer (&self->last, cascade_result_free);
    self->frame_count = 0;
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_cascade_detect_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (filter);
  GstVideoFormat format = GST_VIDEO_INFO_FORMAT (in_info);

  self->format = gst_cascade_format_from_video (format);
  if (self->format == CASCADE_FORMAT_LAST)
    goto unsupported;

  /* a new geometry: an older result does not fit it */
  g_clear_pointer (&self->last, cascade_result_free);

  GST_DEBUG_OBJECT (self, "%s %dx%d", gst_video_format_to_string (format),
      GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info));
  return TRUE;

  /* ERRORS */
unsupported:
  {
    GST_ERROR_OBJECT (self, "unsupported format %s",
        gst_video_format_to_string (format));
    self->format = CASCADE_FORMAT_LAST;
    return FALSE;
  }
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

static void
attach_result (GstCascadeDetect * self, GstBuffer * buffer,
    CascadeResult * result, gboolean repeated, gboolean post)
{
  guint width = cascade_result_frame_width (result);
  guint height = cascade_result_frame_height (result);
  guint n = cascade_result_count (result), i;
  GstCascadeMeta *meta;
  GValue objects = G_VALUE_INIT;

  meta = gst_buffer_add_cascade_meta (buffer, width, height);
  meta->mask_threshold = self->model_params.mask_threshold;
  if (repeated)
    meta->flags |= GST_CASCADE_META_FLAG_REPEATED;
  if (post)
    g_value_init (&objects, GST_TYPE_LIST);

  for (i = 0; i < n; i++) {
    const CascadeDetection *d = cascade_result_get (result, i);
    const gchar *label = gst_cascade_labels_get (self->labels,
        self->engine, d->class_id);

    if (!label)
      label = "";
    gst_cascade_meta_add_object (meta, d->x1, d->y1, d->x2, d->y2, d->score,
        d->class_id, label, cascade_result_mask_probs (result, i));
    gst_cascade_roi_add (buffer, d, label, (gint) i, width, height);
    if (post)
      gst_cascade_roi_append_object (&objects, d, label);
  }

  if (post) {
    GstStructure *s;

    s = gst_cascade_roi_message (&GST_BASE_TRANSFORM (self)->segment, buffer,
        self->frame_count, repeated, &objects);
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), s));
  }
}


static GstFlowReturn
gst_cascade_detect_transform_frame_ip (GstVideoFilter * filter,
    GstVideoFrame * frame)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (filter);
  CascadeDetectParams params;
  CascadeFrame cf;
  CascadeResult *result;
  GError *error = NULL;
  guint interval;
  gboolean post;

  if (!self->engine || self->format == CASCADE_FORMAT_LAST)
    return GST_FLOW_NOT_NEGOTIATED;

  get_params (self, &params, &interval, &post);

  if (self->last && self->frame_count % interval != 0) {
    GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": repeating %u objects",
        self->frame_count, cascade_result_count (self->last));
    attach_result (self, frame->buffer, self->last, TRUE, post);
    self->frame_count++;
    return GST_FLOW_OK;
  }

  gst_cascade_frame_from_video (frame, self->format, &cf);

  result = cascade_engine_detect (self->engine, &cf, &params, &error);
  if (!result)
    goto detect_failed;

  GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": %u objects",
      self->frame_count, cascade_result_count (result));
  attach_result (self, frame->buffer, result, FALSE, post);

  g_clear_pointer (&self->last, cascade_result_free);
  if (interval > 1)
    self->last = result;
  else
    cascade_result_free (result);
  self->frame_count++;

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
