/* gst-cascade tests: frame validation, resize rule, and the preprocessing
 * kernel (format conversion + cv2 INTER_LINEAR resize + normalisation +
 * padding) against a plain-C reference and against fixtures made by
 * cv2.resize itself (tests/data/gen_preprocess.py). */
#include "testutil.h"
#include "ops/preprocess.h"

#include <float.h>
#include <string.h>

static CascadeCtx *ctx;
static CascadeArena *arena;

static const CascadeNormalize pytorch_norm = {
  {123.675f, 116.28f, 103.53f}, {58.395f, 57.12f, 57.375f}, TRUE
};

static const CascadeNormalize caffe_norm = {
  {103.53f, 116.28f, 123.675f}, {1.0f, 1.0f, 1.0f}, FALSE
};

/* ---- a host frame in any format, with its own padded strides ---- */

typedef struct
{
  CascadeFrame f;
  guint8 *mem[3];
} HostFrame;

static gsize
row_bytes (CascadePixelFormat fmt, guint w, guint plane)
{
  switch (fmt) {
    case CASCADE_FORMAT_RGB:
    case CASCADE_FORMAT_BGR:
      return (gsize) w * 3;
    case CASCADE_FORMAT_NV12:
      return plane == 0 ? w : (gsize) (w + 1) / 2 * 2;
    case CASCADE_FORMAT_I420:
      return plane == 0 ? w : (gsize) (w + 1) / 2;
    default:
      return (gsize) w * 4;
  }
}

static guint
n_planes (CascadePixelFormat fmt)
{
  return fmt == CASCADE_FORMAT_NV12 ? 2 : fmt == CASCADE_FORMAT_I420 ? 3 : 1;
}

/* random bytes everywhere (padding and x/alpha bytes too); stride = row
 * bytes + extra */
static HostFrame
host_frame_random (GRand * r, CascadePixelFormat fmt, guint w, guint h,
    gsize extra)
{
  HostFrame hf;
  guint p;
  memset (&hf, 0, sizeof (hf));
  hf.f.format = fmt;
  hf.f.width = w;
  hf.f.height = h;
  for (p = 0; p < n_planes (fmt); p++) {
    guint rows = p == 0 ? h : (h + 1) / 2;
    gsize stride = row_bytes (fmt, w, p) + extra, i;
    hf.mem[p] = g_malloc (stride * rows);
    for (i = 0; i < stride * rows; i++)
      hf.mem[p][i] = (guint8) g_rand_int_range (r, 0, 256);
    hf.f.planes[p] = hf.mem[p];
    hf.f.strides[p] = stride;
  }
  return hf;
}

static void
host_frame_free (HostFrame * hf)
{
  guint p;
  for (p = 0; p < 3; p++)
    g_free (hf->mem[p]);
}

/* ---- plain-C reference ---- */

/* BT.601 limited range, written from the definition: Kr = 0.299,
 * Kb = 0.114, Y in [16, 235], Cb/Cr in [16, 240], coefficients in 20-bit
 * fixed point, round half up, clamp */
static gint yuv_k[5];

static void
yuv_init (void)
{
  const gdouble kr = 0.299, kb = 0.114, kg = 1.0 - kr - kb;
  const gdouble ys = 255.0 / 219.0, cs = 255.0 / 224.0;
  const gdouble k[5] = { ys, 2 * (1 - kr) * cs, -2 * kb * (1 - kb) / kg * cs,
    -2 * kr * (1 - kr) / kg * cs, 2 * (1 - kb) * cs
  };
  guint i;
  for (i = 0; i < 5; i++)
    yuv_k[i] = (gint) lround (k[i] * (1 << 20));
}

static guint8
yuv_clamp (gint64 v)
{
  v = (v + (1 << 19)) >> 20;
  return (guint8) CLAMP (v, 0, 255);
}

static void
yuv_to_bgr (gint y, gint u, gint v, guint8 bgr[3])
{
  gint64 yy = (gint64) (y - 16) * yuv_k[0];
  u -= 128;
  v -= 128;
  bgr[0] = yuv_clamp (yy + (gint64) yuv_k[4] * u);
  bgr[1] = yuv_clamp (yy + (gint64) yuv_k[2] * u + (gint64) yuv_k[3] * v);
  bgr[2] = yuv_clamp (yy + (gint64) yuv_k[1] * v);
}

static void
ref_pixel (const CascadeFrame * f, guint x, guint y, guint8 bgr[3])
{
  const guint8 *p;
  switch (f->format) {
    case CASCADE_FORMAT_NV12:{
      const guint8 *c = f->planes[1] + (y / 2) * f->strides[1] + (x / 2) * 2;
      yuv_to_bgr (f->planes[0][y * f->strides[0] + x], c[0], c[1], bgr);
      return;
    }
    case CASCADE_FORMAT_I420:
      yuv_to_bgr (f->planes[0][y * f->strides[0] + x],
          f->planes[1][(y / 2) * f->strides[1] + x / 2],
          f->planes[2][(y / 2) * f->strides[2] + x / 2], bgr);
      return;
    default:
      break;
  }
  p = f->planes[0] + y * f->strides[0];
  switch (f->format) {
    case CASCADE_FORMAT_RGB:
      p += x * 3;
      bgr[0] = p[2], bgr[1] = p[1], bgr[2] = p[0];
      break;
    case CASCADE_FORMAT_BGR:
      p += x * 3;
      bgr[0] = p[0], bgr[1] = p[1], bgr[2] = p[2];
      break;
    case CASCADE_FORMAT_RGBx:
    case CASCADE_FORMAT_RGBA:
      p += x * 4;
      bgr[0] = p[2], bgr[1] = p[1], bgr[2] = p[0];
      break;
    case CASCADE_FORMAT_BGRx:
    case CASCADE_FORMAT_BGRA:
      p += x * 4;
      bgr[0] = p[0], bgr[1] = p[1], bgr[2] = p[2];
      break;
    case CASCADE_FORMAT_xRGB:
    case CASCADE_FORMAT_ARGB:
      p += x * 4;
      bgr[0] = p[3], bgr[1] = p[2], bgr[2] = p[1];
      break;
    case CASCADE_FORMAT_xBGR:
    case CASCADE_FORMAT_ABGR:
      p += x * 4;
      bgr[0] = p[1], bgr[1] = p[2], bgr[2] = p[3];
      break;
    default:
      g_assert_not_reached ();
  }
}

/* the frame as a w x h x 3 BGR image */
static guint8 *
ref_bgr_image (const CascadeFrame * f)
{
  guint8 *img = g_malloc ((gsize) f->width * f->height * 3);
  guint x, y;
  for (y = 0; y < f->height; y++)
    for (x = 0; x < f->width; x++)
      ref_pixel (f, x, y, img + ((gsize) y * f->width + x) * 3);
  return img;
}

/* OpenCV's cv::resize for CV_8UC3, INTER_LINEAR (resize.cpp):
 * inv_scale = dst / src, scale = 1 / inv_scale; per output coordinate
 * f = (float) ((d + 0.5) * scale - 0.5), s = floor (f), f -= s; columns with
 * s < 0 or s >= src - 1 take the edge pixel with f = 0; rows are clamped
 * with their f kept; weights saturate_cast<short> (w * 2048) (round to
 * even); horizontal sums in int, vertical
 * ((b0 * (S0 >> 4)) >> 16) + ((b1 * (S1 >> 4)) >> 16) + 2 >> 2.
 * Scale 2 in both directions: INTER_AREA, (sum of 2x2 + 2) >> 2.
 * Same size: a copy.  Output [3, dh, dw]. */
static void
ref_resize (const guint8 * img, guint sw, guint sh, guint dw, guint dh,
    guint8 * out)
{
  gdouble isx = (gdouble) dw / sw, isy = (gdouble) dh / sh;
  gdouble scx = 1.0 / isx, scy = 1.0 / isy;
  gint *xs = g_new (gint, dw), *ys = g_new (gint, dh);
  gint *xa = g_new (gint, 2 * dw), *yb = g_new (gint, 2 * dh);
  guint x, y, c;

  if (dw == sw && dh == sh) {
    for (y = 0; y < dh; y++)
      for (x = 0; x < dw; x++)
        for (c = 0; c < 3; c++)
          out[((gsize) c * dh + y) * dw + x] = img[((gsize) y * sw + x) * 3 +
              c];
    goto done;
  }
  if (fabs (scx - 2.0) < DBL_EPSILON && fabs (scy - 2.0) < DBL_EPSILON) {
    for (y = 0; y < dh; y++)
      for (x = 0; x < dw; x++)
        for (c = 0; c < 3; c++) {
          const guint8 *p = img + ((gsize) 2 * y * sw + 2 * x) * 3 + c;
          gint s = p[0] + p[3] + p[sw * 3] + p[sw * 3 + 3];
          out[((gsize) c * dh + y) * dw + x] = (guint8) ((s + 2) >> 2);
        }
    goto done;
  }
  for (x = 0; x < dw; x++) {
    gfloat f = (gfloat) ((x + 0.5) * scx - 0.5);
    gint s = (gint) floorf (f);
    f -= s;
    if (s < 0) {
      s = 0;
      f = 0;
    }
    if (s >= (gint) sw - 1) {
      s = sw - 1;
      f = 0;
    }
    xs[x] = s;
    xa[2 * x] = (gint) rintf ((1.0f - f) * 2048.0f);
    xa[2 * x + 1] = (gint) rintf (f * 2048.0f);
  }
  for (y = 0; y < dh; y++) {
    gfloat f = (gfloat) ((y + 0.5) * scy - 0.5);
    gint s = (gint) floorf (f);
    f -= s;
    ys[y] = s;
    yb[2 * y] = (gint) rintf ((1.0f - f) * 2048.0f);
    yb[2 * y + 1] = (gint) rintf (f * 2048.0f);
  }
  for (y = 0; y < dh; y++) {
    gint r0 = CLAMP (ys[y], 0, (gint) sh - 1);
    gint r1 = CLAMP (ys[y] + 1, 0, (gint) sh - 1);
    for (x = 0; x < dw; x++) {
      gint x0 = xs[x], x1 = MIN (xs[x] + 1, (gint) sw - 1);
      for (c = 0; c < 3; c++) {
        const guint8 *a = img + (gsize) r0 * sw * 3, *b =
            img + (gsize) r1 * sw * 3;
        gint s0 = a[x0 * 3 + c] * xa[2 * x] + a[x1 * 3 + c] * xa[2 * x + 1];
        gint s1 = b[x0 * 3 + c] * xa[2 * x] + b[x1 * 3 + c] * xa[2 * x + 1];
        gint v = (((yb[2 * y] * (s0 >> 4)) >> 16) +
            ((yb[2 * y + 1] * (s1 >> 4)) >> 16) + 2) >> 2;
        out[((gsize) c * dh + y) * dw + x] = (guint8) v;
      }
    }
  }
done:
  g_free (xs);
  g_free (ys);
  g_free (xa);
  g_free (yb);
}

/* [1, 3, ph, pw] floats: (x - mean) / std in float, model channel order,
 * zero padding */
static gfloat *
ref_normalize (const guint8 * bgr_chw, guint dw, guint dh, guint pw, guint ph,
    const CascadeNormalize * n)
{
  gfloat *o = g_new0 (gfloat, (gsize) 3 * pw * ph);
  guint x, y, c;
  for (c = 0; c < 3; c++) {
    guint src = n->to_rgb ? 2 - c : c;
    for (y = 0; y < dh; y++)
      for (x = 0; x < dw; x++) {
        gfloat v = bgr_chw[((gsize) src * dh + y) * dw + x];
        gfloat d = v - n->mean[c];
        o[((gsize) c * ph + y) * pw + x] = d / n->std[c];
      }
  }
  return o;
}

/* ---- running the kernel ---- */

typedef struct
{
  guint8 *u8;                   /* [3, dst_h, dst_w] */
  gfloat *out;                  /* [1, 3, pad_h, pad_w] */
} DevResult;

/* with_u8 FALSE: no resized_u8 tensor (the pipeline's call) */
static DevResult
run_device (const CascadeFrame * f, const CascadeResizeInfo * info,
    const CascadeNormalize * n, gboolean with_u8)
{
  GError *err = NULL;
  CascadeTensor out, u8;
  DevResult r;
  gboolean ok;

  /* views with offsets into larger buffers, to check the offsets */
  g_assert_true (cascade_arena_tensor (arena, "test-out", &out,
          CASCADE_DTYPE_F32, 1, CASCADE_SHAPE (7 + 3 * (gsize) info->pad_h *
              info->pad_w), &err));
  g_assert_no_error (err);
  out.offset = 7;
  cascade_tensor_set_shape (&out, 4, CASCADE_SHAPE (1, 3, info->pad_h,
          info->pad_w));
  g_assert_true (cascade_arena_tensor (arena, "test-u8", &u8,
          CASCADE_DTYPE_U8, 1, CASCADE_SHAPE (5 + 3 * (gsize) info->dst_h *
              info->dst_w), &err));
  u8.offset = 5;
  cascade_tensor_set_shape (&u8, 3, CASCADE_SHAPE (3, info->dst_h,
          info->dst_w));
  ok = cascade_preprocess (ctx, arena, f, info, n, &out, with_u8 ? &u8 :
      NULL, &err);
  g_assert_no_error (err);
  g_assert_true (ok);
  r.out = cascade_tensor_download (ctx, &out, &err);
  g_assert_no_error (err);
  r.u8 = with_u8 ? cascade_tensor_download (ctx, &u8, &err) : NULL;
  g_assert_no_error (err);
  return r;
}

static void
assert_u8_equal (const gchar * what, const guint8 * got, const guint8 * want,
    guint dw, guint dh)
{
  gsize i, n = (gsize) 3 * dw * dh;
  for (i = 0; i < n; i++)
    if (got[i] != want[i]) {
      gsize c = i / ((gsize) dw * dh), y = i / dw % dh, x = i % dw;
      g_printerr ("%s: channel %" G_GSIZE_FORMAT " pixel (%" G_GSIZE_FORMAT
          ", %" G_GSIZE_FORMAT ") of %ux%u is %u, expected %u\n", what, c, x,
          y, dw, dh, got[i], want[i]);
      g_assert_not_reached ();
    }
}

/* the kernel against the reference for one frame and target size */
static void
check_frame (const gchar * what, const CascadeFrame * f, guint dw, guint dh,
    guint divisor, const CascadeNormalize * n)
{
  CascadeResizeInfo info;
  guint8 *img = ref_bgr_image (f), *want_u8 =
      g_malloc ((gsize) 3 * dw * dh);
  gfloat *want;
  DevResult r;

  memset (&info, 0, sizeof (info));
  info.src_w = f->width;
  info.src_h = f->height;
  info.dst_w = dw;
  info.dst_h = dh;
  info.pad_w = (dw + divisor - 1) / divisor * divisor;
  info.pad_h = (dh + divisor - 1) / divisor * divisor;
  info.scale_x = (gdouble) dw / f->width;
  info.scale_y = (gdouble) dh / f->height;

  ref_resize (img, f->width, f->height, dw, dh, want_u8);
  want = ref_normalize (want_u8, dw, dh, info.pad_w, info.pad_h, n);
  r = run_device (f, &info, n, TRUE);
  assert_u8_equal (what, r.u8, want_u8, dw, dh);
  test_assert_close (what, r.out, want, (gsize) 3 * info.pad_w * info.pad_h,
      1e-6, 0);
  g_free (r.u8);
  g_free (r.out);
  if (n == &caffe_norm) {
    /* the same without the u8 side output */
    r = run_device (f, &info, n, FALSE);
    test_assert_close (what, r.out, want, (gsize) 3 * info.pad_w *
        info.pad_h, 1e-6, 0);
    g_free (r.out);
  }
  g_free (want);
  g_free (want_u8);
  g_free (img);
}

/* ---- tests ---- */

static void
test_format_names (void)
{
  static const gchar *names[] = { "RGB", "BGR", "RGBx", "BGRx", "xRGB",
    "xBGR", "RGBA", "BGRA", "ARGB", "ABGR", "NV12", "I420"
  };
  guint i;
  g_assert_cmpuint (G_N_ELEMENTS (names), ==, CASCADE_FORMAT_LAST);
  for (i = 0; i < CASCADE_FORMAT_LAST; i++) {
    g_assert_cmpstr (cascade_pixel_format_name (i), ==, names[i]);
    g_assert_cmpint (cascade_pixel_format_from_name (names[i]), ==, i);
  }
  g_assert_null (cascade_pixel_format_name (CASCADE_FORMAT_LAST));
  g_assert_null (cascade_pixel_format_name ((CascadePixelFormat) - 1));
  g_assert_cmpint (cascade_pixel_format_from_name ("YUY2"), ==,
      CASCADE_FORMAT_LAST);
  g_assert_cmpint (cascade_pixel_format_from_name ("rgb"), ==,
      CASCADE_FORMAT_LAST);
  g_assert_cmpint (cascade_pixel_format_from_name (NULL), ==,
      CASCADE_FORMAT_LAST);
}

static void
test_resize_info (void)
{
  CascadeResizeInfo i;
  /* the reference images of mmdet-reference at (1333, 800) and (320, 192) */
  cascade_resize_info (640, 480, 1333, 800, 32, &i);
  g_assert_cmpuint (i.dst_w, ==, 1067);
  g_assert_cmpuint (i.dst_h, ==, 800);
  g_assert_cmpuint (i.pad_w, ==, 1088);
  g_assert_cmpuint (i.pad_h, ==, 800);
  g_assert_cmpfloat_with_epsilon (i.scale_x, 1.6671875, 1e-12);
  g_assert_cmpfloat_with_epsilon (i.scale_y, 800.0 / 480, 1e-12);
  cascade_resize_info (517, 333, 1333, 800, 32, &i);
  g_assert_cmpuint (i.dst_w, ==, 1242);
  g_assert_cmpuint (i.dst_h, ==, 800);
  g_assert_cmpuint (i.pad_w, ==, 1248);
  cascade_resize_info (480, 640, 320, 192, 32, &i);
  g_assert_cmpuint (i.dst_w, ==, 192);
  g_assert_cmpuint (i.dst_h, ==, 256);
  g_assert_cmpuint (i.pad_w, ==, 192);
  g_assert_cmpuint (i.pad_h, ==, 256);
  /* 1080p: 1333 / 1920 < 800 / 1080, so the long side decides */
  cascade_resize_info (1920, 1080, 1333, 800, 32, &i);
  g_assert_cmpuint (i.dst_w, ==, 1333);
  g_assert_cmpuint (i.dst_h, ==, 750);
  g_assert_cmpuint (i.pad_w, ==, 1344);
  g_assert_cmpuint (i.pad_h, ==, 768);
  /* the order of long/short does not matter */
  cascade_resize_info (1920, 1080, 800, 1333, 32, &i);
  g_assert_cmpuint (i.dst_w, ==, 1333);
  g_assert_cmpuint (i.dst_h, ==, 750);
  /* extreme aspect: never below one pixel; divisor 0 acts as 1 */
  cascade_resize_info (8192, 1, 1333, 800, 0, &i);
  g_assert_cmpuint (i.dst_w, ==, 1333);
  g_assert_cmpuint (i.dst_h, ==, 1);
  g_assert_cmpuint (i.pad_h, ==, 1);
  /* int (w * s + 0.5) in double: 3x5 at (7, 4): s = min (7/5, 4/3) */
  cascade_resize_info (3, 5, 7, 4, 1, &i);
  g_assert_cmpuint (i.dst_w, ==, (guint) (3 * (4.0 / 3) + 0.5));
  g_assert_cmpuint (i.dst_h, ==, (guint) (5 * (4.0 / 3) + 0.5));
}

static void
expect_invalid (const CascadeFrame * f, gint code, const gchar * needle)
{
  GError *err = NULL;
  g_assert_false (cascade_frame_validate (f, &err));
  g_assert_error (err, CASCADE_ERROR, code);
  if (!strstr (err->message, needle)) {
    g_printerr ("message \"%s\" lacks \"%s\"\n", err->message, needle);
    g_assert_not_reached ();
  }
  g_clear_error (&err);
}

static void
test_validate (void)
{
  static guint8 pix[64 * 64 * 4];
  GError *err = NULL;
  CascadeFrame f = { CASCADE_FORMAT_BGRx, 16, 8, {pix, NULL, NULL}, {64, 0,
          0}
  };
  CascadeFrame g;

  g_assert_true (cascade_frame_validate (&f, &err));
  g_assert_no_error (err);
  g_assert_false (cascade_frame_validate (NULL, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);

  g = f, g.width = 0;
  expect_invalid (&g, CASCADE_ERROR_INVALID_ARG, "0x8");
  g = f, g.height = 0;
  expect_invalid (&g, CASCADE_ERROR_INVALID_ARG, "out of range");
  g = f, g.width = 8193, g.strides[0] = 8193 * 4;
  expect_invalid (&g, CASCADE_ERROR_INVALID_ARG, "8193x8");
  g = f, g.height = 8193;
  expect_invalid (&g, CASCADE_ERROR_INVALID_ARG, "out of range");
  g = f, g.strides[0] = 63;
  expect_invalid (&g, CASCADE_ERROR_INVALID_ARG, "stride 63");
  g = f, g.planes[0] = NULL;
  expect_invalid (&g, CASCADE_ERROR_INVALID_ARG, "plane 0 is NULL");
  g = f, g.format = CASCADE_FORMAT_LAST;
  expect_invalid (&g, CASCADE_ERROR_UNSUPPORTED, "unsupported");
  g = f, g.format = (CascadePixelFormat) - 3;
  expect_invalid (&g, CASCADE_ERROR_UNSUPPORTED, "unsupported");
  g = f, g.format = CASCADE_FORMAT_BGR, g.strides[0] = 47;
  expect_invalid (&g, CASCADE_ERROR_INVALID_ARG, "48 bytes");
  g = f, g.format = CASCADE_FORMAT_BGR, g.strides[0] = 48;
  g_assert_true (cascade_frame_validate (&g, &err));
  /* a stride so large that offsets overflow */
  g = f, g.strides[0] = G_MAXSIZE / 2;
  expect_invalid (&g, CASCADE_ERROR_INVALID_ARG, "too large");

  /* NV12: odd width 15 -> chroma rows of 16 bytes */
  g = f, g.format = CASCADE_FORMAT_NV12, g.width = 15;
  g.strides[0] = 15;
  g.planes[1] = pix;
  g.strides[1] = 16;
  g_assert_true (cascade_frame_validate (&g, &err));
  g_assert_no_error (err);
  g.strides[1] = 15;
  expect_invalid (&g, CASCADE_ERROR_INVALID_ARG, "plane 1");
  g.strides[1] = 16, g.planes[1] = NULL;
  expect_invalid (&g, CASCADE_ERROR_INVALID_ARG, "plane 1 is NULL");
  g.planes[1] = pix, g.strides[0] = 14;
  expect_invalid (&g, CASCADE_ERROR_INVALID_ARG, "stride 14");

  /* I420: 15 wide -> chroma 8 */
  g = f, g.format = CASCADE_FORMAT_I420, g.width = 15;
  g.strides[0] = 15;
  g.planes[1] = g.planes[2] = pix;
  g.strides[1] = g.strides[2] = 8;
  g_assert_true (cascade_frame_validate (&g, &err));
  g.strides[2] = 7;
  expect_invalid (&g, CASCADE_ERROR_INVALID_ARG, "plane 2");
  g.strides[2] = 8, g.planes[2] = NULL;
  expect_invalid (&g, CASCADE_ERROR_INVALID_ARG, "plane 2 is NULL");

  /* cascade_preprocess refuses bad frames, mismatched info and tensors */
  {
    CascadeResizeInfo info;
    CascadeTensor out, small;
    cascade_resize_info (16, 8, 20, 10, 4, &info);
    g_assert_true (cascade_arena_tensor (arena, "v-out", &out,
            CASCADE_DTYPE_F32, 4, CASCADE_SHAPE (1, 3, info.pad_h,
                info.pad_w), &err));
    g_assert_true (cascade_arena_tensor (arena, "v-small", &small,
            CASCADE_DTYPE_F32, 4, CASCADE_SHAPE (1, 3, info.pad_h - 1,
                info.pad_w), &err));
    g = f, g.width = 0;
    g_assert_false (cascade_preprocess (ctx, arena, &g, &info, &pytorch_norm,
            &out, NULL, &err));
    g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
    g_clear_error (&err);
    g_assert_false (cascade_preprocess (ctx, arena, &f, &info, &pytorch_norm,
            &small, NULL, &err));
    g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
    g_assert_nonnull (strstr (err->message, "output"));
    g_clear_error (&err);
    g_assert_false (cascade_preprocess (ctx, arena, &f, &info, &pytorch_norm,
            &out, &out, &err));
    g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
    g_assert_nonnull (strstr (err->message, "resized_u8"));
    g_clear_error (&err);
    info.src_w = 17;
    g_assert_false (cascade_preprocess (ctx, arena, &f, &info, &pytorch_norm,
            &out, NULL, &err));
    g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
    g_assert_nonnull (strstr (err->message, "resize info"));
    g_clear_error (&err);
  }
}

/* the fixed-point YUV conversion is BT.601 limited range, rounded to
 * nearest: against the formula in double for every (Y, U, V) */
static void
test_yuv_formula (void)
{
  const gdouble kr = 0.299, kb = 0.114, kg = 1.0 - kr - kb;
  gint y, u, v, c, near_tie = 0;
  for (y = 0; y < 256; y++)
    for (u = 0; u < 256; u++)
      for (v = 0; v < 256; v++) {
        guint8 bgr[3];
        gdouble yy = (y - 16) * 255.0 / 219, uu = (u - 128) * 255.0 / 224,
            vv = (v - 128) * 255.0 / 224;
        gdouble want[3] = { yy + 2 * (1 - kb) * uu,
          yy - 2 * kb * (1 - kb) / kg * uu - 2 * kr * (1 - kr) / kg * vv,
          yy + 2 * (1 - kr) * vv
        };
        yuv_to_bgr (y, u, v, bgr);
        for (c = 0; c < 3; c++) {
          gdouble w = CLAMP (floor (want[c] + 0.5), 0, 255);
          if (bgr[c] != w) {
            /* only where the exact value is within the fixed-point error
             * (each coefficient off by <= 2^-21, on inputs summing to at
             * most 239 + 128 + 128) of a half */
            gdouble frac = want[c] - floor (want[c]);
            g_assert_cmpfloat (fabs (frac - 0.5), <, 495.0 / (1 << 21));
            g_assert_cmpfloat (fabs (bgr[c] - w), <=, 1);
            near_tie++;
          }
        }
      }
  /* 20-bit coefficients: about a thousand of 50 million values */
  g_assert_cmpint (near_tie, <, 2000);
  /* black, white, grey and saturated colours */
  {
    guint8 bgr[3];
    yuv_to_bgr (16, 128, 128, bgr);
    g_assert_cmpuint (bgr[0] + bgr[1] + bgr[2], ==, 0);
    yuv_to_bgr (235, 128, 128, bgr);
    g_assert_cmpuint (bgr[0] & bgr[1] & bgr[2], ==, 255);
    yuv_to_bgr (126, 128, 128, bgr);    /* 110 * 255 / 219 = 128.08 */
    g_assert_cmpuint (bgr[1], ==, 128);
    yuv_to_bgr (81, 90, 240, bgr);      /* BT.601 red: R = 254.4 */
    g_assert_cmpuint (bgr[2], ==, 254);
    g_assert_cmpuint (bgr[1], <=, 1);
    g_assert_cmpuint (bgr[0], <=, 1);
  }
}

/* every format, odd size, padded strides, up- and downscale */
static void
test_formats (void)
{
  GRand *r = g_rand_new_with_seed (11);
  guint fmt;
  for (fmt = 0; fmt < CASCADE_FORMAT_LAST; fmt++) {
    /* direct upload (small padding) and packed rows (large padding) */
    HostFrame a = host_frame_random (r, fmt, 37, 23, 3);
    HostFrame b = host_frame_random (r, fmt, 29, 41, 500);
    gchar *what = g_strdup_printf ("format %s",
        cascade_pixel_format_name (fmt));
    check_frame (what, &a.f, 53, 31, 32, &pytorch_norm);
    check_frame (what, &a.f, 13, 9, 1, &caffe_norm);
    check_frame (what, &b.f, 21, 67, 8, &pytorch_norm);
    g_free (what);
    host_frame_free (&a);
    host_frame_free (&b);
  }
  g_rand_free (r);
}

/* odd, tiny and extreme shapes, every resize path (linear, area 2x, copy) */
static void
test_sizes (void)
{
  static const guint cases[][4] = {
    {1, 1, 1, 1}, {1, 1, 5, 3}, {3, 5, 8, 13}, {3, 5, 2, 2}, {17, 13, 17, 13},
    {17, 13, 34, 26}, {34, 26, 17, 13}, {35, 26, 17, 13}, {17, 13, 5, 4},
    {16, 16, 1333, 800}, {641, 479, 1067, 797}, {641, 479, 256, 192},
    {1000, 20, 1333, 27}, {20, 1000, 27, 1333}, {1000, 20, 50, 1},
    {20, 1000, 1, 50}, {640, 480, 320, 240}, {2, 2, 1, 1}, {517, 333, 1241,
        800},
  };
  GRand *r = g_rand_new_with_seed (5);
  guint i;
  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    CascadePixelFormat fmt = i % 3 == 0 ? CASCADE_FORMAT_BGR :
        i % 3 == 1 ? CASCADE_FORMAT_BGRx : CASCADE_FORMAT_I420;
    HostFrame hf = host_frame_random (r, fmt, cases[i][0], cases[i][1],
        i % 2);
    gchar *what = g_strdup_printf ("%ux%u -> %ux%u %s", cases[i][0],
        cases[i][1], cases[i][2], cases[i][3],
        cascade_pixel_format_name (fmt));
    check_frame (what, &hf.f, cases[i][2], cases[i][3], 32, &pytorch_norm);
    g_free (what);
    host_frame_free (&hf);
  }
  g_rand_free (r);
}

/* the C reference and the kernel against cv2.resize itself */
static void
test_cv2_fixtures (void)
{
  const gchar *dir = g_getenv ("CASCADE_TEST_DATA");
  gchar *ini_path, **groups;
  GKeyFile *kf = g_key_file_new ();
  GError *err = NULL;
  guint i, n = 0;

  g_assert_nonnull (dir);
  ini_path = g_build_filename (dir, "preprocess", "cases.ini", NULL);
  g_assert_true (g_key_file_load_from_file (kf, ini_path, 0, &err));
  g_assert_no_error (err);
  groups = g_key_file_get_groups (kf, NULL);
  for (i = 0; groups[i]; i++) {
    const gchar *g = groups[i];
    guint sw, sh, dw, dh, ch;
    gchar *p, *src, *dst;
    gsize len;
    guint8 *want, *ref;
    CascadeFrame f;
    CascadeResizeInfo info;
    DevResult r;
    if (strcmp (g, "meta") == 0)
      continue;
    sw = g_key_file_get_integer (kf, g, "src_w", NULL);
    sh = g_key_file_get_integer (kf, g, "src_h", NULL);
    dw = g_key_file_get_integer (kf, g, "dst_w", NULL);
    dh = g_key_file_get_integer (kf, g, "dst_h", NULL);
    p = g_strdup_printf ("%s/preprocess/%s.src.u8", dir, g);
    g_assert_true (g_file_get_contents (p, &src, &len, &err));
    g_assert_cmpuint (len, ==, (gsize) sw * sh * 3);
    g_free (p);
    p = g_strdup_printf ("%s/preprocess/%s.dst.u8", dir, g);
    g_assert_true (g_file_get_contents (p, &dst, &len, &err));
    g_assert_cmpuint (len, ==, (gsize) dw * dh * 3);
    g_free (p);

    if (g_key_file_has_key (kf, g, "long", NULL)) {
      /* the size came from mmcv's rule: cascade_resize_info agrees */
      cascade_resize_info (sw, sh, g_key_file_get_integer (kf, g, "long",
              NULL), g_key_file_get_integer (kf, g, "short", NULL), 32,
          &info);
      g_assert_cmpuint (info.dst_w, ==, dw);
      g_assert_cmpuint (info.dst_h, ==, dh);
    } else {
      memset (&info, 0, sizeof (info));
      info.src_w = sw, info.src_h = sh, info.dst_w = dw, info.dst_h = dh;
      info.pad_w = dw + 3, info.pad_h = dh + 1;
    }
    /* cv2 gives HWC; we compare CHW */
    want = g_malloc ((gsize) 3 * dw * dh);
    for (ch = 0; ch < 3; ch++) {
      gsize k;
      for (k = 0; k < (gsize) dw * dh; k++)
        want[ch * dw * dh + k] = (guint8) dst[k * 3 + ch];
    }
    ref = g_malloc ((gsize) 3 * dw * dh);
    ref_resize ((const guint8 *) src, sw, sh, dw, dh, ref);
    assert_u8_equal (g, ref, want, dw, dh);

    memset (&f, 0, sizeof (f));
    f.format = CASCADE_FORMAT_BGR;
    f.width = sw;
    f.height = sh;
    f.planes[0] = (const guint8 *) src;
    f.strides[0] = (gsize) sw * 3;
    r = run_device (&f, &info, &pytorch_norm, TRUE);
    assert_u8_equal (g, r.u8, want, dw, dh);
    g_free (r.u8);
    g_free (r.out);
    g_free (ref);
    g_free (want);
    g_free (src);
    g_free (dst);
    n++;
  }
  g_assert_cmpuint (n, >=, 10);
  g_strfreev (groups);
  g_key_file_free (kf);
  g_free (ini_path);
}

/* a second frame of the same size allocates nothing */
static void
test_arena_reuse (void)
{
  GRand *r = g_rand_new_with_seed (3);
  HostFrame hf = host_frame_random (r, CASCADE_FORMAT_NV12, 45, 27, 0);
  CascadeArena *own = cascade_arena_new (ctx), *saved = arena;
  guint allocs;
  arena = own;
  check_frame ("reuse 1", &hf.f, 30, 18, 32, &pytorch_norm);
  allocs = cascade_arena_allocations (own);
  check_frame ("reuse 2", &hf.f, 30, 18, 32, &pytorch_norm);
  g_assert_cmpuint (cascade_arena_allocations (own), ==, allocs);
  arena = saved;
  cascade_arena_free (own);
  host_frame_free (&hf);
  g_rand_free (r);
}

/* rough timing of 1920x1080 BGRx -> 1333x750 (padded 1344x768) */
static void
test_timing (void)
{
  GRand *r = g_rand_new_with_seed (1);
  HostFrame hf = host_frame_random (r, CASCADE_FORMAT_BGRx, 1920, 1080, 0);
  CascadeResizeInfo info;
  CascadeTensor out;
  GError *err = NULL;
  gint64 t0;
  guint i, n = 3;

  cascade_resize_info (1920, 1080, 1333, 800, 32, &info);
  g_assert_true (cascade_arena_tensor (arena, "t-out", &out,
          CASCADE_DTYPE_F32, 4, CASCADE_SHAPE (1, 3, info.pad_h, info.pad_w),
          &err));
  g_assert_true (cascade_preprocess (ctx, arena, &hf.f, &info, &pytorch_norm,
          &out, NULL, &err));
  g_assert_true (cascade_ctx_finish (ctx, &err));
  t0 = g_get_monotonic_time ();
  for (i = 0; i < n; i++)
    g_assert_true (cascade_preprocess (ctx, arena, &hf.f, &info,
            &pytorch_norm, &out, NULL, &err));
  g_assert_true (cascade_ctx_finish (ctx, &err));
  g_assert_no_error (err);
  g_printerr ("preprocess 1920x1080 BGRx -> %ux%u (pad %ux%u): %.2f ms "
      "per frame (upload + kernel)\n", info.dst_w, info.dst_h, info.pad_w,
      info.pad_h, (g_get_monotonic_time () - t0) / 1000.0 / n);
  host_frame_free (&hf);
  g_rand_free (r);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  yuv_init ();
  g_test_add_func ("/preprocess/format-names", test_format_names);
  g_test_add_func ("/preprocess/resize-info", test_resize_info);
  g_test_add_func ("/preprocess/yuv-formula", test_yuv_formula);
  ctx = test_ctx ();
  arena = cascade_arena_new (ctx);
  g_test_add_func ("/preprocess/validate", test_validate);
  g_test_add_func ("/preprocess/formats", test_formats);
  g_test_add_func ("/preprocess/sizes", test_sizes);
  g_test_add_func ("/preprocess/cv2-fixtures", test_cv2_fixtures);
  g_test_add_func ("/preprocess/arena-reuse", test_arena_reuse);
  g_test_add_func ("/preprocess/timing", test_timing);
  ret = g_test_run ();
  cascade_arena_free (arena);
  cascade_ctx_free (ctx);
  return ret;
}
