/* gst-cascade: helpers of the analytics relation meta tests (built only
 * against gstreamer-analytics-1.0, GStreamer >= 1.24) */
#pragma once

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/analytics/analytics.h>

#include "cascade-check.h"

/* the committed mask model and an image it finds objects on at 0.05 */
#define ANALYTICS_CHECK_MODEL "models/tiny_mask.safetensors"
#define ANALYTICS_CHECK_IMAGE "images/img_a_96x128.ppm"

/* the test image (a binary PPM: P6, maxval 255) as an RGB buffer with its
 * video info; NULL only under the valgrind setup, which hides the model
 * (CASCADE_CHECK_NO_MODEL, cascade_check_fixture ()) */
static inline GstBuffer *
analytics_check_image (GstVideoInfo * info)
{
  gchar *path = cascade_check_fixture (ANALYTICS_CHECK_IMAGE), *data;
  gsize len;
  gint w, h, maxval, off = 0, y;
  GstBuffer *buf;
  GstVideoFrame f;

  if (!path) {
    GST_WARNING ("no test model (valgrind setup): skipped");
    return NULL;
  }
  fail_unless (g_file_get_contents (path, &data, &len, NULL), "%s", path);
  fail_unless (sscanf (data, "P6 %d %d %d%n", &w, &h, &maxval, &off) == 3
      && maxval == 255 && off > 0 && len >= (gsize) off + 1 + 3 * w * h);
  cascade_check_info (info, "RGB", w, h);
  buf = gst_buffer_new_allocate (NULL, info->size, NULL);
  fail_unless (gst_video_frame_map (&f, info, buf, GST_MAP_WRITE));
  for (y = 0; y < h; y++)
    memcpy ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0), data + off + 1 + 3 * y * w,
        3 * w);
  gst_video_frame_unmap (&f);
  g_free (data);
  g_free (path);
  GST_BUFFER_PTS (buf) = 0;
  return buf;
}

/* a harness around "cascadedetect model=<test model> score-threshold=0.05
 * <rest>" (rest: more properties, or "! element ..."), not live (so
 * blocking: every frame analysed) */
static inline GstHarness *
analytics_check_detect (const GstVideoInfo * info, const gchar * rest)
{
  gchar *model = cascade_check_fixture (ANALYTICS_CHECK_MODEL);
  gchar *launch, *caps;
  GstHarness *h;

  fail_unless (model != NULL);
  launch = g_strdup_printf ("cascadedetect model=\"%s\" score-threshold=0.05 "
      "%s", model, rest);
  caps = cascade_check_caps_str (gst_video_format_to_string
      (GST_VIDEO_INFO_FORMAT (info)), GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info));
  h = gst_harness_new_parse (launch);
  gst_harness_set_live (h, FALSE);
  gst_harness_set_src_caps_str (h, caps);
  g_free (launch);
  g_free (caps);
  g_free (model);
  return h;
}

/* the box of a GstCascadeObject in whole pixels, as cascadedetect puts it
 * into the ROI meta and the ODMtd: floor/ceil, clamped to the frame */
static inline void
analytics_check_box (const GstCascadeObject * o, gint width, gint height,
    gint * x, gint * y, gint * w, gint * h)
{
  gdouble x0 = CLAMP (floor (o->x1), 0.0, width);
  gdouble y0 = CLAMP (floor (o->y1), 0.0, height);
  gdouble x1 = CLAMP (ceil (o->x2), x0, width);
  gdouble y1 = CLAMP (ceil (o->y2), y0, height);

  *x = (gint) x0;
  *y = (gint) y0;
  *w = (gint) (x1 - x0);
  *h = (gint) (y1 - y0);
}

/* the ROI meta of out with the given id (exactly one) */
static inline GstVideoRegionOfInterestMeta *
analytics_check_roi_with_id (GstBuffer * out, gint id)
{
  GstVideoRegionOfInterestMeta *roi, *found = NULL;
  gpointer state = NULL;

  while ((roi = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (out, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
    if (roi->id == id) {
      fail_unless (found == NULL, "two ROI metas with id %d", id);
      found = roi;
    }
  fail_unless (found != NULL, "no ROI meta with id %d", id);
  return found;
}
