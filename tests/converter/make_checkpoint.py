#!/usr/bin/python3
"""Synthetic mmdetection checkpoints for the converter tests.

The tensor names, shapes and state_dict order are those of mmdetection's
CascadeRCNN (ResNet / ResNeXt + FPN + RPNHead + CascadeRoIHead with three
Shared2FCBBoxHead [+ three FCNMaskHead]); the backbone always has its real
structure, while the FPN / RPN / fc / mask channels (which the converter
infers) may be reduced to keep the files small.  Weights are random (small
std); the meta imitates mmdetection 2.x (meta['config'] + meta['CLASSES'])
or 3.x (meta['cfg'] + meta['dataset_meta']).  Other detectors (Faster R-CNN,
Mask R-CNN, RetinaNet, HTC) and broken variants exist for negative tests.

usage: make_checkpoint.py --out X.pth --spec '{"depth": 50, ...}'
(see SPEC_DEFAULTS), or import it and call build() / save().
"""
import argparse
import collections
import json
import sys

import torch

SPEC_DEFAULTS = dict(
    kind='cascade',        # cascade | faster | mask_rcnn | retinanet | htc
    depth=50,
    groups=1,
    base_width=4,
    base_channels=64,
    style='pytorch',
    with_mask=True,
    fpn=64,                # FPN out channels (256 in the zoo)
    rpn=64,                # RPN feat channels (256)
    fc=128,                # shared fc width (1024)
    mask_ch=32,            # mask head conv channels (256)
    num_classes=80,
    classes=None,          # names for the meta (None: COCO when 80)
    meta='3.x',            # 2.x | 3.x | none (bare state_dict)
    with_config=True,      # meta carries the config text
    test_scale=[1333, 800],
    mean=None, std=None, to_rgb=None,   # None: by style
    module_prefix=False,   # keys 'module.<name>'
    drop=[],               # tensor names to leave out
    bad_shape=[],          # tensor names given a wrong shape
    extra=[],              # 'dcn': DCN offsets in layer2..4 conv2
    seed=0,
)

BLOCKS = {18: ('basic', (2, 2, 2, 2)), 34: ('basic', (3, 4, 6, 3)),
          50: ('bottleneck', (3, 4, 6, 3)), 101: ('bottleneck', (3, 4, 23, 3)),
          152: ('bottleneck', (3, 8, 36, 3))}


def read_labels(path):
    with open(path) as f:
        return [ln.strip() for ln in f if ln.strip()]


class StateBuilder:

    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)
        self.sd = collections.OrderedDict()

    def w(self, name, *shape):
        self.sd[name] = torch.randn(*shape, generator=self.g) * 0.02

    def conv(self, name, cout, cin, k, bias=False):
        self.w(name + '.weight', cout, cin, k, k)
        if bias:
            self.w(name + '.bias', cout)

    def bn(self, name, c):
        self.sd[name + '.weight'] = \
            1.0 + torch.randn(c, generator=self.g) * 0.1
        self.w(name + '.bias', c)
        self.w(name + '.running_mean', c)
        self.sd[name + '.running_var'] = 0.5 + torch.rand(c, generator=self.g)
        self.sd[name + '.num_batches_tracked'] = torch.tensor(1000)

    def linear(self, name, cout, cin):
        self.w(name + '.weight', cout, cin)
        self.w(name + '.bias', cout)


def backbone(b, sp):
    kind, blocks = BLOCKS[sp['depth']]
    base = sp['base_channels']
    b.conv('backbone.conv1', base, 3, 7)
    b.bn('backbone.bn1', base)
    inplanes = base
    outs = []
    for li, nb in enumerate(blocks):
        planes = base * 2 ** li
        for bi in range(nb):
            p = f'backbone.layer{li + 1}.{bi}'
            if kind == 'basic':
                outc = planes
                b.conv(p + '.conv1', planes, inplanes, 3)
                b.bn(p + '.bn1', planes)
                b.conv(p + '.conv2', planes, planes, 3)
                b.bn(p + '.bn2', planes)
            else:
                outc = planes * 4
                g = sp['groups']
                width = planes if g == 1 else \
                    (planes * sp['base_width'] // 64) * g
                b.conv(p + '.conv1', width, inplanes, 1)
                b.bn(p + '.bn1', width)
                b.w(p + '.conv2.weight', width, width // g, 3, 3)
                if 'dcn' in sp['extra'] and li > 0:
                    b.conv(p + '.conv2.conv_offset', 18, width, 3, bias=True)
                b.bn(p + '.bn2', width)
                b.conv(p + '.conv3', outc, width, 1)
                b.bn(p + '.bn3', outc)
            if bi == 0 and (inplanes != outc or li > 0):
                b.conv(p + '.downsample.0', outc, inplanes, 1)
                b.bn(p + '.downsample.1', outc)
            inplanes = outc
        outs.append(inplanes)
    return outs


def neck(b, sp, outs):
    C = sp['fpn']
    for i, cin in enumerate(outs):
        b.conv(f'neck.lateral_convs.{i}.conv', C, cin, 1, bias=True)
    for i in range(len(outs)):
        b.conv(f'neck.fpn_convs.{i}.conv', C, C, 3, bias=True)


def rpn(b, sp):
    C, F = sp['fpn'], sp['rpn']
    b.conv('rpn_head.rpn_conv', F, C, 3, bias=True)
    b.conv('rpn_head.rpn_cls', 3, F, 1, bias=True)
    b.conv('rpn_head.rpn_reg', 12, F, 1, bias=True)


def bbox_head(b, sp, p):
    K, fc, C = sp['num_classes'], sp['fc'], sp['fpn']
    b.linear(p + '.fc_cls', K + 1, fc)
    b.linear(p + '.fc_reg', 4, fc)
    b.linear(p + '.shared_fcs.0', fc, C * 49)
    b.linear(p + '.shared_fcs.1', fc, fc)


def mask_head(b, sp, p, htc_res=False):
    C, M, K = sp['fpn'], sp['mask_ch'], sp['num_classes']
    if htc_res:
        b.conv(p + '.conv_res.conv', M, M, 1, bias=True)
    cin = C
    for k in range(4):
        b.conv(f'{p}.convs.{k}.conv', M, cin, 3, bias=True)
        cin = M
    b.w(p + '.upsample.weight', M, M, 2, 2)
    b.w(p + '.upsample.bias', M)
    b.conv(p + '.conv_logits', K, M, 1, bias=True)


def build_state(sp):
    b = StateBuilder(sp['seed'])
    outs = backbone(b, sp)
    neck(b, sp, outs)
    kind = sp['kind']
    if kind == 'retinanet':
        C = sp['fpn']
        for i in range(4):
            b.conv(f'bbox_head.cls_convs.{i}.conv', C, C, 3, bias=True)
            b.conv(f'bbox_head.reg_convs.{i}.conv', C, C, 3, bias=True)
        b.conv('bbox_head.retina_cls', 9 * sp['num_classes'], C, 3, bias=True)
        b.conv('bbox_head.retina_reg', 36, C, 3, bias=True)
        return b.sd
    rpn(b, sp)
    if kind in ('faster', 'mask_rcnn'):
        bbox_head(b, sp, 'roi_head.bbox_head')
        if kind == 'mask_rcnn':
            mask_head(b, sp, 'roi_head.mask_head')
        return b.sd
    for s in range(3):
        bbox_head(b, sp, f'roi_head.bbox_head.{s}')
    if sp['with_mask'] or kind == 'htc':
        for s in range(3):
            mask_head(b, sp, f'roi_head.mask_head.{s}',
                      htc_res=(kind == 'htc' and s > 0))
    if kind == 'htc':
        C = sp['fpn']
        for i in range(4):
            b.conv(f'roi_head.semantic_head.lateral_convs.{i}.conv', C, C, 1,
                   bias=True)
        b.conv('roi_head.semantic_head.conv_logits', 183, C, 1, bias=True)
    return b.sd


# ----------------------------------------------------------------------------
def _norm(sp):
    caffe = sp['style'] == 'caffe'
    mean = sp['mean'] or ([103.53, 116.28, 123.675] if caffe
                          else [123.675, 116.28, 103.53])
    std = sp['std'] or ([1.0, 1.0, 1.0] if caffe else [58.395, 57.12, 57.375])
    rgb = (not caffe) if sp['to_rgb'] is None else sp['to_rgb']
    return mean, std, rgb


def _backbone_cfg(sp):
    if sp['groups'] > 1:
        t = (f"type='ResNeXt', depth={sp['depth']}, groups={sp['groups']}, "
             f"base_width={sp['base_width']},")
    else:
        t = f"type='ResNet', depth={sp['depth']},"
    return (f"dict(\n        {t}\n        num_stages=4,\n"
            "        out_indices=(0, 1, 2, 3),\n        frozen_stages=1,\n"
            f"        norm_cfg=dict(type='BN', requires_grad="
            f"{sp['style'] != 'caffe'}),\n"
            f"        norm_eval=True,\n        style='{sp['style']}',\n"
            "        init_cfg=dict(type='Pretrained', "
            "checkpoint='torchvision://resnet50'))")


def _heads_cfg(sp):
    stds = ['[0.1, 0.1, 0.2, 0.2]', '[0.05, 0.05, 0.1, 0.1]',
            '[0.033, 0.033, 0.067, 0.067]']
    heads = ',\n            '.join(
        f"dict(\n                type='Shared2FCBBoxHead',\n"
        f"                in_channels={sp['fpn']},\n"
        f"                fc_out_channels={sp['fc']},\n"
        "                roi_feat_size=7,\n"
        f"                num_classes={sp['num_classes']},\n"
        "                bbox_coder=dict(\n"
        "                    type='DeltaXYWHBBoxCoder',\n"
        "                    target_means=[0.0, 0.0, 0.0, 0.0],\n"
        f"                    target_stds={s}),\n"
        "                reg_class_agnostic=True,\n"
        "                loss_cls=dict(type='CrossEntropyLoss', "
        "use_sigmoid=False, loss_weight=1.0))" for s in stds)
    txt = f"""    rpn_head=dict(
        type='RPNHead',
        in_channels={sp['fpn']},
        feat_channels={sp['rpn']},
        anchor_generator=dict(
            type='AnchorGenerator',
            scales=[8],
            ratios=[0.5, 1.0, 2.0],
            strides=[4, 8, 16, 32, 64]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[0.0, 0.0, 0.0, 0.0],
            target_stds=[1.0, 1.0, 1.0, 1.0])),
    roi_head=dict(
        type='CascadeRoIHead',
        num_stages=3,
        stage_loss_weights=[1, 0.5, 0.25],
        bbox_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0),
            out_channels={sp['fpn']},
            featmap_strides=[4, 8, 16, 32]),
        bbox_head=[
            {heads}
        ]"""
    if sp['with_mask']:
        txt += f""",
        mask_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
            out_channels={sp['fpn']},
            featmap_strides=[4, 8, 16, 32]),
        mask_head=dict(
            type='FCNMaskHead',
            num_convs=4,
            in_channels={sp['fpn']},
            conv_out_channels={sp['mask_ch']},
            num_classes={sp['num_classes']})"""
    txt += "),\n"
    return txt


def _test_cfg(sp, indent):
    pad = ' ' * indent
    return (f"{pad}test_cfg=dict(\n"
            f"{pad}    rpn=dict(\n{pad}        nms_pre=1000,\n"
            f"{pad}        max_per_img=1000,\n"
            f"{pad}        nms=dict(type='nms', iou_threshold=0.7),\n"
            f"{pad}        min_bbox_size=0),\n"
            f"{pad}    rcnn=dict(\n{pad}        score_thr=0.05,\n"
            f"{pad}        nms=dict(type='nms', iou_threshold=0.5),\n"
            f"{pad}        max_per_img=100,\n"
            f"{pad}        mask_thr_binary=0.5))")


def config_text_2x(sp):
    """A config in the shape of mmdetection 2.x's cfg.pretty_text."""
    mean, std, rgb = _norm(sp)
    w, h = sp['test_scale']
    C = sp['fpn']
    exp = 1 if sp['depth'] < 50 else 4
    inch = [sp['base_channels'] * 2 ** i * exp for i in range(4)]
    return f"""model = dict(
    type='CascadeRCNN',
    backbone={_backbone_cfg(sp)},
    neck=dict(
        type='FPN',
        in_channels={inch},
        out_channels={C},
        num_outs=5),
{_heads_cfg(sp)}    train_cfg=dict(
        rpn=dict(
            assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.7),
            allowed_border=0,
            pos_weight=-1,
            debug=False),
        rpn_proposal=dict(
            nms_pre=2000,
            max_per_img=2000,
            nms=dict(type='nms', iou_threshold=0.7),
            min_bbox_size=0)),
{_test_cfg(sp, 4)})
dataset_type = 'CocoDataset'
data_root = 'data/coco/'
img_norm_cfg = dict(
    mean={mean}, std={std}, to_rgb={rgb})
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask={sp['with_mask']}),
    dict(
        type='Resize',
        img_scale=[(1333, 640), (1333, 672), (1333, 704), (1333, 736)],
        multiscale_mode='value',
        keep_ratio=True),
    dict(type='RandomFlip', flip_ratio=0.5),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='Pad', size_divisor=32),
    dict(type='DefaultFormatBundle'),
    dict(type='Collect', keys=['img', 'gt_bboxes', 'gt_labels'])
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='MultiScaleFlipAug',
        img_scale=({w}, {h}),
        flip=False,
        transforms=[
            dict(type='Resize', keep_ratio=True),
            dict(type='RandomFlip'),
            dict(type='Normalize', **img_norm_cfg),
            dict(type='Pad', size_divisor=32),
            dict(type='ImageToTensor', keys=['img']),
            dict(type='Collect', keys=['img'])
        ])
]
data = dict(
    samples_per_gpu=2,
    workers_per_gpu=2,
    train=dict(
        type='CocoDataset',
        ann_file='data/coco/annotations/instances_train2017.json',
        img_prefix='data/coco/train2017/',
        pipeline=train_pipeline),
    test=dict(
        type='CocoDataset',
        ann_file='data/coco/annotations/instances_val2017.json',
        img_prefix='data/coco/val2017/',
        pipeline=test_pipeline))
evaluation = dict(interval=1, metric=['bbox', 'segm'])
optimizer = dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001)
lr_config = dict(
    policy='step',
    warmup='linear',
    warmup_iters=500,
    warmup_ratio=0.001,
    step=[8, 11])
runner = dict(type='EpochBasedRunner', max_epochs=12)
work_dir = './work_dirs/synthetic'
gpu_ids = range(0, 8)
"""


def config_text_3x(sp):
    """A config in the shape of mmengine's cfg.pretty_text (mmdet 3.x)."""
    mean, std, rgb = _norm(sp)
    w, h = sp['test_scale']
    C = sp['fpn']
    exp = 1 if sp['depth'] < 50 else 4
    inch = [sp['base_channels'] * 2 ** i * exp for i in range(4)]
    return f"""auto_scale_lr = dict(base_batch_size=16, enable=False)
backend_args = None
data_root = 'data/coco/'
dataset_type = 'CocoDataset'
default_scope = 'mmdet'
model = dict(
    backbone={_backbone_cfg(sp)},
    data_preprocessor=dict(
        bgr_to_rgb={rgb},
        mean={mean},
        pad_size_divisor=32,
        std={std},
        type='DetDataPreprocessor'),
    neck=dict(
        in_channels={inch},
        num_outs=5,
        out_channels={C},
        type='FPN'),
{_heads_cfg(sp)}{_test_cfg(sp, 4)},
    type='CascadeRCNN')
test_cfg = dict(type='TestLoop')
test_dataloader = dict(
    batch_size=1,
    dataset=dict(
        ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/'),
        pipeline=[
            dict(backend_args=None, type='LoadImageFromFile'),
            dict(keep_ratio=True, scale=({w}, {h}), type='Resize'),
            dict(type='PackDetInputs'),
        ],
        test_mode=True,
        type='CocoDataset'),
    num_workers=2)
test_pipeline = [
    dict(backend_args=None, type='LoadImageFromFile'),
    dict(keep_ratio=True, scale=({w}, {h}), type='Resize'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'),
        type='PackDetInputs'),
]
train_pipeline = [
    dict(backend_args=None, type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(keep_ratio=True, scale=[(1333, 640), (1333, 800)],
         type='RandomResize'),
    dict(prob=0.5, type='RandomFlip'),
    dict(type='PackDetInputs'),
]
work_dir = './work_dirs/synthetic'
"""


class HistoryBuffer:
    """Stands for mmengine's objects in a 3.x checkpoint's message_hub."""

    def __init__(self):
        self._log_history = [1.0, 0.5]


class Trap:
    """An object whose unpickling would run a command: the converter must
    never execute it."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os
        return (os.system, (f'touch {self.marker}',))


def build(spec):
    """(checkpoint object, full spec)."""
    sp = dict(SPEC_DEFAULTS)
    sp.update(spec)
    sd = build_state(sp)
    for k in sp['drop']:
        del sd[k]
    for k in sp['bad_shape']:
        t = sd[k]
        sd[k] = torch.zeros((t.shape[0] + 1,) + tuple(t.shape[1:]))
    if sp['module_prefix']:
        sd = collections.OrderedDict(('module.' + k, v) for k, v in sd.items())
    classes = sp['classes']
    if classes is None:
        classes = sp.get('coco') if sp['num_classes'] == 80 else \
            [f'thing{i}' for i in range(sp['num_classes'])]
    classes = tuple(classes) if classes else None
    if sp['meta'] == 'none':
        return sd, sp
    if sp['meta'] == '2.x':
        meta = {'mmdet_version': '2.28.2', 'env_info': 'sys.platform: linux',
                'seed': sp['seed'], 'exp_name': 'synthetic.py', 'epoch': 12,
                'iter': 87960, 'hook_msgs': {'last_ckpt': 'epoch_12.pth'}}
        if sp['with_config']:
            meta['config'] = config_text_2x(sp)
        if classes:
            meta['CLASSES'] = classes
        ckpt = {'meta': meta, 'state_dict': sd,
                'optimizer': {'state': {}, 'param_groups': [{'lr': 0.02}]}}
    else:
        meta = {'mmdet_version': '3.3.0', 'mmengine_version': '0.10.4',
                'mmcv_version': '2.1.0', 'experiment_name': 'synthetic',
                'seed': sp['seed'], 'epoch': 12, 'iter': 87960}
        if sp['with_config']:
            meta['cfg'] = config_text_3x(sp)
        if classes:
            meta['dataset_meta'] = {'classes': classes,
                                    'palette': [(220, 20, 60)] * len(classes)}
        ckpt = {'meta': meta, 'state_dict': sd,
                'message_hub': {'log_scalars': {'train/loss': HistoryBuffer()},
                                'runtime_info': {'epoch': 12}}}
    if sp.get('trap'):
        ckpt['trap'] = Trap(sp['trap'])
    return ckpt, sp


def save(obj, path, legacy=False):
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--spec', default='{}', help='JSON, see SPEC_DEFAULTS')
    ap.add_argument('--labels', help='COCO labels file (for 80 classes)')
    ap.add_argument('--legacy', action='store_true',
                    help='legacy (non-zip) torch serialization')
    a = ap.parse_args()
    spec = json.loads(a.spec)
    if a.labels:
        spec['coco'] = read_labels(a.labels)
    obj, _ = build(spec)
    save(obj, a.out, a.legacy)
    return 0


if __name__ == '__main__':
    sys.exit(main())
