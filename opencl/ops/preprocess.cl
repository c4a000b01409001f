/* gst-cascade: frame -> network input in one pass: pixel format conversion
 * to 8-bit BGR, cv2.resize INTER_LINEAR (OpenCV's 8-bit fixed-point path,
 * bit-exact), normalisation through a per-channel table, zero padding.
 *
 * Everything the kernel reads lives in one byte buffer (arena slot
 * "frame"), laid out by ops/preprocess.c:
 *   plane 0 at 0, plane 1 at off1, plane 2 at off2 (row strides s0..s2);
 *   at tab_off: int4 per output column {sx0, sx1, a0, a1} then int4 per
 *   output row {sy0, sy1, b0, b1} (source indices already clamped, weights
 *   in units of 1/2048 as OpenCV computes them);
 *   at lut_off: float[3][256], (v - mean[c]) / std[c] per output channel. */

#define KIND_PACKED 0
#define KIND_NV12 1
#define KIND_I420 2

/* BT.601 limited range -> RGB, coefficients * 2^20, rounded */
#define YUV_SHIFT 20
#define YUV_CY 1220945          /* 255 / 219 */
#define YUV_CRV 1673555         /* 1.402 * 255 / 224 */
#define YUV_CGU (-410793)       /* -0.202008 / 0.587 * 255 / 224 */
#define YUV_CGV (-852458)       /* -0.419198 / 0.587 * 255 / 224 */
#define YUV_CBU 2115221         /* 1.772 * 255 / 224 */

inline int
yuv_channel (int sum)
{
  /* round half up, clamp to 0..255 (clamp first: no shift of negatives) */
  return min (max (sum + (1 << (YUV_SHIFT - 1)), 0) >> YUV_SHIFT, 255);
}

/* the frame's pixel (x, y) as (B, G, R) */
inline int3
fetch_bgr (__global const uchar * buf, int kind, int bpp, int ob, int og,
    int orr, uint off1, uint off2, uint s0, uint s1, uint s2, int x, int y)
{
  int yv, u, v, cy;
  if (kind == KIND_PACKED) {
    __global const uchar *p = buf + (uint) y * s0 + (uint) (x * bpp);
    return (int3) (p[ob], p[og], p[orr]);
  }
  yv = ((int) buf[(uint) y * s0 + (uint) x] - 16) * YUV_CY;
  if (kind == KIND_NV12) {
    __global const uchar *c = buf + off1 + (uint) (y >> 1) * s1 +
        (uint) ((x >> 1) * 2);
    u = (int) c[0] - 128;
    v = (int) c[1] - 128;
  } else {
    u = (int) buf[off1 + (uint) (y >> 1) * s1 + (uint) (x >> 1)] - 128;
    v = (int) buf[off2 + (uint) (y >> 1) * s2 + (uint) (x >> 1)] - 128;
  }
  cy = yv;
  return (int3) (yuv_channel (cy + YUV_CBU * u),
      yuv_channel (cy + YUV_CGU * u + YUV_CGV * v),
      yuv_channel (cy + YUV_CRV * v));
}

/* One work-item per output pixel of the padded [1, 3, pad_h, pad_w] input.
 * mode 0: INTER_LINEAR through the tables; mode 1: exact 2x downscale,
 * which OpenCV runs as INTER_AREA: (a + b + c + d + 2) >> 2. */
__kernel void
cascade_preprocess (__global const uchar * buf, int kind, int bpp, int ob,
    int og, int orr, uint off1, uint off2, uint s0, uint s1, uint s2,
    uint tab_off, uint lut_off, int mode, int dst_w, int dst_h, int pad_w,
    int pad_h, int to_rgb, __global float *out, int out_off,
    __global uchar * u8, int u8_off, int write_u8)
{
  int ox = get_global_id (0), oy = get_global_id (1);
  int plane = pad_w * pad_h;
  int o = out_off + oy * pad_w + ox;
  int3 px;
  __global const float *lut;
  int c;

  if (ox >= pad_w || oy >= pad_h)
    return;
  if (ox >= dst_w || oy >= dst_h) {
    out[o] = 0.0f;
    out[o + plane] = 0.0f;
    out[o + 2 * plane] = 0.0f;
    return;
  }

  if (mode == 1) {
    int x = 2 * ox, y = 2 * oy;
    px = fetch_bgr (buf, kind, bpp, ob, og, orr, off1, off2, s0, s1, s2, x,
        y) + fetch_bgr (buf, kind, bpp, ob, og, orr, off1, off2, s0, s1, s2,
        x + 1, y) + fetch_bgr (buf, kind, bpp, ob, og, orr, off1, off2, s0,
        s1, s2, x, y + 1) + fetch_bgr (buf, kind, bpp, ob, og, orr, off1,
        off2, s0, s1, s2, x + 1, y + 1);
    px = (px + 2) >> 2;
  } else {
    __global const int *tab = (__global const int *) (buf + tab_off);
    int4 xt = vload4 (ox, tab), yt = vload4 (dst_w + oy, tab);
    /* horizontal pass at full int precision for the two source rows */
    int3 h0 = fetch_bgr (buf, kind, bpp, ob, og, orr, off1, off2, s0, s1,
        s2, xt.s0, yt.s0) * xt.s2 + fetch_bgr (buf, kind, bpp, ob, og, orr,
        off1, off2, s0, s1, s2, xt.s1, yt.s0) * xt.s3;
    int3 h1 = fetch_bgr (buf, kind, bpp, ob, og, orr, off1, off2, s0, s1,
        s2, xt.s0, yt.s1) * xt.s2 + fetch_bgr (buf, kind, bpp, ob, og, orr,
        off1, off2, s0, s1, s2, xt.s1, yt.s1) * xt.s3;
    /* OpenCV's vertical pass: ((b0 * (S0 >> 4)) >> 16) +
     * ((b1 * (S1 >> 4)) >> 16), then + 2 >> 2; all terms are >= 0 */
    px = ((((h0 >> 4) * yt.s2) >> 16) + (((h1 >> 4) * yt.s3) >> 16) + 2)
        >> 2;
  }

  if (write_u8) {
    int p = u8_off + oy * dst_w + ox, n = dst_w * dst_h;
    u8[p] = (uchar) px.s0;
    u8[p + n] = (uchar) px.s1;
    u8[p + 2 * n] = (uchar) px.s2;
  }

  lut = (__global const float *) (buf + lut_off);
  for (c = 0; c < 3; c++) {
    int src = to_rgb ? 2 - c : c;
    int v = src == 0 ? px.s0 : (src == 1 ? px.s1 : px.s2);
    out[o + c * plane] = lut[c * 256 + v];
  }
}
