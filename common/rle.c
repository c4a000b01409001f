/* gst-cascade: COCO run-length encoding of binary masks, the compressed
 * string form of pycocotools (rleEncode + rleToString, rleFrString +
 * rleDecode), written from the published algorithm.
 *
 * A mask is read in column-major order (pixel (x, y) is number x * height
 * + y); the counts alternate runs of 0s and 1s, starting with 0s.  In the
 * string, each count from the fourth on is replaced by its difference to
 * the count two places before, and each value is written as little-endian
 * groups of 5 bits, one character per group ('0' + bits, with 0x20 set when
 * another group follows), the last group's bit 4 being the sign. */
#include "rle.h"

#include <string.h>

/* appends the characters of one (signed) value */
static void
rle_put_value (GString * s, gint64 x)
{
  gboolean more = TRUE;
  while (more) {
    gint c = (gint) (x & 0x1f);
    /* arithmetic shift of a signed value, written portably */
    x = x >= 0 ? x / 32 : -((-x + 31) / 32);
    more = (c & 0x10) ? x != -1 : x != 0;
    if (more)
      c |= 0x20;
    g_string_append_c (s, (gchar) (c + 48));
  }
}

gchar *
cascade_rle_encode (const guint8 * mask, guint width, guint height,
    gsize stride)
{
  GString *s = g_string_sized_new (64);
  /* the last two counts, for the delta coding */
  guint64 prev2 = 0, prev1 = 0, run = 0;
  guint64 index = 0;
  guint8 value = 0;
  guint x, y;

#define RLE_EMIT(count) G_STMT_START {                    \
    guint64 c_ = (count);                                 \
    gint64 v_ = (gint64) c_;                              \
    if (index > 2)                                        \
      v_ -= (gint64) prev2;                               \
    rle_put_value (s, v_);                                \
    prev2 = prev1;                                        \
    prev1 = c_;                                           \
    index++;                                              \
  } G_STMT_END

  for (x = 0; x < width; x++) {
    for (y = 0; y < height; y++) {
      guint8 v = mask[(gsize) y * stride + x] ? 1 : 0;
      if (v != value) {
        RLE_EMIT (run);
        run = 0;
        value = v;
      }
      run++;
    }
  }
  RLE_EMIT (run);
#undef RLE_EMIT
  return g_string_free (s, FALSE);
}

gboolean
cascade_rle_decode (const gchar * counts, guint width, guint height,
    guint8 * mask)
{
  const guint64 total = (guint64) width * height;
  guint64 prev2 = 0, prev1 = 0, pos = 0, index = 0;
  guint row = 0, col = 0;
  const guchar *p = (const guchar *) counts;
  guint8 value = 0;

  if (!counts)
    return FALSE;
  while (*p) {
    gint64 x = 0;
    guint k = 0;
    gboolean more = TRUE;
    guint64 count, end;

    while (more) {
      gint c;
      if (*p < 48 || *p >= 48 + 64 || k >= 12)
        return FALSE;           /* not an RLE character, or too long */
      c = *p - 48;
      x |= (gint64) (c & 0x1f) << (5 * k);
      more = (c & 0x20) != 0;
      p++;
      k++;
      if (!more && (c & 0x10))
        x |= (gint64) (G_MAXUINT64 << (5 * k));
      if (more && !*p)
        return FALSE;           /* truncated */
    }
    if (index > 2)
      x += (gint64) prev2;
    if (x < 0 || (guint64) x > total - pos)
      return FALSE;
    count = (guint64) x;
    /* column-major runs into row-major bytes */
    for (end = pos + count; pos < end; pos++) {
      mask[(gsize) row * width + col] = value;
      if (++row == height) {
        row = 0;
        col++;
      }
    }
    value ^= 1;
    prev2 = prev1;
    prev1 = count;
    index++;
  }
  return index > 0 && pos == total;
}
