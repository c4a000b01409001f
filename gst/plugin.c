/* gst-cascade: the `cascade` plugin
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <gst/gst.h>

#include "cascademodelpath.h"
#include "gstcascadedetect.h"
#include "gstcascadejson.h"
#include "gstcascadelog.h"
#include "gstcascadeoverlay.h"
#include "gstcascadetrack.h"
#ifdef HAVE_MQTT
#include "gstcascademqttsink.h"
#endif

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  gst_cascade_log_init ();
  gst_cascade_model_path_set_plugin (gst_plugin_get_filename (plugin));
  ret |= GST_ELEMENT_REGISTER (cascadedetect, plugin);
  ret |= GST_ELEMENT_REGISTER (cascadeoverlay, plugin);
  ret |= GST_ELEMENT_REGISTER (cascadejson, plugin);
  ret |= GST_ELEMENT_REGISTER (cascadetrack, plugin);
#ifdef HAVE_MQTT
  ret |= GST_ELEMENT_REGISTER (cascademqttsink, plugin);
#endif

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR,
    GST_VERSION_MINOR,
    cascade,
    "Cascade R-CNN / Cascade Mask R-CNN object detection and instance "
    "segmentation on OpenCL",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
