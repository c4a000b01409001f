/* gst-cascade: cascadedetect's read-only properties
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "cascadedetectinfo.h"
#include "cascadelabels.h"

/* apart from cascadedetectprops.c's ids */
enum
{
  PROP_INFO_0 = 100,
  PROP_CLASS_NAMES,
  PROP_HAS_MASKS,
  PROP_DEVICE_NAME,
  PROP_ACTIVE_INPUT_SIZE,
};

void
gst_cascade_detect_info_install (GObjectClass * klass)
{
  /**
   * GstCascadeDetect:class-names:
   *
   * The class names of the loaded model, in class order (with the
   * #GstCascadeDetect:labels file's names where it gives them); %NULL
   * until the model is loaded (READY to PAUSED; in newest-frame mode
   * once the worker has loaded it).
   *
   * Since: 0.3
   */
  g_object_class_install_property (klass, PROP_CLASS_NAMES,
      g_param_spec_boxed ("class-names", "Class names",
          "Class names of the loaded model (NULL before it is loaded)",
          G_TYPE_STRV, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /**
   * GstCascadeDetect:has-masks:
   *
   * Whether the loaded model computes instance masks (FALSE before it is
   * loaded).
   *
   * Since: 0.3
   */
  g_object_class_install_property (klass, PROP_HAS_MASKS,
      g_param_spec_boolean ("has-masks", "Has masks",
          "Whether the loaded model has a mask head", FALSE,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /**
   * GstCascadeDetect:device-name:
   *
   * The OpenCL device in use, "Platform: Device" (NULL before the model
   * is loaded).
   *
   * Since: 0.3
   */
  g_object_class_install_property (klass, PROP_DEVICE_NAME,
      g_param_spec_string ("device-name", "Device name",
          "The OpenCL device in use (NULL before the model is loaded)", NULL,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /**
   * GstCascadeDetect:active-input-size:
   *
   * The network input scale in use, "LONGxSHORT": the
   * #GstCascadeDetect:input-size property's, else the model's test scale
   * ("" before the model is loaded).
   *
   * Since: 0.3
   */
  g_object_class_install_property (klass, PROP_ACTIVE_INPUT_SIZE,
      g_param_spec_string ("active-input-size", "Active input size",
          "The network input scale in use, LONGxSHORT", "",
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

gboolean
gst_cascade_detect_info_get (const GstCascadeDetectInfo * info,
    guint prop_id, GValue * value)
{
  switch (prop_id) {
    case PROP_CLASS_NAMES:
      g_value_set_boxed (value, info->class_names);
      break;
    case PROP_HAS_MASKS:
      g_value_set_boolean (value, info->has_masks);
      break;
    case PROP_DEVICE_NAME:
      g_value_set_string (value, info->device);
      break;
    case PROP_ACTIVE_INPUT_SIZE:
      if (info->input_long)
        g_value_take_string (value, g_strdup_printf ("%ux%u",
                info->input_long, info->input_short));
      else
        g_value_set_string (value, "");
      break;
    default:
      return FALSE;
  }
  return TRUE;
}

void
gst_cascade_detect_info_fill (GstCascadeDetectInfo * info,
    const CascadeEngine * engine, gchar ** labels)
{
  guint n = cascade_engine_num_classes (engine), c;

  gst_cascade_detect_info_clear (info);
  info->class_names = g_new0 (gchar *, n + 1);
  for (c = 0; c < n; c++) {
    const gchar *l = gst_cascade_labels_get (labels, engine, (gint) c);
    info->class_names[c] = g_strdup (l ? l : "");
  }
  info->has_masks = cascade_engine_has_masks (engine);
  info->device = g_strdup (cascade_engine_device_name (engine));
  cascade_engine_get_input_size (engine, &info->input_long, &info->input_short);
}

void
gst_cascade_detect_info_clear (GstCascadeDetectInfo * info)
{
  g_clear_pointer (&info->class_names, g_strfreev);
  g_clear_pointer (&info->device, g_free);
  info->has_masks = FALSE;
  info->input_long = info->input_short = 0;
}
