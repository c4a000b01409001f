/* gst-cascade: the model loader's error format and strict JSON reading */
#include "model/json.h"
#include "runtime/error.h"

#include <stdarg.h>

void
cascade_model_error (GError ** error, gint code, const gchar * file,
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
      if (++depth > CASCADE_JSON_MAX_DEPTH)
        return FALSE;
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
  }
  return TRUE;
}

JsonNode *
cascade_json_parse_object (const gchar * file, const gchar * text, gsize len,
    const gchar * what, GError ** error)
{
  JsonParser *parser;
  JsonNode *root;
  GError *jerr = NULL;

  if (!json_depth_ok (text, len)) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, file,
        "%s is nested more than %d levels deep", what, CASCADE_JSON_MAX_DEPTH);
    return NULL;
  }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, (gssize) len, &jerr)) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, file,
        "%s is not valid JSON: %s", what, jerr->message);
    g_error_free (jerr);
    g_object_unref (parser);
    return NULL;
  }
  if (json_parser_has_assignment (parser, NULL)) {
    /* json-glib accepts "var x = {...}"; JSON does not */
    cascade_model_error (error, CASCADE_ERROR_MODEL, file,
        "%s is not valid JSON (it is a JavaScript assignment)", what);
    g_object_unref (parser);
    return NULL;
  }
  root = json_parser_steal_root (parser);
  g_object_unref (parser);
  if (!root) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, file,
        "%s is empty (not a JSON object)", what);
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, file,
        "%s is not a JSON object", what);
    json_node_unref (root);
    return NULL;
  }
  return root;
}

JsonNode *
cascade_json_member (JsonObject * o, const gchar * key)
{
  JsonNode *n;
  if (!o || !json_object_has_member (o, key))
    return NULL;
  n = json_object_get_member (o, key);
  if (!n || JSON_NODE_HOLDS_NULL (n))
    return NULL;
  return n;
}

gboolean
cascade_json_is_int (JsonNode * n)
{
  return n && JSON_NODE_HOLDS_VALUE (n)
      && json_node_get_value_type (n) == G_TYPE_INT64;
}

gboolean
cascade_json_is_number (JsonNode * n)
{
  return n && JSON_NODE_HOLDS_VALUE (n)
      && (json_node_get_value_type (n) == G_TYPE_INT64
      || json_node_get_value_type (n) == G_TYPE_DOUBLE);
}

gboolean
cascade_json_is_string (JsonNode * n)
{
  return n && JSON_NODE_HOLDS_VALUE (n)
      && json_node_get_value_type (n) == G_TYPE_STRING;
}

gdouble
cascade_json_number (JsonNode * n)
{
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return (gdouble) json_node_get_int (n);
  return json_node_get_double (n);
}
