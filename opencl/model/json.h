/* gst-cascade: what the model loader's parsers share: its error format
 * and strict reading of JSON text (the safetensors header and the
 * architecture metadata are both JSON objects) */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* deepest nesting of arrays and objects accepted in a JSON text */
#define CASCADE_JSON_MAX_DEPTH 32

/* Sets CASCADE_ERROR `code` with the message "<file>: <format...>", the
 * form of every error about a model file. */
void cascade_model_error (GError ** error, gint code, const gchar * file,
    const gchar * format, ...) G_GNUC_PRINTF (4, 5);

/* Parses text (valid UTF-8, len bytes) as a JSON object: more than
 * CASCADE_JSON_MAX_DEPTH levels of nesting (refused before json-glib's
 * recursive parser runs), invalid JSON, a JavaScript assignment, an empty
 * text or another JSON value are CASCADE_ERROR_MODEL naming `file` and
 * `what` ("header", "architecture metadata").  json_node_unref. */
JsonNode *cascade_json_parse_object (const gchar * file, const gchar * text,
    gsize len, const gchar * what, GError ** error);

/* member `key` of o; NULL when o is NULL or the member is absent or null */
JsonNode *cascade_json_member (JsonObject * o, const gchar * key);

/* whether n (NULL allowed) is an integer, a number (integer or not), a
 * string */
gboolean cascade_json_is_int (JsonNode * n);
gboolean cascade_json_is_number (JsonNode * n);
gboolean cascade_json_is_string (JsonNode * n);
/* the value of a number node as a double */
gdouble cascade_json_number (JsonNode * n);

G_END_DECLS
