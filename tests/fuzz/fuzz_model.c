/* libFuzzer harness of the model loader: parses the input as a whole model
 * file (cascade_model_load_from_bytes: no disk I/O), then reads back every
 * tensor of a file that loads.  Built only with -Dfuzz=true (clang); see
 * README.md.  Any crash, sanitizer report, GLib warning/critical or error
 * outside the CASCADE_ERROR domain without the file name is a bug. */
#include "model/model.h"
#include "runtime/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL |
      G_LOG_LEVEL_WARNING);
  return 0;
}

static void
read_all (const CascadeModel * m)
{
  gchar **names = cascade_model_tensor_names (m);
  gchar *desc;
  guint i;

  for (i = 0; names[i]; i++) {
    GError *err = NULL;
    gsize shape[8], other[8];
    guint ndim;
    gfloat *v;

    if (!cascade_model_shape (m, names[i], &ndim, shape))
      abort ();
    v = cascade_model_read_f32 (m, names[i], ndim, shape, &err);
    if (!v) {
      /* only the ignored non-float tensors cannot be read */
      if (!g_error_matches (err, CASCADE_ERROR, CASCADE_ERROR_UNSUPPORTED))
        abort ();
      g_clear_error (&err);
    }
    g_free (v);
    /* a wrong shape is an error, never a read */
    memcpy (other, shape, sizeof other);
    other[0] += 1;
    if (cascade_model_read_f32 (m, names[i], MAX (ndim, 1), other, &err))
      abort ();
    g_clear_error (&err);
  }
  g_strfreev (names);
  desc = cascade_model_describe (m);
  g_free (desc);
}

#ifdef FUZZ_HEADER_ONLY
/* fuzz_model_header: the input is the JSON header alone; the harness adds
 * the length and HEADER_ONLY_DATA zero bytes of tensor data, so that
 * mutations that change the header's size still reach the metadata and
 * tensor checks. */
#define HEADER_ONLY_DATA (64 * 1024)

static GBytes *
make_input (const uint8_t * data, size_t size)
{
  guint8 *file = g_malloc0 (8 + size + HEADER_ONLY_DATA);
  guint i;
  for (i = 0; i < 8; i++)
    file[i] = (guint8) ((guint64) size >> (8 * i));
  if (size)
    memcpy (file + 8, data, size);
  return g_bytes_new_take (file, 8 + size + HEADER_ONLY_DATA);
}
#else
/* fuzz_model: the input is the whole file; a copy of exactly `size` bytes,
 * so that ASan sees any read past it */
static GBytes *
make_input (const uint8_t * data, size_t size)
{
  return g_bytes_new (data, size);
}
#endif

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GBytes *bytes = make_input (data, size);
  GError *err = NULL;
  CascadeModel *m = cascade_model_load_from_bytes (bytes, "fuzz.safetensors",
      &err);

  if (m) {
    if (err)
      abort ();
    read_all (m);
    cascade_model_free (m);
  } else {
    if (!err || err->domain != CASCADE_ERROR
        || !g_str_has_prefix (err->message, "fuzz.safetensors: "))
      abort ();
    g_error_free (err);
  }
  g_bytes_unref (bytes);
  return 0;
}
