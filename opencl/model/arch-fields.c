/* gst-cascade: typed reading of the architecture metadata's fields */
#include "model/arch-fields.h"
#include "model/json.h"
#include "runtime/error.h"

#include <math.h>

static gchar *
key_path (const gchar * section, const gchar * key)
{
  return section ? g_strdup_printf ("%s.%s", section, key) : g_strdup (key);
}

void
cascade_arch_error (CascadeArchCtx * c, gint code, const gchar * section,
    const gchar * key, const gchar * what)
{
  gchar *k = key_path (section, key);
  cascade_model_error (c->error, code, c->file, "architecture metadata: %s %s",
      k, what);
  g_free (k);
}

/* the optional (or required) sub-object `key` of o; *out NULL if absent */
gboolean
cascade_arch_section (CascadeArchCtx * c, JsonObject * o, const gchar * key,
    gboolean required, JsonObject ** out)
{
  JsonNode *n = cascade_json_member (o, key);
  *out = NULL;
  if (!n) {
    if (required)
      cascade_arch_error (c, CASCADE_ERROR_MODEL, NULL, key, "is missing");
    return !required;
  }
  if (!JSON_NODE_HOLDS_OBJECT (n)) {
    cascade_arch_error (c, CASCADE_ERROR_MODEL, NULL, key,
        "is not a JSON object");
    return FALSE;
  }
  *out = json_node_get_object (n);
  return TRUE;
}

/* `required` FALSE: def when absent. Out of [lo, hi]: `range_code`. */
gboolean
cascade_arch_uint (CascadeArchCtx * c, JsonObject * o, const gchar * section,
    const gchar * key, gboolean required, guint def, guint lo, guint hi,
    gint range_code, guint * out)
{
  JsonNode *n = cascade_json_member (o, key);
  gint64 v;
  if (!n) {
    if (required) {
      cascade_arch_error (c, CASCADE_ERROR_MODEL, section, key, "is missing");
      return FALSE;
    }
    *out = def;
    return TRUE;
  }
  if (!cascade_json_is_int (n)) {
    cascade_arch_error (c, CASCADE_ERROR_MODEL, section, key,
        "is not an integer");
    return FALSE;
  }
  v = json_node_get_int (n);
  if (v < lo || v > hi) {
    gchar *what = g_strdup_printf ("is %" G_GINT64_FORMAT
        ", outside %u..%u", v, lo, hi);
    cascade_arch_error (c, range_code, section, key, what);
    g_free (what);
    return FALSE;
  }
  *out = (guint) v;
  return TRUE;
}

gboolean
cascade_arch_float (CascadeArchCtx * c, JsonObject * o, const gchar * section,
    const gchar * key, gdouble def, gdouble lo, gdouble hi, gfloat * out)
{
  JsonNode *n = cascade_json_member (o, key);
  gdouble v;
  if (!n) {
    *out = (gfloat) def;
    return TRUE;
  }
  if (!cascade_json_is_number (n)) {
    cascade_arch_error (c, CASCADE_ERROR_MODEL, section, key,
        "is not a number");
    return FALSE;
  }
  v = cascade_json_number (n);
  if (!(v >= lo && v <= hi)) {
    gchar *what = g_strdup_printf ("is %g, outside [%g, %g]", v, lo, hi);
    cascade_arch_error (c, CASCADE_ERROR_MODEL, section, key, what);
    g_free (what);
    return FALSE;
  }
  *out = (gfloat) v;
  return TRUE;
}

gboolean
cascade_arch_bool (CascadeArchCtx * c, JsonObject * o, const gchar * section,
    const gchar * key, gboolean required, gboolean def, gboolean * out)
{
  JsonNode *n = cascade_json_member (o, key);
  if (!n) {
    if (required) {
      cascade_arch_error (c, CASCADE_ERROR_MODEL, section, key, "is missing");
      return FALSE;
    }
    *out = def;
    return TRUE;
  }
  if (!JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_BOOLEAN) {
    cascade_arch_error (c, CASCADE_ERROR_MODEL, section, key,
        "is not true/false");
    return FALSE;
  }
  *out = json_node_get_boolean (n);
  return TRUE;
}

/* An array of n finite numbers; FALSE with error otherwise.  present is
 * set FALSE (and out untouched) when absent. */
gboolean
cascade_arch_numbers (CascadeArchCtx * c, JsonObject * o, const gchar * section,
    const gchar * key, guint n, gdouble * out, gboolean * present)
{
  JsonNode *node = cascade_json_member (o, key);
  JsonArray *a;
  guint i;

  *present = FALSE;
  if (!node)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (a = json_node_get_array (node)) != n) {
    gchar *what = g_strdup_printf ("is not an array of %u numbers", n);
    cascade_arch_error (c, CASCADE_ERROR_MODEL, section, key, what);
    g_free (what);
    return FALSE;
  }
  for (i = 0; i < n; i++) {
    JsonNode *e = json_array_get_element (a, i);
    if (!cascade_json_is_number (e) || !isfinite (cascade_json_number (e))) {
      gchar *what = g_strdup_printf ("is not an array of %u numbers", n);
      cascade_arch_error (c, CASCADE_ERROR_MODEL, section, key, what);
      g_free (what);
      return FALSE;
    }
    out[i] = cascade_json_number (e);
  }
  *present = TRUE;
  return TRUE;
}

/* an optional list that must equal `want` (the only setting we run) */
gboolean
cascade_arch_fixed_list (CascadeArchCtx * c, JsonObject * o,
    const gchar * section, const gchar * key, guint n, const gdouble * want,
    const gchar * want_str)
{
  JsonNode *node = cascade_json_member (o, key);
  JsonArray *a;
  guint i;
  gboolean ok;

  if (!node)
    return TRUE;
  ok = JSON_NODE_HOLDS_ARRAY (node)
      && json_array_get_length (a = json_node_get_array (node)) == n;
  for (i = 0; ok && i < n; i++) {
    JsonNode *e = json_array_get_element (a, i);
    ok = cascade_json_is_number (e)
        && fabs (cascade_json_number (e) - want[i]) <= 1e-6;
  }
  if (!ok) {
    gchar *what = g_strdup_printf ("must be %s (the only setting "
        "gst-cascade runs)", want_str);
    cascade_arch_error (c, CASCADE_ERROR_UNSUPPORTED, section, key, what);
    g_free (what);
  }
  return ok;
}

gboolean
cascade_arch_string (CascadeArchCtx * c, JsonObject * o, const gchar * section,
    const gchar * key, gboolean required, const gchar ** out)
{
  JsonNode *n = cascade_json_member (o, key);
  *out = NULL;
  if (!n) {
    if (required)
      cascade_arch_error (c, CASCADE_ERROR_MODEL, section, key, "is missing");
    return !required;
  }
  if (!cascade_json_is_string (n)) {
    cascade_arch_error (c, CASCADE_ERROR_MODEL, section, key,
        "is not a string");
    return FALSE;
  }
  *out = json_node_get_string (n);
  return TRUE;
}
