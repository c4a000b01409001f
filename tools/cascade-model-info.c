/* cascade-model-info FILE...: loads and fully validates gst-cascade model
 * files (models/FORMAT.md) and prints a one-paragraph summary of each.
 * Exit status 0 when every file is valid, 1 otherwise (the error of each
 * bad file goes to stderr), 2 on a usage error. */
#include "model/model.h"
#include "runtime/error.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

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
    g_free (text);
    cascade_model_free (m);
  }
  return status;
}
