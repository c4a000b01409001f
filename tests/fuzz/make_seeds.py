#!/usr/bin/env python3
"""Writes the fuzzer's seed corpus (tests/fuzz/corpus/): a few small valid
gst-cascade model files (models/FORMAT.md) and near-misses.  Standard library
only; the tensor layout is mmdetection's Cascade (Mask) R-CNN, written here
independently of the loader.

usage: python3 make_seeds.py [OUTDIR]   (default: corpus/ next to this file;
the headers alone go to OUTDIR-header/, the seeds of fuzz_model_header)
"""
import json
import os
import struct
import sys

BLOCKS = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3), 50: (3, 4, 6, 3)}


def layout(depth, groups, base_width, base, fpn, rpn, fc, mask, ncls,
           with_mask):
    """[(name, shape)] in mmdetection's state_dict order (no
    num_batches_tracked)."""
    out = []

    def conv_bn(p, conv, bn, co, ci, k):
        out.append((f'{p}.{conv}.weight', [co, ci, k, k]))
        for s in ('weight', 'bias', 'running_mean', 'running_var'):
            out.append((f'{p}.{bn}.{s}', [co]))

    def conv_bias(p, co, ci, k):
        out.append((f'{p}.weight', [co, ci, k, k]))
        out.append((f'{p}.bias', [co]))

    def linear(p, co, ci):
        out.append((f'{p}.weight', [co, ci]))
        out.append((f'{p}.bias', [co]))

    bottleneck = depth >= 50
    conv_bn('backbone', 'conv1', 'bn1', base, 3, 7)
    inplanes, outs = base, []
    for li, nb in enumerate(BLOCKS[depth]):
        planes = base * 2 ** li
        outc = planes * 4 if bottleneck else planes
        for bi in range(nb):
            p = f'backbone.layer{li + 1}.{bi}'
            if bottleneck:
                w = planes if groups == 1 else \
                    planes * base_width // base * groups
                conv_bn(p, 'conv1', 'bn1', w, inplanes, 1)
                conv_bn(p, 'conv2', 'bn2', w, w // groups, 3)
                conv_bn(p, 'conv3', 'bn3', outc, w, 1)
            else:
                conv_bn(p, 'conv1', 'bn1', planes, inplanes, 3)
                conv_bn(p, 'conv2', 'bn2', planes, planes, 3)
            if bi == 0 and (li > 0 or inplanes != outc):
                conv_bn(p, 'downsample.0', 'downsample.1', outc, inplanes, 1)
            inplanes = outc
        outs.append(outc)
    for i in range(4):
        conv_bias(f'neck.lateral_convs.{i}.conv', fpn, outs[i], 1)
    for i in range(4):
        conv_bias(f'neck.fpn_convs.{i}.conv', fpn, fpn, 3)
    conv_bias('rpn_head.rpn_conv', rpn, fpn, 3)
    conv_bias('rpn_head.rpn_cls', 3, rpn, 1)
    conv_bias('rpn_head.rpn_reg', 12, rpn, 1)
    for s in range(3):
        p = f'roi_head.bbox_head.{s}'
        linear(f'{p}.fc_cls', ncls + 1, fc)
        linear(f'{p}.fc_reg', 4, fc)
        linear(f'{p}.shared_fcs.0', fc, fpn * 49)
        linear(f'{p}.shared_fcs.1', fc, fc)
    if with_mask:
        for s in range(3):
            p = f'roi_head.mask_head.{s}'
            for k in range(4):
                conv_bias(f'{p}.convs.{k}.conv', mask, mask if k else fpn, 3)
            conv_bias(f'{p}.upsample', mask, mask, 2)
            conv_bias(f'{p}.conv_logits', ncls, mask, 1)
    return out


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def safetensors(tensors, metadata, dtype='F16'):
    """tensors: [(name, shape)]; values: a simple ramp."""
    size = {'F16': 2, 'F32': 4, 'I64': 8}
    header, data, off = {}, bytearray(), 0
    if metadata is not None:
        header['__metadata__'] = metadata
    for name, shape in tensors:
        dt = 'I64' if name.endswith('num_batches_tracked') else dtype
        n = numel(shape) * size[dt]
        header[name] = {'dtype': dt, 'shape': shape,
                        'data_offsets': [off, off + n]}
        for i in range(numel(shape)):
            if dt == 'F16':
                data += struct.pack('<H', 0x3c00 + i % 7)
            elif dt == 'F32':
                data += struct.pack('<f', (i % 7) * 0.5 - 1.5)
            else:
                data += struct.pack('<q', 0)
        off += n
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    return struct.pack('<Q', len(h)) + h + bytes(data)


def model(depth=18, groups=1, base_width=4, base=1, fpn=1, rpn=1, fc=1,
          mask=1, ncls=1, with_mask=True, full=False, dtype='F16'):
    arch = {'detector': 'CascadeRCNN', 'with_mask': with_mask,
            'num_classes': ncls, 'classes': [f'c{i}' for i in range(ncls)],
            'backbone': {'type': 'ResNeXt' if groups > 1 else 'ResNet',
                         'depth': depth, 'groups': groups,
                         'base_width': base_width, 'base_channels': base,
                         'style': 'caffe' if full else 'pytorch'},
            'neck': {'out_channels': fpn, 'num_outs': 5}}
    if full:
        arch['rpn'] = {'feat_channels': rpn, 'anchor_scales': [8],
                       'anchor_ratios': [0.5, 1.0, 2.0],
                       'strides': [4, 8, 16, 32, 64],
                       'target_stds': [1.0, 1.0, 1.0, 1.0], 'nms_pre': 1000,
                       'nms_iou': 0.7, 'max_per_img': 1000,
                       'min_bbox_size': 0}
        arch['roi_head'] = {'num_stages': 3, 'roi_size': 7,
                            'finest_scale': 56, 'fc_out_channels': fc,
                            'num_shared_fcs': 2,
                            'target_stds': [[0.1, 0.1, 0.2, 0.2],
                                            [0.05, 0.05, 0.1, 0.1],
                                            [0.033, 0.033, 0.067, 0.067]],
                            'score_thr': 0.05, 'nms_iou': 0.5,
                            'max_per_img': 100}
        if with_mask:
            arch['mask_head'] = {'conv_channels': mask, 'num_convs': 4,
                                 'roi_size': 14, 'mask_thr_binary': 0.5}
        arch['preprocess'] = {'test_scale': [1333, 800],
                              'mean': [103.53, 116.28, 123.675],
                              'std': [1.0, 1.0, 1.0], 'to_rgb': False,
                              'pad_size_divisor': 32}
    meta = {'format': 'gst-cascade', 'format_version': '1',
            'cascade': json.dumps(arch, separators=(',', ':'))}
    t = layout(depth, groups, base_width, base, fpn, rpn, fc, mask, ncls,
               with_mask)
    return safetensors(t, meta, dtype)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
    os.makedirs(out, exist_ok=True)
    seeds = {
        'r18-mask-f16': model(),
        'r18-box-caffe-full-f32': model(with_mask=False, full=True,
                                        dtype='F32', ncls=2),
        'x50-2x1d-mask-f16': model(depth=50, groups=2, base_width=1),
        'not-a-model': safetensors([('w', [2, 3])],
                                   {'format': 'gst-cascade',
                                    'format_version': '1'}, 'F32'),
        'plain-safetensors': safetensors([('a', [4]), ('b', [])], None),
        'empty-header': struct.pack('<Q', 2) + b'{}',
    }
    # the headers alone, for fuzz_model_header (its data: 64 KiB of zeros)
    hout = out.rstrip('/') + '-header'
    os.makedirs(hout, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name + '.safetensors'), 'wb') as f:
            f.write(data)
        n = struct.unpack('<Q', data[:8])[0]
        assert len(data) - 8 - n <= 64 * 1024
        with open(os.path.join(hout, name + '.json'), 'wb') as f:
            f.write(data[8:8 + n])
        print(f'{name}: {len(data)} bytes, header {n}')


if __name__ == '__main__':
    main()
