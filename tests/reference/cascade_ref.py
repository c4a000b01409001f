#!/usr/bin/env python3
"""gst-cascade's own PyTorch reference of Cascade (Mask) R-CNN inference.

Written from mmdetection 3.3 / mmcv 2.1 semantics (see README.md next to this
file for the points that matter), with torch, torch.nn.functional and
torchvision.ops only.  It does not import mmdet or mmcv.

It reads
  * a gst-cascade model file (safetensors + `cascade` architecture metadata,
    models/FORMAT.md), or an mmdetection checkpoint (.pth: {'meta',
    'state_dict'}), whose architecture is then inferred from the state dict
    (and the meta's config text for the ResNet style);
  * an image: anything cv2.imread decodes (PNG, JPEG: BGR, as mmcv's
    LoadImageFromFile), or a binary PPM (P6, RGB by definition of the format;
    converted to BGR), or a numpy array (H, W, 3) uint8 BGR.

`CascadeReference(model).run(img)` returns a dict of named tensors (numpy)
using the tensor names of the mmdetection reference dumps
(features/heads.safetensors; see README.md), plus 'img_meta'.

CLI:
  cascade_ref.py MODEL IMAGE [--out tensors.safetensors] [--json dets.json]
                 [--test-scale W H] [--threads N] [--score-thr 0.05]
"""
import argparse
import json
import math
import os
import re
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

try:
    import cv2
except ImportError:  # pragma: no cover
    cv2 = None

import torchvision.ops as tvops

# --------------------------------------------------------------------------
# safetensors (our own reader / writer)
# --------------------------------------------------------------------------
_ST_DTYPES = {
    'F32': np.float32, 'F16': np.float16, 'F64': np.float64,
    'I64': np.int64, 'I32': np.int32, 'I16': np.int16, 'I8': np.int8,
    'U8': np.uint8, 'BOOL': np.bool_,
}
_NP_TO_ST = {np.dtype(v): k for k, v in _ST_DTYPES.items()}


def read_safetensors(path):
    """Returns (OrderedDict name -> numpy array, metadata dict of str)."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError('%s: too short for a safetensors file' % path)
    n = struct.unpack('<Q', data[:8])[0]
    if n > len(data) - 8:
        raise ValueError('%s: header length %d past the end' % (path, n))
    header = json.loads(data[8:8 + n].decode('utf-8'))
    meta = header.pop('__metadata__', {}) or {}
    base = 8 + n
    out = {}
    for name, info in header.items():
        dt = _ST_DTYPES[info['dtype']]
        b, e = info['data_offsets']
        shape = tuple(info['shape'])
        count = int(np.prod(shape)) if shape else 1
        if e - b != count * np.dtype(dt).itemsize or base + e > len(data):
            raise ValueError('%s: bad offsets for %s' % (path, name))
        arr = np.frombuffer(data, dtype=np.dtype(dt).newbyteorder('<'),
                            count=count, offset=base + b)
        out[name] = arr.reshape(shape).astype(dt, copy=True)
    return out, meta


def write_safetensors(path, tensors, metadata=None):
    """Writes name -> numpy array.  Tensors are laid out by decreasing item
    size (then in the given order) so that every tensor is naturally aligned
    without gaps; the header is padded with spaces to a multiple of 8."""
    items = [(k, np.ascontiguousarray(v)) for k, v in tensors.items()]
    order = sorted(range(len(items)), key=lambda i: -items[i][1].dtype.itemsize)
    header = {}
    blobs = []
    off = 0
    for i in order:
        k, a = items[i]
        if a.dtype not in _NP_TO_ST:
            raise ValueError('unsupported dtype %s for %s' % (a.dtype, k))
        raw = a.astype(a.dtype.newbyteorder('<'), copy=False).tobytes()
        header[k] = {'dtype': _NP_TO_ST[a.dtype], 'shape': list(a.shape),
                     'data_offsets': [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    hb = json.dumps(header, separators=(',', ':')).encode('utf-8')
    hb += b' ' * ((8 - len(hb) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hb)))
        f.write(hb)
        for raw in blobs:
            f.write(raw)


# --------------------------------------------------------------------------
# COCO RLE (column-major, first run counts zeros; pycocotools string form)
# --------------------------------------------------------------------------
def rle_counts(mask):
    flat = np.asarray(mask).astype(bool).flatten(order='F')
    n = flat.size
    if n == 0:
        return [0]
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate([[0], change, [n]])
    runs = np.diff(bounds).tolist()
    if flat[0]:
        runs = [0] + runs
    return runs


def rle_counts_to_string(counts):
    out = []
    for i, c in enumerate(counts):
        x = int(c)
        if i > 2:
            x -= int(counts[i - 2])
        while True:
            ch = x & 0x1f
            x >>= 5  # arithmetic shift (python ints)
            more = (x != -1) if (ch & 0x10) else (x != 0)
            if more:
                ch |= 0x20
            out.append(chr(ch + 48))
            if not more:
                break
    return ''.join(out)


def rle_string_to_counts(s):
    counts = []
    p = 0
    while p < len(s):
        x = 0
        k = 0
        while True:
            c = ord(s[p]) - 48
            x |= (c & 0x1f) << (5 * k)
            more = c & 0x20
            p += 1
            k += 1
            if not more:
                if c & 0x10:
                    x |= -1 << (5 * k)
                break
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def rle_encode(mask):
    h, w = np.asarray(mask).shape
    return {'size': [int(h), int(w)],
            'counts': rle_counts_to_string(rle_counts(mask))}


def rle_decode(rle):
    h, w = rle['size']
    counts = rle['counts']
    if isinstance(counts, str):
        counts = rle_string_to_counts(counts)
    flat = np.zeros(h * w, dtype=np.uint8)
    pos = 0
    val = 0
    for c in counts:
        if val:
            flat[pos:pos + c] = 1
        pos += c
        val ^= 1
    return flat.reshape((w, h)).T.copy()


# --------------------------------------------------------------------------
# images
# --------------------------------------------------------------------------
def read_ppm(path):
    """Binary PPM (P6, maxval 255) -> (H, W, 3) uint8 RGB."""
    with open(path, 'rb') as f:
        data = f.read()
    toks = []
    p = 0
    while len(toks) < 4:
        while data[p:p + 1].isspace():
            p += 1
        if data[p:p + 1] == b'#':
            while data[p:p + 1] not in (b'\n', b''):
                p += 1
            continue
        s = p
        while not data[p:p + 1].isspace():
            p += 1
        toks.append(data[s:p])
    p += 1  # the single whitespace after maxval
    if toks[0] != b'P6' or int(toks[3]) != 255:
        raise ValueError('%s: only binary PPM (P6, maxval 255)' % path)
    w, h = int(toks[1]), int(toks[2])
    return np.frombuffer(data, np.uint8, h * w * 3, p).reshape(h, w, 3).copy()


def write_ppm(path, rgb):
    h, w, _ = rgb.shape
    with open(path, 'wb') as f:
        f.write(b'P6\n%d %d\n255\n' % (w, h))
        f.write(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes())


def load_image_bgr(path):
    """-> (H, W, 3) uint8 BGR, as mmcv's LoadImageFromFile (cv2 backend)."""
    with open(path, 'rb') as f:
        magic = f.read(2)
    if magic == b'P6':
        return np.ascontiguousarray(read_ppm(path)[:, :, ::-1])
    if cv2 is None:
        raise RuntimeError('python3-opencv is needed to decode %s' % path)
    buf = np.fromfile(path, dtype=np.uint8)
    img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError('cannot decode %s' % path)
    return img


# --------------------------------------------------------------------------
# model loading
# --------------------------------------------------------------------------
ARCH = {18: ('basic', (2, 2, 2, 2)), 34: ('basic', (3, 4, 6, 3)),
        50: ('bottleneck', (3, 4, 6, 3)), 101: ('bottleneck', (3, 4, 23, 3)),
        152: ('bottleneck', (3, 8, 36, 3))}

DEFAULT_STAGE_STDS = [[0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1],
                      [0.033, 0.033, 0.067, 0.067]]
PYTORCH_NORM = ([123.675, 116.28, 103.53], [58.395, 57.12, 57.375], True)
CAFFE_NORM = ([103.53, 116.28, 123.675], [1.0, 1.0, 1.0], False)


def make_config(depth=50, groups=1, base_width=4, base_channels=64,
                style='pytorch', fpn_channels=256, rpn_feat_channels=256,
                fc_out_channels=1024, mask_conv_channels=256, num_classes=80,
                with_mask=True, classes=None, test_scale=(1333, 800),
                num_stages=3, source=''):
    """A `cascade` architecture object (models/FORMAT.md)."""
    mean, std, to_rgb = CAFFE_NORM if style == 'caffe' else PYTORCH_NORM
    cfg = {
        'detector': 'CascadeRCNN',
        'with_mask': bool(with_mask),
        'num_classes': int(num_classes),
        'classes': list(classes) if classes is not None else
        ['class%d' % i for i in range(num_classes)],
        'backbone': {'type': 'ResNeXt' if groups > 1 else 'ResNet',
                     'depth': int(depth), 'groups': int(groups),
                     'base_width': int(base_width),
                     'base_channels': int(base_channels), 'style': style},
        'neck': {'out_channels': int(fpn_channels), 'num_outs': 5},
        'rpn': {'feat_channels': int(rpn_feat_channels), 'anchor_scales': [8],
                'anchor_ratios': [0.5, 1.0, 2.0],
                'strides': [4, 8, 16, 32, 64],
                'target_stds': [1.0, 1.0, 1.0, 1.0], 'nms_pre': 1000,
                'nms_iou': 0.7, 'max_per_img': 1000, 'min_bbox_size': 0},
        'roi_head': {'num_stages': int(num_stages), 'roi_size': 7,
                     'finest_scale': 56,
                     'fc_out_channels': int(fc_out_channels),
                     'num_shared_fcs': 2,
                     'target_stds': DEFAULT_STAGE_STDS[:num_stages],
                     'score_thr': 0.05, 'nms_iou': 0.5, 'max_per_img': 100},
        'preprocess': {'test_scale': [int(test_scale[0]), int(test_scale[1])],
                       'mean': mean, 'std': std, 'to_rgb': to_rgb,
                       'pad_size_divisor': 32},
        'source': source,
    }
    if with_mask:
        cfg['mask_head'] = {'conv_channels': int(mask_conv_channels),
                            'num_convs': 4, 'roi_size': 14,
                            'mask_thr_binary': 0.5}
    return cfg


def infer_config_from_state(sd, meta=None, test_scale=(1333, 800)):
    """Architecture of an mmdet checkpoint from its state dict (+ meta)."""
    meta = meta or {}
    layer_counts = []
    for i in range(1, 5):
        idx = set()
        for k in sd:
            m = re.match(r'backbone\.layer%d\.(\d+)\.' % i, k)
            if m:
                idx.add(int(m.group(1)))
        layer_counts.append(len(idx))
    bottleneck = 'backbone.layer1.0.conv3.weight' in sd
    depth = None
    for d, (kind, blocks) in ARCH.items():
        if (kind == 'bottleneck') == bottleneck and tuple(layer_counts) == blocks:
            depth = d
    if depth is None:
        raise ValueError('unknown ResNet layout %s' % (layer_counts,))
    base_channels = sd['backbone.conv1.weight'].shape[0]
    groups, base_width = 1, 4
    if bottleneck:
        w2 = sd['backbone.layer1.0.conv2.weight']
        width = w2.shape[0]
        g = width // w2.shape[1]
        if g > 1:
            # width = floor(planes * base_width / base_channels) * groups
            # and planes = base_channels in layer1
            groups = g
            base_width = width // g
    cfg_text = str(meta.get('config', ''))
    style = 'caffe' if re.search(r"style\s*=\s*['\"]caffe['\"]", cfg_text) \
        else 'pytorch'
    classes = None
    if 'dataset_meta' in meta and 'classes' in meta['dataset_meta']:
        classes = list(meta['dataset_meta']['classes'])
    elif 'CLASSES' in meta:
        classes = list(meta['CLASSES'])
    num_classes = sd['roi_head.bbox_head.0.fc_cls.weight'].shape[0] - 1
    num_stages = len({int(m.group(1)) for k in sd
                      for m in [re.match(r'roi_head\.bbox_head\.(\d+)\.', k)]
                      if m})
    with_mask = 'roi_head.mask_head.0.conv_logits.weight' in sd
    cfg = make_config(
        depth=depth, groups=groups, base_width=base_width,
        base_channels=base_channels, style=style,
        fpn_channels=sd['neck.fpn_convs.0.conv.weight'].shape[0],
        rpn_feat_channels=sd['rpn_head.rpn_conv.weight'].shape[0],
        fc_out_channels=sd['roi_head.bbox_head.0.shared_fcs.0.weight'].shape[0],
        mask_conv_channels=(sd['roi_head.mask_head.0.convs.0.conv.weight']
                            .shape[0] if with_mask else 256),
        num_classes=num_classes, with_mask=with_mask, classes=classes,
        test_scale=test_scale, num_stages=num_stages)
    return cfg


def load_model(path, test_scale=None):
    """-> (dict name -> float32 torch tensor, cascade config dict)."""
    if path.endswith('.pth') or path.endswith('.pt'):
        ck = torch.load(path, map_location='cpu')
        sd = ck.get('state_dict', ck)
        meta = ck.get('meta', {}) or {}
        cfg = infer_config_from_state(sd, meta, test_scale or (1333, 800))
        cfg['source'] = os.path.basename(path)
        weights = {k: v.float() for k, v in sd.items()
                   if not k.endswith('num_batches_tracked')}
        return weights, cfg
    tensors, meta = read_safetensors(path)
    if meta.get('format') != 'gst-cascade' or 'cascade' not in meta:
        raise ValueError('%s: not a gst-cascade model file' % path)
    cfg = json.loads(meta['cascade'])
    if test_scale:
        cfg['preprocess']['test_scale'] = [int(test_scale[0]),
                                           int(test_scale[1])]
    weights = {k: torch.from_numpy(v.astype(np.float32)) for k, v in
               tensors.items()}
    return weights, cfg


# --------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------
class FlopCounter:
    def __init__(self):
        self.flops = 0.0

    def add(self, n):
        self.flops += float(n)


def mmcv_nms(boxes, scores, iou_thr):
    """mmcv's nms_cpu: order by torch's (non-stable) descending sort of the
    scores, greedy suppression when IoU > thr (areas without +1).
    torchvision's CPU kernel has the same IoU arithmetic but sorts stably;
    we hand it our order through strictly decreasing dummy scores."""
    if boxes.shape[0] == 0:
        return torch.zeros(0, dtype=torch.long)
    order = scores.sort(0, descending=True)[1]
    n = boxes.shape[0]
    rank = torch.arange(n, 0, -1, dtype=torch.float32)
    keep = tvops.nms(boxes[order].contiguous(), rank, float(iou_thr))
    return order[keep]


def mmcv_batched_nms(boxes, scores, idxs, iou_thr, split_thr=10000):
    """mmcv.ops.batched_nms (class-aware, coordinate-offset trick).
    Returns (keep indices, kept scores) sorted as mmcv returns them."""
    if boxes.shape[0] == 0:
        return torch.zeros(0, dtype=torch.long), scores[:0]
    max_coordinate = boxes.max()
    offsets = idxs.to(boxes) * (max_coordinate + torch.tensor(1).to(boxes))
    boxes_for_nms = boxes + offsets[:, None]
    if boxes_for_nms.shape[0] < split_thr:
        keep = mmcv_nms(boxes_for_nms, scores, iou_thr)
        return keep, scores[keep]
    total_mask = torch.zeros(scores.shape, dtype=torch.bool)
    scores_after = scores.new_zeros(scores.shape)
    for i in torch.unique(idxs):
        mask = (idxs == i).nonzero(as_tuple=False).view(-1)
        k = mmcv_nms(boxes_for_nms[mask], scores[mask], iou_thr)
        total_mask[mask[k]] = True
        scores_after[mask[k]] = scores[mask[k]]
    keep = total_mask.nonzero(as_tuple=False).view(-1)
    s, inds = scores_after[keep].sort(descending=True)
    return keep[inds], s


def delta2bbox(rois, deltas, stds, max_shape, wh_ratio_clip=16 / 1000):
    """mmdet DeltaXYWHBBoxCoder.decode (means 0, clip to max_shape=(h, w))."""
    if rois.shape[0] == 0:
        return deltas.new_zeros((0, 4))
    stds_t = deltas.new_tensor(stds).view(1, -1)
    means_t = deltas.new_zeros((1, 4))
    d = deltas * stds_t + means_t
    dxy = d[:, :2]
    dwh = d[:, 2:]
    pxy = (rois[:, :2] + rois[:, 2:]) * 0.5
    pwh = rois[:, 2:] - rois[:, :2]
    dxy_wh = pwh * dxy
    max_ratio = float(np.abs(np.log(wh_ratio_clip)))
    dwh = dwh.clamp(min=-max_ratio, max=max_ratio)
    gxy = pxy + dxy_wh
    gwh = pwh * dwh.exp()
    x1y1 = gxy - gwh * 0.5
    x2y2 = gxy + gwh * 0.5
    b = torch.cat([x1y1, x2y2], dim=-1)
    if max_shape is not None:
        b[:, 0::2].clamp_(min=0, max=max_shape[1])
        b[:, 1::2].clamp_(min=0, max=max_shape[0])
    return b


class CascadeReference:
    """Cascade (Mask) R-CNN inference from a weights dict + config."""

    def __init__(self, weights, cfg):
        self.w = weights
        self.cfg = cfg
        bb = cfg['backbone']
        self.depth = int(bb['depth'])
        self.kind, self.blocks = ARCH[self.depth]
        self.groups = int(bb.get('groups', 1))
        self.base_width = int(bb.get('base_width', 4))
        self.base_channels = int(bb.get('base_channels', 64))
        self.style = bb.get('style', 'pytorch')
        self.with_mask = bool(cfg.get('with_mask', False))
        self.num_classes = int(cfg['num_classes'])
        self.flops = FlopCounter()
        self.memory_format = torch.contiguous_format
        self.fast_fc = False
        self._onednn_w = {}
        self._check_shapes()

    def use_channels_last(self):
        """NHWC activations and conv weights (a speed option; same math)."""
        self.memory_format = torch.channels_last
        for k, v in list(self.w.items()):
            if v.dim() == 4:
                self.w[k] = v.contiguous(memory_format=torch.channels_last)

    # -- weights ------------------------------------------------------------
    def p(self, name):
        try:
            return self.w[name]
        except KeyError:
            raise KeyError('model has no tensor %s' % name) from None

    def _check_shapes(self):
        """Check that the grouped width of the ResNeXt matches the config
        (width = floor(planes * base_width / base_channels) * groups)."""
        if self.kind == 'bottleneck':
            planes = self.base_channels
            width = planes if self.groups == 1 else \
                math.floor(planes * (self.base_width / self.base_channels)) \
                * self.groups
            got = self.p('backbone.layer1.0.conv1.weight').shape[0]
            if got != width:
                raise ValueError('layer1 width %d, config says %d' %
                                 (got, width))

    # -- primitives (count FLOPs: 2 per multiply-add) --------------------------
    def conv(self, x, prefix, stride=1, padding=0, groups=1, bias=False):
        w = self.p(prefix + '.weight')
        b = self.p(prefix + '.bias') if bias else None
        y = F.conv2d(x, w, b, stride=stride, padding=padding, groups=groups)
        self.flops.add(2 * y.numel() * w.shape[1] * w.shape[2] * w.shape[3])
        return y

    def bn(self, x, prefix):
        return F.batch_norm(x, self.p(prefix + '.running_mean'),
                            self.p(prefix + '.running_var'),
                            self.p(prefix + '.weight'),
                            self.p(prefix + '.bias'), training=False,
                            momentum=0.0, eps=1e-5)

    def fc(self, x, prefix):
        w = self.p(prefix + '.weight')
        self.flops.add(2 * x.shape[0] * w.shape[0] * w.shape[1])
        if self.fast_fc and x.shape[0] > 0:
            return self._fc_onednn(x, prefix, w)
        return F.linear(x, w, self.p(prefix + '.bias'))

    def use_fast_fc(self):
        """Fully connected layers through oneDNN (a speed option for the
        benchmark: Debian's torch links the reference BLAS, which F.linear
        uses; the sums are ordered differently, ~1e-6 relative)."""
        self.fast_fc = True

    def _fc_onednn(self, x, prefix, w):
        b = self.p(prefix + '.bias')
        try:
            if prefix not in self._onednn_w:
                self._onednn_w[prefix] = (w.to_mkldnn(), b.to_mkldnn())
            return torch._C._nn.mkldnn_linear(
                x.contiguous().to_mkldnn(), *self._onednn_w[prefix]).to_dense()
        except (AttributeError, RuntimeError):
            return F.conv2d(x[:, :, None, None], w[:, :, None, None],
                            b).flatten(1)

    # -- pre-processing -------------------------------------------------------
    def preprocess(self, img_bgr):
        pp = self.cfg['preprocess']
        h, w = img_bgr.shape[:2]
        S = pp['test_scale']
        long_e, short_e = max(S), min(S)
        s = min(long_e / max(h, w), short_e / min(h, w))
        new_w, new_h = int(w * float(s) + 0.5), int(h * float(s) + 0.5)
        resized = cv2.resize(img_bgr, (new_w, new_h),
                             interpolation=cv2.INTER_LINEAR)
        if resized.ndim == 2:
            resized = resized[:, :, None]
        sf = (new_w / w, new_h / h)
        chw = torch.from_numpy(np.ascontiguousarray(resized)).permute(2, 0, 1)
        x = chw
        if pp.get('to_rgb', True):
            x = x[[2, 1, 0], ...]
        x = x.float()
        mean = torch.tensor(pp['mean'], dtype=torch.float32).view(-1, 1, 1)
        std = torch.tensor(pp['std'], dtype=torch.float32).view(-1, 1, 1)
        x = (x - mean) / std
        div = int(pp.get('pad_size_divisor', 32))
        ph = int(math.ceil(new_h / div)) * div
        pw = int(math.ceil(new_w / div)) * div
        x = F.pad(x, (0, pw - new_w, 0, ph - new_h), value=0.0)
        meta = {'ori_shape': [h, w], 'img_shape': [new_h, new_w],
                'pad_shape': [ph, pw], 'scale_factor': [sf[0], sf[1]]}
        return chw.contiguous(), x[None].contiguous(), meta

    # -- backbone -------------------------------------------------------------
    def backbone(self, x):
        x = F.relu(self.bn(self.conv(x, 'backbone.conv1', 2, 3),
                           'backbone.bn1'))
        x = F.max_pool2d(x, 3, 2, 1)
        outs = []
        for i, nb in enumerate(self.blocks):
            for j in range(nb):
                stride = (1 if i == 0 else 2) if j == 0 else 1
                pre = 'backbone.layer%d.%d' % (i + 1, j)
                if self.kind == 'basic':
                    x = self.basic_block(x, pre, stride)
                else:
                    x = self.bottleneck(x, pre, stride)
            outs.append(x)
        return outs

    def basic_block(self, x, pre, stride):
        out = F.relu(self.bn(self.conv(x, pre + '.conv1', stride, 1),
                             pre + '.bn1'))
        out = self.bn(self.conv(out, pre + '.conv2', 1, 1), pre + '.bn2')
        if pre + '.downsample.0.weight' in self.w:
            idn = self.bn(self.conv(x, pre + '.downsample.0', stride, 0),
                          pre + '.downsample.1')
        else:
            idn = x
        return F.relu(out + idn)

    def bottleneck(self, x, pre, stride):
        s1, s2 = (stride, 1) if self.style == 'caffe' else (1, stride)
        out = F.relu(self.bn(self.conv(x, pre + '.conv1', s1, 0),
                             pre + '.bn1'))
        out = F.relu(self.bn(self.conv(out, pre + '.conv2', s2, 1,
                                       groups=self.groups), pre + '.bn2'))
        out = self.bn(self.conv(out, pre + '.conv3', 1, 0), pre + '.bn3')
        if pre + '.downsample.0.weight' in self.w:
            idn = self.bn(self.conv(x, pre + '.downsample.0', stride, 0),
                          pre + '.downsample.1')
        else:
            idn = x
        return F.relu(out + idn)

    # -- FPN ------------------------------------------------------------------
    def fpn(self, feats):
        n = len(feats)
        lat = [self.conv(feats[i], 'neck.lateral_convs.%d.conv' % i,
                         bias=True) for i in range(n)]
        for i in range(n - 1, 0, -1):
            lat[i - 1] = lat[i - 1] + F.interpolate(
                lat[i], size=lat[i - 1].shape[2:], mode='nearest')
        outs = [self.conv(lat[i], 'neck.fpn_convs.%d.conv' % i, 1, 1,
                          bias=True) for i in range(n)]
        num_outs = int(self.cfg['neck'].get('num_outs', 5))
        while len(outs) < num_outs:
            outs.append(F.max_pool2d(outs[-1], 1, stride=2))
        return outs

    # -- RPN ------------------------------------------------------------------
    def anchors(self, stride, fh, fw):
        rc = self.cfg['rpn']
        ratios = torch.tensor(rc['anchor_ratios'], dtype=torch.float32)
        scales = torch.tensor(rc['anchor_scales'], dtype=torch.float32)
        h_ratios = torch.sqrt(ratios)
        w_ratios = 1 / h_ratios
        ws = (stride * w_ratios[:, None] * scales[None, :]).view(-1)
        hs = (stride * h_ratios[:, None] * scales[None, :]).view(-1)
        xc = 0.0
        yc = 0.0
        base = torch.stack([xc - 0.5 * ws, yc - 0.5 * hs,
                            xc + 0.5 * ws, yc + 0.5 * hs], dim=-1)
        sx = torch.arange(0, fw).to(torch.float32) * stride
        sy = torch.arange(0, fh).to(torch.float32) * stride
        xx = sx.repeat(len(sy))
        yy = sy.view(-1, 1).repeat(1, len(sx)).view(-1)
        shifts = torch.stack([xx, yy, xx, yy], dim=-1)
        return (base[None, :, :] + shifts[:, None, :]).view(-1, 4)

    def rpn(self, feats, img_shape, out):
        rc = self.cfg['rpn']
        strides = rc['strides']
        nms_pre = int(rc['nms_pre'])
        mlvl_scores, mlvl_deltas, mlvl_anchors, lvl_ids = [], [], [], []
        for li, x in enumerate(feats):
            t = F.relu(self.conv(x, 'rpn_head.rpn_conv', 1, 1, bias=True))
            cls = self.conv(t, 'rpn_head.rpn_cls', bias=True)
            reg = self.conv(t, 'rpn_head.rpn_reg', bias=True)
            out['rpn.cls_score.l%d' % li] = cls
            out['rpn.bbox_pred.l%d' % li] = reg
            scores = cls[0].permute(1, 2, 0).reshape(-1).sigmoid()
            deltas = reg[0].permute(1, 2, 0).reshape(-1, 4)
            anchors = self.anchors(strides[li], x.shape[2], x.shape[3])
            if 0 < nms_pre < scores.shape[0]:
                ranked, rank_inds = scores.sort(descending=True)
                topk = rank_inds[:nms_pre]
                scores = ranked[:nms_pre]
                deltas = deltas[topk, :]
                anchors = anchors[topk]
            mlvl_scores.append(scores)
            mlvl_deltas.append(deltas)
            mlvl_anchors.append(anchors)
            lvl_ids.append(torch.full((scores.shape[0],), li,
                                      dtype=torch.long))
        scores = torch.cat(mlvl_scores)
        deltas = torch.cat(mlvl_deltas)
        anchors = torch.cat(mlvl_anchors)
        lvl = torch.cat(lvl_ids)
        bboxes = delta2bbox(anchors, deltas, rc['target_stds'], img_shape)
        out['rpn.pre_nms.bboxes'] = bboxes
        out['rpn.pre_nms.scores'] = scores
        out['rpn.pre_nms.level_ids'] = lvl
        min_size = rc.get('min_bbox_size', 0)
        if min_size >= 0:
            w = bboxes[:, 2] - bboxes[:, 0]
            h = bboxes[:, 3] - bboxes[:, 1]
            valid = (w > min_size) & (h > min_size)
            if not bool(valid.all()):
                bboxes, scores, lvl = bboxes[valid], scores[valid], lvl[valid]
        if bboxes.numel() > 0:
            keep, kscores = mmcv_batched_nms(bboxes, scores, lvl,
                                             rc['nms_iou'])
            bboxes = bboxes[keep][:rc['max_per_img']]
            scores = kscores[:rc['max_per_img']]
        else:
            bboxes = bboxes.new_zeros((0, 4))
            scores = scores.new_zeros((0,))
        out['rpn.proposals.bboxes'] = bboxes
        out['rpn.proposals.scores'] = scores
        return bboxes

    # -- RoI features ---------------------------------------------------------
    def roi_extract(self, feats, rois, out_size):
        """SingleRoIExtractor: map each RoI to a level, RoIAlign (aligned,
        sampling_ratio 0, avg) on that level."""
        finest = self.cfg['roi_head'].get('finest_scale', 56)
        strides = self.cfg['rpn']['strides'][:4]
        nl = len(strides)
        res = feats[0].new_zeros((rois.shape[0], feats[0].shape[1],
                                  out_size, out_size))
        if rois.shape[0] == 0:
            return res, torch.zeros(0, dtype=torch.long)
        scale = torch.sqrt((rois[:, 3] - rois[:, 1]) *
                           (rois[:, 4] - rois[:, 2]))
        lv = torch.floor(torch.log2(scale / finest + 1e-6))
        lv = lv.clamp(min=0, max=nl - 1).long()
        for i in range(nl):
            inds = (lv == i).nonzero(as_tuple=False).squeeze(1)
            if inds.numel() > 0:
                res[inds] = tvops.roi_align(
                    feats[i], rois[inds], (out_size, out_size),
                    spatial_scale=1.0 / strides[i], sampling_ratio=0,
                    aligned=True)
        return res, lv

    # -- cascade heads ----------------------------------------------------------
    def bbox_head(self, s, feats):
        pre = 'roi_head.bbox_head.%d' % s
        x = feats.flatten(1)
        nfc = int(self.cfg['roi_head'].get('num_shared_fcs', 2))
        for i in range(nfc):
            x = F.relu(self.fc(x, pre + '.shared_fcs.%d' % i))
        return self.fc(x, pre + '.fc_cls'), self.fc(x, pre + '.fc_reg')

    def mask_head(self, s, feats):
        pre = 'roi_head.mask_head.%d' % s
        x = feats
        nconv = int(self.cfg['mask_head'].get('num_convs', 4))
        for i in range(nconv):
            x = F.relu(self.conv(x, pre + '.convs.%d.conv' % i, 1, 1,
                                 bias=True))
        w = self.p(pre + '.upsample.weight')  # [Cin, Cout, 2, 2]
        self.flops.add(2 * x.numel() * w.shape[1] * w.shape[2] * w.shape[3])
        x = F.conv_transpose2d(x, w, self.p(pre + '.upsample.bias'),
                               stride=2)
        x = F.relu(x)
        return self.conv(x, pre + '.conv_logits', bias=True)

    @staticmethod
    def paste_mask(mask28, box, img_h, img_w, thr):
        """mmdet _do_paste_mask with skip_empty=True (CPU: one det per
        chunk): only the window [floor(x0)-1, ceil(x1)+1) is sampled, the
        rest of the image stays 0."""
        x0_int, y0_int = torch.clamp(box.floor()[:2] - 1, min=0).to(
            dtype=torch.int32).tolist()
        x1_int = int(torch.clamp(box[2].ceil() + 1, max=img_w).to(torch.int32))
        y1_int = int(torch.clamp(box[3].ceil() + 1, max=img_h).to(torch.int32))
        x0, y0, x1, y1 = box[0], box[1], box[2], box[3]
        img_y = torch.arange(y0_int, y1_int).to(torch.float32) + 0.5
        img_x = torch.arange(x0_int, x1_int).to(torch.float32) + 0.5
        img_y = (img_y - y0) / (y1 - y0) * 2 - 1
        img_x = (img_x - x0) / (x1 - x0) * 2 - 1
        img_x[torch.isinf(img_x)] = 0
        img_y[torch.isinf(img_y)] = 0
        gx = img_x[None, :].expand(img_y.shape[0], img_x.shape[0])
        gy = img_y[:, None].expand(img_y.shape[0], img_x.shape[0])
        grid = torch.stack([gx, gy], dim=2)[None]
        full = torch.zeros((img_h, img_w), dtype=torch.bool)
        if grid.shape[1] == 0 or grid.shape[2] == 0:
            return full
        v = F.grid_sample(mask28[None, None].to(torch.float32), grid,
                          align_corners=False)[0, 0]
        full[y0_int:y1_int, x0_int:x1_int] = v >= thr
        return full

    # -- whole pipeline -----------------------------------------------------------
    def run(self, img_bgr, keep_all=True, timer=None, score_thr=None):
        """img_bgr: (H, W, 3) uint8 BGR.  Returns dict of numpy arrays +
        'img_meta'.  timer(name) is called at the end of each stage."""
        tick = timer or (lambda name: None)
        out = {}
        rh = self.cfg['roi_head']
        with torch.no_grad():
            chw, x, meta = self.preprocess(img_bgr)
            img_shape = meta['img_shape']
            out['pipeline_resized_uint8_bgr_chw'] = chw
            out['input_tensor'] = x
            tick('preprocess')
            feats = self.backbone(x.contiguous(
                memory_format=self.memory_format))
            for i, f in enumerate(feats):
                out['backbone.C%d' % (i + 2)] = f
            tick('backbone')
            P = self.fpn(feats)
            for i, f in enumerate(P):
                out['neck.P%d' % (i + 2)] = f
            tick('fpn')
            proposals = self.rpn(P, img_shape, out)
            tick('rpn')
            rois = torch.cat([proposals.new_zeros((proposals.shape[0], 1)),
                              proposals], dim=1)
            ns = int(rh['num_stages'])
            stds = rh['target_stds']
            roi_feats_in = P[:4]
            ms_scores = []
            cls = reg = None
            for s in range(ns):
                out['stage%d.rois' % s] = rois
                bf, lv = self.roi_extract(roi_feats_in, rois,
                                          int(rh.get('roi_size', 7)))
                if keep_all:
                    out['stage%d.bbox_feats.first64' % s] = bf[:64]
                    sel = []
                    for level in range(4):
                        sel += (lv == level).nonzero().view(-1)[:16].tolist()
                    sel_t = torch.tensor(sel, dtype=torch.long)
                    out['stage%d.bbox_feats.sel_idx' % s] = sel_t
                    out['stage%d.bbox_feats.sel_level' % s] = lv[sel_t] \
                        if len(sel) else sel_t
                    out['stage%d.bbox_feats.sel' % s] = bf[sel_t]
                cls, reg = self.bbox_head(s, bf)
                out['stage%d.cls_score' % s] = cls
                out['stage%d.bbox_pred' % s] = reg
                ms_scores.append(cls)
                if s < ns - 1 and rois.shape[0] > 0:
                    refined = delta2bbox(rois[:, 1:], reg, stds[s], img_shape)
                    rois = torch.cat([rois[:, [0]], refined], dim=1)
                tick('stage%d' % (s + 1))
            mean_logits = sum(ms_scores) / float(len(ms_scores))
            out['final.rois'] = rois
            out['final.cls_score_mean_logits'] = mean_logits
            out['final.bbox_pred'] = reg
            scores = F.softmax(mean_logits, dim=-1)
            bboxes = delta2bbox(rois[:, 1:], reg, stds[ns - 1], img_shape)
            out['final.pre_nms.bboxes'] = bboxes
            out['final.pre_nms.scores_softmax'] = scores
            sf = meta['scale_factor']
            if not self.with_mask and bboxes.shape[0] > 0:
                # bbox_head.predict_by_feat(rescale=True): boxes * (1/s)
                # BEFORE the NMS (box-only models)
                bboxes = bboxes * bboxes.new_tensor(
                    [1 / sf[0], 1 / sf[1]]).repeat((1, 2))
            det_b, det_s, det_l = self.multiclass_nms(
                bboxes, scores, rh['score_thr'] if score_thr is None
                else score_thr, rh['nms_iou'], rh['max_per_img'])
            out['final.nms.bboxes'] = det_b
            out['final.nms.scores'] = det_s
            out['final.nms.labels'] = det_l
            tick('detnms')
            if self.with_mask:
                self.masks(P[:4], det_b, det_s, det_l, meta, out, tick)
            else:
                out['det.bboxes'] = det_b
                out['det.scores'] = det_s
                out['det.labels'] = det_l
        res = {k: v.detach().cpu().numpy() if torch.is_tensor(v) else v
               for k, v in out.items()}
        res['img_meta'] = meta
        return res

    def multiclass_nms(self, bboxes, scores, score_thr, iou, max_num):
        nc = scores.shape[1] - 1
        n = scores.shape[0]
        b = bboxes[:, None].expand(n, nc, 4).reshape(-1, 4)
        sc = scores[:, :-1].reshape(-1)
        labels = torch.arange(nc, dtype=torch.long).view(1, -1).expand(
            n, nc).reshape(-1)
        valid = sc > score_thr
        inds = valid.nonzero(as_tuple=False).squeeze(1)
        b, sc, labels = b[inds], sc[inds], labels[inds]
        if b.numel() == 0:
            return b.new_zeros((0, 4)), sc[:0], labels[:0]
        keep, ks = mmcv_batched_nms(b, sc, labels, iou)
        if max_num > 0:
            keep = keep[:max_num]
            ks = ks[:max_num]
        return b[keep], ks, labels[keep]

    def masks(self, feats, det_b, det_s, det_l, meta, out, tick=None):
        tick = tick or (lambda name: None)
        mh = self.cfg['mask_head']
        ns = int(self.cfg['roi_head']['num_stages'])
        D = det_b.shape[0]
        mrois = torch.cat([det_b.new_zeros((D, 1)), det_b], dim=1)
        out['mask.rois'] = mrois
        img_h, img_w = meta['ori_shape']
        if D == 0:
            out['det.bboxes'] = det_b
            out['det.scores'] = det_s
            out['det.labels'] = det_l
            out['det.masks'] = torch.zeros((0, img_h, img_w),
                                           dtype=torch.uint8)
            tick('mask_heads')
            tick('paste')
            return
        mf, _ = self.roi_extract(feats, mrois, int(mh.get('roi_size', 14)))
        probs = []
        for s in range(ns):
            logits = self.mask_head(s, mf)
            out['mask.stage%d.mask_logits_all' % s] = logits
            probs.append(logits.sigmoid())
        merged = torch.stack(probs).mean(dim=0)
        out['mask.merged_probs_all'] = merged
        out['mask.det_bboxes_input_coords'] = det_b
        out['mask.det_labels'] = det_l
        m28 = merged[torch.arange(D), det_l]
        out['mask.merged_probs_28x28'] = m28
        tick('mask_heads')
        sf = det_b.new_tensor(meta['scale_factor']).repeat((1, 2))
        boxes = det_b / sf
        thr = float(mh.get('mask_thr_binary', 0.5))
        masks = torch.zeros((D, img_h, img_w), dtype=torch.uint8)
        for i in range(D):
            masks[i] = self.paste_mask(m28[i], boxes[i], img_h, img_w,
                                       thr).to(torch.uint8)
        out['det.bboxes'] = boxes
        out['det.scores'] = det_s
        out['det.labels'] = det_l
        out['det.masks'] = masks
        tick('paste')


# --------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------
def detections_json(res, cfg, min_score=None, digits=None):
    """The final detections in the expected/<case>/<image>.json format.
    digits: significant digits of the floats (9 keeps every float32)."""
    def num(v):
        return float('%.*g' % (digits, v)) if digits else float(v)
    dets = []
    n = res['det.scores'].shape[0]
    for i in range(n):
        sc = float(res['det.scores'][i])
        if min_score is not None and sc < min_score:
            continue
        d = {'label': int(res['det.labels'][i]), 'score': num(sc),
             'box': [num(v) for v in res['det.bboxes'][i]]}
        if 'det.masks' in res:
            d['mask'] = rle_encode(res['det.masks'][i])
        dets.append(d)
    m = res['img_meta']
    return {'img_meta': {'ori_shape': m['ori_shape'],
                         'img_shape': m['img_shape'],
                         'scale_factor': m['scale_factor']},
            'classes': cfg.get('classes', []), 'detections': dets}


def tensors_for_dump(res):
    return {k: v for k, v in res.items() if isinstance(v, np.ndarray)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('model', help='gst-cascade .safetensors or mmdet .pth')
    ap.add_argument('image', help='PNG/JPEG (cv2) or binary PPM (P6, RGB)')
    ap.add_argument('--out', help='write every named tensor (safetensors)')
    ap.add_argument('--json', help='write the final detections (JSON)')
    ap.add_argument('--test-scale', nargs=2, type=int, metavar=('W', 'H'))
    ap.add_argument('--threads', type=int, default=0)
    a = ap.parse_args(argv)
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    weights, cfg = load_model(a.model, a.test_scale)
    ref = CascadeReference(weights, cfg)
    img = load_image_bgr(a.image)
    t0 = time.perf_counter()
    res = ref.run(img)
    t1 = time.perf_counter()
    n = res['det.scores'].shape[0]
    print('image %dx%d -> input %dx%d, %d proposals, %d detections, %.2f s'
          % (img.shape[1], img.shape[0], res['img_meta']['img_shape'][1],
             res['img_meta']['img_shape'][0],
             res['rpn.proposals.scores'].shape[0], n, t1 - t0))
    classes = cfg.get('classes', [])
    for i in range(min(n, 10)):
        lab = int(res['det.labels'][i])
        print('  %-12s %.4f  [%s]' % (
            classes[lab] if lab < len(classes) else lab,
            res['det.scores'][i],
            ', '.join('%.2f' % v for v in res['det.bboxes'][i])))
    if a.out:
        write_safetensors(a.out, tensors_for_dump(res),
                          {'img_meta': json.dumps(res['img_meta'])})
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(detections_json(res, cfg), f)
    return 0


if __name__ == '__main__':
    sys.exit(main())
