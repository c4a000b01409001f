#!/usr/bin/python3
"""Tests of models/convert_mmdet.py on synthetic mmdetection checkpoints.

usage: test_convert.py CASE --converter models/convert_mmdet.py
           --labels models/labels/coco.txt [--model-info cascade-model-info]
       test_convert.py --list

Each positive case builds a checkpoint (make_checkpoint.py, in memory and
then saved into a temporary directory), converts it, reads the safetensors
file back with our own reader (header layout, alignment, metadata as
models/FORMAT.md says, every tensor's bytes against the source state_dict)
and, when given, loads it with the C loader (cascade-model-info).  Negative
cases check the exit status, the message on stderr and that no output file
is left behind.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_checkpoint as mk  # noqa: E402

PYTORCH_NORM = ([123.675, 116.28, 103.53], [58.395, 57.12, 57.375], True)
CAFFE_NORM = ([103.53, 116.28, 123.675], [1.0, 1.0, 1.0], False)
STAGE_STDS = [[0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1],
              [0.033, 0.033, 0.067, 0.067]]

# name: (spec, converter flags, expected cascade fields, options)
# expected: dotted paths into the 'cascade' JSON
POSITIVE = {
    'r50_mask_2x': (
        dict(depth=50, with_mask=True, meta='2.x', test_scale=[1333, 800],
             trap=True),
        [], {'backbone.depth': 50, 'backbone.groups': 1,
             'backbone.type': 'ResNet', 'backbone.style': 'pytorch',
             'with_mask': True, 'num_classes': 80, 'classes': 'coco',
             'preprocess.test_scale': [1333, 800], 'norm': PYTORCH_NORM,
             'mask_head.conv_channels': 32, 'mask_head.num_convs': 4,
             'neck.out_channels': 64, 'rpn.feat_channels': 64,
             'roi_head.fc_out_channels': 128}, {}),
    'r50_box_3x': (
        dict(depth=50, with_mask=False, meta='3.x', test_scale=[1000, 600]),
        [], {'backbone.depth': 50, 'backbone.style': 'pytorch',
             'with_mask': False, 'classes': 'coco',
             'preprocess.test_scale': [1000, 600], 'norm': PYTORCH_NORM}, {}),
    'r50_caffe_2x': (
        dict(depth=50, style='caffe', with_mask=True, meta='2.x'),
        [], {'backbone.depth': 50, 'backbone.style': 'caffe',
             'with_mask': True, 'norm': CAFFE_NORM}, {}),
    'r50_caffe_3x': (
        dict(depth=50, style='caffe', with_mask=False, meta='3.x'),
        [], {'backbone.style': 'caffe', 'with_mask': False,
             'norm': CAFFE_NORM}, {}),
    # no meta at all: style from the flag, default normalisation by style
    'r50_caffe_flag_bare': (
        dict(depth=50, style='caffe', with_mask=False, meta='none'),
        ['--style', 'caffe'], {'backbone.style': 'caffe', 'norm': CAFFE_NORM,
                               'classes': 'coco'}, {}),
    # no config in the meta, no flag: the file name says caffe
    'r50_caffe_nocfg': (
        dict(depth=50, style='caffe', with_mask=False, meta='3.x',
             with_config=False),
        [], {'backbone.style': 'caffe', 'norm': CAFFE_NORM}, {}),
    'r101_box_3x': (
        dict(depth=101, with_mask=False, meta='3.x'),
        [], {'backbone.depth': 101, 'backbone.groups': 1, 'with_mask': False},
        {}),
    'r101_mask_2x': (
        dict(depth=101, with_mask=True, meta='2.x'),
        [], {'backbone.depth': 101, 'with_mask': True}, {}),
    'x101_32x4d_mask_2x': (
        dict(depth=101, groups=32, base_width=4, with_mask=True, meta='2.x'),
        [], {'backbone.type': 'ResNeXt', 'backbone.depth': 101,
             'backbone.groups': 32, 'backbone.base_width': 4,
             'with_mask': True}, {}),
    'x101_64x4d_box_3x': (
        dict(depth=101, groups=64, base_width=4, with_mask=False, meta='3.x'),
        [], {'backbone.type': 'ResNeXt', 'backbone.groups': 64,
             'backbone.base_width': 4, 'with_mask': False}, {}),
    # detectron2-trained ResNeXt: BGR with non-unit std, in the 3.x
    # data_preprocessor
    'x101_32x8d_mask_3x': (
        dict(depth=101, groups=32, base_width=8, with_mask=True, meta='3.x',
             mean=[103.53, 116.28, 123.675], std=[57.375, 57.12, 58.395],
             to_rgb=False),
        [], {'backbone.groups': 32, 'backbone.base_width': 8,
             'norm': ([103.53, 116.28, 123.675], [57.375, 57.12, 58.395],
                      False)}, {}),
    # bare state_dict, 'module.' prefixes, 3 classes without names
    # (no config and no zoo row of its architecture: the style is a flag)
    'r18_bare_module': (
        dict(depth=18, num_classes=3, meta='none', module_prefix=True,
             with_mask=True),
        ['--style', 'pytorch'], {'backbone.depth': 18, 'num_classes': 3,
             'classes': ['class_0', 'class_1', 'class_2'],
             'preprocess.test_scale': [1333, 800], 'norm': PYTORCH_NORM},
        {}),
    'r18_classes_file': (
        dict(depth=18, num_classes=3, meta='3.x', with_mask=False),
        ['--classes', '@classes'], {'classes': ['cat', 'dog', 'bird']},
        {'classes_file': ['cat', 'dog', 'bird']}),
    'r34_legacy_2x': (
        dict(depth=34, num_classes=5, meta='2.x', with_mask=True,
             test_scale=[640, 384]),
        [], {'backbone.depth': 34, 'num_classes': 5,
             'classes': [f'thing{i}' for i in range(5)],
             'preprocess.test_scale': [640, 384]}, {'legacy': True}),
    # flags override the meta; F16 storage
    'r50_flags_fp16': (
        dict(depth=50, with_mask=True, meta='3.x', test_scale=[1333, 800],
             classes=[f'c{i}' for i in range(80)]),
        ['--fp16', '--test-scale', '800x512', '--mean', '1,2,3',
         '--std', '4,5,6', '--no-to-rgb', '--num-classes', '80',
         '--style', 'caffe'],
        {'preprocess.test_scale': [800, 512],
         'norm': ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0], False),
         'classes': 'coco', 'backbone.style': 'caffe'}, {'fp16': True}),
}

# Checkpoints without a config (issue 15): the zoo rows of the architecture
# settle the normalisation and test scale, said on stderr and recorded as
# the provenance; where they disagree, or none matches, the converter
# refuses (NOCFG_NEGATIVE).  One of each zoo architecture.
NOCFG = dict(meta='3.x', with_config=False)
X8D_NORM = ([103.53, 116.28, 123.675], [57.375, 57.12, 58.395], False)
for _name, _spec, _norm, _rows in [
        ('x101_32x4d_box', dict(groups=32, with_mask=False), PYTORCH_NORM,
         'cascade_rcnn_x101_32x4d_fpn_1x_coco,'
         'cascade_rcnn_x101_32x4d_fpn_20e_coco'),
        ('x101_64x4d_box', dict(groups=64, with_mask=False), PYTORCH_NORM,
         'cascade_rcnn_x101_64x4d_fpn_1x_coco,'
         'cascade_rcnn_x101_64x4d_fpn_20e_coco'),
        ('x101_32x4d_mask', dict(groups=32), PYTORCH_NORM,
         'cascade_mask_rcnn_x101_32x4d_fpn_1x_coco,'
         'cascade_mask_rcnn_x101_32x4d_fpn_20e_coco,'
         'cascade_mask_rcnn_x101_32x4d_fpn_mstrain_3x_coco'),
        ('x101_64x4d_mask', dict(groups=64), PYTORCH_NORM,
         'cascade_mask_rcnn_x101_64x4d_fpn_1x_coco,'
         'cascade_mask_rcnn_x101_64x4d_fpn_20e_coco,'
         'cascade_mask_rcnn_x101_64x4d_fpn_mstrain_3x_coco'),
        # the case of the issue: detectron2's BGR normalisation
        ('x101_32x8d_mask', dict(groups=32, base_width=8), X8D_NORM,
         'cascade_mask_rcnn_x101_32x8d_fpn_mstrain_3x_coco')]:
    POSITIVE['nocfg_' + _name] = (
        dict(NOCFG, depth=101, **_spec), [],
        {'norm': _norm, 'preprocess.test_scale': [1333, 800],
         'prov.style': 'zoo:' + _rows, 'prov.mean': 'zoo:' + _rows,
         'prov.to_rgb': 'zoo:' + _rows, 'prov.classes': 'checkpoint'},
        {'stderr': 'has no config'})
# the zoo's own file name settles the rows of a disputed architecture
POSITIVE['nocfg_r50_mask_zoo_file'] = (
    dict(NOCFG, depth=50), [],
    {'norm': PYTORCH_NORM, 'prov.std': 'zoo:cascade_mask_rcnn_r50_fpn_1x_coco'},
    {'src_name': 'cascade_mask_rcnn_r50_fpn_1x_coco_20200203-9d4dcb24.pth'})
# "caffe" in the name keeps the caffe rows, which agree
POSITIVE['nocfg_r101_caffe_name'] = (
    dict(NOCFG, depth=101, style='caffe'), [],
    {'norm': CAFFE_NORM, 'backbone.style': 'caffe',
     'prov.style': 'zoo:cascade_mask_rcnn_r101_caffe_fpn_1x_coco,'
     'cascade_mask_rcnn_r101_caffe_fpn_mstrain_3x_coco'}, {})
# flags decide; the provenance says so
POSITIVE['nocfg_r50_flags'] = (
    dict(NOCFG, depth=50, with_mask=False), ['--style', 'caffe'],
    {'norm': CAFFE_NORM, 'prov.style': 'flag', 'prov.mean': 'default',
     'prov.thresholds': 'default'},
    {'stderr': "mean, std, to_rgb, test_scale from the caffe style's "
     'defaults'})
# --zoo-row (what cascade-model fetch passes) over a config's values
POSITIVE['zoo_row_x101_32x8d'] = (
    dict(depth=101, groups=32, base_width=8, meta='2.x'),
    ['--zoo-row', 'cascade_mask_rcnn_x101_32x8d_fpn_mstrain_3x_coco'],
    {'norm': X8D_NORM, 'prov.style':
     'zoo:cascade_mask_rcnn_x101_32x8d_fpn_mstrain_3x_coco',
     'prov.thresholds': 'config'}, {})
# a 2.x checkpoint with its config: every setting from the config
POSITIVE['r50_mask_2x'][2].update({'prov.style': 'config',
                                   'prov.mean': 'config',
                                   'prov.test_scale': 'config'})

# name: (spec, converter flags, substring expected on stderr)
NEGATIVE = {
    'faster_rcnn': (dict(kind='faster', depth=18), [], 'Faster R-CNN'),
    'mask_rcnn': (dict(kind='mask_rcnn', depth=18), [], 'Mask R-CNN'),
    'retinanet': (dict(kind='retinanet', depth=18), [], 'single-stage'),
    'htc': (dict(kind='htc', depth=18), [], 'Hybrid Task Cascade'),
    'missing_tensor': (
        dict(depth=18, drop=['roi_head.bbox_head.1.shared_fcs.1.bias']), [],
        'missing tensors 1: roi_head.bbox_head.1.shared_fcs.1.bias'),
    'bad_shape': (
        dict(depth=18, bad_shape=['neck.fpn_convs.2.conv.weight']), [],
        'inconsistent shapes 1: neck.fpn_convs.2.conv.weight'),
    'missing_block': (
        dict(depth=50, drop=[f'backbone.layer3.5.{n}' for n in (
            'conv1.weight', 'conv2.weight', 'conv3.weight', 'bn1.weight',
            'bn1.bias', 'bn1.running_mean', 'bn1.running_var',
            'bn1.num_batches_tracked', 'bn2.weight', 'bn2.bias',
            'bn2.running_mean', 'bn2.running_var', 'bn2.num_batches_tracked',
            'bn3.weight', 'bn3.bias', 'bn3.running_mean', 'bn3.running_var',
            'bn3.num_batches_tracked')]), [],
        'match no ResNet depth'),
    'dcn': (dict(depth=50, extra=['dcn'], with_mask=False), [],
            'does not have'),
    'class_count': (dict(depth=18, num_classes=4, classes=['a', 'b', 'c']),
                    [], 'pass --classes'),
    # no config: the zoo's rows are pytorch and caffe
    'nocfg_r50_box': (dict(NOCFG, depth=50, with_mask=False), [],
                      'different normalisations'),
    'nocfg_r101_box': (dict(NOCFG, depth=101, with_mask=False), [],
                       'different normalisations'),
    'nocfg_r50_mask': (dict(NOCFG, depth=50), [],
                       'different normalisations: --style caffe'),
    'nocfg_r101_mask': (dict(NOCFG, depth=101), [],
                        '--style caffe --mean 103.53,116.28,123.675'),
    # nothing in the zoo is a ResNet-18
    'nocfg_r18': (dict(NOCFG, depth=18), [], 'matches no row'),
    'zoo_row_unknown': (dict(depth=18), ['--zoo-row', 'nope'],
                        'no such row'),
    'zoo_row_mismatch': (dict(depth=18),
                         ['--zoo-row', 'cascade_rcnn_r50_fpn_1x_coco'],
                         'the tensors say'),
}


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    assert len(data) >= 8, 'file shorter than 8 bytes'
    n = struct.unpack('<Q', data[:8])[0]
    assert n % 8 == 0, f'header length {n} is not a multiple of 8'
    assert 8 + n <= len(data)
    raw = data[8:8 + n]
    stripped = raw.rstrip(b' ')
    assert len(raw) - len(stripped) < 8, 'more padding than needed'
    header = json.loads(stripped.decode('utf-8'))
    meta = header.pop('__metadata__')
    assert all(isinstance(v, str) for v in meta.values()), \
        '__metadata__ values must be strings'
    body = data[8 + n:]
    tensors = {}
    end = 0
    for name, e in sorted(header.items(), key=lambda kv:
                          kv[1]['data_offsets'][0]):
        b, f = e['data_offsets']
        assert b == end, f'{name}: offsets are not contiguous ({b} != {end})'
        dt = {'F32': '<f4', 'F16': '<f2'}[e['dtype']]
        assert b % np.dtype(dt).itemsize == 0, f'{name}: misaligned'
        count = int(np.prod(e['shape'])) if e['shape'] else 1
        assert f - b == count * np.dtype(dt).itemsize, f'{name}: size'
        tensors[name] = (e['dtype'], np.frombuffer(body[b:f], dtype=dt)
                         .reshape(e['shape']))
        end = f
    assert end == len(body), f'{len(body) - end} bytes after the last tensor'
    return meta, tensors, list(header)


def dig(d, path):
    for p in path.split('.'):
        d = d[p]
    return d


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)


def positive(name, args, tmp, coco):
    spec, flags, want, opt = POSITIVE[name]
    spec = dict(spec)
    spec['coco'] = coco
    marker = os.path.join(tmp, 'TRAP-EXECUTED')
    if spec.pop('trap', False):
        spec['trap'] = marker
    obj, sp = mk.build(spec)
    sd = obj['state_dict'] if 'state_dict' in obj else obj
    src = os.path.join(tmp, opt.get('src_name', f'{name}.pth'))
    out = os.path.join(tmp, f'{name}.safetensors')
    mk.save(obj, src, legacy=opt.get('legacy', False))
    flags = list(flags)
    if 'classes_file' in opt:
        cf = os.path.join(tmp, 'classes.txt')
        with open(cf, 'w') as f:
            f.write('\n'.join(opt['classes_file']) + '\n')
        flags[flags.index('@classes')] = cf
    r = run([sys.executable, args.converter] + flags + [src, out])
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    check(r.returncode == 0, f'converter exit status {r.returncode}')
    if 'stderr' in opt:
        check(opt['stderr'] in r.stderr, f"stderr lacks {opt['stderr']!r}")
    check(not os.path.exists(marker),
          'the converter executed code from the checkpoint')
    meta, tensors, order = read_safetensors(out)
    check(meta.get('format') == 'gst-cascade', f'format: {meta}')
    check(meta.get('format_version') == '1', 'format_version')
    c = json.loads(meta['cascade'])
    print('cascade:', json.dumps({k: v for k, v in c.items()
                                  if k != 'classes'}))
    check(c['detector'] == 'CascadeRCNN', 'detector')
    # the architecture, always
    exp = {'backbone.depth': sp['depth'], 'backbone.groups': sp['groups'],
           'backbone.base_channels': sp['base_channels'],
           'with_mask': sp['with_mask'], 'num_classes': sp['num_classes'],
           'neck.out_channels': sp['fpn'], 'neck.num_outs': 5,
           'rpn.feat_channels': sp['rpn'], 'roi_head.num_stages': 3,
           'roi_head.roi_size': 7, 'roi_head.num_shared_fcs': 2,
           'roi_head.fc_out_channels': sp['fc'],
           'roi_head.target_stds': STAGE_STDS,
           'roi_head.score_thr': 0.05, 'roi_head.nms_iou': 0.5,
           'roi_head.max_per_img': 100, 'rpn.nms_pre': 1000,
           'rpn.nms_iou': 0.7, 'rpn.max_per_img': 1000,
           'rpn.anchor_scales': [8], 'rpn.anchor_ratios': [0.5, 1.0, 2.0],
           'rpn.strides': [4, 8, 16, 32, 64],
           'preprocess.pad_size_divisor': 32,
           'source': os.path.basename(src)}
    if sp['groups'] > 1:
        exp['backbone.base_width'] = sp['base_width']
        exp['backbone.type'] = 'ResNeXt'
    else:
        exp['backbone.type'] = 'ResNet'
    if sp['with_mask']:
        exp.update({'mask_head.conv_channels': sp['mask_ch'],
                    'mask_head.num_convs': 4, 'mask_head.roi_size': 14,
                    'mask_head.mask_thr_binary': 0.5})
    else:
        check('mask_head' not in c, 'mask_head in a box-only model')
    exp.update(want)
    prov = json.loads(meta['provenance'])
    print('provenance:', prov)
    for k, v in exp.items():
        if k.startswith('prov.'):
            check(prov.get(k[5:]) == v, f'{k}: {prov.get(k[5:])!r}, '
                  f'expected {v!r}')
            continue
        if k == 'norm':
            got = (c['preprocess']['mean'], c['preprocess']['std'],
                   c['preprocess']['to_rgb'])
            check(got == (list(v[0]), list(v[1]), v[2]),
                  f'normalisation {got}, expected {v}')
            continue
        if v == 'coco':
            v = coco
        got = dig(c, k)
        check(got == v, f'{k}: {got!r}, expected {v!r}')
    check(len(c['classes']) == c['num_classes'], 'classes count')
    # tensors: every non-num_batches_tracked tensor, same bytes, same order
    names = [k[len('module.'):] if k.startswith('module.') else k
             for k in sd]
    src_t = dict(zip(names, sd.values()))
    keep = [k for k in names if not k.endswith('num_batches_tracked')]
    check(order == keep, 'tensor names/order differ from the state_dict: '
          f'{set(order) ^ set(keep)}')
    fp16 = opt.get('fp16', False)
    for k in keep:
        dt, arr = tensors[k]
        check(dt == ('F16' if fp16 else 'F32'), f'{k}: dtype {dt}')
        ref = src_t[k].detach()
        ref = (ref.half() if fp16 else ref.float()).numpy()
        check(arr.shape == ref.shape, f'{k}: shape {arr.shape}')
        check(arr.tobytes() == ref.tobytes(), f'{k}: bytes differ')
    print(f'{name}: {len(keep)} tensors round-trip, '
          f'{os.path.getsize(out)} bytes')
    if args.model_info:
        r = run([args.model_info, out])
        sys.stdout.write(r.stdout[-3000:])
        sys.stderr.write(r.stderr[-3000:])
        check(r.returncode == 0,
              f'cascade-model-info rejected the file (status {r.returncode})')
        check('settings from: style=%s' % prov['style'] in r.stdout,
              'cascade-model-info does not print the provenance')
    else:
        print('cascade-model-info not built: C loader check skipped')


def negative_files(name, tmp):
    """Special negative inputs that are not checkpoints."""
    p = os.path.join(tmp, name + '.pth')
    if name == 'random_file':
        with open(p, 'wb') as f:
            f.write(np.random.default_rng(1).bytes(4096))
        return p, 'not a PyTorch checkpoint'
    if name == 'empty_file':
        open(p, 'wb').close()
        return p, 'empty'
    if name == 'missing_file':
        return p, 'cannot read'
    if name == 'fake_zip':
        with open(p, 'wb') as f:
            f.write(b'PK\x03\x04' + np.random.default_rng(2).bytes(1000))
        return p, 'truncated or corrupt'
    if name in ('truncated', 'truncated_legacy'):
        obj, _ = mk.build(dict(depth=18, meta='2.x'))
        mk.save(obj, p, legacy=name == 'truncated_legacy')
        size = os.path.getsize(p)
        with open(p, 'r+b') as f:
            f.truncate(size * 2 // 3)
        return p, 'truncated or corrupt'
    if name == 'not_a_dict':
        torch.save([torch.zeros(3)], p)
        return p, 'not a dict'
    return None, None


SPECIAL_NEGATIVE = ['random_file', 'empty_file', 'missing_file', 'fake_zip',
                    'truncated', 'truncated_legacy', 'not_a_dict']


def negative(name, args, tmp, coco):
    src, want = negative_files(name, tmp)
    flags = []
    if src is None:
        spec, flags, want = NEGATIVE[name]
        spec = dict(spec)
        spec['coco'] = coco
        obj, _ = mk.build(spec)
        src = os.path.join(tmp, name + '.pth')
        mk.save(obj, src)
    out = os.path.join(tmp, name + '.safetensors')
    r = run([sys.executable, args.converter] + flags + [src, out])
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    check(r.returncode == 1, f'exit status {r.returncode}, expected 1')
    check('convert_mmdet.py: error:' in r.stderr, 'no error line on stderr')
    check('Traceback' not in r.stderr, 'a Python traceback instead of a '
          'message')
    check(want in r.stderr, f'stderr lacks {want!r}')
    check(not os.path.exists(out) and not os.path.exists(out + '.tmp'),
          'an output file was left behind')
    print(f'{name}: rejected as expected')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('case', nargs='?')
    ap.add_argument('--converter')
    ap.add_argument('--labels')
    ap.add_argument('--model-info')
    ap.add_argument('--list', action='store_true')
    args = ap.parse_args()
    if args.list:
        print('\n'.join(list(POSITIVE) + list(NEGATIVE) + SPECIAL_NEGATIVE))
        return 0
    coco = mk.read_labels(args.labels)
    assert len(coco) == 80
    with tempfile.TemporaryDirectory(prefix='cascade-conv-') as tmp:
        if args.case in POSITIVE:
            positive(args.case, args, tmp, coco)
        elif args.case in NEGATIVE or args.case in SPECIAL_NEGATIVE:
            negative(args.case, args, tmp, coco)
        else:
            print(f'unknown case {args.case}', file=sys.stderr)
            return 2
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except AssertionError as e:
        print(f'FAIL: {e}', file=sys.stderr)
        sys.exit(1)
