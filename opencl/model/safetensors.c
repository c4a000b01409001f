/* gst-cascade: the safetensors container (see safetensors.h for what is
 * checked).  Every read of the file goes through the bounds established
 * here: the header length is checked against the file size before the
 * header is read, and every tensor's byte range against the data section
 * before it is recorded; numbers are assembled byte by byte
 * (little-endian), never read through packed structs. */
#include "model/safetensors.h"
#include "model/json.h"
#include "runtime/error.h"

#include <string.h>

static const struct
{
  const gchar *name;
  guint size;
} dtype_table[] = {
  {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"F64", 8},
  {"I64", 8}, {"I32", 4}, {"I16", 2}, {"I8", 1},
  {"U64", 8}, {"U32", 4}, {"U16", 2}, {"U8", 1},
  {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1},
};

static void
entry_free (gpointer p)
{
  CascadeSafetensorsEntry *e = p;
  g_free (e->name);
  g_free (e);
}

gchar *
cascade_shape_string (guint ndim, const gsize * shape)
{
  GString *s = g_string_new ("[");
  guint i;
  for (i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%" G_GSIZE_FORMAT, i ? ", " : "", shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

gfloat
cascade_half_to_float (guint16 h)
{
  guint32 sign = ((guint32) h & 0x8000u) << 16;
  guint32 exp = (h >> 10) & 0x1fu;
  guint32 mant = h & 0x3ffu;
  guint32 bits;
  gfloat f;

  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {
      /* subnormal: 0.mant * 2^-14, normalised for float32 */
      exp = 127 - 15 + 1;
      while (!(mant & 0x400u)) {
        mant <<= 1;
        exp--;
      }
      mant &= 0x3ffu;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);   /* inf, NaN with payload */
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  memcpy (&f, &bits, sizeof f);
  return f;
}

/* the dtype and its checks: e->dtype, dsize and is_float set */
static gboolean
parse_dtype (CascadeSafetensors * st, CascadeSafetensorsEntry * e,
    JsonObject * o, GError ** error)
{
  JsonNode *n = cascade_json_member (o, "dtype");
  const gchar *dtype;
  guint i;

  if (!cascade_json_is_string (n)) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "tensor %s: header entry has no \"dtype\" string", e->name);
    return FALSE;
  }
  dtype = json_node_get_string (n);
  for (i = 0; i < G_N_ELEMENTS (dtype_table); i++) {
    if (strcmp (dtype, dtype_table[i].name) == 0) {
      e->dtype = dtype_table[i].name;
      e->dsize = dtype_table[i].size;
    }
  }
  if (!e->dtype) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "tensor %s has unknown dtype \"%s\"", e->name, dtype);
    return FALSE;
  }
  e->is_float = e->dsize == 4 ? strcmp (e->dtype, "F32") == 0
      : strcmp (e->dtype, "F16") == 0;
  if (!e->is_float && !g_str_has_suffix (e->name, ".num_batches_tracked")) {
    cascade_model_error (error, CASCADE_ERROR_UNSUPPORTED, st->file,
        "tensor %s has dtype %s; gst-cascade reads F32 and F16 tensors only",
        e->name, e->dtype);
    return FALSE;
  }
  return TRUE;
}

/* the shape: e->ndim, shape and numel set, *nbytes the byte size */
static gboolean
parse_shape (CascadeSafetensors * st, CascadeSafetensorsEntry * e,
    JsonObject * o, guint64 * nbytes, GError ** error)
{
  JsonNode *n = cascade_json_member (o, "shape");
  JsonArray *a;
  guint i, len;

  if (!n || !JSON_NODE_HOLDS_ARRAY (n)) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "tensor %s: header entry has no \"shape\" array", e->name);
    return FALSE;
  }
  a = json_node_get_array (n);
  len = json_array_get_length (a);
  if (len > CASCADE_SAFETENSORS_MAX_DIMS) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "tensor %s has %u dimensions (at most %d)", e->name, len,
        CASCADE_SAFETENSORS_MAX_DIMS);
    return FALSE;
  }
  e->ndim = len;
  e->numel = 1;
  for (i = 0; i < len; i++) {
    JsonNode *d = json_array_get_element (a, i);
    gint64 v;
    if (!cascade_json_is_int (d) || (v = json_node_get_int (d)) < 0) {
      cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
          "tensor %s: shape dimension %u is not a non-negative integer",
          e->name, i);
      return FALSE;
    }
    if (!g_uint64_checked_mul (&e->numel, e->numel, (guint64) v)
        || (guint64) v > G_MAXSIZE) {
      cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
          "tensor %s: the element count of its shape overflows", e->name);
      return FALSE;
    }
    e->shape[i] = (gsize) v;
  }
  if (!g_uint64_checked_mul (nbytes, e->numel, e->dsize)) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "tensor %s: the byte size of its shape overflows", e->name);
    return FALSE;
  }
  return TRUE;
}

/* the data_offsets, inside the data and of nbytes: e->begin, end set */
static gboolean
parse_offsets (CascadeSafetensors * st, CascadeSafetensorsEntry * e,
    JsonObject * o, guint64 nbytes, GError ** error)
{
  JsonNode *n = cascade_json_member (o, "data_offsets");
  const gchar *name = e->name;
  JsonArray *a;
  gint64 b, en;

  if (!n || !JSON_NODE_HOLDS_ARRAY (n)
      || json_array_get_length (a = json_node_get_array (n)) != 2
      || !cascade_json_is_int (json_array_get_element (a, 0))
      || !cascade_json_is_int (json_array_get_element (a, 1))) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "tensor %s: header entry has no \"data_offsets\" [begin, end] "
        "integer pair", name);
    return FALSE;
  }
  b = json_array_get_int_element (a, 0);
  en = json_array_get_int_element (a, 1);
  if (b < 0 || en < b) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "tensor %s: data_offsets [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
        "] are not a valid range", name, b, en);
    return FALSE;
  }
  if ((guint64) en > st->data_size) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "tensor %s: data_offsets [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
        "] run past the end of the data (%" G_GSIZE_FORMAT
        " bytes): truncated file?", name, b, en, st->data_size);
    return FALSE;
  }
  if ((guint64) (en - b) != nbytes) {
    gchar *s = cascade_shape_string (e->ndim, e->shape);
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "tensor %s: data_offsets [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
        "] hold %" G_GUINT64_FORMAT " bytes but shape %s of %s needs %"
        G_GUINT64_FORMAT, name, b, en, (guint64) (en - b), s, e->dtype,
        nbytes);
    g_free (s);
    return FALSE;
  }
  e->begin = (guint64) b;
  e->end = (guint64) en;
  return TRUE;
}

static CascadeSafetensorsEntry *
parse_entry (CascadeSafetensors * st, const gchar * name, JsonNode * node,
    GError ** error)
{
  CascadeSafetensorsEntry *e;
  JsonObject *o;
  guint64 nbytes;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "tensor %s: header entry is not a JSON object", name);
    return NULL;
  }
  o = json_node_get_object (node);
  e = g_new0 (CascadeSafetensorsEntry, 1);
  e->name = g_strdup (name);
  if (!parse_dtype (st, e, o, error)
      || !parse_shape (st, e, o, &nbytes, error)
      || !parse_offsets (st, e, o, nbytes, error)) {
    entry_free (e);
    return NULL;
  }
  return e;
}

static gint
entry_cmp (gconstpointer a, gconstpointer b)
{
  const CascadeSafetensorsEntry *x =
      *(const CascadeSafetensorsEntry * const *) a;
  const CascadeSafetensorsEntry *y =
      *(const CascadeSafetensorsEntry * const *) b;
  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return strcmp (x->name, y->name);
}

/* sorts the entries by offset; FALSE with error when two share a byte */
static gboolean
check_overlaps (CascadeSafetensors * st, GError ** error)
{
  /* the range reaching furthest */
  const CascadeSafetensorsEntry *last = NULL;
  guint i;

  g_ptr_array_sort (st->entries, entry_cmp);
  for (i = 0; i < st->entries->len; i++) {
    const CascadeSafetensorsEntry *e = g_ptr_array_index (st->entries, i);
    if (e->begin == e->end)
      continue;
    if (last && e->begin < last->end) {
      cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
          "tensors %s (data_offsets [%" G_GUINT64_FORMAT ", %"
          G_GUINT64_FORMAT "]) and %s ([%" G_GUINT64_FORMAT ", %"
          G_GUINT64_FORMAT "]) overlap", last->name, last->begin, last->end,
          e->name, e->begin, e->end);
      return FALSE;
    }
    if (!last || e->end > last->end)
      last = e;
  }
  return TRUE;
}

/* the header length and text: *header and *hlen, st->data and data_size */
static gboolean
parse_header_length (CascadeSafetensors * st, const gchar ** header,
    guint64 * hlen, GError ** error)
{
  gsize size, i;
  const guint8 *raw = g_bytes_get_data (st->bytes, &size);
  const gchar *text, *bad;
  guint64 len = 0;

  if (size < 8) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "file is too short (%" G_GSIZE_FORMAT " bytes) to be a model file: "
        "a safetensors file starts with an 8-byte header length", size);
    return FALSE;
  }
  for (i = 0; i < 8; i++)
    len |= (guint64) raw[i] << (8 * i);
  if (len > CASCADE_SAFETENSORS_MAX_HEADER) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "header length %" G_GUINT64_FORMAT " is over the 100 MiB limit "
        "(not a safetensors file?)", len);
    return FALSE;
  }
  if (len > size - 8) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "header length %" G_GUINT64_FORMAT " runs past the end of the file "
        "(%" G_GSIZE_FORMAT " bytes): truncated file?", len, size);
    return FALSE;
  }
  text = (const gchar *) raw + 8;
  st->data = raw + 8 + len;
  st->data_size = size - 8 - (gsize) len;

  if (!g_utf8_validate (text, (gssize) len, &bad)) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "header is not valid UTF-8 (byte %" G_GSIZE_FORMAT " of %"
        G_GUINT64_FORMAT ")", (gsize) (bad - text), len);
    return FALSE;
  }
  *header = text;
  *hlen = len;
  return TRUE;
}

/* every member of the header object: the entries (in st) and the
 * __metadata__ object (*meta, borrowed from obj; NULL when absent) */
static gboolean
parse_members (CascadeSafetensors * st, JsonObject * obj, JsonObject ** meta,
    GError ** error)
{
  GList *names = json_object_get_members (obj), *l;
  gboolean ok = TRUE;

  *meta = NULL;
  for (l = names; ok && l; l = l->next) {
    const gchar *name = l->data;
    JsonNode *node = json_object_get_member (obj, name);
    CascadeSafetensorsEntry *e;

    if (strcmp (name, "__metadata__") == 0) {
      if (!JSON_NODE_HOLDS_OBJECT (node)) {
        cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
            "__metadata__ is not a JSON object");
        ok = FALSE;
      } else {
        *meta = json_node_get_object (node);
      }
      continue;
    }
    if (g_hash_table_contains (st->by_name, name))
      continue;                 /* json-glib lists a repeated key once */
    e = parse_entry (st, name, node, error);
    if (!e) {
      ok = FALSE;
      continue;
    }
    g_ptr_array_add (st->entries, e);
    g_hash_table_insert (st->by_name, e->name, e);
    if (e->is_float)
      st->n_params += e->numel;
  }
  g_list_free (names);
  return ok;
}

CascadeSafetensors *
cascade_safetensors_parse (GBytes * bytes, const gchar * file,
    JsonObject ** metadata, GError ** error)
{
  CascadeSafetensors *st = g_new0 (CascadeSafetensors, 1);
  JsonNode *root = NULL;
  JsonObject *meta = NULL;
  const gchar *header;
  guint64 hlen;
  gboolean ok;

  st->file = g_strdup (file);
  st->bytes = g_bytes_ref (bytes);
  st->entries = g_ptr_array_new_with_free_func (entry_free);
  st->by_name = g_hash_table_new (g_str_hash, g_str_equal);

  ok = parse_header_length (st, &header, &hlen, error)
      && (root = cascade_json_parse_object (st->file, header, (gsize) hlen,
          "header", error))
      && parse_members (st, json_node_get_object (root), &meta, error)
      && check_overlaps (st, error);
  if (ok && !meta) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "header has no __metadata__: not a gst-cascade model file "
        "(convert mmdetection checkpoints with models/convert_mmdet.py)");
    ok = FALSE;
  }
  if (ok)
    *metadata = json_object_ref (meta);
  if (root)
    json_node_unref (root);
  if (!ok) {
    cascade_safetensors_free (st);
    return NULL;
  }
  return st;
}

void
cascade_safetensors_free (CascadeSafetensors * st)
{
  if (!st)
    return;
  g_hash_table_unref (st->by_name);
  g_ptr_array_unref (st->entries);
  g_bytes_unref (st->bytes);
  g_free (st->file);
  g_free (st);
}

const CascadeSafetensorsEntry *
cascade_safetensors_lookup (const CascadeSafetensors * st, const gchar * name)
{
  return name ? g_hash_table_lookup (st->by_name, name) : NULL;
}

gfloat *
cascade_safetensors_read_f32 (const CascadeSafetensors * st,
    const CascadeSafetensorsEntry * e, GError ** error)
{
  const guint8 *src;
  gfloat *out;
  gsize i, n;

  if (!e->is_float) {
    cascade_model_error (error, CASCADE_ERROR_UNSUPPORTED, st->file,
        "tensor %s has dtype %s, not F32 or F16", e->name, e->dtype);
    return NULL;
  }
  n = (gsize) e->numel;
  src = st->data + e->begin;
  out = g_try_new (gfloat, MAX (n, 1));
  if (!out) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, st->file,
        "out of memory reading tensor %s (%" G_GSIZE_FORMAT " values)",
        e->name, n);
    return NULL;
  }
  if (e->dsize == 4) {
    for (i = 0; i < n; i++) {
      const guint8 *p = src + 4 * i;
      guint32 bits = (guint32) p[0] | (guint32) p[1] << 8
          | (guint32) p[2] << 16 | (guint32) p[3] << 24;
      memcpy (out + i, &bits, 4);
    }
  } else {
    for (i = 0; i < n; i++) {
      const guint8 *p = src + 2 * i;
      out[i] = cascade_half_to_float ((guint16) (p[0] | p[1] << 8));
    }
  }
  return out;
}
