/* gst-cascade tests: what the tests of the model loader share (no OpenCL
 * device needed).
 *
 * Valid files are written here from C, with this file's own description
 * of mmdetection's tensor layout (tf_model, independent of the loader's
 * cascade_arch_expected_tensors); the tests then damage them in every way
 * the loader must catch. */
#pragma once

#include "model/model.h"
#include "runtime/error.h"

#include <json-glib/json-glib.h>

/* a model file being written */
typedef struct
{
  JsonObject *header;           /* tensor entries, in data order */
  JsonObject *meta;             /* __metadata__ (NULL: left out) */
  JsonObject *arch;             /* serialised into meta.cascade (NULL: no) */
  GByteArray *data;
  guint n_tensors;
  gboolean f16;                 /* float tensors as F16 */
  gboolean nbt;                 /* add I64 num_batches_tracked after BNs */
} TF;

void tf_free (TF * tf);
/* appends a tensor of `dtype` (F32 and F16 filled with pattern_f32 and
 * 1 + (i % 17) / 1024, others with zeros) named by the format */
void tf_add (TF * tf, const gchar * dtype, guint ndim, const gsize * shape,
    const gchar * format, ...) G_GNUC_PRINTF (5, 6);
/* the whole file: header (with __metadata__ and the architecture, unless
 * the test set them NULL) + data */
GBytes *tf_bytes (TF * tf);
/* header text + data -> a whole file: 8-byte LE length, header, data */
GBytes *raw_file (const gchar * header, gsize hlen, const guint8 * data,
    gsize dlen);
/* element i of an F32 tensor */
gfloat pattern_f32 (gsize i);
/* a JSON array of n numbers */
JsonArray *numbers (guint n, const gdouble * v);

/* an architecture: backbone, widths, classes, mask or not, style */
typedef struct
{
  guint depth, groups, base_width, base, fpn, rpn, fc, mask, ncls;
  gboolean with_mask, caffe;
} Spec;

/* ResNet-18 with masks; ResNet-18 caffe style without; ResNeXt-50 2x4d */
extern const Spec r18_mask, r18_box, x50_mask;

/* a valid model file of `s`: every tensor mmdetection has, F16 or F32,
 * with or without the I64 num_batches_tracked tensors */
TF *tf_model (const Spec * s, gboolean f16, gboolean nbt);
/* the header entry of tensor `name` (which must exist) */
JsonObject *entry (TF * tf, const gchar * name);
void set_shape (TF * tf, const gchar * name, guint ndim, const gsize * shape);
void set_offsets (TF * tf, const gchar * name, gint64 b, gint64 e);

/* loads `b` (as /some/dir/ok.st) and asserts that it loads */
CascadeModel *load_ok (GBytes * b);
/* loading fails with `code` and a message "bad.safetensors: ...phrase..." */
void expect_fail (GBytes * b, gint code, const gchar * phrase);
/* tf_bytes + expect_fail + frees both */
void expect_tf_fail (TF * tf, gint code, const gchar * phrase);
/* a file of `header` and no data fails as expect_fail */
void expect_raw_fail (const gchar * header, gint code, const gchar * phrase);
