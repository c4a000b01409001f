/* gst-cascade tests: the safetensors container of the model loader (no
 * OpenCL device needed): truncation, the header length, the header JSON,
 * the tensor entries (dtypes, shapes, offsets, overlaps) and F16 tensors. */
#include "model_testutil.h"
#include "model/safetensors.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * damaged files
 * --------------------------------------------------------------------- */

static void
test_truncated (void)
{
  TF *tf = tf_model (&r18_mask, FALSE, FALSE);
  GBytes *b = tf_bytes (tf), *t;
  gsize size = g_bytes_get_size (b);
  const guint8 *raw = g_bytes_get_data (b, NULL);
  gsize hlen = raw[0] | raw[1] << 8 | raw[2] << 16, cuts[6], i;

  /* inside the length */
  cuts[0] = 0;
  cuts[1] = 3;
  cuts[2] = 7;
  for (i = 0; i < 3; i++) {
    t = g_bytes_new_from_bytes (b, 0, cuts[i]);
    expect_fail (t, CASCADE_ERROR_MODEL, "too short");
    g_bytes_unref (t);
  }
  /* inside the header */
  cuts[3] = 8;
  cuts[4] = 8 + hlen / 2;
  cuts[5] = 8 + hlen - 1;
  for (i = 3; i < 6; i++) {
    t = g_bytes_new_from_bytes (b, 0, cuts[i]);
    expect_fail (t, CASCADE_ERROR_MODEL, "runs past the end of the file");
    g_bytes_unref (t);
  }
  /* right after the header, inside the data, one byte short */
  cuts[0] = 8 + hlen;
  cuts[1] = 8 + hlen + (size - 8 - hlen) / 2;
  cuts[2] = size - 1;
  for (i = 0; i < 3; i++) {
    t = g_bytes_new_from_bytes (b, 0, cuts[i]);
    expect_fail (t, CASCADE_ERROR_MODEL, "run past the end of the data");
    g_bytes_unref (t);
  }
  g_bytes_unref (b);
  tf_free (tf);
}

static void
set_header_length (GBytes * b, guint64 v, GBytes ** out)
{
  gsize size;
  guint8 *copy = g_memdup2 (g_bytes_get_data (b, &size),
      g_bytes_get_size (b));
  guint i;
  for (i = 0; i < 8; i++)
    copy[i] = (guint8) (v >> (8 * i));
  *out = g_bytes_new_take (copy, size);
}

static void
test_header_length (void)
{
  TF *tf = tf_model (&r18_box, FALSE, FALSE);
  GBytes *b = tf_bytes (tf), *t;
  gsize size = g_bytes_get_size (b);

  set_header_length (b, size - 8 + 1, &t);
  expect_fail (t, CASCADE_ERROR_MODEL, "runs past the end of the file");
  g_bytes_unref (t);
  set_header_length (b, G_MAXUINT64, &t);
  expect_fail (t, CASCADE_ERROR_MODEL, "100 MiB");
  g_bytes_unref (t);
  set_header_length (b, 100u * 1024 * 1024 + 1, &t);
  expect_fail (t, CASCADE_ERROR_MODEL, "100 MiB");
  g_bytes_unref (t);
  /* shorter than the JSON: the header is cut */
  set_header_length (b, 100, &t);
  expect_fail (t, CASCADE_ERROR_MODEL, "not valid JSON");
  g_bytes_unref (t);
  set_header_length (b, 0, &t);
  expect_fail (t, CASCADE_ERROR_MODEL, "header is empty");
  g_bytes_unref (t);
  g_bytes_unref (b);
  tf_free (tf);
}

static void
test_header_json (void)
{
  static const guint8 bad_utf8[] = "{\"a\xff\": 1}";
  GBytes *b;
  GString *deep;
  guint i;

  b = raw_file ((const gchar *) bad_utf8, sizeof bad_utf8 - 1, NULL, 0);
  expect_fail (b, CASCADE_ERROR_MODEL, "not valid UTF-8");
  g_bytes_unref (b);
  /* an overlong encoding and a NUL byte are invalid too */
  b = raw_file ("{\"\xc0\xaf\": 1}", 9, NULL, 0);
  expect_fail (b, CASCADE_ERROR_MODEL, "not valid UTF-8");
  g_bytes_unref (b);
  b = raw_file ("{}\0  ", 5, NULL, 0);
  expect_fail (b, CASCADE_ERROR_MODEL, "not valid UTF-8");
  g_bytes_unref (b);

  expect_raw_fail ("{\"a\": {\"dtype\": \"F32\",", CASCADE_ERROR_MODEL,
      "header is not valid JSON");
  expect_raw_fail ("{\"a\": 1,}", CASCADE_ERROR_MODEL, "not valid JSON");
  expect_raw_fail ("[1, 2]", CASCADE_ERROR_MODEL, "header is not a JSON "
      "object");
  expect_raw_fail ("\"text\"", CASCADE_ERROR_MODEL, "not a JSON object");
  expect_raw_fail ("42", CASCADE_ERROR_MODEL, "not a JSON object");
  expect_raw_fail ("   ", CASCADE_ERROR_MODEL, "header is empty");
  expect_raw_fail ("var x = {}", CASCADE_ERROR_MODEL, "not valid JSON");
  /* an empty object: no tensors, no metadata */
  expect_raw_fail ("{}", CASCADE_ERROR_MODEL, "no __metadata__");
  expect_raw_fail ("{\"__metadata__\": [1]}", CASCADE_ERROR_MODEL,
      "__metadata__ is not a JSON object");

  deep = g_string_new ("{\"a\": ");
  for (i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  expect_raw_fail (deep->str, CASCADE_ERROR_MODEL, "nested more than");
  g_string_free (deep, TRUE);
}

static void
test_entries (void)
{
  static const gchar *name = "neck.fpn_convs.0.conv.bias";
  static const gchar *other = "neck.fpn_convs.1.conv.bias";
  gsize s9[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 8 };
  gsize big[2] = { (gsize) 1 << 40, (gsize) 1 << 40 }, one[1] = { 9 };
  gsize s0[2] = { 0, 8 };
  JsonObject *e;
  JsonArray *a;
  TF *tf;
  gint64 b0;

  /* dtypes */
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_string_member (entry (tf, name), "dtype", "I64");
  expect_tf_fail (tf, CASCADE_ERROR_UNSUPPORTED,
      "tensor neck.fpn_convs.0.conv.bias has dtype I64");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_string_member (entry (tf, name), "dtype", "BF16");
  expect_tf_fail (tf, CASCADE_ERROR_UNSUPPORTED, "has dtype BF16");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_string_member (entry (tf, name), "dtype", "Q4_0");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "has unknown dtype \"Q4_0\"");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_int_member (entry (tf, name), "dtype", 4);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "no \"dtype\"");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_int_member (tf->header, name, 4);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "entry is not a JSON object");

  /* shapes */
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_shape (tf, name, 1, one);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "hold 32 bytes but shape [9] of "
      "F32 needs 36");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_shape (tf, name, 9, s9);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "has 9 dimensions");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_shape (tf, name, 2, big);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "overflows");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  big[0] = (gsize) 1 << 62;
  big[1] = 1;
  set_shape (tf, name, 2, big);         /* numel fits, bytes do not */
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "overflows");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_shape (tf, name, 2, s0);          /* 0 elements in 32 bytes */
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "needs 0");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  a = json_array_new ();
  json_array_add_int_element (a, -8);
  json_object_set_array_member (entry (tf, name), "shape", a);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "not a non-negative integer");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  a = json_array_new ();
  json_array_add_double_element (a, 8.0);
  json_object_set_array_member (entry (tf, name), "shape", a);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "not a non-negative integer");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_remove_member (entry (tf, name), "shape");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "no \"shape\" array");

  /* offsets */
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_offsets (tf, name, (gint64) tf->data->len - 16,
      (gint64) tf->data->len + 16);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "run past the end of the data");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_offsets (tf, name, G_MAXINT64 - 31, G_MAXINT64);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "run past the end of the data");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_offsets (tf, name, 64, 32);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "not a valid range");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_offsets (tf, name, -32, 0);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "not a valid range");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_remove_member (entry (tf, name), "data_offsets");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "no \"data_offsets\"");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  a = json_array_new ();
  json_array_add_int_element (a, 0);
  json_object_set_array_member (entry (tf, name), "data_offsets", a);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "no \"data_offsets\"");
  /* overlaps: two tensors on the same bytes, or shifted by 4 */
  tf = tf_model (&r18_mask, FALSE, FALSE);
  e = entry (tf, other);
  a = json_object_get_array_member (e, "data_offsets");
  b0 = json_array_get_int_element (a, 0);
  set_offsets (tf, name, b0, b0 + 32);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "overlap");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  a = json_object_get_array_member (entry (tf, other), "data_offsets");
  b0 = json_array_get_int_element (a, 0);
  set_offsets (tf, name, b0 + 28, b0 + 60);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "overlap");
  /* an empty tensor inside another one's bytes is no overlap */
  tf = tf_model (&r18_mask, FALSE, FALSE);
  {
    GBytes *b;
    CascadeModel *m;
    a = json_object_get_array_member (entry (tf, other), "data_offsets");
    b0 = json_array_get_int_element (a, 0);
    tf_add (tf, "F32", 2, s0, "extra.empty");
    set_offsets (tf, "extra.empty", b0 + 4, b0 + 4);
    b = tf_bytes (tf);
    m = load_ok (b);
    g_assert_cmpuint (cascade_model_n_unused (m), ==, 1);
    cascade_model_free (m);
    g_bytes_unref (b);
    tf_free (tf);
  }
}

/* the exact value of half h, from its definition */
static gdouble
half_reference (guint16 h)
{
  gint e = (h >> 10) & 0x1f, mant = h & 0x3ff;
  gdouble v = e == 0 ? ldexp (mant, -24) : ldexp (1024 + mant, e - 25);
  return (h & 0x8000) ? -v : v;
}

static void
test_f16 (void)
{
  static const struct
  {
    guint16 h;
    gfloat f;
  } known[] = {
    {0x0000, 0.0f}, {0x3c00, 1.0f}, {0xc000, -2.0f}, {0x3555, 0.333251953125f},
    {0x7bff, 65504.0f}, {0x0400, 6.103515625e-05f},
    {0x0001, 5.9604644775390625e-08f}, {0x03ff, 6.097555160522461e-05f},
    {0x8001, -5.9604644775390625e-08f}, {0x3bff, 0.99951171875f},
  };
  static const guint16 more[] = { 0x7c00, 0xfc00, 0x7e00, 0x8000, 0x0200,
    0x8200
  };
  guint32 h, bits;
  guint i, k;
  gfloat f;
  TF *tf;
  GBytes *b;
  CascadeModel *m;
  gsize shape[1] = { 16 };
  gfloat *v;
  GError *err = NULL;
  guint8 *p;

  for (i = 0; i < G_N_ELEMENTS (known); i++)
    g_assert_cmpfloat (cascade_half_to_float (known[i].h), ==, known[i].f);
  /* signed zero, infinities, NaN payload and sign */
  f = cascade_half_to_float (0x8000);
  g_assert_true (f == 0.0f && signbit (f));
  g_assert_true (isinf (cascade_half_to_float (0x7c00))
      && cascade_half_to_float (0x7c00) > 0);
  g_assert_true (isinf (cascade_half_to_float (0xfc00))
      && cascade_half_to_float (0xfc00) < 0);
  f = cascade_half_to_float (0x7e01);
  memcpy (&bits, &f, 4);
  g_assert_true (isnan (f));
  g_assert_cmphex (bits, ==, 0x7fc02000);
  f = cascade_half_to_float (0xfd00);   /* signalling NaN stays a NaN */
  memcpy (&bits, &f, 4);
  g_assert_cmphex (bits, ==, 0xffa00000);
  /* all 63488 finite values, exactly */
  for (h = 0; h < 0x10000; h++) {
    if (((h >> 10) & 0x1f) == 0x1f)
      continue;
    f = cascade_half_to_float ((guint16) h);
    if ((gdouble) f != half_reference ((guint16) h))
      g_error ("half 0x%04x -> %.10g, want %.10g", h, f,
          half_reference ((guint16) h));
  }

  /* the same through read_f32 of an F16 tensor: test.halves holds the
   * infinities and the NaN (indices 10..12), test.finite 1.0 there */
  tf = tf_model (&r18_box, FALSE, FALSE);
  for (k = 0; k < 2; k++) {
    tf_add (tf, "F16", 1, shape, k ? "test.finite" : "test.halves");
    p = tf->data->data + tf->data->len - 32;
    for (i = 0; i < 16; i++) {
      guint16 v16 = i < G_N_ELEMENTS (known) ? known[i].h
          : more[i - G_N_ELEMENTS (known)];
      if (k && i >= 10 && i <= 12)
        v16 = 0x3c00;
      p[2 * i] = v16 & 0xff;
      p[2 * i + 1] = v16 >> 8;
    }
  }
  b = tf_bytes (tf);
  m = load_ok (b);
  /* a weight that is not finite is refused, naming the tensor */
  v = cascade_model_read_f32 (m, "test.halves", 1, shape, &err);
  g_assert_null (v);
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_MODEL);
  g_assert_nonnull (strstr (err->message, "test.halves has 3 non-finite "
          "values (NaN or infinity) of 16"));
  g_clear_error (&err);
  v = cascade_model_read_f32 (m, "test.finite", 1, shape, &err);
  g_assert_no_error (err);
  for (i = 0; i < G_N_ELEMENTS (known); i++)
    g_assert_cmpfloat (v[i], ==, known[i].f);
  g_assert_cmpfloat (v[10], ==, 1.0f);
  g_assert_cmpfloat (v[12], ==, 1.0f);
  g_assert_true (v[13] == 0.0f && signbit (v[13]));
  g_assert_cmpfloat (v[14], ==, 3.0517578125e-05f);     /* 2^-15 */
  g_assert_cmpfloat (v[15], ==, -3.0517578125e-05f);
  g_free (v);
  cascade_model_free (m);
  g_bytes_unref (b);
  tf_free (tf);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/bad/truncated", test_truncated);
  g_test_add_func ("/model/bad/header-length", test_header_length);
  g_test_add_func ("/model/bad/header-json", test_header_json);
  g_test_add_func ("/model/bad/entries", test_entries);
  g_test_add_func ("/model/f16", test_f16);
  return g_test_run ();
}
