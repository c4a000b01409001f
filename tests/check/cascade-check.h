/* gst-cascade: helpers shared by the element and library tests */
#pragma once

#include <math.h>
#include <string.h>

#include <gst/gst.h>
#include <gst/check/gstcheck.h>
#include <gst/video/video.h>

#include "gstcascademeta.h"

/* every format cascadedetect and cascadeoverlay take */
static const gchar *const cascade_check_formats[] = {
  "RGB", "BGR", "RGBx", "BGRx", "xRGB", "xBGR", "RGBA", "BGRA", "ARGB",
  "ABGR", "NV12", "I420", NULL
};

static inline gchar *
cascade_check_caps_str (const gchar * format, gint width, gint height)
{
  return g_strdup_printf ("video/x-raw, format=%s, width=%d, height=%d, "
      "framerate=30/1", format, width, height);
}

static inline void
cascade_check_info (GstVideoInfo * info, const gchar * format, gint width,
    gint height)
{
  gst_video_info_init (info);
  fail_unless (gst_video_info_set_format (info,
          gst_video_format_from_string (format), width, height));
}

/* BT.601 limited range, as cascadeoverlay converts for caps without
 * colorimetry on formats like these */
static inline void
cascade_check_rgb_to_yuv (const GstVideoInfo * info, guint8 r, guint8 g,
    guint8 b, guint8 * y, guint8 * u, guint8 * v)
{
  gdouble kr, kb, yf, pb, pr;
  gboolean full = info->colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255;

  if (!gst_video_color_matrix_get_Kr_Kb (info->colorimetry.matrix, &kr, &kb)) {
    kr = 0.299;
    kb = 0.114;
  }
  yf = kr * r / 255.0 + (1 - kr - kb) * g / 255.0 + kb * b / 255.0;
  pb = (b / 255.0 - yf) / (2 * (1 - kb));
  pr = (r / 255.0 - yf) / (2 * (1 - kr));
  *y = (guint8) CLAMP (lrint ((full ? 0 : 16) + (full ? 255 : 219) * yf), 0,
      255);
  *u = (guint8) CLAMP (lrint (128 + (full ? 255 : 224) * pb), 0, 255);
  *v = (guint8) CLAMP (lrint (128 + (full ? 255 : 224) * pr), 0, 255);
}

/* A frame of one colour; x/A bytes of 4-byte formats get 0x5a, so that a
 * test can tell whether they were touched. */
static inline GstBuffer *
cascade_check_frame_new (const GstVideoInfo * info, guint8 r, guint8 g,
    guint8 b)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, info->size, NULL);
  GstVideoFrame frame;
  const GstVideoFormatInfo *finfo = info->finfo;
  gint x, y;

  gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_INFO_FORMAT (info), GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info), GST_VIDEO_INFO_N_PLANES (info),
      (gsize *) info->offset, (gint *) info->stride);
  fail_unless (gst_video_frame_map (&frame, info, buf, GST_MAP_WRITE));
  if (GST_VIDEO_FORMAT_INFO_IS_YUV (finfo)) {
    guint8 yy, uu, vv;
    gint p;

    cascade_check_rgb_to_yuv (info, r, g, b, &yy, &uu, &vv);
    for (p = 0; p < (gint) GST_VIDEO_FRAME_N_PLANES (&frame); p++)
      memset (GST_VIDEO_FRAME_PLANE_DATA (&frame, p), 0,
          (gsize) GST_VIDEO_FRAME_PLANE_STRIDE (&frame, p) *
          GST_VIDEO_FRAME_COMP_HEIGHT (&frame, p == 0 ? 0 : 1));
    for (y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT (&frame, 0); y++)
      memset ((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame, 0) +
          y * GST_VIDEO_FRAME_COMP_STRIDE (&frame, 0), yy,
          GST_VIDEO_FRAME_COMP_WIDTH (&frame, 0));
    for (y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT (&frame, 1); y++) {
      for (x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH (&frame, 1); x++) {
        guint8 *pu = (guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame, 1) +
            y * GST_VIDEO_FRAME_COMP_STRIDE (&frame, 1) +
            x * GST_VIDEO_FRAME_COMP_PSTRIDE (&frame, 1);
        guint8 *pv = (guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame, 2) +
            y * GST_VIDEO_FRAME_COMP_STRIDE (&frame, 2) +
            x * GST_VIDEO_FRAME_COMP_PSTRIDE (&frame, 2);
        *pu = uu;
        *pv = vv;
      }
    }
  } else {
    guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (&frame, 0);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
    gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (&frame, 0);

    memset (data, 0, (gsize) stride * GST_VIDEO_FRAME_HEIGHT (&frame));
    for (y = 0; y < GST_VIDEO_FRAME_HEIGHT (&frame); y++) {
      for (x = 0; x < GST_VIDEO_FRAME_WIDTH (&frame); x++) {
        guint8 *px = data + y * stride + x * ps;
        if (ps == 4)
          memset (px, 0x5a, 4);
        px[GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_R)] = r;
        px[GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_G)] = g;
        px[GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_B)] = b;
      }
    }
  }
  gst_video_frame_unmap (&frame);
  return buf;
}

/* Which pixels differ between two frames.  Packed RGB: a pixel whose R, G
 * or B byte differs (*untouched_ok is cleared when an x/A byte changed).
 * YUV: `luma` gets the changed Y samples, `chroma` (chroma-sized) the
 * changed U/V samples.  The maps are g_malloc'ed, 1 byte per sample. */
static inline void
cascade_check_diff (const GstVideoInfo * info, GstBuffer * a, GstBuffer * b,
    guint8 ** luma, guint8 ** chroma, gboolean * untouched_ok)
{
  GstVideoFrame fa, fb;
  const GstVideoFormatInfo *finfo = info->finfo;
  gint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);
  gint x, y, c;

  fail_unless (gst_video_frame_map (&fa, info, a, GST_MAP_READ));
  fail_unless (gst_video_frame_map (&fb, info, b, GST_MAP_READ));
  *luma = g_malloc0 ((gsize) w * h);
  *chroma = NULL;
  *untouched_ok = TRUE;

  if (GST_VIDEO_FORMAT_INFO_IS_YUV (finfo)) {
    gint cw = GST_VIDEO_FRAME_COMP_WIDTH (&fa, 1);
    gint ch = GST_VIDEO_FRAME_COMP_HEIGHT (&fa, 1);

    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++)
        (*luma)[y * w + x] =
            ((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&fa, 0))[y *
            GST_VIDEO_FRAME_COMP_STRIDE (&fa, 0) + x] !=
            ((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&fb, 0))[y *
            GST_VIDEO_FRAME_COMP_STRIDE (&fb, 0) + x];
    *chroma = g_malloc0 ((gsize) cw * ch);
    for (c = 1; c <= 2; c++)
      for (y = 0; y < ch; y++)
        for (x = 0; x < cw; x++) {
          gsize oa = y * GST_VIDEO_FRAME_COMP_STRIDE (&fa, c) +
              x * GST_VIDEO_FRAME_COMP_PSTRIDE (&fa, c);
          gsize ob = y * GST_VIDEO_FRAME_COMP_STRIDE (&fb, c) +
              x * GST_VIDEO_FRAME_COMP_PSTRIDE (&fb, c);
          if (((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&fa, c))[oa] !=
              ((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&fb, c))[ob])
            (*chroma)[y * cw + x] = 1;
        }
  } else {
    gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (&fa, 0);
    gint sa = GST_VIDEO_FRAME_PLANE_STRIDE (&fa, 0);
    gint sb = GST_VIDEO_FRAME_PLANE_STRIDE (&fb, 0);
    const guint8 *da = GST_VIDEO_FRAME_PLANE_DATA (&fa, 0);
    const guint8 *db = GST_VIDEO_FRAME_PLANE_DATA (&fb, 0);
    gint offs[3] = {
      GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_R),
      GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_G),
      GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_B)
    };

    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++) {
        const guint8 *pa = da + y * sa + x * ps, *pb = db + y * sb + x * ps;
        gint k;
        for (k = 0; k < ps; k++) {
          gboolean colour = k == offs[0] || k == offs[1] || k == offs[2];
          if (pa[k] != pb[k]) {
            if (colour)
              (*luma)[y * w + x] = 1;
            else
              *untouched_ok = FALSE;
          }
        }
      }
  }
  gst_video_frame_unmap (&fa);
  gst_video_frame_unmap (&fb);
}

/* The chroma samples whose 2x2 luma block has a set pixel. */
static inline guint8 *
cascade_check_chroma_of (const guint8 * luma, gint w, gint h)
{
  gint cw = (w + 1) / 2, ch = (h + 1) / 2, x, y;
  guint8 *c = g_malloc0 ((gsize) cw * ch);

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      if (luma[y * w + x])
        c[(y / 2) * cw + x / 2] = 1;
  return c;
}

/* Asserts two w x h maps are equal, printing the first difference. */
static inline void
cascade_check_assert_maps (const gchar * what, const guint8 * got,
    const guint8 * want, gint w, gint h)
{
  gint x, y, n_diff = 0, fx = -1, fy = -1;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      if (!got[y * w + x] != !want[y * w + x]) {
        if (n_diff++ == 0) {
          fx = x;
          fy = y;
        }
      }
  fail_unless (n_diff == 0, "%s: %d samples differ, first at (%d, %d): "
      "got %d want %d", what, n_diff, fx, fy, fx >= 0 ? got[fy * w + fx] : 0,
      fx >= 0 ? want[fy * w + fx] : 0);
}

/* the test data directory (tests/data), or NULL */
static inline const gchar *
cascade_check_data_dir (void)
{
  return g_getenv ("CASCADE_TEST_DATA");
}

/* tests/data/fixtures/<rel> (g_free it); a missing fixture aborts the
 * test.  CASCADE_CHECK_NO_MODEL=1 hides the fixtures (returns NULL): the valgrind setup sets it,
 * because the OpenCL compiler (PoCL's LLVM) runs for many minutes under
 * valgrind; the engine's memory is checked by its own tests and the ASan
 * build. */
static inline gchar *
cascade_check_fixture (const gchar * rel)
{
  const gchar *dir = cascade_check_data_dir ();
  gchar *path;

  if (g_strcmp0 (g_getenv ("CASCADE_CHECK_NO_MODEL"), "1") == 0)
    return NULL;
  /* the fixtures are committed: without them the model tests would pass
   * without checking anything, so their absence is a failure */
  if (!dir)
    g_error ("CASCADE_TEST_DATA is not set: cannot find the test model");
  path = g_build_filename (dir, "fixtures", rel, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_error ("test fixture %s is missing", path);
  return path;
}
