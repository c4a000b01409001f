/* gst-cascade: typed reading of the architecture metadata's fields
 * (model/arch.c): presence, JSON type and range, with FORMAT.md's default
 * when an optional field is absent.  Errors read "<file>: architecture
 * metadata: <section>.<key> <what>". */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* where errors go and the file they name */
typedef struct
{
  const gchar *file;
  GError **error;
} CascadeArchCtx;

/* Sets the error "architecture metadata: <section>.<key> <what>" (just
 * <key> when section is NULL). */
void cascade_arch_error (CascadeArchCtx * c, gint code, const gchar * section,
    const gchar * key, const gchar * what);

/* The sub-object `key` of o; *out NULL if absent (an error only when
 * `required`). */
gboolean cascade_arch_section (CascadeArchCtx * c, JsonObject * o,
    const gchar * key, gboolean required, JsonObject ** out);

/* An integer in [lo, hi]; def when absent and not `required`.  Out of
 * range is `range_code`, any other problem CASCADE_ERROR_MODEL. */
gboolean cascade_arch_uint (CascadeArchCtx * c, JsonObject * o,
    const gchar * section, const gchar * key, gboolean required, guint def,
    guint lo, guint hi, gint range_code, guint * out);

/* An optional number in [lo, hi]; def when absent. */
gboolean cascade_arch_float (CascadeArchCtx * c, JsonObject * o,
    const gchar * section, const gchar * key, gdouble def, gdouble lo,
    gdouble hi, gfloat * out);

/* true/false; def when absent and not `required`. */
gboolean cascade_arch_bool (CascadeArchCtx * c, JsonObject * o,
    const gchar * section, const gchar * key, gboolean required,
    gboolean def, gboolean * out);

/* An optional array of n finite numbers.  *present is set FALSE (and out
 * untouched) when absent. */
gboolean cascade_arch_numbers (CascadeArchCtx * c, JsonObject * o,
    const gchar * section, const gchar * key, guint n, gdouble * out,
    gboolean * present);

/* An optional list of n numbers that must equal `want` (the only setting
 * we run; want_str spells it for the CASCADE_ERROR_UNSUPPORTED error). */
gboolean cascade_arch_fixed_list (CascadeArchCtx * c, JsonObject * o,
    const gchar * section, const gchar * key, guint n, const gdouble * want,
    const gchar * want_str);

/* A string (borrowed from o); *out NULL when absent and not `required`. */
gboolean cascade_arch_string (CascadeArchCtx * c, JsonObject * o,
    const gchar * section, const gchar * key, gboolean required,
    const gchar ** out);

G_END_DECLS
