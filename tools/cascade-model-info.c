/* cascade-model-info FILE...: loads and fully validates gst-cascade model
 * files (models/FORMAT.md) and prints a one-paragraph summary of each.
 * Exit status 0 when every file is valid, 1 otherwise (the error of each
 * bad file goes to stderr), 2 on a usage error. */
#include "model/model.h"
#include "runtime/error.h"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

/* "where each setting came from", the converter's `provenance` entry of
 * __metadata__ (a JSON object of setting -> source), read from the file's
 * header; the loader has validated the header already */
static void
print_provenance (const gchar * path)
{
  gchar *data = NULL;
  guint64 n = 0;
  JsonParser *p;
  JsonObject *meta;
  const gchar *text;
  FILE *f = fopen (path, "rb");

  if (!f || fread (&n, 8, 1, f) != 1)
    goto out;
  n = GUINT64_FROM_LE (n);
  if (n > (100u << 20))
    goto out;
  data = g_malloc (n + 1);
  if (fread (data, 1, n, f) != n)
    goto out;
  p = json_parser_new ();
  if (json_parser_load_from_data (p, data, (gssize) n, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p))
      && (meta =
          json_object_get_object_member (json_node_get_object
              (json_parser_get_root (p)), "__metadata__"))
      && json_object_has_member (meta, "provenance")
      && (text = json_object_get_string_member (meta, "provenance"))) {
    JsonParser *q = json_parser_new ();
    if (json_parser_load_from_data (q, text, -1, NULL)
        && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (q))) {
      JsonObject *o = json_node_get_object (json_parser_get_root (q));
      GList *keys = json_object_get_members (o), *l;
      printf ("  settings from:");
      for (l = keys; l; l = l->next)
        printf (" %s=%s", (const gchar *) l->data,
            json_object_get_string_member (o, l->data));
      printf ("\n");
      g_list_free (keys);
    }
    g_object_unref (q);
  } else {
    printf ("  settings from: (not recorded by the converter)\n");
  }
  g_object_unref (p);
out:
  if (f)
    fclose (f);
  g_free (data);
}

int
main (int argc, char **argv)
{
  int i, status = 0;

  setlocale (LC_ALL, "");
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1],
          "-h") == 0) {
    fprintf (argc < 2 ? stderr : stdout,
        "usage: %s FILE...\n"
        "Validates gst-cascade model files (safetensors with the cascade "
        "architecture metadata)\nand prints a summary of each. Exit status: "
        "0 all valid, 1 some file is not.\n", argv[0]);
    return argc < 2 ? 2 : 0;
  }
  for (i = 1; i < argc; i++) {
    GError *err = NULL;
    CascadeModel *m = cascade_model_load (argv[i], &err);
    gchar *text;

    if (!m) {
      fprintf (stderr, "%s\n", err->message);
      g_error_free (err);
      status = 1;
      continue;
    }
    text = cascade_model_describe (m);
    printf ("%s\n", text);
    print_provenance (argv[i]);
    g_free (text);
    cascade_model_free (m);
  }
  return status;
}
