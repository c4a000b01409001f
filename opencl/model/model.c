/* gst-cascade: the model file loader (models/FORMAT.md).
 *
 * The file is mapped read-only and validated before anything uses it:
 *
 * 1. container: the 8-byte little-endian header length (at most 100 MiB
 *    and inside the file), the header (valid UTF-8, a JSON object nested
 *    at most MAX_JSON_DEPTH deep), every tensor entry (dtype, shape of at
 *    most 8 non-negative dimensions whose product does not overflow,
 *    data_offsets [begin, end] inside the data with end - begin equal to
 *    the shape's byte size) and no two tensors sharing a byte (sorted by
 *    offset);
 * 2. `__metadata__`: format gst-cascade, format_version 1 and the
 *    architecture (`cascade`, a JSON string) parsed into CascadeArch with
 *    FORMAT.md's defaults for optional fields and range checks;
 * 3. the tensors: rpn/fc/mask channel counts that the metadata leaves out
 *    are read from the tensors' shapes, then every tensor the architecture
 *    needs (cascade_arch_expected_tensors) must be present with exactly its
 *    shape.
 *
 * Decisions:
 * - Tensors the architecture does not need are allowed and ignored (they
 *   are counted: cascade_model_n_unused); they are still validated as
 *   above.
 * - `*.num_batches_tracked` tensors (int64 in PyTorch) may have any
 *   safetensors dtype and are ignored; every other tensor must be F32 or
 *   F16: another known safetensors dtype is CASCADE_ERROR_UNSUPPORTED, an
 *   unknown dtype string CASCADE_ERROR_MODEL.
 * - A JSON object with a repeated key keeps the last value (json-glib's
 *   behaviour, as Python's json module); the bytes of the dropped entry
 *   are simply unused.
 * - Holes between tensors and bytes after the last one are allowed
 *   (safetensors writers align the data); empty tensors (0 bytes) never
 *   overlap anything.
 * - ResNeXt widths follow mmdetection (mmdet/models/backbones/resnext.py:
 *   the ResLayer gets the backbone's base_channels): conv2 width =
 *   floor(planes * base_width / base_channels) * groups, which is the
 *   zoo's floor(planes * base_width / 64) * groups when base_channels is
 *   64.
 *
 * The mapping is private and read-only; a file truncated by someone else
 * while mapped would still raise SIGBUS (as with any mmap). */
#include "model/model-private.h"
#include "runtime/error.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADER_SIZE (100u * 1024u * 1024u)
#define MAX_DIMS 8
#define MAX_JSON_DEPTH 32
#define MAX_CHANNELS 65535u

typedef struct
{
  gchar *name;
  const gchar *dtype;           /* static string from dtype_table */
  guint dsize;                  /* bytes per element */
  gboolean is_float;            /* F32 or F16 */
  guint ndim;
  gsize shape[MAX_DIMS];
  guint64 numel;
  guint64 begin, end;           /* relative to the data section */
  gboolean used;
} TensorEntry;

struct _CascadeModel
{
  gchar *path;
  gchar *file;                  /* basename, for messages */
  GBytes *bytes;                /* the whole file (mapped or in memory) */
  const guint8 *data;           /* first byte after the header */
  gsize data_size;
  GPtrArray *entries;           /* TensorEntry, in data order */
  GHashTable *by_name;          /* name -> TensorEntry (borrowed) */
  guint n_unused;
  guint64 n_params;
  CascadeArch arch;
};

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

static void model_error (GError ** error, gint code, const gchar * file,
    const gchar * format, ...) G_GNUC_PRINTF (4, 5);

static void
model_error (GError ** error, gint code, const gchar * file,
    const gchar * format, ...)
{
  va_list ap;
  gchar *msg;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, CASCADE_ERROR, code, "%s: %s", file, msg);
  g_free (msg);
}

static void
tensor_entry_free (gpointer p)
{
  TensorEntry *e = p;
  g_free (e->name);
  g_free (e);
}

static void
tensor_spec_free (gpointer p)
{
  CascadeTensorSpec *s = p;
  g_free (s->name);
  g_free (s->needed_for);
  g_free (s);
}

/* "[64, 3, 7, 7]" (g_free) */
static gchar *
shape_string (guint ndim, const gsize * shape)
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

/* ------------------------------------------------------------------------
 * JSON
 * --------------------------------------------------------------------- */

/* json-glib's parser is recursive: refuse deep nesting before it runs (the
 * header is at most 100 MiB of "[[[[..."). */
static gboolean
json_depth_ok (const gchar * text, gsize len)
{
  gsize i;
  guint depth = 0;
  gboolean in_string = FALSE, escape = FALSE;

  for (i = 0; i < len; i++) {
    gchar c = text[i];
    if (in_string) {
      if (escape)
        escape = FALSE;
      else if (c == '\\')
        escape = TRUE;
      else if (c == '"')
        in_string = FALSE;
    } else if (c == '"') {
      in_string = TRUE;
    } else if (c == '[' || c == '{') {
      if (++depth > MAX_JSON_DEPTH)
        return FALSE;
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
  }
  return TRUE;
}

/* Parses text (valid UTF-8) as a JSON object; `what` names it in errors. */
static JsonNode *
parse_json_object (const gchar * file, const gchar * text, gsize len,
    const gchar * what, GError ** error)
{
  JsonParser *parser;
  JsonNode *root;
  GError *jerr = NULL;

  if (!json_depth_ok (text, len)) {
    model_error (error, CASCADE_ERROR_MODEL, file,
        "%s is nested more than %d levels deep", what, MAX_JSON_DEPTH);
    return NULL;
  }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, (gssize) len, &jerr)) {
    model_error (error, CASCADE_ERROR_MODEL, file, "%s is not valid JSON: %s",
        what, jerr->message);
    g_error_free (jerr);
    g_object_unref (parser);
    return NULL;
  }
  if (json_parser_has_assignment (parser, NULL)) {
    /* json-glib accepts "var x = {...}"; JSON does not */
    model_error (error, CASCADE_ERROR_MODEL, file,
        "%s is not valid JSON (it is a JavaScript assignment)", what);
    g_object_unref (parser);
    return NULL;
  }
  root = json_parser_steal_root (parser);
  g_object_unref (parser);
  if (!root) {
    model_error (error, CASCADE_ERROR_MODEL, file,
        "%s is empty (not a JSON object)", what);
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    model_error (error, CASCADE_ERROR_MODEL, file,
        "%s is not a JSON object", what);
    json_node_unref (root);
    return NULL;
  }
  return root;
}

static gboolean
node_is_int (JsonNode * n)
{
  return n && JSON_NODE_HOLDS_VALUE (n)
      && json_node_get_value_type (n) == G_TYPE_INT64;
}

static gboolean
node_is_number (JsonNode * n)
{
  return n && JSON_NODE_HOLDS_VALUE (n)
      && (json_node_get_value_type (n) == G_TYPE_INT64
      || json_node_get_value_type (n) == G_TYPE_DOUBLE);
}

static gdouble
node_number (JsonNode * n)
{
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return (gdouble) json_node_get_int (n);
  return json_node_get_double (n);
}

static gboolean
node_is_string (JsonNode * n)
{
  return n && JSON_NODE_HOLDS_VALUE (n)
      && json_node_get_value_type (n) == G_TYPE_STRING;
}

/* member `key` of o, NULL when o is NULL, the member is absent or null */
static JsonNode *
member (JsonObject * o, const gchar * key)
{
  JsonNode *n;
  if (!o || !json_object_has_member (o, key))
    return NULL;
  n = json_object_get_member (o, key);
  if (!n || JSON_NODE_HOLDS_NULL (n))
    return NULL;
  return n;
}

/* ------------------------------------------------------------------------
 * container: header length, header JSON, tensor entries, offsets
 * --------------------------------------------------------------------- */

static TensorEntry *
parse_entry (CascadeModel * m, const gchar * name, JsonNode * node,
    GError ** error)
{
  JsonObject *o;
  JsonNode *n;
  JsonArray *a;
  const gchar *dtype;
  TensorEntry *e;
  guint i, len;
  guint64 nbytes;
  gint64 b, en;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s: header entry is not a JSON object", name);
    return NULL;
  }
  o = json_node_get_object (node);

  n = member (o, "dtype");
  if (!node_is_string (n)) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s: header entry has no \"dtype\" string", name);
    return NULL;
  }
  dtype = json_node_get_string (n);

  e = g_new0 (TensorEntry, 1);
  e->name = g_strdup (name);
  for (i = 0; i < G_N_ELEMENTS (dtype_table); i++) {
    if (strcmp (dtype, dtype_table[i].name) == 0) {
      e->dtype = dtype_table[i].name;
      e->dsize = dtype_table[i].size;
    }
  }
  if (!e->dtype) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s has unknown dtype \"%s\"", name, dtype);
    goto fail;
  }
  e->is_float = e->dsize == 4 ? strcmp (e->dtype, "F32") == 0
      : strcmp (e->dtype, "F16") == 0;
  if (!e->is_float && !g_str_has_suffix (name, ".num_batches_tracked")) {
    model_error (error, CASCADE_ERROR_UNSUPPORTED, m->file,
        "tensor %s has dtype %s; gst-cascade reads F32 and F16 tensors only",
        name, e->dtype);
    goto fail;
  }

  n = member (o, "shape");
  if (!n || !JSON_NODE_HOLDS_ARRAY (n)) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s: header entry has no \"shape\" array", name);
    goto fail;
  }
  a = json_node_get_array (n);
  len = json_array_get_length (a);
  if (len > MAX_DIMS) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s has %u dimensions (at most %d)", name, len, MAX_DIMS);
    goto fail;
  }
  e->ndim = len;
  e->numel = 1;
  for (i = 0; i < len; i++) {
    JsonNode *d = json_array_get_element (a, i);
    gint64 v;
    if (!node_is_int (d) || (v = json_node_get_int (d)) < 0) {
      model_error (error, CASCADE_ERROR_MODEL, m->file,
          "tensor %s: shape dimension %u is not a non-negative integer",
          name, i);
      goto fail;
    }
    if (!g_uint64_checked_mul (&e->numel, e->numel, (guint64) v)
        || (guint64) v > G_MAXSIZE) {
      model_error (error, CASCADE_ERROR_MODEL, m->file,
          "tensor %s: the element count of its shape overflows", name);
      goto fail;
    }
    e->shape[i] = (gsize) v;
  }
  if (!g_uint64_checked_mul (&nbytes, e->numel, e->dsize)) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s: the byte size of its shape overflows", name);
    goto fail;
  }

  n = member (o, "data_offsets");
  if (!n || !JSON_NODE_HOLDS_ARRAY (n)
      || json_array_get_length (json_node_get_array (n)) != 2
      || !node_is_int (json_array_get_element (json_node_get_array (n), 0))
      || !node_is_int (json_array_get_element (json_node_get_array (n), 1))) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s: header entry has no \"data_offsets\" [begin, end] "
        "integer pair", name);
    goto fail;
  }
  a = json_node_get_array (n);
  b = json_array_get_int_element (a, 0);
  en = json_array_get_int_element (a, 1);
  if (b < 0 || en < b) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s: data_offsets [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
        "] are not a valid range", name, b, en);
    goto fail;
  }
  if ((guint64) en > m->data_size) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s: data_offsets [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
        "] run past the end of the data (%" G_GSIZE_FORMAT
        " bytes): truncated file?", name, b, en, m->data_size);
    goto fail;
  }
  if ((guint64) (en - b) != nbytes) {
    gchar *s = shape_string (e->ndim, e->shape);
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s: data_offsets [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
        "] hold %" G_GUINT64_FORMAT " bytes but shape %s of %s needs %"
        G_GUINT64_FORMAT, name, b, en, (guint64) (en - b), s, e->dtype,
        nbytes);
    g_free (s);
    goto fail;
  }
  e->begin = (guint64) b;
  e->end = (guint64) en;
  return e;

fail:
  tensor_entry_free (e);
  return NULL;
}

static gint
entry_cmp (gconstpointer a, gconstpointer b)
{
  const TensorEntry *x = *(const TensorEntry * const *) a;
  const TensorEntry *y = *(const TensorEntry * const *) b;
  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return strcmp (x->name, y->name);
}

static gboolean
check_overlaps (CascadeModel * m, GError ** error)
{
  const TensorEntry *last = NULL;       /* the range reaching furthest */
  guint i;

  g_ptr_array_sort (m->entries, entry_cmp);
  for (i = 0; i < m->entries->len; i++) {
    const TensorEntry *e = g_ptr_array_index (m->entries, i);
    if (e->begin == e->end)
      continue;
    if (last && e->begin < last->end) {
      model_error (error, CASCADE_ERROR_MODEL, m->file,
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

/* Parses the container; returns the __metadata__ object node (borrowed
 * from *root) or NULL with error set. */
static JsonObject *
parse_container (CascadeModel * m, JsonNode ** root, GError ** error)
{
  gsize size, i;
  const guint8 *raw = g_bytes_get_data (m->bytes, &size);
  guint64 hlen = 0;
  const gchar *header, *bad;
  JsonObject *obj, *meta = NULL;
  GList *names, *l;

  if (size < 8) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "file is too short (%" G_GSIZE_FORMAT " bytes) to be a model file: "
        "a safetensors file starts with an 8-byte header length", size);
    return NULL;
  }
  for (i = 0; i < 8; i++)
    hlen |= (guint64) raw[i] << (8 * i);
  if (hlen > MAX_HEADER_SIZE) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "header length %" G_GUINT64_FORMAT " is over the 100 MiB limit "
        "(not a safetensors file?)", hlen);
    return NULL;
  }
  if (hlen > size - 8) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "header length %" G_GUINT64_FORMAT " runs past the end of the file "
        "(%" G_GSIZE_FORMAT " bytes): truncated file?", hlen, size);
    return NULL;
  }
  header = (const gchar *) raw + 8;
  m->data = raw + 8 + hlen;
  m->data_size = size - 8 - (gsize) hlen;

  if (!g_utf8_validate (header, (gssize) hlen, &bad)) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "header is not valid UTF-8 (byte %" G_GSIZE_FORMAT " of %"
        G_GUINT64_FORMAT ")", (gsize) (bad - header), hlen);
    return NULL;
  }
  *root = parse_json_object (m->file, header, (gsize) hlen, "header", error);
  if (!*root)
    return NULL;
  obj = json_node_get_object (*root);

  names = json_object_get_members (obj);
  for (l = names; l; l = l->next) {
    const gchar *name = l->data;
    JsonNode *node = json_object_get_member (obj, name);
    TensorEntry *e;

    if (strcmp (name, "__metadata__") == 0) {
      if (!JSON_NODE_HOLDS_OBJECT (node)) {
        model_error (error, CASCADE_ERROR_MODEL, m->file,
            "__metadata__ is not a JSON object");
        g_list_free (names);
        return NULL;
      }
      meta = json_node_get_object (node);
      continue;
    }
    if (g_hash_table_contains (m->by_name, name))
      continue;                 /* json-glib lists a repeated key once */
    e = parse_entry (m, name, node, error);
    if (!e) {
      g_list_free (names);
      return NULL;
    }
    g_ptr_array_add (m->entries, e);
    g_hash_table_insert (m->by_name, e->name, e);
    if (e->is_float)
      m->n_params += e->numel;
  }
  g_list_free (names);

  if (!check_overlaps (m, error))
    return NULL;
  if (!meta) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "header has no __metadata__: not a gst-cascade model file "
        "(convert mmdetection checkpoints with models/convert_mmdet.py)");
    return NULL;
  }
  return meta;
}

/* ------------------------------------------------------------------------
 * architecture metadata
 * --------------------------------------------------------------------- */

typedef struct
{
  const gchar *file;
  GError **error;
} ArchCtx;

static gchar *
key_path (const gchar * section, const gchar * key)
{
  return section ? g_strdup_printf ("%s.%s", section, key) : g_strdup (key);
}

static void
arch_error (ArchCtx * c, gint code, const gchar * section, const gchar * key,
    const gchar * what)
{
  gchar *k = key_path (section, key);
  model_error (c->error, code, c->file, "architecture metadata: %s %s", k,
      what);
  g_free (k);
}

/* the optional (or required) sub-object `key` of o; *out NULL if absent */
static gboolean
arch_section (ArchCtx * c, JsonObject * o, const gchar * key,
    gboolean required, JsonObject ** out)
{
  JsonNode *n = member (o, key);
  *out = NULL;
  if (!n) {
    if (required)
      arch_error (c, CASCADE_ERROR_MODEL, NULL, key, "is missing");
    return !required;
  }
  if (!JSON_NODE_HOLDS_OBJECT (n)) {
    arch_error (c, CASCADE_ERROR_MODEL, NULL, key, "is not a JSON object");
    return FALSE;
  }
  *out = json_node_get_object (n);
  return TRUE;
}

/* `required` FALSE: def when absent. Out of [lo, hi]: `range_code`. */
static gboolean
arch_uint (ArchCtx * c, JsonObject * o, const gchar * section,
    const gchar * key, gboolean required, guint def, guint lo, guint hi,
    gint range_code, guint * out)
{
  JsonNode *n = member (o, key);
  gint64 v;
  if (!n) {
    if (required) {
      arch_error (c, CASCADE_ERROR_MODEL, section, key, "is missing");
      return FALSE;
    }
    *out = def;
    return TRUE;
  }
  if (!node_is_int (n)) {
    arch_error (c, CASCADE_ERROR_MODEL, section, key, "is not an integer");
    return FALSE;
  }
  v = json_node_get_int (n);
  if (v < lo || v > hi) {
    gchar *what = g_strdup_printf ("is %" G_GINT64_FORMAT
        ", outside %u..%u", v, lo, hi);
    arch_error (c, range_code, section, key, what);
    g_free (what);
    return FALSE;
  }
  *out = (guint) v;
  return TRUE;
}

static gboolean
arch_float (ArchCtx * c, JsonObject * o, const gchar * section,
    const gchar * key, gdouble def, gdouble lo, gdouble hi, gfloat * out)
{
  JsonNode *n = member (o, key);
  gdouble v;
  if (!n) {
    *out = (gfloat) def;
    return TRUE;
  }
  if (!node_is_number (n)) {
    arch_error (c, CASCADE_ERROR_MODEL, section, key, "is not a number");
    return FALSE;
  }
  v = node_number (n);
  if (!(v >= lo && v <= hi)) {
    gchar *what = g_strdup_printf ("is %g, outside [%g, %g]", v, lo, hi);
    arch_error (c, CASCADE_ERROR_MODEL, section, key, what);
    g_free (what);
    return FALSE;
  }
  *out = (gfloat) v;
  return TRUE;
}

static gboolean
arch_bool (ArchCtx * c, JsonObject * o, const gchar * section,
    const gchar * key, gboolean required, gboolean def, gboolean * out)
{
  JsonNode *n = member (o, key);
  if (!n) {
    if (required) {
      arch_error (c, CASCADE_ERROR_MODEL, section, key, "is missing");
      return FALSE;
    }
    *out = def;
    return TRUE;
  }
  if (!JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_BOOLEAN) {
    arch_error (c, CASCADE_ERROR_MODEL, section, key, "is not true/false");
    return FALSE;
  }
  *out = json_node_get_boolean (n);
  return TRUE;
}

/* An array of n finite numbers; FALSE with error otherwise.  present is
 * set FALSE (and out untouched) when absent. */
static gboolean
arch_numbers (ArchCtx * c, JsonObject * o, const gchar * section,
    const gchar * key, guint n, gdouble * out, gboolean * present)
{
  JsonNode *node = member (o, key);
  JsonArray *a;
  guint i;

  *present = FALSE;
  if (!node)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (a = json_node_get_array (node)) != n) {
    gchar *what = g_strdup_printf ("is not an array of %u numbers", n);
    arch_error (c, CASCADE_ERROR_MODEL, section, key, what);
    g_free (what);
    return FALSE;
  }
  for (i = 0; i < n; i++) {
    JsonNode *e = json_array_get_element (a, i);
    if (!node_is_number (e) || !isfinite (node_number (e))) {
      gchar *what = g_strdup_printf ("is not an array of %u numbers", n);
      arch_error (c, CASCADE_ERROR_MODEL, section, key, what);
      g_free (what);
      return FALSE;
    }
    out[i] = node_number (e);
  }
  *present = TRUE;
  return TRUE;
}

/* an optional list that must equal `want` (the only setting we run) */
static gboolean
arch_fixed_list (ArchCtx * c, JsonObject * o, const gchar * section,
    const gchar * key, guint n, const gdouble * want, const gchar * want_str)
{
  JsonNode *node = member (o, key);
  JsonArray *a;
  guint i;
  gboolean ok;

  if (!node)
    return TRUE;
  ok = JSON_NODE_HOLDS_ARRAY (node)
      && json_array_get_length (a = json_node_get_array (node)) == n;
  for (i = 0; ok && i < n; i++) {
    JsonNode *e = json_array_get_element (a, i);
    ok = node_is_number (e) && fabs (node_number (e) - want[i]) <= 1e-6;
  }
  if (!ok) {
    gchar *what = g_strdup_printf ("must be %s (the only setting "
        "gst-cascade runs)", want_str);
    arch_error (c, CASCADE_ERROR_UNSUPPORTED, section, key, what);
    g_free (what);
  }
  return ok;
}

static gboolean
arch_string (ArchCtx * c, JsonObject * o, const gchar * section,
    const gchar * key, gboolean required, const gchar ** out)
{
  JsonNode *n = member (o, key);
  *out = NULL;
  if (!n) {
    if (required)
      arch_error (c, CASCADE_ERROR_MODEL, section, key, "is missing");
    return !required;
  }
  if (!node_is_string (n)) {
    arch_error (c, CASCADE_ERROR_MODEL, section, key, "is not a string");
    return FALSE;
  }
  *out = json_node_get_string (n);
  return TRUE;
}

static gboolean
parse_arch (CascadeModel * m, JsonObject * root, GError ** error)
{
  static const gdouble scales[] = { 8 };
  static const gdouble ratios[] = { 0.5, 1.0, 2.0 };
  static const gdouble strides[] = { 4, 8, 16, 32, 64 };
  static const gdouble ones[] = { 1, 1, 1, 1 };
  static const gdouble def_stds[3][4] = {
    {0.1, 0.1, 0.2, 0.2}, {0.05, 0.05, 0.1, 0.1},
    {0.033, 0.033, 0.067, 0.067}
  };
  ArchCtx ctx = { m->file, error }, *c = &ctx;
  CascadeArch *a = &m->arch;
  JsonObject *bb, *neck, *rpn, *roi, *mask, *pre;
  JsonNode *n;
  JsonArray *arr;
  const gchar *s;
  guint i, j, ncls;
  gdouble v[4];
  gboolean present;

  if (!arch_string (c, root, NULL, "detector", FALSE, &s))
    return FALSE;
  if (s && strcmp (s, "CascadeRCNN") != 0) {
    arch_error (c, CASCADE_ERROR_UNSUPPORTED, NULL, "detector",
        "is not CascadeRCNN");
    return FALSE;
  }
  if (!arch_bool (c, root, NULL, "with_mask", TRUE, FALSE, &a->with_mask)
      || !arch_uint (c, root, NULL, "num_classes", TRUE, 0, 1, 10000,
          CASCADE_ERROR_MODEL, &a->num_classes))
    return FALSE;

  n = member (root, "classes");
  if (!n || !JSON_NODE_HOLDS_ARRAY (n)) {
    arch_error (c, CASCADE_ERROR_MODEL, NULL, "classes",
        n ? "is not an array of names" : "is missing");
    return FALSE;
  }
  arr = json_node_get_array (n);
  ncls = json_array_get_length (arr);
  if (ncls != a->num_classes) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "architecture metadata: classes has %u names but num_classes is %u",
        ncls, a->num_classes);
    return FALSE;
  }
  a->classes = g_new0 (gchar *, ncls + 1);
  for (i = 0; i < ncls; i++) {
    JsonNode *e = json_array_get_element (arr, i);
    if (!node_is_string (e)) {
      arch_error (c, CASCADE_ERROR_MODEL, NULL, "classes",
          "has an entry that is not a string");
      return FALSE;
    }
    a->classes[i] = g_strdup (json_node_get_string (e));
  }

  /* backbone */
  if (!arch_section (c, root, "backbone", TRUE, &bb)
      || !arch_string (c, bb, "backbone", "type", FALSE, &s))
    return FALSE;
  if (s && strcmp (s, "ResNet") != 0 && strcmp (s, "ResNeXt") != 0) {
    gchar *what = g_strdup_printf ("is \"%s\"; gst-cascade runs ResNet and "
        "ResNeXt", s);
    arch_error (c, CASCADE_ERROR_UNSUPPORTED, "backbone", "type", what);
    g_free (what);
    return FALSE;
  }
  if (!arch_uint (c, bb, "backbone", "depth", TRUE, 0, 0, G_MAXINT,
          CASCADE_ERROR_UNSUPPORTED, &a->depth))
    return FALSE;
  if (a->depth != 18 && a->depth != 34 && a->depth != 50 && a->depth != 101
      && a->depth != 152) {
    gchar *what = g_strdup_printf ("is %u; gst-cascade runs ResNet depths "
        "18, 34, 50, 101 and 152", a->depth);
    arch_error (c, CASCADE_ERROR_UNSUPPORTED, "backbone", "depth", what);
    g_free (what);
    return FALSE;
  }
  if (!arch_uint (c, bb, "backbone", "groups", TRUE, 1, 1, 1024,
          CASCADE_ERROR_MODEL, &a->groups)
      || !arch_uint (c, bb, "backbone", "base_width", TRUE, 4, 1, 1024,
          CASCADE_ERROR_MODEL, &a->base_width)
      || !arch_uint (c, bb, "backbone", "base_channels", FALSE, 64, 1, 1024,
          CASCADE_ERROR_MODEL, &a->base_channels)
      || !arch_string (c, bb, "backbone", "style", TRUE, &s))
    return FALSE;
  if (strcmp (s, "pytorch") == 0) {
    a->caffe_style = FALSE;
  } else if (strcmp (s, "caffe") == 0) {
    a->caffe_style = TRUE;
  } else {
    arch_error (c, CASCADE_ERROR_UNSUPPORTED, "backbone", "style",
        "is neither \"pytorch\" nor \"caffe\"");
    return FALSE;
  }
  if (a->groups > 1 && a->depth < 50) {
    arch_error (c, CASCADE_ERROR_UNSUPPORTED, "backbone", "groups",
        "is over 1 with a BasicBlock ResNet (ResNeXt needs depth >= 50)");
    return FALSE;
  }
  if (a->depth >= 50) {
    /* every channel count of the backbone must be sane: stage 4 has
     * base * 8 * 4 outputs and the widest grouped conv */
    guint64 out4 = (guint64) a->base_channels * 32;
    guint64 w1 = (guint64) a->base_channels * a->base_width
        / a->base_channels * a->groups;
    if (out4 > MAX_CHANNELS || w1 * 8 > MAX_CHANNELS) {
      arch_error (c, CASCADE_ERROR_MODEL, "backbone", "base_channels",
          "gives channel counts over 65535");
      return FALSE;
    }
  } else if ((guint64) a->base_channels * 8 > MAX_CHANNELS) {
    arch_error (c, CASCADE_ERROR_MODEL, "backbone", "base_channels",
        "gives channel counts over 65535");
    return FALSE;
  }

  /* neck */
  if (!arch_section (c, root, "neck", TRUE, &neck)
      || !arch_uint (c, neck, "neck", "out_channels", TRUE, 0, 1,
          MAX_CHANNELS, CASCADE_ERROR_MODEL, &a->fpn_channels)
      || !arch_uint (c, neck, "neck", "num_outs", FALSE, 5, 0, G_MAXINT,
          CASCADE_ERROR_UNSUPPORTED, &a->num_outs))
    return FALSE;
  if (a->num_outs != 5) {
    arch_error (c, CASCADE_ERROR_UNSUPPORTED, "neck", "num_outs",
        "must be 5 (P2..P6, the only setting gst-cascade runs)");
    return FALSE;
  }

  /* rpn (channels 0: read from the tensors) */
  if (!arch_section (c, root, "rpn", FALSE, &rpn)
      || !arch_uint (c, rpn, "rpn", "feat_channels", FALSE, 0, 1,
          MAX_CHANNELS, CASCADE_ERROR_MODEL, &a->rpn_channels)
      || !arch_fixed_list (c, rpn, "rpn", "anchor_scales", 1, scales, "[8]")
      || !arch_fixed_list (c, rpn, "rpn", "anchor_ratios", 3, ratios,
          "[0.5, 1.0, 2.0]")
      || !arch_fixed_list (c, rpn, "rpn", "strides", 5, strides,
          "[4, 8, 16, 32, 64]")
      || !arch_fixed_list (c, rpn, "rpn", "target_stds", 4, ones,
          "[1.0, 1.0, 1.0, 1.0]")
      || !arch_uint (c, rpn, "rpn", "nms_pre", FALSE, 1000, 1, 100000,
          CASCADE_ERROR_MODEL, &a->rpn_nms_pre)
      || !arch_float (c, rpn, "rpn", "nms_iou", 0.7, 0.0, 1.0,
          &a->rpn_nms_iou)
      || !arch_uint (c, rpn, "rpn", "max_per_img", FALSE, 1000, 1, 100000,
          CASCADE_ERROR_MODEL, &a->rpn_max_per_img)
      || !arch_float (c, rpn, "rpn", "min_bbox_size", 0.0, 0.0, 1e6,
          &a->rpn_min_bbox_size))
    return FALSE;

  /* cascade roi head */
  if (!arch_section (c, root, "roi_head", FALSE, &roi)
      || !arch_uint (c, roi, "roi_head", "num_stages", FALSE, 3, 0, G_MAXINT,
          CASCADE_ERROR_UNSUPPORTED, &a->num_stages))
    return FALSE;
  if (a->num_stages != 3) {
    arch_error (c, CASCADE_ERROR_UNSUPPORTED, "roi_head", "num_stages",
        "must be 3 (the only setting gst-cascade runs)");
    return FALSE;
  }
  if (!arch_uint (c, roi, "roi_head", "roi_size", FALSE, 7, 1, 32,
          CASCADE_ERROR_MODEL, &a->roi_size)
      || !arch_uint (c, roi, "roi_head", "finest_scale", FALSE, 56, 1, 100000,
          CASCADE_ERROR_MODEL, &a->finest_scale)
      || !arch_uint (c, roi, "roi_head", "fc_out_channels", FALSE, 0, 1,
          MAX_CHANNELS, CASCADE_ERROR_MODEL, &a->fc_channels)
      || !arch_uint (c, roi, "roi_head", "num_shared_fcs", FALSE, 2, 0,
          G_MAXINT, CASCADE_ERROR_UNSUPPORTED, &a->num_shared_fcs))
    return FALSE;
  if (a->num_shared_fcs != 2) {
    arch_error (c, CASCADE_ERROR_UNSUPPORTED, "roi_head", "num_shared_fcs",
        "must be 2 (Shared2FCBBoxHead, the only head gst-cascade runs)");
    return FALSE;
  }
  for (i = 0; i < 3; i++)
    for (j = 0; j < 4; j++)
      a->stage_stds[i][j] = (gfloat) def_stds[i][j];
  n = member (roi, "target_stds");
  if (n) {
    gboolean ok = JSON_NODE_HOLDS_ARRAY (n)
        && json_array_get_length (arr = json_node_get_array (n)) == 3;
    for (i = 0; ok && i < 3; i++) {
      JsonNode *row = json_array_get_element (arr, i);
      JsonArray *r;
      ok = JSON_NODE_HOLDS_ARRAY (row)
          && json_array_get_length (r = json_node_get_array (row)) == 4;
      for (j = 0; ok && j < 4; j++) {
        JsonNode *e = json_array_get_element (r, j);
        ok = node_is_number (e) && node_number (e) > 0.0
            && node_number (e) <= 1e3;
        if (ok)
          a->stage_stds[i][j] = (gfloat) node_number (e);
      }
    }
    if (!ok) {
      arch_error (c, CASCADE_ERROR_MODEL, "roi_head", "target_stds",
          "is not 3 lists of 4 positive numbers");
      return FALSE;
    }
  }
  if (!arch_float (c, roi, "roi_head", "score_thr", 0.05, 0.0, 1.0,
          &a->score_thr)
      || !arch_float (c, roi, "roi_head", "nms_iou", 0.5, 0.0, 1.0,
          &a->nms_iou)
      || !arch_uint (c, roi, "roi_head", "max_per_img", FALSE, 100, 1, 10000,
          CASCADE_ERROR_MODEL, &a->max_per_img))
    return FALSE;

  /* mask head: only read with with_mask (FORMAT.md: absent otherwise) */
  a->mask_num_convs = 4;
  a->mask_roi_size = 14;
  a->mask_thr = 0.5f;
  if (a->with_mask) {
    if (!arch_section (c, root, "mask_head", FALSE, &mask)
        || !arch_uint (c, mask, "mask_head", "conv_channels", FALSE, 0, 1,
            MAX_CHANNELS, CASCADE_ERROR_MODEL, &a->mask_channels)
        || !arch_uint (c, mask, "mask_head", "num_convs", FALSE, 4, 1, 16,
            CASCADE_ERROR_MODEL, &a->mask_num_convs)
        || !arch_uint (c, mask, "mask_head", "roi_size", FALSE, 14, 0,
            G_MAXINT, CASCADE_ERROR_UNSUPPORTED, &a->mask_roi_size)
        || !arch_float (c, mask, "mask_head", "mask_thr_binary", 0.5, 0.0,
            1.0, &a->mask_thr))
      return FALSE;
    if (a->mask_roi_size != 14) {
      arch_error (c, CASCADE_ERROR_UNSUPPORTED, "mask_head", "roi_size",
          "must be 14 (28x28 masks, the only setting gst-cascade runs)");
      return FALSE;
    }
  }

  /* preprocessing; the defaults follow the style (FORMAT.md) */
  if (!arch_section (c, root, "preprocess", FALSE, &pre))
    return FALSE;
  a->test_scale[0] = 1333;
  a->test_scale[1] = 800;
  if (!arch_numbers (c, pre, "preprocess", "test_scale", 2, v, &present))
    return FALSE;
  if (present) {
    for (i = 0; i < 2; i++) {
      if (v[i] != floor (v[i]) || v[i] < 1 || v[i] > 8192) {
        arch_error (c, CASCADE_ERROR_MODEL, "preprocess", "test_scale",
            "must hold two integers from 1 to 8192");
        return FALSE;
      }
    }
    /* mmdetection's keep-ratio rescale takes max/min of the scale */
    a->test_scale[0] = (guint) MAX (v[0], v[1]);
    a->test_scale[1] = (guint) MIN (v[0], v[1]);
  }
  if (a->caffe_style) {
    a->mean[0] = 103.53f;
    a->mean[1] = 116.28f;
    a->mean[2] = 123.675f;
    a->std[0] = a->std[1] = a->std[2] = 1.0f;
  } else {
    a->mean[0] = 123.675f;
    a->mean[1] = 116.28f;
    a->mean[2] = 103.53f;
    a->std[0] = 58.395f;
    a->std[1] = 57.12f;
    a->std[2] = 57.375f;
  }
  if (!arch_numbers (c, pre, "preprocess", "mean", 3, v, &present))
    return FALSE;
  for (i = 0; present && i < 3; i++)
    a->mean[i] = (gfloat) v[i];
  if (!arch_numbers (c, pre, "preprocess", "std", 3, v, &present))
    return FALSE;
  for (i = 0; present && i < 3; i++) {
    if (v[i] == 0.0 || fabs (v[i]) < 1e-6 || fabs (v[i]) > 1e6) {
      arch_error (c, CASCADE_ERROR_MODEL, "preprocess", "std",
          "must hold three non-zero numbers");
      return FALSE;
    }
    a->std[i] = (gfloat) v[i];
  }
  if (!arch_bool (c, pre, "preprocess", "to_rgb", FALSE, !a->caffe_style,
          &a->to_rgb)
      || !arch_uint (c, pre, "preprocess", "pad_size_divisor", FALSE, 32, 1,
          1024, CASCADE_ERROR_MODEL, &a->pad_divisor))
    return FALSE;
  return TRUE;
}

static gboolean
parse_metadata (CascadeModel * m, JsonObject * meta, GError ** error)
{
  JsonNode *n, *root;
  const gchar *s, *bad;
  gboolean ok;

  n = member (meta, "format");
  if (!n) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "__metadata__ has no \"format\": not a gst-cascade model file "
        "(convert mmdetection checkpoints with models/convert_mmdet.py)");
    return FALSE;
  }
  if (!node_is_string (n) || strcmp (json_node_get_string (n),
          "gst-cascade") != 0) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "__metadata__ format is %s%s%s, expected \"gst-cascade\"",
        node_is_string (n) ? "\"" : "",
        node_is_string (n) ? json_node_get_string (n) : "not a string",
        node_is_string (n) ? "\"" : "");
    return FALSE;
  }
  n = member (meta, "format_version");
  if (!node_is_string (n)) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "__metadata__ has no \"format_version\" string");
    return FALSE;
  }
  s = json_node_get_string (n);
  if (strcmp (s, "1") != 0) {
    guint64 ver;
    if (g_ascii_string_to_unsigned (s, 10, 2, G_MAXUINT64, &ver, NULL))
      model_error (error, CASCADE_ERROR_UNSUPPORTED, m->file,
          "format_version %s is newer than this gst-cascade reads (1)", s);
    else
      model_error (error, CASCADE_ERROR_MODEL, m->file,
          "__metadata__ format_version is \"%s\", expected \"1\"", s);
    return FALSE;
  }
  n = member (meta, "cascade");
  if (!node_is_string (n)) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "__metadata__ has no \"cascade\" string (the architecture)");
    return FALSE;
  }
  s = json_node_get_string (n);
  if (!g_utf8_validate (s, -1, &bad)) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "architecture metadata is not valid UTF-8");
    return FALSE;
  }
  root = parse_json_object (m->file, s, strlen (s), "architecture metadata",
      error);
  if (!root)
    return FALSE;
  ok = parse_arch (m, json_node_get_object (root), error);
  json_node_unref (root);
  return ok;
}

/* ------------------------------------------------------------------------
 * expected tensors
 * --------------------------------------------------------------------- */

gchar *
cascade_arch_backbone_name (const CascadeArch * arch)
{
  if (arch->groups > 1)
    return g_strdup_printf ("ResNeXt-%u-%ux%ud", arch->depth, arch->groups,
        arch->base_width);
  return g_strdup_printf ("ResNet-%u", arch->depth);
}

static void expect (GPtrArray * out, const gchar * needed_for, guint ndim,
    gsize d0, gsize d1, gsize d2, gsize d3, const gchar * format, ...)
    G_GNUC_PRINTF (8, 9);

static void
expect (GPtrArray * out, const gchar * needed_for, guint ndim,
    gsize d0, gsize d1, gsize d2, gsize d3, const gchar * format, ...)
{
  CascadeTensorSpec *s = g_new0 (CascadeTensorSpec, 1);
  va_list ap;

  va_start (ap, format);
  s->name = g_strdup_vprintf (format, ap);
  va_end (ap);
  s->ndim = ndim;
  s->shape[0] = d0;
  s->shape[1] = d1;
  s->shape[2] = d2;
  s->shape[3] = d3;
  s->needed_for = g_strdup (needed_for);
  g_ptr_array_add (out, s);
}

/* conv without bias [cout, cin, k, k] + BatchNorm `bn` (weight, bias,
 * running_mean, running_var: [cout]; num_batches_tracked not needed) */
static void
expect_conv_bn (GPtrArray * out, const gchar * nf, const gchar * prefix,
    const gchar * conv, const gchar * bn, gsize cout, gsize cin, gsize k)
{
  expect (out, nf, 4, cout, cin, k, k, "%s.%s.weight", prefix, conv);
  expect (out, nf, 1, cout, 0, 0, 0, "%s.%s.weight", prefix, bn);
  expect (out, nf, 1, cout, 0, 0, 0, "%s.%s.bias", prefix, bn);
  expect (out, nf, 1, cout, 0, 0, 0, "%s.%s.running_mean", prefix, bn);
  expect (out, nf, 1, cout, 0, 0, 0, "%s.%s.running_var", prefix, bn);
}

/* The layout (mmdetection's CascadeRCNN state_dict; B = base_channels,
 * C = fpn_channels, F = rpn_channels, D = fc_channels, M = mask_channels,
 * K = num_classes, R = roi_size; every BN is weight/bias/running_mean/
 * running_var of the conv's outputs):
 *
 * backbone.conv1.weight [B, 3, 7, 7], backbone.bn1
 * backbone.layer{1..4}.{block}: stage s (0-based) has planes P = B * 2^s and
 *   blocks (2,2,2,2) for depth 18, (3,4,6,3) for 34 (BasicBlock) and 50,
 *   (3,4,23,3) for 101, (3,8,36,3) for 152 (Bottleneck);
 *   BasicBlock (out P): conv1 [P, in, 3, 3] bn1, conv2 [P, P, 3, 3] bn2;
 *   Bottleneck (out 4P; W = P, or floor(P * base_width / B) * groups for
 *   ResNeXt): conv1 [W, in, 1, 1] bn1, conv2 [W, W / groups, 3, 3] bn2
 *   (grouped), conv3 [4P, W, 1, 1] bn3;
 *   block 0 has downsample.0 [out, in, 1, 1] + BN downsample.1 when
 *   in != out or s > 0 (so BasicBlock stage 0 has none); `in` is the
 *   previous block's out (B for the first).  The style (pytorch/caffe)
 *   moves strides only.
 * neck.lateral_convs.{i}.conv weight [C, out_i, 1, 1] + bias [C], i 0..3
 *   (out_i: the output channels of stage i);
 * neck.fpn_convs.{i}.conv weight [C, C, 3, 3] + bias [C] (P6 is a max pool)
 * rpn_head.rpn_conv [F, C, 3, 3], rpn_cls [3, F, 1, 1], rpn_reg
 *   [12, F, 1, 1], each with a bias (3 anchors per location)
 * roi_head.bbox_head.{s}, s 0..2: fc_cls [K + 1, D] (background last),
 *   fc_reg [4, D] (class agnostic), shared_fcs.0 [D, C * R * R],
 *   shared_fcs.1 [D, D], each with a bias
 * with_mask: roi_head.mask_head.{s}: convs.{k}.conv [M, C or M, 3, 3]
 *   (k 0..num_convs-1), upsample (ConvTranspose2d) [M, M, 2, 2],
 *   conv_logits [K, M, 1, 1], each with a bias. */
GPtrArray *
cascade_arch_expected_tensors (const CascadeArch * arch)
{
  static const guint blocks[5][4] = {
    {2, 2, 2, 2}, {3, 4, 6, 3}, {3, 4, 6, 3}, {3, 4, 23, 3}, {3, 8, 36, 3}
  };
  GPtrArray *out = g_ptr_array_new_with_free_func (tensor_spec_free);
  const gsize B = arch->base_channels, C = arch->fpn_channels;
  const gsize F = arch->rpn_channels, D = arch->fc_channels;
  const gsize M = arch->mask_channels, K = arch->num_classes;
  const gsize R = arch->roi_size;
  gboolean basic = arch->depth < 50;
  guint di = arch->depth == 18 ? 0 : arch->depth == 34 ? 1
      : arch->depth == 50 ? 2 : arch->depth == 101 ? 3 : 4;
  gsize inplanes = B, stage_out[4];
  gchar *bb = cascade_arch_backbone_name (arch), *nf;
  guint s, b, k;

  if (B != 64) {
    nf = g_strdup_printf ("%s with base_channels %u", bb, arch->base_channels);
    g_free (bb);
    bb = nf;
  }
  expect_conv_bn (out, bb, "backbone", "conv1", "bn1", B, 3, 7);
  for (s = 0; s < 4; s++) {
    gsize planes = B << s;
    gsize outc = basic ? planes : planes * 4;
    for (b = 0; b < blocks[di][s]; b++) {
      gchar *p = g_strdup_printf ("backbone.layer%u.%u", s + 1, b);
      if (basic) {
        expect_conv_bn (out, bb, p, "conv1", "bn1", planes, inplanes, 3);
        expect_conv_bn (out, bb, p, "conv2", "bn2", planes, planes, 3);
      } else {
        gsize w = arch->groups == 1 ? planes
            : planes * arch->base_width / B * arch->groups;
        expect_conv_bn (out, bb, p, "conv1", "bn1", w, inplanes, 1);
        expect_conv_bn (out, bb, p, "conv2", "bn2", w, w / arch->groups, 3);
        expect_conv_bn (out, bb, p, "conv3", "bn3", outc, w, 1);
      }
      if (b == 0 && (inplanes != outc || s > 0))
        expect_conv_bn (out, bb, p, "downsample.0", "downsample.1", outc,
            inplanes, 1);
      inplanes = outc;
      g_free (p);
    }
    stage_out[s] = outc;
  }
  g_free (bb);

  nf = g_strdup_printf ("the FPN of %u channels", arch->fpn_channels);
  for (s = 0; s < 4; s++) {
    expect (out, nf, 4, C, stage_out[s], 1, 1,
        "neck.lateral_convs.%u.conv.weight", s);
    expect (out, nf, 1, C, 0, 0, 0, "neck.lateral_convs.%u.conv.bias", s);
  }
  for (s = 0; s < 4; s++) {
    expect (out, nf, 4, C, C, 3, 3, "neck.fpn_convs.%u.conv.weight", s);
    expect (out, nf, 1, C, 0, 0, 0, "neck.fpn_convs.%u.conv.bias", s);
  }
  g_free (nf);

  nf = "the RPN head";
  expect (out, nf, 4, F, C, 3, 3, "rpn_head.rpn_conv.weight");
  expect (out, nf, 1, F, 0, 0, 0, "rpn_head.rpn_conv.bias");
  expect (out, nf, 4, 3, F, 1, 1, "rpn_head.rpn_cls.weight");
  expect (out, nf, 1, 3, 0, 0, 0, "rpn_head.rpn_cls.bias");
  expect (out, nf, 4, 12, F, 1, 1, "rpn_head.rpn_reg.weight");
  expect (out, nf, 1, 12, 0, 0, 0, "rpn_head.rpn_reg.bias");

  for (s = 0; s < arch->num_stages; s++) {
    gchar *p = g_strdup_printf ("roi_head.bbox_head.%u", s);
    nf = g_strdup_printf ("the box head of cascade stage %u", s + 1);
    expect (out, nf, 2, K + 1, D, 0, 0, "%s.fc_cls.weight", p);
    expect (out, nf, 1, K + 1, 0, 0, 0, "%s.fc_cls.bias", p);
    expect (out, nf, 2, 4, D, 0, 0, "%s.fc_reg.weight", p);
    expect (out, nf, 1, 4, 0, 0, 0, "%s.fc_reg.bias", p);
    expect (out, nf, 2, D, C * R * R, 0, 0, "%s.shared_fcs.0.weight", p);
    expect (out, nf, 1, D, 0, 0, 0, "%s.shared_fcs.0.bias", p);
    expect (out, nf, 2, D, D, 0, 0, "%s.shared_fcs.1.weight", p);
    expect (out, nf, 1, D, 0, 0, 0, "%s.shared_fcs.1.bias", p);
    g_free (nf);
    g_free (p);
  }

  if (arch->with_mask) {
    for (s = 0; s < arch->num_stages; s++) {
      gchar *p = g_strdup_printf ("roi_head.mask_head.%u", s);
      nf = g_strdup_printf ("the mask head of cascade stage %u", s + 1);
      for (k = 0; k < arch->mask_num_convs; k++) {
        expect (out, nf, 4, M, k ? M : C, 3, 3, "%s.convs.%u.conv.weight", p,
            k);
        expect (out, nf, 1, M, 0, 0, 0, "%s.convs.%u.conv.bias", p, k);
      }
      expect (out, nf, 4, M, M, 2, 2, "%s.upsample.weight", p);
      expect (out, nf, 1, M, 0, 0, 0, "%s.upsample.bias", p);
      expect (out, nf, 4, K, M, 1, 1, "%s.conv_logits.weight", p);
      expect (out, nf, 1, K, 0, 0, 0, "%s.conv_logits.bias", p);
      g_free (nf);
      g_free (p);
    }
  }
  return out;
}

/* Reads an unset channel count (0) from a tensor's first dimension, or
 * checks the metadata's value against it. */
static gboolean
infer_channels (CascadeModel * m, guint * value, const gchar * tensor,
    const gchar * needed_for, const gchar * key, GError ** error)
{
  TensorEntry *e = g_hash_table_lookup (m->by_name, tensor);
  if (!e || !e->is_float) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s is missing (needed for %s)", tensor, needed_for);
    return FALSE;
  }
  if (e->ndim == 0) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s has shape [] (needed for %s)", tensor, needed_for);
    return FALSE;
  }
  if (*value == 0) {
    if (e->shape[0] < 1 || e->shape[0] > MAX_CHANNELS) {
      model_error (error, CASCADE_ERROR_MODEL, m->file,
          "tensor %s has %" G_GSIZE_FORMAT " output channels (1 to 65535 "
          "expected)", tensor, e->shape[0]);
      return FALSE;
    }
    *value = (guint) e->shape[0];
  } else if (*value != e->shape[0]) {
    model_error (error, CASCADE_ERROR_MODEL, m->file,
        "architecture metadata says %s is %u but tensor %s has %"
        G_GSIZE_FORMAT " output channels", key, *value, tensor, e->shape[0]);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_tensors (CascadeModel * m, GError ** error)
{
  CascadeArch *a = &m->arch;
  GPtrArray *want;
  guint i, used = 0;

  if (!infer_channels (m, &a->rpn_channels, "rpn_head.rpn_conv.weight",
          "the RPN head", "rpn.feat_channels", error)
      || !infer_channels (m, &a->fc_channels,
          "roi_head.bbox_head.0.shared_fcs.0.weight",
          "the box head of cascade stage 1", "roi_head.fc_out_channels",
          error))
    return FALSE;
  if (a->with_mask && !infer_channels (m, &a->mask_channels,
          "roi_head.mask_head.0.convs.0.conv.weight",
          "the mask head of cascade stage 1", "mask_head.conv_channels",
          error))
    return FALSE;

  want = cascade_arch_expected_tensors (a);
  for (i = 0; i < want->len; i++) {
    const CascadeTensorSpec *s = g_ptr_array_index (want, i);
    TensorEntry *e = g_hash_table_lookup (m->by_name, s->name);
    if (!e || !e->is_float) {
      model_error (error, CASCADE_ERROR_MODEL, m->file,
          "tensor %s is missing (needed for %s)", s->name, s->needed_for);
      g_ptr_array_unref (want);
      return FALSE;
    }
    if (e->ndim != s->ndim
        || memcmp (e->shape, s->shape, s->ndim * sizeof (gsize)) != 0) {
      gchar *got = shape_string (e->ndim, e->shape);
      gchar *exp = shape_string (s->ndim, s->shape);
      model_error (error, CASCADE_ERROR_MODEL, m->file,
          "tensor %s has shape %s, expected %s (%s)", s->name, got, exp,
          s->needed_for);
      g_free (got);
      g_free (exp);
      g_ptr_array_unref (want);
      return FALSE;
    }
    if (!e->used) {
      e->used = TRUE;
      used++;
    }
  }
  g_ptr_array_unref (want);
  m->n_unused = m->entries->len - used;
  return TRUE;
}

/* ------------------------------------------------------------------------
 * API
 * --------------------------------------------------------------------- */

CascadeModel *
cascade_model_load_from_bytes (GBytes * bytes, const gchar * name,
    GError ** error)
{
  CascadeModel *m;
  JsonNode *root = NULL;
  JsonObject *meta;
  gboolean ok;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  m = g_new0 (CascadeModel, 1);
  m->path = g_strdup (name ? name : "model");
  m->file = g_path_get_basename (m->path);
  m->bytes = g_bytes_ref (bytes);
  m->entries = g_ptr_array_new_with_free_func (tensor_entry_free);
  m->by_name = g_hash_table_new (g_str_hash, g_str_equal);

  meta = parse_container (m, &root, error);
  ok = meta && parse_metadata (m, meta, error) && check_tensors (m, error);
  if (root)
    json_node_unref (root);
  if (!ok) {
    cascade_model_free (m);
    return NULL;
  }
  return m;
}

CascadeModel *
cascade_model_load (const gchar * path, GError ** error)
{
  GMappedFile *mf;
  GBytes *bytes;
  GError *ferr = NULL;
  CascadeModel *m;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* a FIFO would block in open(), a device map nothing useful */
  if (g_file_test (path, G_FILE_TEST_EXISTS)
      && !g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_MODEL,
        "%s: cannot read the model file: it is %s", path,
        g_file_test (path, G_FILE_TEST_IS_DIR) ? "a directory"
        : "not a regular file");
    return NULL;
  }
  mf = g_mapped_file_new (path, FALSE, &ferr);
  if (!mf) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_MODEL,
        "%s: cannot read the model file: %s", path, ferr->message);
    g_error_free (ferr);
    return NULL;
  }
  bytes = g_mapped_file_get_bytes (mf);
  g_mapped_file_unref (mf);
  m = cascade_model_load_from_bytes (bytes, path, error);
  g_bytes_unref (bytes);
  return m;
}

void
cascade_model_free (CascadeModel * model)
{
  if (!model)
    return;
  g_strfreev (model->arch.classes);
  g_hash_table_unref (model->by_name);
  g_ptr_array_unref (model->entries);
  g_bytes_unref (model->bytes);
  g_free (model->file);
  g_free (model->path);
  g_free (model);
}

const CascadeArch *
cascade_model_arch (const CascadeModel * model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return &model->arch;
}

const gchar *
cascade_model_path (const CascadeModel * model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->path;
}

guint
cascade_model_n_tensors (const CascadeModel * model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->entries->len;
}

gboolean
cascade_model_has (const CascadeModel * model, const gchar * name)
{
  g_return_val_if_fail (model != NULL, FALSE);
  return name && g_hash_table_contains (model->by_name, name);
}

gboolean
cascade_model_shape (const CascadeModel * model, const gchar * name,
    guint * ndim, gsize shape[8])
{
  const TensorEntry *e;
  g_return_val_if_fail (model != NULL, FALSE);
  e = name ? g_hash_table_lookup (model->by_name, name) : NULL;
  if (!e)
    return FALSE;
  if (ndim)
    *ndim = e->ndim;
  if (shape) {
    memset (shape, 0, MAX_DIMS * sizeof (gsize));
    memcpy (shape, e->shape, e->ndim * sizeof (gsize));
  }
  return TRUE;
}

gfloat *
cascade_model_read_f32 (const CascadeModel * model, const gchar * name,
    guint ndim, const gsize * shape, GError ** error)
{
  const TensorEntry *e;
  const guint8 *src;
  gfloat *out;
  gsize i, n;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  e = name ? g_hash_table_lookup (model->by_name, name) : NULL;
  if (!e) {
    model_error (error, CASCADE_ERROR_MODEL, model->file,
        "tensor %s is missing", name ? name : "(null)");
    return NULL;
  }
  if (ndim > MAX_DIMS || (ndim && !shape) || e->ndim != ndim
      || (ndim && memcmp (e->shape, shape, ndim * sizeof (gsize)) != 0)) {
    gchar *got = shape_string (e->ndim, e->shape);
    gchar *exp = ndim <= MAX_DIMS && (shape || !ndim)
        ? shape_string (ndim, shape) : g_strdup ("(invalid)");
    model_error (error, CASCADE_ERROR_MODEL, model->file,
        "tensor %s has shape %s, expected %s", name, got, exp);
    g_free (got);
    g_free (exp);
    return NULL;
  }
  if (!e->is_float) {
    model_error (error, CASCADE_ERROR_UNSUPPORTED, model->file,
        "tensor %s has dtype %s, not F32 or F16", name, e->dtype);
    return NULL;
  }
  n = (gsize) e->numel;
  src = model->data + e->begin;
  out = g_try_new (gfloat, MAX (n, 1));
  if (!out) {
    model_error (error, CASCADE_ERROR_MODEL, model->file,
        "out of memory reading tensor %s (%" G_GSIZE_FORMAT " values)", name,
        n);
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

/* ------------------------------------------------------------------------
 * private helpers
 * --------------------------------------------------------------------- */

gchar **
cascade_model_tensor_names (const CascadeModel * model)
{
  gchar **names = g_new0 (gchar *, model->entries->len + 1);
  guint i;
  for (i = 0; i < model->entries->len; i++)
    names[i] = g_strdup (((TensorEntry *)
            g_ptr_array_index (model->entries, i))->name);
  return names;
}

guint
cascade_model_n_unused (const CascadeModel * model)
{
  return model->n_unused;
}

guint64
cascade_model_n_params (const CascadeModel * model)
{
  return model->n_params;
}

const gchar *
cascade_model_dtype (const CascadeModel * model, const gchar * name)
{
  const TensorEntry *e = g_hash_table_lookup (model->by_name, name);
  return e ? e->dtype : NULL;
}

gchar *
cascade_model_describe (const CascadeModel * model)
{
  const CascadeArch *a = &model->arch;
  GString *s = g_string_new (NULL);
  gchar *bb = cascade_arch_backbone_name (a);
  gboolean f32 = FALSE, f16 = FALSE;
  guint i;

  for (i = 0; i < model->entries->len; i++) {
    const TensorEntry *e = g_ptr_array_index (model->entries, i);
    if (e->is_float && e->dsize == 4)
      f32 = TRUE;
    else if (e->is_float)
      f16 = TRUE;
  }
  g_string_append_printf (s, "%s: Cascade %sR-CNN, %s (%s style, base %u) + "
      "FPN %u, RPN %u, 3 stages of 2 shared FCs of %u",
      model->file, a->with_mask ? "Mask " : "", bb,
      a->caffe_style ? "caffe" : "pytorch", a->base_channels,
      a->fpn_channels, a->rpn_channels, a->fc_channels);
  if (a->with_mask)
    g_string_append_printf (s, ", mask heads of %u convs of %u",
        a->mask_num_convs, a->mask_channels);
  g_string_append_printf (s, "; %u classes (", a->num_classes);
  for (i = 0; i < a->num_classes && i < 5; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", a->classes[i]);
  g_string_append_printf (s, "%s); test scale %ux%u, %s; %u tensors "
      "(%u unused), %" G_GUINT64_FORMAT " parameters (%s).",
      a->num_classes > 5 ? ", ..." : "", a->test_scale[0], a->test_scale[1],
      a->to_rgb ? "RGB" : "BGR", model->entries->len, model->n_unused,
      model->n_params, f32 && f16 ? "F32+F16" : f16 ? "F16" : "F32");
  g_free (bb);
  return g_string_free (s, FALSE);
}
