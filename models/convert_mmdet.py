#!/usr/bin/python3
"""Convert an mmdetection Cascade R-CNN / Cascade Mask R-CNN checkpoint
(.pth, mmdetection 2.x or 3.x) into a gst-cascade model file (safetensors,
see models/FORMAT.md).

usage: convert_mmdet.py [options] IN.pth OUT.safetensors

The architecture (depth, ResNet/ResNeXt groups and width, channels, number
of classes, masks) is inferred from the tensors themselves; the backbone
style, class names, test scale, test thresholds and input normalisation
come from the checkpoint's meta (mmdetection's config text, parsed with
Python's `ast` parser and never executed) when present, and from the flags,
which override them.  Every tensor the architecture needs must be present
with the right shape, and no other tensor may be present: anything else
(Faster/Mask R-CNN, RetinaNet, HTC, DCN backbones, ...) is rejected with a
message on stderr and exit status 1 (2 for bad usage).

The checkpoint is unpickled with a restricted unpickler: only tensors,
storages and plain containers are rebuilt; any other class in the file
(optimizer state, mmengine objects) becomes an inert placeholder, so no
code from the file ever runs.

Needs only Debian's python3-torch (and numpy); the safetensors file is
written by this script (no safetensors package).
"""

import argparse
import ast
import collections
import io
import json
import math
import os
import pickle
import re
import shlex
import sys

FORMAT_NAME = 'gst-cascade'
FORMAT_VERSION = '1'
PROG = 'convert_mmdet.py'

ARCH_BLOCKS = {
    ('basic', (2, 2, 2, 2)): 18,
    ('basic', (3, 4, 6, 3)): 34,
    ('bottleneck', (3, 4, 6, 3)): 50,
    ('bottleneck', (3, 4, 23, 3)): 101,
    ('bottleneck', (3, 8, 36, 3)): 152,
}

PYTORCH_NORM = ([123.675, 116.28, 103.53], [58.395, 57.12, 57.375], True)
CAFFE_NORM = ([103.53, 116.28, 123.675], [1.0, 1.0, 1.0], False)

DEFAULT_STAGE_STDS = [[0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1],
                      [0.033, 0.033, 0.067, 0.067]]

HERE = os.path.dirname(os.path.abspath(__file__))


class ConvertError(Exception):
    """A checkpoint we cannot (or must not) convert."""


def note(msg):
    print(f'{PROG}: note: {msg}', file=sys.stderr)


def warn(msg):
    print(f'{PROG}: warning: {msg}', file=sys.stderr)


# ----------------------------------------------------------------------------
# loading the checkpoint
# ----------------------------------------------------------------------------
class Opaque:
    """Stands in for any class the checkpoint names that is not a tensor,
    a storage or a plain container.  Accepts whatever pickle does to it."""

    def __init__(self, *args, **kwargs):
        self.args = args

    def __setstate__(self, state):
        self.state = state

    def __setitem__(self, key, value):
        pass

    def append(self, value):
        pass

    def extend(self, values):
        pass

    def __repr__(self):
        return f'<opaque {type(self).__module__}.{type(self).__name__}>'


_opaque_types = {}


def _opaque_type(module, name):
    key = (module, name)
    if key not in _opaque_types:
        _opaque_types[key] = type(str(name), (Opaque,),
                                  {'__module__': 'opaque.' + str(module)})
    return _opaque_types[key]


def _allowed_globals():
    import torch
    allowed = {}
    try:
        from torch._weights_only_unpickler import _get_allowed_globals
        allowed.update(_get_allowed_globals())
    except Exception:   # older/newer torch: build the list ourselves
        pass
    allowed['collections.OrderedDict'] = collections.OrderedDict
    allowed['torch.Size'] = torch.Size
    allowed['torch.nn.parameter.Parameter'] = torch.nn.Parameter
    for fn in ('_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_parameter',
               '_rebuild_parameter_with_state'):
        if hasattr(torch._utils, fn):
            allowed['torch._utils.' + fn] = getattr(torch._utils, fn)
    for t in (torch.float16, torch.float32, torch.float64, torch.bfloat16,
              torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64,
              torch.bool):
        allowed[str(t)] = t
    allowed['torch.device'] = torch.device
    for b in ('set', 'frozenset', 'complex', 'slice', 'bytearray'):
        allowed['builtins.' + b] = __builtins__[b] if isinstance(
            __builtins__, dict) else getattr(__builtins__, b)
    return allowed


class _RestrictedUnpickler(pickle.Unpickler):
    allowed = None

    def find_class(self, module, name):
        key = f'{module}.{name}'
        if key in self.allowed:
            return self.allowed[key]
        return _opaque_type(module, name)


class _RestrictedPickleModule:
    """What torch.load needs of a pickle module."""
    __name__ = 'convert_mmdet_restricted_pickle'
    Unpickler = _RestrictedUnpickler

    @staticmethod
    def load(f, **kwargs):
        return _RestrictedUnpickler(f, **kwargs).load()


def load_checkpoint(path):
    try:
        with open(path, 'rb') as f:
            head = f.read(16)
            f.seek(0, io.SEEK_END)
            size = f.tell()
    except OSError as e:
        raise ConvertError(f'cannot read the file: {e.strerror}')
    if size == 0:
        raise ConvertError('the file is empty, not a PyTorch checkpoint')
    is_zip = head.startswith(b'PK\x03\x04')
    is_legacy = len(head) > 1 and head[0] == 0x80 and head[1] in (2, 3, 4, 5)
    if not (is_zip or is_legacy):
        raise ConvertError(
            'not a PyTorch checkpoint (neither a torch zip '
            'archive nor a legacy torch pickle)')
    import torch
    _RestrictedUnpickler.allowed = _allowed_globals()
    ser = torch.serialization
    try:
        # torch.load(pickle_module=...) is not enough: Debian's torch 1.13
        # replaces any pickle_module by pickle unless weights_only is set,
        # and weights_only refuses the objects real checkpoints hold
        # (mmengine's message hub, numpy values).  So call torch's loaders
        # with our restricted unpickler ourselves.
        if hasattr(ser, '_load') and hasattr(ser, '_legacy_load') and \
                hasattr(ser, '_open_zipfile_reader'):
            with open(path, 'rb') as f:
                if is_zip:
                    with ser._open_zipfile_reader(f) as zf:
                        obj = ser._load(zf, 'cpu', _RestrictedPickleModule,
                                        encoding='utf-8')
                else:
                    obj = ser._legacy_load(f, 'cpu', _RestrictedPickleModule,
                                           encoding='utf-8')
        else:
            obj = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as e:   # torch raises RuntimeError, EOFError, ...
        msg = str(e).strip().splitlines()[0] if str(e).strip() else \
            type(e).__name__
        raise ConvertError(
            f'cannot load it: truncated or corrupt PyTorch checkpoint '
            f'({type(e).__name__}: {msg})')
    return obj


def split_checkpoint(obj):
    """(state_dict, meta) from a checkpoint object."""
    import torch
    if not isinstance(obj, dict):
        raise ConvertError(
            f'the checkpoint holds a {type(obj).__name__}, not a dict '
            '(expected {"meta": ..., "state_dict": ...} or a state_dict)')
    meta = obj.get('meta') if isinstance(obj.get('meta'), dict) else {}
    if isinstance(obj.get('state_dict'), dict):
        sd = obj['state_dict']
    elif isinstance(obj.get('model'), dict) and not any(
            isinstance(v, torch.Tensor) for v in obj.values()):
        sd = obj['model']
    elif obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
        sd = obj
    else:
        raise ConvertError(
            'the checkpoint has no state_dict (keys: '
            + ', '.join(sorted(str(k) for k in obj)[:10]) + ')')
    out = collections.OrderedDict()
    for k, v in sd.items():
        if not isinstance(k, str):
            raise ConvertError(f'state_dict key {k!r} is not a string')
        name = k[len('module.'):] if k.startswith('module.') else k
        if name in out:
            raise ConvertError(f'duplicate tensor {name} (with and without '
                               "the 'module.' prefix)")
        if not isinstance(v, torch.Tensor):
            raise ConvertError(f'state_dict entry {k} is a '
                               f'{type(v).__name__}, not a tensor')
        out[name] = v
    if not out:
        raise ConvertError('the state_dict is empty')
    return out, meta


# ----------------------------------------------------------------------------
# the config text (python source; parsed, never executed)
# ----------------------------------------------------------------------------
class _Unknown:
    def __repr__(self):
        return '<unknown>'


UNKNOWN = _Unknown()


def _literal(node, env):
    """Value of a config expression built from literals, dict(...) calls and
    names assigned earlier; UNKNOWN for anything else."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        vals = [UNKNOWN if isinstance(e, ast.Starred) else _literal(e, env)
                for e in node.elts]
        return vals if isinstance(node, ast.List) else tuple(vals)
    if isinstance(node, ast.Dict):
        d = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                sub = _literal(v, env)
                if isinstance(sub, dict):
                    d.update(sub)
                continue
            key = _literal(k, env)
            if isinstance(key, (str, int, float, bool)):
                d[key] = _literal(v, env)
        return d
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id == 'dict' and not node.args:
        d = {}
        for kw in node.keywords:
            if kw.arg is None:
                sub = _literal(kw.value, env)
                if isinstance(sub, dict):
                    d.update(sub)
            else:
                d[kw.arg] = _literal(kw.value, env)
        return d
    if isinstance(node, ast.UnaryOp) and isinstance(node.op,
                                                    (ast.USub, ast.UAdd)):
        v = _literal(node.operand, env)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return -v if isinstance(node.op, ast.USub) else v
        return UNKNOWN
    if isinstance(node, ast.Name):
        return env.get(node.id, UNKNOWN)
    return UNKNOWN


def parse_config_text(text):
    """Top-level assignments of an mmdetection config (pretty_text)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    env = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            val = _literal(stmt.value, env)
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    env[t.id] = val
    return env


def _get(d, *path):
    for p in path:
        if isinstance(d, dict) and p in d:
            d = d[p]
        elif isinstance(d, (list, tuple)) and isinstance(p, int) and \
                -len(d) <= p < len(d):
            d = d[p]
        else:
            return None
    return None if d is UNKNOWN else d


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _numlist(v, n=None):
    if isinstance(v, (list, tuple)) and all(_num(x) for x in v) and \
            (n is None or len(v) == n):
        return [float(x) for x in v]
    return None


def _scale(v):
    """(w, h) from an mmdet scale: a tuple, or a list holding tuples."""
    if isinstance(v, (list, tuple)) and len(v) == 2 and all(
            isinstance(x, int) and not isinstance(x, bool) and x > 0
            for x in v):
        return [int(v[0]), int(v[1])], False
    if isinstance(v, list) and v:
        first, _ = _scale(v[0])
        if first:
            return first, len(v) > 1
    return None, False


def _find_test_pipeline(env):
    for path in (('test_pipeline',), ('data', 'test', 'pipeline'),
                 ('test_dataloader', 'dataset', 'pipeline'),
                 ('data', 'val', 'pipeline'),
                 ('val_dataloader', 'dataset', 'pipeline')):
        p = _get(env, *path)
        if isinstance(p, list):
            return p
    return None


def _walk_pipeline(pipeline):
    for step in pipeline:
        if isinstance(step, dict):
            yield step
            if isinstance(step.get('transforms'), list):
                yield from _walk_pipeline(step['transforms'])


def config_info(env):
    """Everything we take from a parsed config: a dict with some of the keys
    style, backbone, test_scale, mean, std, to_rgb, pad_size_divisor, rpn,
    rcnn, anchor, stage_stds, roi_size, finest_scale, mask_roi_size,
    classes."""
    info = {}
    model = env.get('model') if isinstance(env.get('model'), dict) else {}
    bb = _get(model, 'backbone')
    if isinstance(bb, dict):
        info['backbone'] = bb
        if bb.get('style') in ('pytorch', 'caffe'):
            info['style'] = bb['style']
    # test thresholds: in model (2.x >= 2.5, 3.x) or top level (older 2.x)
    tc = _get(model, 'test_cfg')
    if not isinstance(tc, dict):
        tc = env.get('test_cfg') if isinstance(env.get('test_cfg'),
                                               dict) else {}
    rpn = tc.get('rpn') if isinstance(tc.get('rpn'), dict) else {}
    r = {}
    if _num(rpn.get('nms_pre')):
        r['nms_pre'] = int(rpn['nms_pre'])
    for k in ('max_per_img', 'max_num', 'nms_post'):
        if _num(rpn.get(k)):
            r['max_per_img'] = int(rpn[k])
            break
    iou = _get(rpn, 'nms', 'iou_threshold')
    if not _num(iou):
        iou = rpn.get('nms_thr')
    if _num(iou):
        r['nms_iou'] = float(iou)
    if _num(rpn.get('min_bbox_size')):
        r['min_bbox_size'] = rpn['min_bbox_size']
    info['rpn'] = r
    rcnn = tc.get('rcnn') if isinstance(tc.get('rcnn'), dict) else {}
    c = {}
    if _num(rcnn.get('score_thr')):
        c['score_thr'] = float(rcnn['score_thr'])
    iou = _get(rcnn, 'nms', 'iou_threshold')
    if not _num(iou):
        iou = rcnn.get('nms_thr')
    if _num(iou):
        c['nms_iou'] = float(iou)
    if _num(rcnn.get('max_per_img')):
        c['max_per_img'] = int(rcnn['max_per_img'])
    if _num(rcnn.get('mask_thr_binary')):
        c['mask_thr_binary'] = float(rcnn['mask_thr_binary'])
    info['rcnn'] = c
    # anchors and coders
    ag = _get(model, 'rpn_head', 'anchor_generator')
    if isinstance(ag, dict):
        a = {}
        for k in ('scales', 'ratios', 'strides'):
            if _numlist(ag.get(k)):
                a[k] = ag[k]
        info['anchor'] = a
    rstd = _numlist(_get(model, 'rpn_head', 'bbox_coder', 'target_stds'), 4)
    if rstd:
        info['rpn_stds'] = rstd
    bh = _get(model, 'roi_head', 'bbox_head')
    if isinstance(bh, list):
        stds = [_numlist(_get(h, 'bbox_coder', 'target_stds'), 4) for h in bh]
        if stds and all(stds):
            info['stage_stds'] = stds
    os_ = _get(model, 'roi_head', 'bbox_roi_extractor', 'roi_layer',
               'output_size')
    if isinstance(os_, int) and not isinstance(os_, bool):
        info['roi_size'] = os_
    fs = _get(model, 'roi_head', 'bbox_roi_extractor', 'finest_scale')
    if isinstance(fs, int) and not isinstance(fs, bool):
        info['finest_scale'] = fs
    ms = _get(model, 'roi_head', 'mask_roi_extractor', 'roi_layer',
              'output_size')
    if isinstance(ms, int) and not isinstance(ms, bool):
        info['mask_roi_size'] = ms
    # normalisation: 3.x data_preprocessor, 2.x img_norm_cfg / Normalize
    dp = _get(model, 'data_preprocessor')
    norm = None
    if isinstance(dp, dict) and _numlist(dp.get('mean'), 3):
        # mmengine's ImgDataPreprocessor: bgr_to_rgb defaults to False;
        # some configs spell it to_rgb
        rgb = dp.get('bgr_to_rgb', dp.get('to_rgb', False))
        norm = (dp.get('mean'), dp.get('std'), rgb)
        if isinstance(dp.get('pad_size_divisor'), int):
            info['pad_size_divisor'] = dp['pad_size_divisor']
    elif isinstance(env.get('img_norm_cfg'), dict):
        n = env['img_norm_cfg']
        norm = (n.get('mean'), n.get('std'), n.get('to_rgb'))
    pipeline = _find_test_pipeline(env)
    if pipeline:
        for step in _walk_pipeline(pipeline):
            t = step.get('type')
            if t == 'Normalize' and norm is None:
                norm = (step.get('mean'), step.get('std'),
                        step.get('to_rgb'))
            elif t == 'Pad' and isinstance(step.get('size_divisor'), int):
                info.setdefault('pad_size_divisor', step['size_divisor'])
            elif t in ('MultiScaleFlipAug', 'Resize', 'TestTimeAug') and \
                    'test_scale' not in info:
                for k in ('img_scale', 'scale'):
                    s, multi = _scale(step.get(k))
                    if s:
                        info['test_scale'] = s
                        if multi:
                            warn(f'the test pipeline has several scales; '
                                 f'using the first, {s[0]}x{s[1]}')
                        break
    if norm is not None:
        mean, std, rgb = norm
        if _numlist(mean, 3):
            info['mean'] = _numlist(mean, 3)
        if _numlist(std, 3):
            info['std'] = _numlist(std, 3)
        if isinstance(rgb, bool):
            info['to_rgb'] = rgb
    cls = env.get('classes')
    if not isinstance(cls, (list, tuple)):
        cls = _get(env, 'metainfo', 'classes')
    if isinstance(cls, (list, tuple)) and cls and all(
            isinstance(x, str) for x in cls):
        info['classes'] = list(cls)
    return info


_RE = {
    'style': re.compile(r"""\bstyle\s*=\s*['"](pytorch|caffe)['"]"""),
    'to_rgb': re.compile(r'\b(?:to_rgb|bgr_to_rgb)\s*=\s*(True|False)\b'),
    'mean': re.compile(r'\bmean\s*=\s*[\[(]([-0-9.eE,\s]+)[\])]'),
    'std': re.compile(r'\bstd\s*=\s*[\[(]([-0-9.eE,\s]+)[\])]'),
}


def config_info_regex(text):
    """Fallback for config text that is not valid python (cut short...):
    only the style and the normalisation, by careful regexes."""
    info = {}
    styles = set(_RE['style'].findall(text))
    if len(styles) == 1:
        info['style'] = styles.pop()
    m = _RE['to_rgb'].search(text)
    if m:
        info['to_rgb'] = m.group(1) == 'True'
    for k in ('mean', 'std'):
        m = _RE[k].search(text)
        if m:
            try:
                v = [float(x) for x in m.group(1).split(',') if x.strip()]
            except ValueError:
                continue
            if len(v) == 3:
                info[k] = v
    return info


def meta_info(meta):
    """Config-derived info plus class names from a checkpoint's meta."""
    info = {}
    text = None
    for k in ('config', 'cfg'):
        if isinstance(meta.get(k), str) and meta[k].strip():
            text = meta[k]
            break
    if text is not None:
        env = parse_config_text(text)
        if env is not None:
            info = config_info(env)
        else:
            warn("the checkpoint's config text is not valid python; reading "
                 'only the style and normalisation from it')
            info = config_info_regex(text)
        info['has_config'] = True
    classes = meta.get('CLASSES')
    if classes is None:
        classes = _get(meta, 'dataset_meta', 'classes')
    if isinstance(classes, str):
        classes = [classes]
    if isinstance(classes, (list, tuple)) and classes and all(
            isinstance(c, str) for c in classes):
        info['classes'] = list(classes)
    return info


# ----------------------------------------------------------------------------
# architecture inference and checking
# ----------------------------------------------------------------------------
def _indices(keys, prefix):
    """Sorted integer indices i of keys 'prefix.i.<rest>'."""
    out = set()
    n = len(prefix)
    for k in keys:
        if k.startswith(prefix) and k[n:n + 1] == '.':
            head = k[n + 1:].split('.', 1)[0]
            if head.isdigit():
                out.add(int(head))
    return sorted(out)


def _shape(sd, name):
    if name not in sd:
        raise ConvertError(f'missing tensor {name}')
    return tuple(sd[name].shape)


def classify(sd):
    """Reject checkpoints that are not a Cascade (Mask) R-CNN, with a message
    naming what it looks like."""
    keys = list(sd)
    has = lambda prefix: any(k.startswith(prefix) for k in keys)  # noqa: E731
    if not has('roi_head.'):
        if has('bbox_head.'):
            raise ConvertError(
                'this is a single-stage detector (bbox_head.* without '
                'roi_head, e.g. RetinaNet/FCOS/ATSS), not a Cascade R-CNN')
        if has('rpn_head.'):
            raise ConvertError('this is an RPN-only model (rpn_head.* '
                               'without roi_head), not a Cascade R-CNN')
        raise ConvertError(
            'no roi_head.* tensors: not an mmdetection Cascade R-CNN '
            'checkpoint (first keys: ' + ', '.join(keys[:3]) + ')')
    if has('roi_head.semantic_head.') or has('roi_head.glbctx_head.') or \
            any(re.match(r'roi_head\.mask_head\.\d+\.conv_res\.', k)
                for k in keys):
        raise ConvertError(
            'this is a Hybrid Task Cascade (HTC / SCNet: semantic head or '
            'interleaved mask heads), not a Cascade (Mask) R-CNN')
    if has('roi_head.bbox_head.') and not _indices(keys,
                                                   'roi_head.bbox_head'):
        kind = 'Mask R-CNN' if has('roi_head.mask_head.') else 'Faster R-CNN'
        raise ConvertError(
            f'this looks like a {kind} (roi_head.bbox_head.* without a stage '
            'index), not a Cascade R-CNN (roi_head.bbox_head.<stage>.*)')
    if not has('roi_head.bbox_head.'):
        raise ConvertError('no roi_head.bbox_head.* tensors: not a Cascade '
                           'R-CNN')
    if has('roi_head.mask_head.') and not _indices(keys,
                                                   'roi_head.mask_head'):
        raise ConvertError(
            'the mask head has no stage index (roi_head.mask_head.* shared '
            'between stages): not a Cascade Mask R-CNN layout we run')
    for needed in ('backbone.', 'neck.', 'rpn_head.'):
        if not has(needed):
            raise ConvertError(f'no {needed}* tensors: not a Cascade R-CNN '
                               'with backbone + FPN + RPN')


def infer_arch(sd):
    """Architecture from the tensors.  Raises ConvertError on anything
    inconsistent."""
    keys = list(sd)
    a = {}
    conv1 = _shape(sd, 'backbone.conv1.weight')
    if len(conv1) != 4 or conv1[1:] != (3, 7, 7):
        raise ConvertError(
            f'backbone.conv1.weight has shape {list(conv1)}, expected '
            '[C, 3, 7, 7] (a ResNet stem)')
    base = conv1[0]
    a['base_channels'] = base
    blocks = []
    for li in range(1, 5):
        idx = _indices(keys, f'backbone.layer{li}')
        if not idx:
            raise ConvertError(f'missing backbone stage backbone.layer{li}')
        if idx != list(range(len(idx))):
            raise ConvertError(f'backbone.layer{li} block indices are not '
                               f'0..{len(idx) - 1}: {idx}')
        blocks.append(len(idx))
    if _indices(keys, 'backbone.layer5') or any(
            k.startswith('backbone.layer5.') for k in keys):
        raise ConvertError('the backbone has a 5th stage: not a ResNet')
    kind = 'bottleneck' if 'backbone.layer1.0.conv3.weight' in sd else 'basic'
    depth = ARCH_BLOCKS.get((kind, tuple(blocks)))
    if depth is None:
        raise ConvertError(
            f'backbone blocks per stage {blocks} ({kind} blocks) match no '
            'ResNet depth (18, 34: BasicBlock 2-2-2-2, 3-4-6-3; 50, 101, 152: '
            'Bottleneck 3-4-6-3, 3-4-23-3, 3-8-36-3)')
    a['depth'] = depth
    a['kind'] = kind
    groups, base_width = 1, 4
    if kind == 'bottleneck':
        w = _shape(sd, 'backbone.layer1.0.conv2.weight')
        if len(w) != 4 or w[2:] != (3, 3) or w[1] == 0 or w[0] % w[1]:
            raise ConvertError(f'backbone.layer1.0.conv2.weight has shape '
                               f'{list(w)}, expected '
                               '[width, width/groups, 3, 3]')
        width = w[0]
        groups = width // w[1]
        if groups > 1:
            # width = floor(planes * base_width / 64) * groups, planes = base
            per_group = width // groups
            base_width = per_group * 64 // base
            if (base * base_width) // 64 != per_group or base_width <= 0:
                raise ConvertError(
                    f'cannot infer the ResNeXt base width: layer1 conv2 '
                    f'width {width}, groups {groups}, base channels {base}')
        elif width != base:
            raise ConvertError(
                f'backbone.layer1.0.conv2.weight has {width} channels, '
                f'expected {base} for a ResNet (groups 1)')
    a['groups'] = groups
    a['base_width'] = base_width
    # neck
    lat = _indices(keys, 'neck.lateral_convs')
    fpn = _indices(keys, 'neck.fpn_convs')
    if lat != [0, 1, 2, 3] or fpn != [0, 1, 2, 3]:
        raise ConvertError(
            f'the FPN has lateral convs {lat} and output convs {fpn}; '
            'expected 0..3 each (in_channels of C2..C5, start_level 0, '
            'num_outs 5 with max-pooled P6, no extra convs)')
    a['fpn_channels'] = _shape(sd, 'neck.fpn_convs.0.conv.weight')[0]
    # rpn
    a['rpn_channels'] = _shape(sd, 'rpn_head.rpn_conv.weight')[0]
    a['num_anchors'] = _shape(sd, 'rpn_head.rpn_cls.weight')[0]
    if a['num_anchors'] != 3:
        raise ConvertError(
            f"rpn_head.rpn_cls has {a['num_anchors']} outputs; expected 3 "
            '(sigmoid objectness, 3 anchors per location)')
    # cascade heads
    stages = _indices(keys, 'roi_head.bbox_head')
    if stages != list(range(len(stages))):
        raise ConvertError(f'bbox head stage indices {stages} are not '
                           f'0..{len(stages) - 1}')
    if len(stages) != 3:
        raise ConvertError(f'the cascade has {len(stages)} stages; only the '
                           '3-stage Cascade R-CNN is supported')
    a['num_stages'] = len(stages)
    fc_cls = _shape(sd, 'roi_head.bbox_head.0.fc_cls.weight')
    if len(fc_cls) != 2 or fc_cls[0] < 2:
        raise ConvertError(f'roi_head.bbox_head.0.fc_cls.weight has shape '
                           f'{list(fc_cls)}, expected [num_classes + 1, fc]')
    a['num_classes'] = fc_cls[0] - 1
    a['fc_channels'] = fc_cls[1]
    reg = _shape(sd, 'roi_head.bbox_head.0.fc_reg.weight')
    if reg[0] != 4:
        raise ConvertError(
            f'roi_head.bbox_head.0.fc_reg has {reg[0]} outputs: class-'
            'specific box regression; Cascade R-CNN uses reg_class_agnostic '
            '(4 outputs)')
    nfc = _indices(keys, 'roi_head.bbox_head.0.shared_fcs')
    if not nfc or nfc != list(range(len(nfc))):
        raise ConvertError(f'roi_head.bbox_head.0 has shared fcs {nfc}; '
                           'expected 0..n-1 (Shared2FCBBoxHead: 0, 1)')
    a['num_shared_fcs'] = len(nfc)
    fc0 = _shape(sd, 'roi_head.bbox_head.0.shared_fcs.0.weight')
    C = a['fpn_channels']
    if len(fc0) != 2 or fc0[1] % C:
        raise ConvertError(
            f'roi_head.bbox_head.0.shared_fcs.0.weight has shape {list(fc0)}; '
            f'its input must be {C} FPN channels x roi_size^2')
    rs = int(round(math.sqrt(fc0[1] // C)))
    if rs * rs * C != fc0[1]:
        raise ConvertError(
            f'roi_head.bbox_head.0.shared_fcs.0 takes {fc0[1]} inputs, not '
            f'{C} x roi_size^2')
    a['roi_size'] = rs
    # masks
    mstages = _indices(keys, 'roi_head.mask_head')
    a['with_mask'] = bool(mstages)
    if mstages:
        if mstages != stages:
            raise ConvertError(f'mask head stages {mstages} differ from bbox '
                               f'head stages {stages}')
        convs = _indices(keys, 'roi_head.mask_head.0.convs')
        if not convs or convs != list(range(len(convs))):
            raise ConvertError(f'roi_head.mask_head.0 convs {convs}: '
                               'expected 0..n-1 (FCNMaskHead)')
        a['mask_num_convs'] = len(convs)
        a['mask_channels'] = _shape(
            sd, 'roi_head.mask_head.0.convs.0.conv.weight')[0]
    return a


def expected_tensors(a):
    """name -> shape of every tensor architecture `a` has (besides BN's
    num_batches_tracked), in mmdetection's naming."""
    E = collections.OrderedDict()

    def bn(p, c):
        for s in ('weight', 'bias', 'running_mean', 'running_var'):
            E[f'{p}.{s}'] = (c,)

    def conv(p, cout, cin, k, bias=False):
        E[f'{p}.weight'] = (cout, cin, k, k)
        if bias:
            E[f'{p}.bias'] = (cout,)

    base = a['base_channels']
    conv('backbone.conv1', base, 3, 7)
    bn('backbone.bn1', base)
    nblocks = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3), 50: (3, 4, 6, 3),
               101: (3, 4, 23, 3), 152: (3, 8, 36, 3)}[a['depth']]
    exp = 4 if a['kind'] == 'bottleneck' else 1
    inplanes = base
    outs = []
    for li, nb in enumerate(nblocks):
        planes = base * 2 ** li
        for b in range(nb):
            p = f'backbone.layer{li + 1}.{b}'
            if a['kind'] == 'basic':
                conv(p + '.conv1', planes, inplanes, 3)
                bn(p + '.bn1', planes)
                conv(p + '.conv2', planes, planes, 3)
                bn(p + '.bn2', planes)
            else:
                g = a['groups']
                width = planes if g == 1 else \
                    (planes * a['base_width'] // 64) * g
                conv(p + '.conv1', width, inplanes, 1)
                bn(p + '.bn1', width)
                conv(p + '.conv2', width, width // g, 3)
                bn(p + '.bn2', width)
                conv(p + '.conv3', planes * exp, width, 1)
                bn(p + '.bn3', planes * exp)
            if b == 0 and (li > 0 or inplanes != planes * exp):
                conv(p + '.downsample.0', planes * exp, inplanes, 1)
                bn(p + '.downsample.1', planes * exp)
            inplanes = planes * exp
        outs.append(inplanes)
    C = a['fpn_channels']
    for i, cin in enumerate(outs):
        conv(f'neck.lateral_convs.{i}.conv', C, cin, 1, bias=True)
    for i in range(4):
        conv(f'neck.fpn_convs.{i}.conv', C, C, 3, bias=True)
    F = a['rpn_channels']
    conv('rpn_head.rpn_conv', F, C, 3, bias=True)
    conv('rpn_head.rpn_cls', 3, F, 1, bias=True)
    conv('rpn_head.rpn_reg', 12, F, 1, bias=True)
    K = a['num_classes']
    fc = a['fc_channels']
    rs = a['roi_size']
    for s in range(a['num_stages']):
        p = f'roi_head.bbox_head.{s}'
        E[p + '.fc_cls.weight'] = (K + 1, fc)
        E[p + '.fc_cls.bias'] = (K + 1,)
        E[p + '.fc_reg.weight'] = (4, fc)
        E[p + '.fc_reg.bias'] = (4,)
        cin = C * rs * rs
        for i in range(a['num_shared_fcs']):
            E[f'{p}.shared_fcs.{i}.weight'] = (fc, cin)
            E[f'{p}.shared_fcs.{i}.bias'] = (fc,)
            cin = fc
    if a['with_mask']:
        Mc = a['mask_channels']
        for s in range(a['num_stages']):
            p = f'roi_head.mask_head.{s}'
            cin = C
            for k in range(a['mask_num_convs']):
                conv(f'{p}.convs.{k}.conv', Mc, cin, 3, bias=True)
                cin = Mc
            E[p + '.upsample.weight'] = (Mc, Mc, 2, 2)   # ConvTranspose2d
            E[p + '.upsample.bias'] = (Mc,)
            conv(p + '.conv_logits', K, Mc, 1, bias=True)
    return E


def check_tensors(sd, a):
    """Every expected tensor present with its shape, nothing else (except
    num_batches_tracked).  Returns the names to write, in checkpoint order."""
    import torch
    E = expected_tensors(a)
    missing = [k for k in E if k not in sd]
    # ignored: BN counters, and the data preprocessor's mean/std buffers
    # (non-persistent in mmengine, but harmless if a checkpoint has them)
    unexpected = [k for k in sd if k not in E and not (
        k.endswith('.num_batches_tracked') and
        k[:-len('num_batches_tracked')] + 'running_mean' in E) and
        not k.startswith('data_preprocessor.')]
    wrong = [f'{k}: {list(sd[k].shape)}, expected {list(E[k])}'
             for k in E if k in sd and tuple(sd[k].shape) != E[k]]
    problems = []

    def lst(title, items):
        more = f' (and {len(items) - 8} more)' if len(items) > 8 else ''
        problems.append(f'{title} {len(items)}: ' + '; '.join(items[:8])
                        + more)

    if missing:
        lst('missing tensors', missing)
    if wrong:
        lst('tensors with inconsistent shapes', wrong)
    if unexpected:
        lst('tensors this architecture does not have (DCN, GN, extra heads? '
            'not supported)', unexpected)
    if problems:
        raise ConvertError('the checkpoint does not match the inferred '
                           f"architecture ({describe(a)}):\n  "
                           + '\n  '.join(problems))
    names = [k for k in sd if k in E]
    for k in names:
        t = sd[k]
        if not t.is_floating_point():
            raise ConvertError(f'tensor {k} has dtype {t.dtype}, expected a '
                               'floating point type')
        if not bool(torch.isfinite(t).all()):
            raise ConvertError(f'tensor {k} holds NaN or infinite values')
    return names


def describe(a):
    if a.get('groups', 1) > 1:
        bb = f"ResNeXt-{a['depth']}-{a['groups']}x{a['base_width']}d"
    else:
        bb = f"ResNet-{a['depth']}"
    return (f"Cascade {'Mask ' if a.get('with_mask') else ''}R-CNN, {bb}"
            f"{', ' + a['style'] if 'style' in a else ''}, "
            f"{a.get('num_classes')} classes")


# ----------------------------------------------------------------------------
# metadata
# ----------------------------------------------------------------------------
def default_classes(n):
    if n == 80:
        path = os.path.join(HERE, 'labels', 'coco.txt')
        try:
            names = read_classes(path)
            if len(names) == 80:
                return names
        except ConvertError:
            pass
        warn(f'{path} not found or not 80 lines; using class_<i> names')
    return [f'class_{i}' for i in range(n)]


def read_classes(path):
    try:
        with open(path, encoding='utf-8') as f:
            names = [ln.strip() for ln in f]
    except (OSError, UnicodeDecodeError) as e:
        raise ConvertError(f'cannot read class names from {path}: {e}')
    while names and not names[-1]:
        names.pop()
    if not names or any(not n for n in names):
        raise ConvertError(f'{path}: expected one class name per line, no '
                           'empty lines')
    return names


def build_cascade(a, info, args, source):
    style = args.style or info.get('style')
    if style is None:
        if re.search(r'caffe', os.path.basename(source)):
            style = 'caffe'
            note("no style in the checkpoint's meta; the file name says "
                 "'caffe': using style caffe (override with --style)")
        else:
            style = 'pytorch'
            if not info.get('has_config'):
                note("no config in the checkpoint's meta: assuming style "
                     'pytorch (override with --style caffe)')
    a['style'] = style
    bb = info.get('backbone')
    if isinstance(bb, dict):
        for k in ('depth', 'groups', 'base_width', 'base_channels'):
            v = bb.get(k)
            if isinstance(v, int) and not isinstance(v, bool) and \
                    (k != 'base_width' or a['groups'] > 1) and v != a[k]:
                warn(f"the checkpoint's config says backbone {k}={v} but the "
                     f'tensors say {a[k]}; using the tensors')
    K = a['num_classes']
    if args.classes:
        classes = read_classes(args.classes)
        if len(classes) != K:
            raise ConvertError(f'{args.classes} has {len(classes)} class '
                               f'names, the checkpoint has {K} classes')
    elif args.num_classes is not None:
        if args.num_classes != K:
            raise ConvertError(f'--num-classes {args.num_classes}, but the '
                               f'checkpoint has {K} classes (fc_cls has '
                               f'{K + 1} outputs)')
        classes = default_classes(K)
    elif 'classes' in info:
        classes = info['classes']
        if len(classes) != K:
            raise ConvertError(
                f"the checkpoint's meta lists {len(classes)} class names but "
                f'fc_cls has {K + 1} outputs ({K} classes); pass --classes '
                'FILE or --num-classes N')
    else:
        classes = default_classes(K)
        note(f'no class names in the checkpoint: using '
             f"{'COCO names' if classes[0] == 'person' else 'class_<i>'}")
    dmean, dstd, drgb = CAFFE_NORM if style == 'caffe' else PYTORCH_NORM
    mean = args.mean or info.get('mean') or dmean
    std = args.std or info.get('std') or dstd
    to_rgb = args.to_rgb if args.to_rgb is not None else \
        info.get('to_rgb', drgb)
    if any(s <= 0 for s in std):
        raise ConvertError(f'std {std} must be positive')
    test_scale = args.test_scale or info.get('test_scale') or [1333, 800]
    rpn = info.get('rpn', {})
    rcnn = info.get('rcnn', {})
    anchor = info.get('anchor', {})
    stage_stds = info.get('stage_stds') or DEFAULT_STAGE_STDS
    if len(stage_stds) != a['num_stages']:
        raise ConvertError(f'the config has {len(stage_stds)} bbox heads, '
                           f"the tensors {a['num_stages']} stages")
    mask_roi = info.get('mask_roi_size', 14)
    if info.get('roi_size', a['roi_size']) != a['roi_size']:
        raise ConvertError(f"the config's RoIAlign output size "
                           f"{info['roi_size']} does not match the "
                           f"shared fc input ({a['roi_size']}^2 x C)")
    c = collections.OrderedDict()
    c['detector'] = 'CascadeRCNN'
    c['with_mask'] = a['with_mask']
    c['num_classes'] = K
    c['classes'] = classes
    c['backbone'] = collections.OrderedDict([
        ('type', 'ResNeXt' if a['groups'] > 1 else 'ResNet'),
        ('depth', a['depth']), ('groups', a['groups']),
        ('base_width', a['base_width']),
        ('base_channels', a['base_channels']), ('style', style)])
    c['neck'] = collections.OrderedDict([
        ('out_channels', a['fpn_channels']), ('num_outs', 5)])
    c['rpn'] = collections.OrderedDict([
        ('feat_channels', a['rpn_channels']),
        ('anchor_scales', anchor.get('scales', [8])),
        ('anchor_ratios', anchor.get('ratios', [0.5, 1.0, 2.0])),
        ('strides', anchor.get('strides', [4, 8, 16, 32, 64])),
        ('target_stds', info.get('rpn_stds', [1.0, 1.0, 1.0, 1.0])),
        ('nms_pre', rpn.get('nms_pre', 1000)),
        ('nms_iou', rpn.get('nms_iou', 0.7)),
        ('max_per_img', rpn.get('max_per_img', 1000)),
        ('min_bbox_size', rpn.get('min_bbox_size', 0))])
    c['roi_head'] = collections.OrderedDict([
        ('num_stages', a['num_stages']), ('roi_size', a['roi_size']),
        ('finest_scale', info.get('finest_scale', 56)),
        ('fc_out_channels', a['fc_channels']),
        ('num_shared_fcs', a['num_shared_fcs']),
        ('target_stds', stage_stds),
        ('score_thr', rcnn.get('score_thr', 0.05)),
        ('nms_iou', rcnn.get('nms_iou', 0.5)),
        ('max_per_img', rcnn.get('max_per_img', 100))])
    if a['with_mask']:
        c['mask_head'] = collections.OrderedDict([
            ('conv_channels', a['mask_channels']),
            ('num_convs', a['mask_num_convs']), ('roi_size', mask_roi),
            ('mask_thr_binary', rcnn.get('mask_thr_binary', 0.5))])
    c['preprocess'] = collections.OrderedDict([
        ('test_scale', list(test_scale)), ('mean', list(mean)),
        ('std', list(std)), ('to_rgb', bool(to_rgb)),
        ('pad_size_divisor', info.get('pad_size_divisor', 32))])
    c['source'] = os.path.basename(source)
    return c


# ----------------------------------------------------------------------------
# safetensors writer
# ----------------------------------------------------------------------------
def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, contiguous little-endian numpy array).  Header
    padded with spaces so that the data starts 8-aligned; tensors are
    contiguous (as the safetensors spec requires), so each F32 tensor is
    4-aligned, each F16 one 2-aligned."""
    header = collections.OrderedDict()
    header['__metadata__'] = metadata
    off = 0
    for name, arr in tensors:
        n = arr.nbytes
        header[name] = collections.OrderedDict([
            ('dtype', {'<f4': 'F32', '<f2': 'F16'}[arr.dtype.str]),
            ('shape', list(arr.shape)), ('data_offsets', [off, off + n])])
        off += n
    hjson = json.dumps(header, separators=(',', ':')).encode('utf-8')
    hjson += b' ' * ((-len(hjson)) % 8)
    tmp = path + '.tmp'
    try:
        with open(tmp, 'wb') as f:
            f.write(len(hjson).to_bytes(8, 'little'))
            f.write(hjson)
            for _, arr in tensors:
                f.write(arr.tobytes(order='C'))
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise ConvertError(f'cannot write {path}: {e.strerror or e}')
    return 8 + len(hjson) + off


def tensor_bytes(t, fp16):
    import numpy as np
    import torch
    t = t.detach().to('cpu')
    if fp16:
        if bool((t.abs() > 65504).any()):
            raise ConvertError('a value exceeds the float16 range; convert '
                               'without --fp16')
        arr = t.to(torch.float16).contiguous().numpy()
        return np.ascontiguousarray(arr, dtype='<f2')
    arr = t.to(torch.float32).contiguous().numpy()
    return np.ascontiguousarray(arr, dtype='<f4')


# ----------------------------------------------------------------------------
def _floats3(s):
    try:
        v = [float(x) for x in s.replace(' ', '').split(',')]
    except ValueError:
        raise argparse.ArgumentTypeError(f'{s!r}: expected 3 comma-separated '
                                         'numbers')
    if len(v) != 3:
        raise argparse.ArgumentTypeError(f'{s!r}: expected 3 numbers')
    return v


def _scale_arg(s):
    m = re.fullmatch(r'\s*(\d+)\s*[x,]\s*(\d+)\s*', s)
    if not m or int(m.group(1)) == 0 or int(m.group(2)) == 0:
        raise argparse.ArgumentTypeError(f'{s!r}: expected LONGxSHORT, '
                                         'e.g. 1333x800')
    return [int(m.group(1)), int(m.group(2))]


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog=PROG,
        description='Convert an mmdetection Cascade R-CNN / Cascade Mask '
        'R-CNN checkpoint (2.x or 3.x) into a gst-cascade model file '
        '(safetensors, models/FORMAT.md).')
    ap.add_argument('input', metavar='IN.pth')
    ap.add_argument('output', metavar='OUT.safetensors')
    ap.add_argument('--style', choices=['pytorch', 'caffe'],
                    help='backbone style (default: from the checkpoint\'s '
                    'config; else caffe if the file name says so; else '
                    'pytorch)')
    g = ap.add_mutually_exclusive_group()
    g.add_argument('--classes', metavar='FILE',
                   help='class names, one per line (overrides the meta)')
    g.add_argument('--num-classes', type=int, metavar='N',
                   help='ignore the meta\'s class names and use the default '
                   'ones (COCO when N is 80, else class_<i>); N must match '
                   'the checkpoint')
    ap.add_argument('--test-scale', type=_scale_arg, metavar='LxS',
                    help='test scale, e.g. 1333x800 (default: from the '
                    'config; else 1333x800)')
    ap.add_argument('--mean', type=_floats3, metavar='R,G,B',
                    help='normalisation mean, in the channel order the '
                    'network sees (default: from the config; else by style)')
    ap.add_argument('--std', type=_floats3, metavar='A,B,C',
                    help='normalisation std (default: from the config; else '
                    'by style)')
    g = ap.add_mutually_exclusive_group()
    g.add_argument('--to-rgb', dest='to_rgb', action='store_true',
                   default=None, help='the network takes RGB input')
    g.add_argument('--no-to-rgb', dest='to_rgb', action='store_false',
                   help='the network takes BGR input (caffe style)')
    ap.add_argument('--fp16', action='store_true',
                    help='store float16 tensors (half the size; the engine '
                    'converts them to float32 at load)')
    ap.add_argument('--zoo', default=os.path.join(HERE, 'zoo.csv'),
                    metavar='ZOO.csv', help='the zoo manifest that settles '
                    'the normalisation of a checkpoint without a config '
                    '(default: %(default)s)')
    ap.add_argument('--zoo-row', metavar='NAME',
                    help="convert with this zoo row's normalisation and "
                    'test scale (cascade-model fetch passes it)')
    ap.add_argument('-q', '--quiet', action='store_true',
                    help='print nothing on success')
    return ap.parse_args(argv)


# ----------------------------------------------------------------------------
# a checkpoint without a config: the zoo's rows say how it was trained
# ----------------------------------------------------------------------------
NORM_FIELDS = ('style', 'mean', 'std', 'to_rgb', 'test_scale')


def read_zoo(path):
    import csv
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def arch_key(a):
    return ('CascadeMaskRCNN' if a['with_mask'] else 'CascadeRCNN',
            a['depth'], a['groups'], a['base_width'] if a['groups'] > 1
            else 4)


def row_key(row):
    return (row['detector'], int(row['depth']), int(row['groups']),
            int(row['base_width']) if int(row['groups']) > 1 else 4)


def row_settings(row):
    """The normalisation and test scale a zoo row converts with: its
    convert_flags over the defaults of its style."""
    ns = parse_args(['IN', 'OUT'] + shlex.split(row['convert_flags'] or ''))
    style = ns.style or row['style']
    mean, std, rgb = CAFFE_NORM if style == 'caffe' else PYTORCH_NORM
    return (('style', style), ('mean', tuple(ns.mean or mean)),
            ('std', tuple(ns.std or std)),
            ('to_rgb', rgb if ns.to_rgb is None else ns.to_rgb),
            ('test_scale', tuple(ns.test_scale or (1333, 800))))


def flags_of(settings):
    d = dict(settings)
    return '--style %s --mean %s --std %s --%s --test-scale %dx%d' % (
        d['style'], ','.join('%g' % v for v in d['mean']),
        ','.join('%g' % v for v in d['std']),
        'to-rgb' if d['to_rgb'] else 'no-to-rgb', *d['test_scale'])


def zoo_settings(a, info, args):
    """{field: value} and the label of where they come from, when the zoo
    decides them: --zoo-row, or a checkpoint without a config whose
    architecture the zoo's rows settle.  Raises when they cannot."""
    if args.zoo_row is None and (info.get('has_config') or any(
            getattr(args, f) is not None for f in NORM_FIELDS)):
        return {}, None
    rows = read_zoo(args.zoo)
    if args.zoo_row is not None:
        rows = [r for r in rows if r['name'] == args.zoo_row]
        if not rows:
            raise ConvertError(f'--zoo-row {args.zoo_row}: no such row in '
                               f'{args.zoo}')
        if row_key(rows[0]) != arch_key(a):
            raise ConvertError(f'--zoo-row {args.zoo_row} is a '
                               f'{row_key(rows[0])}, the tensors say '
                               f'{arch_key(a)}')
    else:
        base = os.path.basename(args.input)
        same = [r for r in rows if os.path.basename(r['checkpoint_url'])
                == base]
        rows = same or [r for r in rows if row_key(r) == arch_key(a)]
        if not same and 'caffe' in base:
            rows = [r for r in rows if r['style'] == 'caffe'] or rows
    what = '%s %s-%d%s' % (arch_key(a)[0], 'X' if a['groups'] > 1 else 'R',
                           a['depth'], ' %dx%dd' % (a['groups'],
                                                    a['base_width'])
                           if a['groups'] > 1 else '')
    if not rows:
        raise ConvertError(
            f'the checkpoint has no config and its architecture ({what}) '
            f'matches no row of {args.zoo}: its normalisation is unknown. '
            'Pass it: --style pytorch|caffe, and --mean R,G,B --std A,B,C '
            '--to-rgb|--no-to-rgb --test-scale LxS if it is not that '
            "style's")
    kinds = collections.OrderedDict()
    for r in rows:
        kinds.setdefault(row_settings(r), []).append(r['name'])
    if len(kinds) > 1:
        alts = '; '.join('%s (%s)' % (flags_of(k), ', '.join(v))
                         for k, v in kinds.items())
        raise ConvertError(
            f'the checkpoint has no config, and the zoo rows of its '
            f'architecture ({what}) were trained with different '
            f'normalisations: {alts}. Pass the flags of the one it is '
            '(or --zoo-row NAME)')
    settings, names = next(iter(kinds.items()))
    label = 'zoo:' + ','.join(names)
    if args.zoo_row is None:
        warn(f'the checkpoint has no config: its tensors are a {what}, '
             f'which the zoo rows {", ".join(names)} settle: converting '
             f'with {flags_of(settings)} (pass flags to override)')
    return dict(settings), label


def provenance(args, info, zoo, zoo_label, given):
    """Where each setting of the model file came from."""
    prov = collections.OrderedDict()
    for f in NORM_FIELDS:
        if f in given:
            prov[f] = 'flag'
        elif f in zoo:
            prov[f] = zoo_label
        elif info.get(f) is not None:
            prov[f] = 'config'
        else:
            prov[f] = 'default'
    prov['classes'] = 'flag' if (args.classes or args.num_classes) else \
        'checkpoint' if 'classes' in info else 'default'
    prov['thresholds'] = 'config' if info.get('has_config') else 'default'
    return prov


def convert(args):
    obj = load_checkpoint(args.input)
    sd, meta = split_checkpoint(obj)
    classify(sd)
    a = infer_arch(sd)
    names = check_tensors(sd, a)
    info = meta_info(meta)
    given = {f for f in NORM_FIELDS if getattr(args, f) is not None}
    zoo, zoo_label = zoo_settings(a, info, args)
    for f, v in zoo.items():
        if f not in given:
            setattr(args, f, list(v) if isinstance(v, tuple) else v)
    cascade = build_cascade(a, info, args, args.input)
    tensors = [(k, tensor_bytes(sd[k], args.fp16)) for k in names]
    metadata = collections.OrderedDict([
        ('format', FORMAT_NAME), ('format_version', FORMAT_VERSION),
        ('cascade', json.dumps(cascade, separators=(',', ':')))])
    prov = provenance(args, info, zoo, zoo_label, given)
    metadata['provenance'] = json.dumps(prov, separators=(',', ':'))
    defaulted = [f for f in ('mean', 'std', 'to_rgb', 'test_scale')
                 if prov[f] == 'default']
    if defaulted and not info.get('has_config'):
        pre = cascade['preprocess']
        warn('the checkpoint has no config: %s from the %s style\'s '
             'defaults (%s); pass --%s to set them' % (
                 ', '.join(defaulted), cascade['backbone']['style'],
                 ', '.join('%s %s' % (f, pre[f]) for f in defaulted),
                 ' --'.join(f.replace('_', '-') for f in defaulted)))
    ver = meta.get('mmdet_version')
    if isinstance(ver, str):
        metadata['mmdet_version'] = ver
    size = write_safetensors(args.output, tensors, metadata)
    if not args.quiet:
        print(f'{args.output}: {describe(a)}, {len(tensors)} tensors '
              f"({'F16' if args.fp16 else 'F32'}), {size} bytes; test scale "
              f"{cascade['preprocess']['test_scale'][0]}x"
              f"{cascade['preprocess']['test_scale'][1]}, "
              f"to_rgb {cascade['preprocess']['to_rgb']}")
    return 0


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return convert(args)
    except ConvertError as e:
        print(f'{PROG}: error: {args.input}: {e}', file=sys.stderr)
        return 1
    except MemoryError:
        print(f'{PROG}: error: {args.input}: out of memory', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
