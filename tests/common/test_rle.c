/* gst-cascade tests: COCO RLE (compressed string) encode/decode; no device.
 *
 * The expected strings were computed once, during development, with an
 * independent implementation (the Python rle.py of the mmdetection
 * reference vectors, which follows pycocotools' rleEncode/rleToString) on
 * the same masks, which are defined here by integer formulas; the two
 * "mmdet" strings are masks from mmdetection 3.3's output (pycocotools),
 * with their areas as that implementation decodes them. */
#include <glib.h>
#include <string.h>

#include "rle.h"

typedef gboolean (*PixelFunc) (guint x, guint y);

/* a height x width mask (row-major, stride = width + pad, pad bytes 0x55
 * to catch reads outside the row) from a predicate */
static guint8 *
make_mask (guint width, guint height, guint pad, PixelFunc f)
{
  gsize stride = width + pad;
  guint8 *m = g_malloc (MAX (stride * height, 1));
  guint x, y;
  memset (m, 0x55, MAX (stride * height, 1));
  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      m[y * stride + x] = f (x, y) ? 1 : 0;
  return m;
}

/* encodes, compares with the expected string, decodes back and compares
 * pixels; returns the number of foreground pixels */
static guint64
check_mask (const guint8 * m, guint width, guint height, gsize stride,
    const gchar * want)
{
  gchar *got = cascade_rle_encode (m, width, height, stride);
  guint8 *back = g_malloc (MAX ((gsize) width * height, 1));
  guint64 area = 0;
  guint x, y;
  if (want)
    g_assert_cmpstr (got, ==, want);
  memset (back, 7, MAX ((gsize) width * height, 1));
  g_assert_true (cascade_rle_decode (got, width, height, back));
  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++) {
      g_assert_cmpuint (back[(gsize) y * width + x], ==,
          m[y * stride + x] ? 1 : 0);
      area += back[(gsize) y * width + x];
    }
  g_free (back);
  g_free (got);
  return area;
}

static gboolean
pat_5x7 (guint x, guint y)
{
  return (x * 3 + y * 5) % 7 < 3;
}

static gboolean
pat_row (guint x, guint y)
{
  return x == 0 || x == 3 || x == 4 || x == 8;
}

static gboolean
pat_col (guint x, guint y)
{
  return pat_row (y, x);
}

static gboolean
pat_ellipse (guint x, guint y)
{
  gint dx = (gint) x - 300, dy = (gint) y - 200;
  return 4 * dx * dx + 9 * dy * dy < 4 * 150 * 150;
}

static gboolean
pat_long (guint x, guint y)
{
  return x >= 600 && x < 603 && y >= 10 && y < 12;
}

static gboolean
pat_corners (guint x, guint y)
{
  return (x == 0 || x == 4) && (y == 0 || y == 5);
}

static gboolean
pat_zero (guint x, guint y)
{
  return FALSE;
}

static gboolean
pat_one (guint x, guint y)
{
  return TRUE;
}

static void
test_known (void)
{
  static const struct
  {
    const gchar *name;
    guint width, height;
    PixelFunc f;
    const gchar *want;
    guint64 area;
  } cases[] = {
    {"1x1 zero", 1, 1, pat_zero, "1", 0},
    {"1x1 one", 1, 1, pat_one, "01", 1},
    {"empty 4x3", 4, 3, pat_zero, "<", 0},
    {"full 4x3", 4, 3, pat_one, "0<", 12},
    {"7x5 pattern", 7, 5, pat_5x7, "0120000001O01O000001O01", 15},
    {"9x1 row", 9, 1, pat_row, "01211O", 4},
    {"1x9 column", 1, 9, pat_col, "01211O", 4},
    {"5x6 corners", 5, 6, pat_corners, "0140>0B0", 4},
    /* runs of more than 2^20 zeros on both sides */
    {"1000x1100 long runs", 1000, 1100, pat_long, "ZaTd02ZR1000b^Z=", 6},
  };
  guint i;
  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    guint pad;
    for (pad = 0; pad < 3; pad += 2) {
      guint8 *m = make_mask (cases[i].width, cases[i].height, pad,
          cases[i].f);
      g_test_message ("%s pad %u", cases[i].name, pad);
      g_assert_cmpuint (check_mask (m, cases[i].width, cases[i].height,
              cases[i].width + pad, cases[i].want), ==, cases[i].area);
      g_free (m);
    }
  }
}

static void
test_ellipse (void)
{
  const gchar *want =
      "mnV2g0T>:H6J6J6K4K6K4L4M2M4L4M2M4M2N2M4M2N2N2M4M2N2N2N2N2N2N2N2O0O"
      "2N2N2N2N2O0O2N2N2O0O2N2N2O0O2N2O0O2O0O2N2O0O2O0O2O0O2O0O2O0O2O0O2O"
      "0O2O0O2O0O2O0O2O000O2O000O2O0O2O000O2O000O2O000O2O00000O2O000O2O00"
      "000O2O0000000O2O0000000O2O0000000O2O00000000000O2O0000000000000O2O"
      "000000000000000000000000000000000000000000000000000000000000000000"
      "000000000000000001N100000000000001N1000000000001N100000001N1000000"
      "01N100000001N1000001N10001N1000001N10001N10001N10001N101N10001N100"
      "01N101N101N101N101N101N101N101N101N101N101N2N101N101N2N101N2N2N101"
      "N2N2N101N2N2N2N2N101N2N2N2N2N2N2N2N3L3N2N2N3L3N2N3L3N3L4L3N3L4L5J5"
      "L5J6J6J8FXlh2";
  guint8 *m = make_mask (640, 480, 5, pat_ellipse);
  g_assert_cmpuint (check_mask (m, 640, 480, 645, want), ==, 47089);
  g_free (m);
}

/* strings that pycocotools wrote for mmdetection's masks of a 480x640
 * frame: decoding and encoding again gives the same string */
static void
test_mmdet_strings (void)
{
  static const struct
  {
    const gchar *counts;
    guint64 area;
  } cases[] = {
    {"aic411010Ob00DQ>OoAN000M010O010O00o=0RB`00AO20NR>OnA10O0121N10M05R"
          ">KnA010O12:NHR>MnA10O010O11OO0106Y>IjA0N073e=MTB7OL0N1OO:Q>FZB0F0O"
          "01000O3Q>1oAL030N0O0;Q>IoAL03000M18P>HbB0]O012m=NSBn0\\>ROPB0g=h0lA"
          "ZOR>NnA10O11O40K70k=0RB000L10O0070g=0UBc03^Oh=O_B0C10OY>0iAe0N\\O20"
          "_>8_AIn=NSBm0l=SOVBl0Yk]4", 450},
    {"Un^3110m=0hB0\\O0O010O1l=0ZBO20I0O10O42g=NS10bA0C0T>1QBOI001O00O10O"
          "0Rm00lA5jAKX>1lN0UBOi>1VA0k?0QN0Q10Q10nM0Q10P?1o@0P?0^RONV>2jANV>0"
          ">3UAM10\\>3cAM10\\>0`A0l>3VA1OL20X>3gAONN10_>0>2SA40J20X>3eA10L10_>0"
          "`A1l0OQ=<SBD30N0W>a0hA_O[>0eA424NI0O10O010O0m=c0TB]OO010R>c0nA]OO0"
          "10R>1PB053HL015Oi=3RBM77IJ0O00kYZ5", 274},
  };
  guint i;
  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    guint8 *m = g_malloc (640 * 480);
    guint64 area = 0;
    gsize j;
    g_assert_true (cascade_rle_decode (cases[i].counts, 640, 480, m));
    for (j = 0; j < 640 * 480; j++) {
      g_assert_cmpuint (m[j], <=, 1);
      area += m[j];
    }
    g_assert_cmpuint (area, ==, cases[i].area);
    g_assert_cmpuint (check_mask (m, 640, 480, 640, cases[i].counts), ==,
        cases[i].area);
    g_free (m);
  }
}

/* random masks of odd sizes, pixel noise or long runs, any non-zero byte
 * as foreground, padded rows: decode (encode (m)) == m */
static void
test_random_round_trip (void)
{
  GRand *r = g_rand_new_with_seed (1234);
  guint iter;
  for (iter = 0; iter < 300; iter++) {
    guint width = g_rand_int_range (r, 1, iter < 200 ? 40 : 300);
    guint height = g_rand_int_range (r, 1, iter < 200 ? 40 : 300);
    guint pad = g_rand_int_range (r, 0, 4);
    gsize stride = width + pad;
    guint8 *m = g_malloc (stride * height);
    gint density = g_rand_int_range (r, 0, 101);
    gboolean runs = g_rand_boolean (r);
    guint8 cur = 0;
    guint64 area = 0, got;
    guint x, y;
    for (x = 0; x < width; x++)
      for (y = 0; y < height; y++) {
        if (runs) {
          /* long runs: flip rarely */
          if (g_rand_int_range (r, 0, 100) < 3)
            cur ^= 1;
        } else {
          cur = g_rand_int_range (r, 0, 100) < density;
        }
        /* any non-zero byte is foreground */
        m[y * stride + x] = cur ? (guint8) g_rand_int_range (r, 1, 256) : 0;
        area += cur;
      }
    for (y = 0; y < height; y++)
      for (x = width; x < stride; x++)
        m[y * stride + x] = 0xff;
    got = check_mask (m, width, height, stride, NULL);
    g_assert_cmpuint (got, ==, area);
    g_free (m);
  }
  g_rand_free (r);
}

static void
test_zero_size (void)
{
  gchar *s = cascade_rle_encode (NULL, 0, 5, 0);
  guint8 dummy = 3;
  g_assert_cmpstr (s, ==, "0");
  g_assert_true (cascade_rle_decode (s, 0, 5, &dummy));
  g_assert_cmpuint (dummy, ==, 3);
  g_free (s);
  s = cascade_rle_encode (NULL, 7, 0, 7);
  g_assert_cmpstr (s, ==, "0");
  g_free (s);
}

static void
test_malformed (void)
{
  guint8 m[12];
  /* valid reference: a full 4x3 mask */
  g_assert_true (cascade_rle_decode ("0<", 4, 3, m));
  g_assert_cmpuint (m[0] + m[5] + m[11], ==, 3);
  g_assert_false (cascade_rle_decode (NULL, 4, 3, m));
  g_assert_false (cascade_rle_decode ("", 4, 3, m));
  /* too few / too many pixels */
  g_assert_false (cascade_rle_decode ("0;", 4, 3, m));
  g_assert_false (cascade_rle_decode ("0=", 4, 3, m));
  g_assert_false (cascade_rle_decode ("0<1", 4, 3, m));
  /* characters outside '0'..'o' */
  g_assert_false (cascade_rle_decode ("0 <", 4, 3, m));
  g_assert_false (cascade_rle_decode ("0p", 4, 3, m));
  g_assert_false (cascade_rle_decode ("0\x7f", 4, 3, m));
  /* a value whose continuation bit is set at the end of the string */
  g_assert_false (cascade_rle_decode ("0P", 4, 3, m));
  /* negative count: 'O' is -1 on its own */
  g_assert_false (cascade_rle_decode ("O=", 4, 3, m));
  /* absurdly long value */
  g_assert_false (cascade_rle_decode ("PPPPPPPPPPPPPPPP0", 4, 3, m));
  /* a delta that makes the count negative: 4, 4, 4 then -5 + 4 */
  g_assert_false (cascade_rle_decode ("444K", 4, 3, m));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rle/known", test_known);
  g_test_add_func ("/rle/ellipse", test_ellipse);
  g_test_add_func ("/rle/mmdet-strings", test_mmdet_strings);
  g_test_add_func ("/rle/random-round-trip", test_random_round_trip);
  g_test_add_func ("/rle/zero-size", test_zero_size);
  g_test_add_func ("/rle/malformed", test_malformed);
  return g_test_run ();
}
