/* gst-cascade: the table of tensors an architecture needs.
 *
 * The layout (mmdetection's CascadeRCNN state_dict; B = base_channels,
 * C = fpn_channels, F = rpn_channels, D = fc_channels, M = mask_channels,
 * K = num_classes, R = roi_size; every BN is weight/bias/running_mean/
 * running_var of the conv's outputs):
 *
 * backbone.conv1.weight [B, 3, 7, 7], backbone.bn1
 * backbone.layer{1..4}.{block}: stage s (0-based) has planes P = B * 2^s and
 *   blocks (2,2,2,2) for depth 18, (3,4,6,3) for 34 (BasicBlock) and 50,
 *   (3,4,23,3) for 101, (3,8,36,3) for 152 (Bottleneck);
 *   BasicBlock (out P): conv1 [P, in, 3, 3] bn1, conv2 [P, P, 3, 3] bn2;
 *   Bottleneck (out 4P; W = P, or floor(P * base_width / B) * groups for
 *   ResNeXt): conv1 [W, in, 1, 1] bn1, conv2 [W, W / groups, 3, 3] bn2
 *   (grouped), conv3 [4P, W, 1, 1] bn3;
 *   block 0 has downsample.0 [out, in, 1, 1] + BN downsample.1 when
 *   in != out or s > 0 (so BasicBlock stage 0 has none); `in` is the
 *   previous block's out (B for the first).  The style (pytorch/caffe)
 *   moves strides only.
 * neck.lateral_convs.{i}.conv weight [C, out_i, 1, 1] + bias [C], i 0..3
 *   (out_i: the output channels of stage i);
 * neck.fpn_convs.{i}.conv weight [C, C, 3, 3] + bias [C] (P6 is a max pool)
 * rpn_head.rpn_conv [F, C, 3, 3], rpn_cls [3, F, 1, 1], rpn_reg
 *   [12, F, 1, 1], each with a bias (3 anchors per location)
 * roi_head.bbox_head.{s}, s 0..2: fc_cls [K + 1, D] (background last),
 *   fc_reg [4, D] (class agnostic), shared_fcs.0 [D, C * R * R],
 *   shared_fcs.1 [D, D], each with a bias
 * with_mask: roi_head.mask_head.{s}: convs.{k}.conv [M, C or M, 3, 3]
 *   (k 0..num_convs-1), upsample (ConvTranspose2d) [M, M, 2, 2],
 *   conv_logits [K, M, 1, 1], each with a bias.
 *
 * ResNeXt widths follow mmdetection (mmdet/models/backbones/resnext.py:
 * the ResLayer gets the backbone's base_channels): conv2 width =
 * floor(planes * base_width / base_channels) * groups, which is the zoo's
 * floor(planes * base_width / 64) * groups when base_channels is 64. */
#include "model/expected.h"

#include <stdarg.h>

static void
tensor_spec_free (gpointer p)
{
  CascadeTensorSpec *s = p;
  g_free (s->name);
  g_free (s->needed_for);
  g_free (s);
}

static void expect (GPtrArray * out, const gchar * needed_for, guint ndim,
    gsize d0, gsize d1, gsize d2, gsize d3, const gchar * format, ...)
    G_GNUC_PRINTF (8, 9);

static void
expect (GPtrArray * out, const gchar * needed_for, guint ndim,
    gsize d0, gsize d1, gsize d2, gsize d3, const gchar * format, ...)
{
  CascadeTensorSpec *s = g_new0 (CascadeTensorSpec, 1);
  va_list ap;

  va_start (ap, format);
  s->name = g_strdup_vprintf (format, ap);
  va_end (ap);
  s->ndim = ndim;
  s->shape[0] = d0;
  s->shape[1] = d1;
  s->shape[2] = d2;
  s->shape[3] = d3;
  s->needed_for = g_strdup (needed_for);
  g_ptr_array_add (out, s);
}

/* conv without bias [cout, cin, k, k] + BatchNorm `bn` (weight, bias,
 * running_mean, running_var: [cout]; num_batches_tracked not needed) */
static void
expect_conv_bn (GPtrArray * out, const gchar * nf, const gchar * prefix,
    const gchar * conv, const gchar * bn, gsize cout, gsize cin, gsize k)
{
  expect (out, nf, 4, cout, cin, k, k, "%s.%s.weight", prefix, conv);
  expect (out, nf, 1, cout, 0, 0, 0, "%s.%s.weight", prefix, bn);
  expect (out, nf, 1, cout, 0, 0, 0, "%s.%s.bias", prefix, bn);
  expect (out, nf, 1, cout, 0, 0, 0, "%s.%s.running_mean", prefix, bn);
  expect (out, nf, 1, cout, 0, 0, 0, "%s.%s.running_var", prefix, bn);
}

/* the backbone's tensors; stage_out[s]: the output channels of stage s */
static void
expect_backbone (GPtrArray * out, const CascadeArch * arch, gsize stage_out[4])
{
  static const guint blocks[5][4] = {
    {2, 2, 2, 2}, {3, 4, 6, 3}, {3, 4, 6, 3}, {3, 4, 23, 3}, {3, 8, 36, 3}
  };
  const gsize B = arch->base_channels;
  gboolean basic = arch->depth < 50;
  guint di = arch->depth == 18 ? 0 : arch->depth == 34 ? 1
      : arch->depth == 50 ? 2 : arch->depth == 101 ? 3 : 4;
  gsize inplanes = B;
  gchar *bb = cascade_arch_backbone_name (arch);
  guint s, b;

  if (B != 64) {
    gchar *nf = g_strdup_printf ("%s with base_channels %u", bb,
        arch->base_channels);
    g_free (bb);
    bb = nf;
  }
  expect_conv_bn (out, bb, "backbone", "conv1", "bn1", B, 3, 7);
  for (s = 0; s < 4; s++) {
    gsize planes = B << s;
    gsize outc = basic ? planes : planes * 4;
    for (b = 0; b < blocks[di][s]; b++) {
      gchar *p = g_strdup_printf ("backbone.layer%u.%u", s + 1, b);
      if (basic) {
        expect_conv_bn (out, bb, p, "conv1", "bn1", planes, inplanes, 3);
        expect_conv_bn (out, bb, p, "conv2", "bn2", planes, planes, 3);
      } else {
        gsize w = arch->groups == 1 ? planes
            : planes * arch->base_width / B * arch->groups;
        expect_conv_bn (out, bb, p, "conv1", "bn1", w, inplanes, 1);
        expect_conv_bn (out, bb, p, "conv2", "bn2", w, w / arch->groups, 3);
        expect_conv_bn (out, bb, p, "conv3", "bn3", outc, w, 1);
      }
      if (b == 0 && (inplanes != outc || s > 0))
        expect_conv_bn (out, bb, p, "downsample.0", "downsample.1", outc,
            inplanes, 1);
      inplanes = outc;
      g_free (p);
    }
    stage_out[s] = outc;
  }
  g_free (bb);
}

GPtrArray *
cascade_arch_expected_tensors (const CascadeArch * arch)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (tensor_spec_free);
  const gsize C = arch->fpn_channels;
  const gsize F = arch->rpn_channels, D = arch->fc_channels;
  const gsize M = arch->mask_channels, K = arch->num_classes;
  const gsize R = arch->roi_size;
  gsize stage_out[4];
  gchar *nf;
  guint s, k;

  expect_backbone (out, arch, stage_out);

  nf = g_strdup_printf ("the FPN of %u channels", arch->fpn_channels);
  for (s = 0; s < 4; s++) {
    expect (out, nf, 4, C, stage_out[s], 1, 1,
        "neck.lateral_convs.%u.conv.weight", s);
    expect (out, nf, 1, C, 0, 0, 0, "neck.lateral_convs.%u.conv.bias", s);
  }
  for (s = 0; s < 4; s++) {
    expect (out, nf, 4, C, C, 3, 3, "neck.fpn_convs.%u.conv.weight", s);
    expect (out, nf, 1, C, 0, 0, 0, "neck.fpn_convs.%u.conv.bias", s);
  }
  g_free (nf);

  nf = "the RPN head";
  expect (out, nf, 4, F, C, 3, 3, "rpn_head.rpn_conv.weight");
  expect (out, nf, 1, F, 0, 0, 0, "rpn_head.rpn_conv.bias");
  expect (out, nf, 4, 3, F, 1, 1, "rpn_head.rpn_cls.weight");
  expect (out, nf, 1, 3, 0, 0, 0, "rpn_head.rpn_cls.bias");
  expect (out, nf, 4, 12, F, 1, 1, "rpn_head.rpn_reg.weight");
  expect (out, nf, 1, 12, 0, 0, 0, "rpn_head.rpn_reg.bias");

  for (s = 0; s < arch->num_stages; s++) {
    gchar *p = g_strdup_printf ("roi_head.bbox_head.%u", s);
    nf = g_strdup_printf ("the box head of cascade stage %u", s + 1);
    expect (out, nf, 2, K + 1, D, 0, 0, "%s.fc_cls.weight", p);
    expect (out, nf, 1, K + 1, 0, 0, 0, "%s.fc_cls.bias", p);
    expect (out, nf, 2, 4, D, 0, 0, "%s.fc_reg.weight", p);
    expect (out, nf, 1, 4, 0, 0, 0, "%s.fc_reg.bias", p);
    expect (out, nf, 2, D, C * R * R, 0, 0, "%s.shared_fcs.0.weight", p);
    expect (out, nf, 1, D, 0, 0, 0, "%s.shared_fcs.0.bias", p);
    expect (out, nf, 2, D, D, 0, 0, "%s.shared_fcs.1.weight", p);
    expect (out, nf, 1, D, 0, 0, 0, "%s.shared_fcs.1.bias", p);
    g_free (nf);
    g_free (p);
  }

  if (arch->with_mask) {
    for (s = 0; s < arch->num_stages; s++) {
      gchar *p = g_strdup_printf ("roi_head.mask_head.%u", s);
      nf = g_strdup_printf ("the mask head of cascade stage %u", s + 1);
      for (k = 0; k < arch->mask_num_convs; k++) {
        expect (out, nf, 4, M, k ? M : C, 3, 3, "%s.convs.%u.conv.weight", p,
            k);
        expect (out, nf, 1, M, 0, 0, 0, "%s.convs.%u.conv.bias", p, k);
      }
      expect (out, nf, 4, M, M, 2, 2, "%s.upsample.weight", p);
      expect (out, nf, 1, M, 0, 0, 0, "%s.upsample.bias", p);
      expect (out, nf, 4, K, M, 1, 1, "%s.conv_logits.weight", p);
      expect (out, nf, 1, K, 0, 0, 0, "%s.conv_logits.bias", p);
      g_free (nf);
      g_free (p);
    }
  }
  return out;
}
