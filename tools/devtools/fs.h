/* gst-cascade devtools: file-system helpers for tools and tests */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes path and, when it is a directory, everything below it (symbolic
 * links are removed, never followed).  Failures are ignored. */
void cascade_remove_tree (const gchar * path);

G_END_DECLS
