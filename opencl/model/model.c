/* gst-cascade: the model file loader (models/FORMAT.md).
 *
 * The file is mapped read-only and validated before anything uses it:
 *
 * 1. the container (model/safetensors.c): header length, header JSON,
 *    every tensor entry and that no two tensors share a byte;
 * 2. `__metadata__` (here): format gst-cascade, format_version 1 and the
 *    architecture (`cascade`, a JSON string) parsed into CascadeArch by
 *    model/arch.c, with FORMAT.md's defaults for optional fields and range
 *    checks;
 * 3. the tensors (here): rpn/fc/mask channel counts that the metadata
 *    leaves out are read from the tensors' shapes, then every tensor the
 *    architecture needs (model/expected.c) must be present with exactly
 *    its shape.
 *
 * Tensors the architecture does not need are allowed and ignored (they
 * are counted: cascade_model_n_unused); the container has validated them
 * as any other.
 *
 * The mapping is private and read-only; a file truncated by someone else
 * while mapped would still raise SIGBUS (as with any mmap). */
#include <math.h>
#include "model/model.h"
#include "model/expected.h"
#include "model/json.h"
#include "model/safetensors.h"
#include "runtime/error.h"

#include <string.h>

struct _CascadeModel
{
  gchar *path;
  gchar *file;                  /* basename, for messages */
  CascadeSafetensors *st;
  guint n_unused;
  CascadeArch arch;
};

/* format and format_version of __metadata__; *arch_text its `cascade`
 * string (borrowed from meta) */
static gboolean
check_metadata (const gchar * file, JsonObject * meta,
    const gchar ** arch_text, GError ** error)
{
  JsonNode *n = cascade_json_member (meta, "format");
  const gchar *s;

  if (!n) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, file,
        "__metadata__ has no \"format\": not a gst-cascade model file "
        "(convert mmdetection checkpoints with models/convert_mmdet.py)");
    return FALSE;
  }
  if (!cascade_json_is_string (n) || strcmp (json_node_get_string (n),
          "gst-cascade") != 0) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, file,
        "__metadata__ format is %s%s%s, expected \"gst-cascade\"",
        cascade_json_is_string (n) ? "\"" : "",
        cascade_json_is_string (n) ? json_node_get_string (n)
        : "not a string", cascade_json_is_string (n) ? "\"" : "");
    return FALSE;
  }
  n = cascade_json_member (meta, "format_version");
  if (!cascade_json_is_string (n)) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, file,
        "__metadata__ has no \"format_version\" string");
    return FALSE;
  }
  s = json_node_get_string (n);
  if (strcmp (s, "1") != 0) {
    guint64 ver;
    if (g_ascii_string_to_unsigned (s, 10, 2, G_MAXUINT64, &ver, NULL))
      cascade_model_error (error, CASCADE_ERROR_UNSUPPORTED, file,
          "format_version %s is newer than this gst-cascade reads (1)", s);
    else
      cascade_model_error (error, CASCADE_ERROR_MODEL, file,
          "__metadata__ format_version is \"%s\", expected \"1\"", s);
    return FALSE;
  }
  n = cascade_json_member (meta, "cascade");
  if (!cascade_json_is_string (n)) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, file,
        "__metadata__ has no \"cascade\" string (the architecture)");
    return FALSE;
  }
  *arch_text = json_node_get_string (n);
  return TRUE;
}

/* Reads an unset channel count (0) from a tensor's first dimension, or
 * checks the metadata's value against it. */
static gboolean
infer_channels (CascadeModel * m, guint * value, const gchar * tensor,
    const gchar * needed_for, const gchar * key, GError ** error)
{
  const CascadeSafetensorsEntry *e = cascade_safetensors_lookup (m->st,
      tensor);
  if (!e || !e->is_float) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s is missing (needed for %s)", tensor, needed_for);
    return FALSE;
  }
  if (e->ndim == 0) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, m->file,
        "tensor %s has shape [] (needed for %s)", tensor, needed_for);
    return FALSE;
  }
  if (*value == 0) {
    if (e->shape[0] < 1 || e->shape[0] > CASCADE_ARCH_MAX_CHANNELS) {
      cascade_model_error (error, CASCADE_ERROR_MODEL, m->file,
          "tensor %s has %" G_GSIZE_FORMAT " output channels (1 to 65535 "
          "expected)", tensor, e->shape[0]);
      return FALSE;
    }
    *value = (guint) e->shape[0];
  } else if (*value != e->shape[0]) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, m->file,
        "architecture metadata says %s is %u but tensor %s has %"
        G_GSIZE_FORMAT " output channels", key, *value, tensor, e->shape[0]);
    return FALSE;
  }
  return TRUE;
}

/* every tensor of cascade_arch_expected_tensors present with its shape;
 * counts the others (n_unused) */
static gboolean
check_expected (CascadeModel * m, GError ** error)
{
  GPtrArray *want = cascade_arch_expected_tensors (&m->arch);
  GHashTable *used = g_hash_table_new (NULL, NULL);
  gboolean ok = TRUE;
  guint i;

  for (i = 0; ok && i < want->len; i++) {
    const CascadeTensorSpec *s = g_ptr_array_index (want, i);
    const CascadeSafetensorsEntry *e = cascade_safetensors_lookup (m->st,
        s->name);
    if (!e || !e->is_float) {
      cascade_model_error (error, CASCADE_ERROR_MODEL, m->file,
          "tensor %s is missing (needed for %s)", s->name, s->needed_for);
      ok = FALSE;
    } else if (e->ndim != s->ndim
        || memcmp (e->shape, s->shape, s->ndim * sizeof (gsize)) != 0) {
      gchar *got = cascade_shape_string (e->ndim, e->shape);
      gchar *exp = cascade_shape_string (s->ndim, s->shape);
      cascade_model_error (error, CASCADE_ERROR_MODEL, m->file,
          "tensor %s has shape %s, expected %s (%s)", s->name, got, exp,
          s->needed_for);
      g_free (got);
      g_free (exp);
      ok = FALSE;
    } else {
      g_hash_table_add (used, (gpointer) e);
    }
  }
  m->n_unused = m->st->entries->len - g_hash_table_size (used);
  g_hash_table_unref (used);
  g_ptr_array_unref (want);
  return ok;
}

static gboolean
check_tensors (CascadeModel * m, GError ** error)
{
  CascadeArch *a = &m->arch;

  if (!infer_channels (m, &a->rpn_channels, "rpn_head.rpn_conv.weight",
          "the RPN head", "rpn.feat_channels", error)
      || !infer_channels (m, &a->fc_channels,
          "roi_head.bbox_head.0.shared_fcs.0.weight",
          "the box head of cascade stage 1", "roi_head.fc_out_channels",
          error))
    return FALSE;
  if (a->with_mask && !infer_channels (m, &a->mask_channels,
          "roi_head.mask_head.0.convs.0.conv.weight",
          "the mask head of cascade stage 1", "mask_head.conv_channels",
          error))
    return FALSE;
  return check_expected (m, error);
}

/* ------------------------------------------------------------------------
 * API
 * --------------------------------------------------------------------- */

CascadeModel *
cascade_model_load_from_bytes (GBytes * bytes, const gchar * name,
    GError ** error)
{
  CascadeModel *m;
  JsonObject *meta = NULL;
  const gchar *arch_text;
  gboolean ok;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  m = g_new0 (CascadeModel, 1);
  m->path = g_strdup (name ? name : "model");
  m->file = g_path_get_basename (m->path);

  m->st = cascade_safetensors_parse (bytes, m->file, &meta, error);
  ok = m->st && check_metadata (m->file, meta, &arch_text, error)
      && cascade_arch_parse (m->file, arch_text, &m->arch, error)
      && check_tensors (m, error);
  if (meta)
    json_object_unref (meta);
  if (!ok) {
    cascade_model_free (m);
    return NULL;
  }
  return m;
}

CascadeModel *
cascade_model_load (const gchar * path, GError ** error)
{
  GMappedFile *mf;
  GBytes *bytes;
  GError *ferr = NULL;
  CascadeModel *m;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* a FIFO would block in open(), a device map nothing useful */
  if (g_file_test (path, G_FILE_TEST_EXISTS)
      && !g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_MODEL,
        "%s: cannot read the model file: it is %s", path,
        g_file_test (path, G_FILE_TEST_IS_DIR) ? "a directory"
        : "not a regular file");
    return NULL;
  }
  mf = g_mapped_file_new (path, FALSE, &ferr);
  if (!mf) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_MODEL,
        "%s: cannot read the model file: %s", path, ferr->message);
    g_error_free (ferr);
    return NULL;
  }
  bytes = g_mapped_file_get_bytes (mf);
  g_mapped_file_unref (mf);
  m = cascade_model_load_from_bytes (bytes, path, error);
  g_bytes_unref (bytes);
  return m;
}

void
cascade_model_free (CascadeModel * model)
{
  if (!model)
    return;
  cascade_arch_clear (&model->arch);
  cascade_safetensors_free (model->st);
  g_free (model->file);
  g_free (model->path);
  g_free (model);
}

const CascadeArch *
cascade_model_arch (const CascadeModel * model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return &model->arch;
}

const gchar *
cascade_model_path (const CascadeModel * model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->path;
}

guint
cascade_model_n_tensors (const CascadeModel * model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->st->entries->len;
}

gboolean
cascade_model_has (const CascadeModel * model, const gchar * name)
{
  g_return_val_if_fail (model != NULL, FALSE);
  return cascade_safetensors_lookup (model->st, name) != NULL;
}

gboolean
cascade_model_shape (const CascadeModel * model, const gchar * name,
    guint * ndim, gsize shape[8])
{
  const CascadeSafetensorsEntry *e;
  g_return_val_if_fail (model != NULL, FALSE);
  e = cascade_safetensors_lookup (model->st, name);
  if (!e)
    return FALSE;
  if (ndim)
    *ndim = e->ndim;
  if (shape) {
    memset (shape, 0, CASCADE_SAFETENSORS_MAX_DIMS * sizeof (gsize));
    memcpy (shape, e->shape, e->ndim * sizeof (gsize));
  }
  return TRUE;
}

/* A weight that is NaN or infinite makes every detection vanish without
 * a word: such a file (a diverged training run, a bad conversion) is
 * refused at load, naming the tensor. */
static gfloat *
refuse_non_finite (const CascadeModel * model,
    const CascadeSafetensorsEntry * e, gfloat * data, GError ** error)
{
  gsize n = 1, i, bad = 0;
  guint d;

  if (!data)
    return NULL;
  for (d = 0; d < e->ndim; d++)
    n *= e->shape[d];
  for (i = 0; i < n; i++)
    bad += !isfinite (data[i]);
  if (bad == 0)
    return data;
  g_free (data);
  cascade_model_error (error, CASCADE_ERROR_MODEL, model->file,
      "tensor %s has %" G_GSIZE_FORMAT " non-finite values (NaN or "
      "infinity) of %" G_GSIZE_FORMAT ": the model is refused (a diverged "
      "training run or a damaged conversion)", e->name, bad, n);
  return NULL;
}

gfloat *
cascade_model_read_f32 (const CascadeModel * model, const gchar * name,
    guint ndim, const gsize * shape, GError ** error)
{
  const CascadeSafetensorsEntry *e;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  e = cascade_safetensors_lookup (model->st, name);
  if (!e) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, model->file,
        "tensor %s is missing", name ? name : "(null)");
    return NULL;
  }
  if (ndim > CASCADE_SAFETENSORS_MAX_DIMS || (ndim && !shape)
      || e->ndim != ndim
      || (ndim && memcmp (e->shape, shape, ndim * sizeof (gsize)) != 0)) {
    gchar *got = cascade_shape_string (e->ndim, e->shape);
    gchar *exp = ndim <= CASCADE_SAFETENSORS_MAX_DIMS && (shape || !ndim)
        ? cascade_shape_string (ndim, shape) : g_strdup ("(invalid)");
    cascade_model_error (error, CASCADE_ERROR_MODEL, model->file,
        "tensor %s has shape %s, expected %s", name, got, exp);
    g_free (got);
    g_free (exp);
    return NULL;
  }
  return refuse_non_finite (model, e, cascade_safetensors_read_f32 (model->st,
          e, error), error);
}

/* ------------------------------------------------------------------------
 * private helpers
 * --------------------------------------------------------------------- */

gchar **
cascade_model_tensor_names (const CascadeModel * model)
{
  const GPtrArray *entries = model->st->entries;
  gchar **names = g_new0 (gchar *, entries->len + 1);
  guint i;
  for (i = 0; i < entries->len; i++)
    names[i] = g_strdup (((const CascadeSafetensorsEntry *)
            g_ptr_array_index (entries, i))->name);
  return names;
}

guint
cascade_model_n_unused (const CascadeModel * model)
{
  return model->n_unused;
}

guint64
cascade_model_n_params (const CascadeModel * model)
{
  return model->st->n_params;
}

const gchar *
cascade_model_dtype (const CascadeModel * model, const gchar * name)
{
  const CascadeSafetensorsEntry *e = cascade_safetensors_lookup (model->st,
      name);
  return e ? e->dtype : NULL;
}

gchar *
cascade_model_describe (const CascadeModel * model)
{
  const CascadeArch *a = &model->arch;
  GString *s = g_string_new (NULL);
  gchar *bb = cascade_arch_backbone_name (a);
  gboolean f32 = FALSE, f16 = FALSE;
  guint i;

  for (i = 0; i < model->st->entries->len; i++) {
    const CascadeSafetensorsEntry *e = g_ptr_array_index (model->st->entries,
        i);
    if (e->is_float && e->dsize == 4)
      f32 = TRUE;
    else if (e->is_float)
      f16 = TRUE;
  }
  g_string_append_printf (s, "%s: Cascade %sR-CNN, %s (%s style, base %u) + "
      "FPN %u, RPN %u, 3 stages of 2 shared FCs of %u",
      model->file, a->with_mask ? "Mask " : "", bb,
      a->caffe_style ? "caffe" : "pytorch", a->base_channels,
      a->fpn_channels, a->rpn_channels, a->fc_channels);
  if (a->with_mask)
    g_string_append_printf (s, ", mask heads of %u convs of %u",
        a->mask_num_convs, a->mask_channels);
  g_string_append_printf (s, "; %u classes (", a->num_classes);
  for (i = 0; i < a->num_classes && i < 5; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", a->classes[i]);
  g_string_append_printf (s, "%s); test scale %ux%u, %s; %u tensors "
      "(%u unused), %" G_GUINT64_FORMAT " parameters (%s).",
      a->num_classes > 5 ? ", ..." : "", a->test_scale[0], a->test_scale[1],
      a->to_rgb ? "RGB" : "BGR", model->st->entries->len, model->n_unused,
      model->st->n_params, f32 && f16 ? "F32+F16" : f16 ? "F16" : "F32");
  g_free (bb);
  return g_string_free (s, FALSE);
}
