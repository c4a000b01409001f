/* gst-cascade: the safetensors container of a model file
 * (models/FORMAT.md): the header length, the JSON header and its tensor
 * entries, validated with bounds-checked reads; tensors read as float32 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CASCADE_SAFETENSORS_MAX_DIMS 8
/* the largest header length accepted */
#define CASCADE_SAFETENSORS_MAX_HEADER (100u * 1024u * 1024u)

/* One tensor entry of the header, validated. */
typedef struct
{
  gchar *name;
  const gchar *dtype;           /* static string: "F32", "F16", "I64", ... */
  guint dsize;                  /* bytes per element */
  gboolean is_float;            /* F32 or F16 */
  guint ndim;
  gsize shape[CASCADE_SAFETENSORS_MAX_DIMS];
  guint64 numel;
  guint64 begin, end;           /* relative to the data section */
} CascadeSafetensorsEntry;

typedef struct
{
  gchar *file;                  /* names the file in messages */
  GBytes *bytes;                /* the whole file */
  const guint8 *data;           /* first byte after the header */
  gsize data_size;
  GPtrArray *entries;           /* CascadeSafetensorsEntry, in data order */
  GHashTable *by_name;          /* name -> entry (borrowed) */
  guint64 n_params;             /* sum of the F32/F16 tensors' numel */
} CascadeSafetensors;

/* Parses and validates the container held in `bytes` (the object keeps a
 * reference): the 8-byte little-endian header length (at most
 * CASCADE_SAFETENSORS_MAX_HEADER and inside the file), the header (valid
 * UTF-8, a JSON object, cascade_json_parse_object), every tensor entry
 * (dtype, shape of at most 8 non-negative dimensions whose product does
 * not overflow, data_offsets [begin, end] inside the data with end - begin
 * equal to the shape's byte size), that no two tensors share a byte, and
 * that there is a `__metadata__` object.
 *
 * Tensors of a known non-float dtype are CASCADE_ERROR_UNSUPPORTED unless
 * named `*.num_batches_tracked`; an unknown dtype string is
 * CASCADE_ERROR_MODEL.  Of a repeated key the last value counts
 * (json-glib's behaviour).  Holes between tensors and bytes after the
 * last one are allowed; empty tensors never overlap anything.
 *
 * On success *metadata is the `__metadata__` object (json_object_unref).
 * Errors read "<file>: ...". */
CascadeSafetensors *cascade_safetensors_parse (GBytes * bytes,
    const gchar * file, JsonObject ** metadata, GError ** error);
void cascade_safetensors_free (CascadeSafetensors * st);

/* the entry of `name` (NULL allowed), NULL when absent */
const CascadeSafetensorsEntry *cascade_safetensors_lookup (const
    CascadeSafetensors * st, const gchar * name);

/* The values of `e` (an entry of st) converted to float32 (g_free):
 * CASCADE_ERROR_UNSUPPORTED when its dtype is not F32 or F16,
 * CASCADE_ERROR_MODEL when the memory cannot be had. */
gfloat *cascade_safetensors_read_f32 (const CascadeSafetensors * st,
    const CascadeSafetensorsEntry * e, GError ** error);

/* IEEE half (binary16) bits to float, exact for every value (subnormals,
 * infinities, NaN payloads kept). */
gfloat cascade_half_to_float (guint16 h);

/* "[64, 3, 7, 7]" (g_free) */
gchar *cascade_shape_string (guint ndim, const gsize * shape);

G_END_DECLS
