#!/usr/bin/python3
"""Train gst-cascade's demo model: a small Cascade Mask R-CNN on the
synthetic shapes of models/scenes.py, on the CPU, with Debian's PyTorch.

The network has mmdetection's structure and its state_dict uses
mmdetection's key names (ResNet-18 BasicBlocks with base_channels 16, FPN,
RPNHead, CascadeRoIHead with three Shared2FCBBoxHeads and FCNMaskHeads),
so the checkpoint ({'meta', 'state_dict'}) converts with
models/convert_mmdet.py like any mmdetection checkpoint.

BatchNorm is mmdetection's frozen BN: eval mode, running_mean 0 and
running_var 1 throughout; only the affine weight/bias are learnt.

Losses as mmdetection's cascade-mask-rcnn config: RPN (anchor assignment
IoU 0.7/0.3 with the best anchor of every box kept, 256 samples half
positive, sigmoid BCE + L1 on deltas), three stages with IoU thresholds
0.5/0.6/0.7 (512 RoIs, 25% positive, ground-truth boxes added), CE +
smooth-L1 on class-agnostic deltas normalised by the stage's stds, mask BCE
on 28x28 targets for the positives; stage weights 1, 0.5, 0.25.  The next
stage trains on the refined (detached) RoIs of the previous one.

Reproducible: the scenes of iteration i are make_scene([seed, i, k]), and
torch's generator is seeded.

usage: train_demo.py --out demo.pth [--iters 1500] [--seed 0]
       [--stop-at N] [--resume CKPT --lr LR]
The demo model was made in two phases (models/DEMO.md):
  train_demo.py --out phase1.pth --iters 1600 --stop-at 900
  train_demo.py --out demo.pth --resume phase1.pth --iters 2400 --lr 1e-3
"""
import argparse
import collections
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.ops as tvops

try:
    import cv2
except ImportError:  # pragma: no cover
    cv2 = None

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import scenes  # noqa: E402

MEAN = torch.tensor([123.675, 116.28, 103.53]).view(3, 1, 1)
STD = torch.tensor([58.395, 57.12, 57.375]).view(3, 1, 1)
STAGE_STDS = [(0.1, 0.1, 0.2, 0.2), (0.05, 0.05, 0.1, 0.1),
              (0.033, 0.033, 0.067, 0.067)]
STAGE_IOU = (0.5, 0.6, 0.7)
STAGE_W = (1.0, 0.5, 0.25)
STRIDES = (4, 8, 16, 32, 64)


# --------------------------------------------------------------------------
# modules named as mmdetection's
# --------------------------------------------------------------------------
class FrozenBN(nn.Module):
    """BatchNorm2d in eval mode with running stats 0 / 1: an affine map."""

    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))
        self.register_buffer('running_mean', torch.zeros(c))
        self.register_buffer('running_var', torch.ones(c))
        self.register_buffer('num_batches_tracked',
                             torch.tensor(0, dtype=torch.long))

    def forward(self, x):
        return F.batch_norm(x, self.running_mean, self.running_var,
                            self.weight, self.bias, False, 0.0, 1e-5)


def conv3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride, 1, bias=False)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv3(cin, cout, stride)
        self.bn1 = FrozenBN(cout)
        self.conv2 = conv3(cout, cout)
        self.bn2 = FrozenBN(cout)
        nn.init.zeros_(self.bn2.weight)   # zero-init the residual branch
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), FrozenBN(cout))
        else:
            self.downsample = None

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        idn = x if self.downsample is None else self.downsample(x)
        return F.relu(out + idn)


class ResNet18(nn.Module):
    def __init__(self, base=16):
        super().__init__()
        self.conv1 = nn.Conv2d(3, base, 7, 2, 3, bias=False)
        self.bn1 = FrozenBN(base)
        cin = base
        for i in range(4):
            c = base * 2 ** i
            s = 1 if i == 0 else 2
            setattr(self, 'layer%d' % (i + 1), nn.Sequential(
                BasicBlock(cin, c, s), BasicBlock(c, c, 1)))
            cin = c
        self.out_channels = [base * 2 ** i for i in range(4)]

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        outs = []
        for i in range(4):
            x = getattr(self, 'layer%d' % (i + 1))(x)
            outs.append(x)
        return outs


class ConvModule(nn.Module):
    """mmcv ConvModule without norm/act: the parameters live in .conv."""

    def __init__(self, cin, cout, k, padding=0):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, 1, padding)

    def forward(self, x):
        return self.conv(x)


class FPN(nn.Module):
    def __init__(self, in_channels, c):
        super().__init__()
        self.lateral_convs = nn.ModuleList(
            [ConvModule(ci, c, 1) for ci in in_channels])
        self.fpn_convs = nn.ModuleList(
            [ConvModule(c, c, 3, 1) for _ in in_channels])

    def forward(self, feats):
        lat = [l(f) for l, f in zip(self.lateral_convs, feats)]
        for i in range(len(lat) - 1, 0, -1):
            lat[i - 1] = lat[i - 1] + F.interpolate(
                lat[i], size=lat[i - 1].shape[2:], mode='nearest')
        outs = [c(l) for c, l in zip(self.fpn_convs, lat)]
        outs.append(F.max_pool2d(outs[-1], 1, stride=2))
        return outs


class RPNHead(nn.Module):
    def __init__(self, c, f):
        super().__init__()
        self.rpn_conv = nn.Conv2d(c, f, 3, 1, 1)
        self.rpn_cls = nn.Conv2d(f, 3, 1)
        self.rpn_reg = nn.Conv2d(f, 12, 1)
        for m in (self.rpn_conv, self.rpn_cls, self.rpn_reg):
            nn.init.normal_(m.weight, 0, 0.01)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        t = F.relu(self.rpn_conv(x))
        return self.rpn_cls(t), self.rpn_reg(t)


class BBoxHead(nn.Module):
    def __init__(self, c, fc, k):
        super().__init__()
        self.fc_cls = nn.Linear(fc, k + 1)
        self.fc_reg = nn.Linear(fc, 4)
        self.shared_fcs = nn.ModuleList([nn.Linear(c * 49, fc),
                                         nn.Linear(fc, fc)])
        nn.init.normal_(self.fc_cls.weight, 0, 0.01)
        nn.init.normal_(self.fc_reg.weight, 0, 0.001)
        nn.init.zeros_(self.fc_cls.bias)
        nn.init.zeros_(self.fc_reg.bias)

    def forward(self, x):
        x = x.flatten(1)
        for fc in self.shared_fcs:
            x = F.relu(fc(x))
        return self.fc_cls(x), self.fc_reg(x)


class MaskHead(nn.Module):
    def __init__(self, c, mc, k):
        super().__init__()
        self.convs = nn.ModuleList(
            [ConvModule(c if i == 0 else mc, mc, 3, 1) for i in range(4)])
        self.upsample = nn.ConvTranspose2d(mc, mc, 2, 2)
        self.conv_logits = nn.Conv2d(mc, k, 1)

    def forward(self, x):
        for c in self.convs:
            x = F.relu(c(x))
        return self.conv_logits(F.relu(self.upsample(x)))


class RoIHead(nn.Module):
    def __init__(self, c, fc, mc, k):
        super().__init__()
        self.bbox_head = nn.ModuleList([BBoxHead(c, fc, k) for _ in range(3)])
        self.mask_head = nn.ModuleList([MaskHead(c, mc, k) for _ in range(3)])


class CascadeMaskRCNN(nn.Module):
    def __init__(self, num_classes=5, base=16, fpn=64, rpn=64, fc=128,
                 mask=32):
        super().__init__()
        self.backbone = ResNet18(base)
        self.neck = FPN(self.backbone.out_channels, fpn)
        self.rpn_head = RPNHead(fpn, rpn)
        self.roi_head = RoIHead(fpn, fc, mask, num_classes)
        self.num_classes = num_classes
        for m in self.modules():
            if isinstance(m, nn.Conv2d) and m not in (
                    self.rpn_head.rpn_conv, self.rpn_head.rpn_cls,
                    self.rpn_head.rpn_reg):
                nn.init.kaiming_normal_(m.weight, mode='fan_out',
                                        nonlinearity='relu')
                if m.bias is not None:
                    nn.init.zeros_(m.bias)


# --------------------------------------------------------------------------
# box helpers
# --------------------------------------------------------------------------
def anchors_for(stride, fh, fw):
    """mmdet AnchorGenerator (scale 8, ratios 0.5/1/2, centre offset 0),
    ordered (y, x, anchor) as the RPN outputs are flattened."""
    ratios = torch.tensor([0.5, 1.0, 2.0])
    hr = torch.sqrt(ratios)
    wr = 1 / hr
    ws = stride * wr * 8
    hs = stride * hr * 8
    base = torch.stack([-0.5 * ws, -0.5 * hs, 0.5 * ws, 0.5 * hs], dim=-1)
    sx = torch.arange(fw, dtype=torch.float32) * stride
    sy = torch.arange(fh, dtype=torch.float32) * stride
    yy, xx = torch.meshgrid(sy, sx, indexing='ij')
    shifts = torch.stack([xx, yy, xx, yy], -1).view(-1, 1, 4)
    return (base[None] + shifts).view(-1, 4)


def encode(boxes, gt, stds):
    """mmdet DeltaXYWHBBoxCoder.encode (means 0)."""
    pw = boxes[:, 2] - boxes[:, 0]
    ph = boxes[:, 3] - boxes[:, 1]
    px = boxes[:, 0] + 0.5 * pw
    py = boxes[:, 1] + 0.5 * ph
    gw = gt[:, 2] - gt[:, 0]
    gh = gt[:, 3] - gt[:, 1]
    gx = gt[:, 0] + 0.5 * gw
    gy = gt[:, 1] + 0.5 * gh
    d = torch.stack([(gx - px) / pw, (gy - py) / ph,
                     torch.log(gw / pw), torch.log(gh / ph)], 1)
    return d / d.new_tensor(stds)


def decode(boxes, deltas, stds, shape, clip=16 / 1000):
    """mmdet DeltaXYWHBBoxCoder.decode (means 0), clipped to shape (h, w)."""
    d = deltas * deltas.new_tensor(stds)
    mr = abs(math.log(clip))
    dw = d[:, 2].clamp(-mr, mr)
    dh = d[:, 3].clamp(-mr, mr)
    pw = boxes[:, 2] - boxes[:, 0]
    ph = boxes[:, 3] - boxes[:, 1]
    px = boxes[:, 0] + 0.5 * pw
    py = boxes[:, 1] + 0.5 * ph
    gw = pw * dw.exp()
    gh = ph * dh.exp()
    gx = px + pw * d[:, 0]
    gy = py + ph * d[:, 1]
    h, w = shape
    return torch.stack([(gx - 0.5 * gw).clamp(0, w), (gy - 0.5 * gh).clamp(0, h),
                        (gx + 0.5 * gw).clamp(0, w), (gy + 0.5 * gh).clamp(0, h)],
                       1)


def roi_extract(feats, rois, size):
    """SingleRoIExtractor (finest_scale 56, RoIAlign aligned, ratio 0)."""
    out = feats[0].new_zeros((rois.shape[0], feats[0].shape[1], size, size))
    scale = torch.sqrt((rois[:, 3] - rois[:, 1]) * (rois[:, 4] - rois[:, 2]))
    lv = torch.floor(torch.log2(scale / 56 + 1e-6)).clamp(0, 3).long()
    for i in range(4):
        inds = (lv == i).nonzero().squeeze(1)
        if inds.numel():
            out[inds] = tvops.roi_align(feats[i], rois[inds], (size, size),
                                        1.0 / STRIDES[i], 0, True)
    return out


def sample(n_pos_avail_idx, neg_idx, num, frac, gen):
    """Random sampler: up to num*frac positives, the rest negatives."""
    npos = min(int(num * frac), n_pos_avail_idx.numel())
    pos = n_pos_avail_idx[torch.randperm(n_pos_avail_idx.numel(),
                                         generator=gen)[:npos]]
    nneg = min(num - npos, neg_idx.numel())
    neg = neg_idx[torch.randperm(neg_idx.numel(), generator=gen)[:nneg]]
    return pos, neg


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------
def prepare(img, inst, test_scale=(512, 320)):
    """Resize as mmdet's keep-ratio Resize (cv2 bilinear), normalise, pad
    to 32. -> x (1, 3, H, W), gt boxes (N, 4), labels (N,), masks (N, h, w)
    at the resized scale, img_shape (h, w)."""
    h, w = img.shape[:2]
    s = min(max(test_scale) / max(h, w), min(test_scale) / min(h, w))
    nw, nh = int(w * s + 0.5), int(h * s + 0.5)
    r = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    x = (torch.from_numpy(r).permute(2, 0, 1).float() - MEAN) / STD
    ph, pw = -(-nh // 32) * 32, -(-nw // 32) * 32
    x = F.pad(x, (0, pw - nw, 0, ph - nh))[None]
    boxes, labels, masks = [], [], []
    for c, m in inst:
        mr = cv2.resize(m.astype(np.uint8), (nw, nh),
                        interpolation=cv2.INTER_NEAREST)
        if mr.sum() == 0:
            continue
        x0, y0, x1, y1 = scenes.tight_box(m)
        boxes.append([x0 * nw / w, y0 * nh / h, x1 * nw / w, y1 * nh / h])
        labels.append(c)
        masks.append(mr)
    boxes = torch.tensor(boxes, dtype=torch.float32).view(-1, 4)
    labels = torch.tensor(labels, dtype=torch.long)
    masks = torch.from_numpy(np.stack(masks)).float() if masks else \
        torch.zeros((0, nh, nw))
    return x, boxes, labels, masks, (nh, nw)


# --------------------------------------------------------------------------
# losses
# --------------------------------------------------------------------------
def rpn_loss(model, P, gt, img_shape, gen):
    cls_all, reg_all, anchors = [], [], []
    for li, p in enumerate(P):
        cls, reg = model.rpn_head(p)
        cls_all.append(cls[0].permute(1, 2, 0).reshape(-1))
        reg_all.append(reg[0].permute(1, 2, 0).reshape(-1, 4))
        anchors.append(anchors_for(STRIDES[li], p.shape[2], p.shape[3]))
    cls = torch.cat(cls_all)
    reg = torch.cat(reg_all)
    anc = torch.cat(anchors)
    # MaxIoUAssigner(0.7, 0.3, min_pos_iou 0.3, gt_max_assign_all)
    iou = tvops.box_iou(anc, gt)                    # (A, G)
    maxv, arg = iou.max(1)
    assigned = torch.full((anc.shape[0],), -1, dtype=torch.long)
    assigned[maxv < 0.3] = 0
    pos = maxv >= 0.7
    assigned[pos] = arg[pos] + 1
    gmax, _ = iou.max(0)
    for g in range(gt.shape[0]):
        if gmax[g] >= 0.3:
            sel = iou[:, g] == gmax[g]
            assigned[sel] = g + 1
    pos_idx = (assigned > 0).nonzero().squeeze(1)
    neg_idx = (assigned == 0).nonzero().squeeze(1)
    p, n = sample(pos_idx, neg_idx, 256, 0.5, gen)
    idx = torch.cat([p, n])
    target = torch.zeros(idx.numel())
    target[:p.numel()] = 1
    navg = max(idx.numel(), 1)
    l_cls = F.binary_cross_entropy_with_logits(cls[idx], target,
                                               reduction='sum') / navg
    if p.numel():
        t = encode(anc[p], gt[assigned[p] - 1], (1.0, 1.0, 1.0, 1.0))
        l_reg = F.l1_loss(reg[p], t, reduction='sum') / navg
    else:
        l_reg = reg.sum() * 0
    # proposals (no grad): nms_pre 2000 per level, nms 0.7, 2000 kept
    with torch.no_grad():
        sc, bx, lv = [], [], []
        off = 0
        for li, c in enumerate(cls_all):
            s = c.sigmoid()
            k = min(2000, s.numel())
            top, ti = s.topk(k)
            b = decode(anchors[li][ti], reg_all[li][ti].detach(),
                       (1.0, 1.0, 1.0, 1.0), img_shape)
            sc.append(top)
            bx.append(b)
            lv.append(torch.full((k,), li, dtype=torch.long))
            off += c.numel()
        sc, bx, lv = torch.cat(sc), torch.cat(bx), torch.cat(lv)
        ok = ((bx[:, 2] - bx[:, 0]) > 0) & ((bx[:, 3] - bx[:, 1]) > 0)
        sc, bx, lv = sc[ok], bx[ok], lv[ok]
        keep = tvops.batched_nms(bx, sc, lv, 0.7)[:2000]
        proposals = bx[keep]
    return l_cls, l_reg, proposals


def stage_loss(model, s, P, rois, gt, labels, gmasks, img_shape, gen,
               max_mask_rois, num_rois):
    """One cascade stage. rois: (R, 4) boxes, no grad.  Returns losses and
    the refined boxes of the sampled non-gt RoIs."""
    K = model.num_classes
    cand = torch.cat([gt, rois])            # ground truth added
    is_gt = torch.zeros(cand.shape[0], dtype=torch.bool)
    is_gt[:gt.shape[0]] = True
    iou = tvops.box_iou(cand, gt)
    maxv, arg = iou.max(1)
    thr = STAGE_IOU[s]
    pos_idx = (maxv >= thr).nonzero().squeeze(1)
    neg_idx = (maxv < thr).nonzero().squeeze(1)
    p, n = sample(pos_idx, neg_idx, num_rois, 0.25, gen)
    idx = torch.cat([p, n])
    boxes = cand[idx]
    lab = torch.full((idx.numel(),), K, dtype=torch.long)
    lab[:p.numel()] = labels[arg[p]]
    r5 = torch.cat([boxes.new_zeros((boxes.shape[0], 1)), boxes], 1)
    feats = roi_extract(P, r5, 7)
    cls, reg = model.roi_head.bbox_head[s](feats)
    navg = max(idx.numel(), 1)
    l_cls = F.cross_entropy(cls, lab, reduction='sum') / navg
    if p.numel():
        t = encode(boxes[:p.numel()], gt[arg[p]], STAGE_STDS[s])
        l_reg = F.smooth_l1_loss(reg[:p.numel()], t, beta=1.0,
                                 reduction='sum') / navg
    else:
        l_reg = reg.sum() * 0
    # mask
    if p.numel():
        mp = min(p.numel(), max_mask_rois)
        mb = boxes[:mp]
        mr5 = r5[:mp]
        with torch.no_grad():
            gi = arg[p[:mp]]
            tgt = tvops.roi_align(gmasks[gi][:, None],
                                  torch.cat([torch.arange(mp, dtype=torch.float32)[:, None],
                                             mb], 1), (28, 28), 1.0, 0, True)
            tgt = (tgt[:, 0] >= 0.5).float()
        mf = roi_extract(P, mr5, 14)
        logits = model.roi_head.mask_head[s](mf)
        logits = logits[torch.arange(mp), lab[:mp]]
        l_mask = F.binary_cross_entropy_with_logits(logits, tgt)
    else:
        l_mask = cls.sum() * 0
    # refine the sampled non-gt RoIs for the next stage
    with torch.no_grad():
        keep = ~is_gt[idx]
        refined = decode(boxes[keep], reg[keep].detach(), STAGE_STDS[s],
                         img_shape)
    return l_cls, l_reg, l_mask, refined


def train_step(model, img, inst, gen, max_mask_rois=8, num_rois=64):
    x, gt, labels, gmasks, img_shape = prepare(img, inst)
    feats = model.backbone(x)
    P = model.neck(feats)
    losses = collections.OrderedDict()
    if gt.shape[0] == 0:
        z = sum(p.sum() for p in P) * 0
        return {'zero': z}
    l_cls, l_reg, rois = rpn_loss(model, P, gt, img_shape, gen)
    losses['rpn_cls'] = l_cls
    losses['rpn_reg'] = l_reg
    for s in range(3):
        c, r, m, rois = stage_loss(model, s, P, rois, gt, labels, gmasks,
                                   img_shape, gen, max_mask_rois, num_rois)
        losses['s%d_cls' % s] = c * STAGE_W[s]
        losses['s%d_reg' % s] = r * STAGE_W[s]
        losses['s%d_mask' % s] = m * STAGE_W[s]
    return losses


def checkpoint(model, seed, iters, classes=scenes.CLASSES):
    sd = collections.OrderedDict(
        (k, v.detach().clone().contiguous())
        for k, v in model.state_dict().items())
    meta = {'mmdet_version': '3.3.0', 'experiment_name': 'gst-cascade-demo',
            'seed': seed, 'iter': iters,
            'dataset_meta': {'classes': tuple(classes)}}
    return {'meta': meta, 'state_dict': sd}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--iters', type=int, default=1500,
                    help='iterations (the learning-rate schedule spans them)')
    ap.add_argument('--minutes', type=float, default=1e9,
                    help='safety stop on wall time (breaks reproducibility '
                         'when it triggers)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument('--save-every', type=int, default=200)
    ap.add_argument('--stop-at', type=int, default=0,
                    help='stop at this iteration (the schedule still spans '
                         '--iters)')
    ap.add_argument('--resume', metavar='CKPT',
                    help='start from this checkpoint at its meta iter, '
                         'with a fresh optimiser and a new schedule: warm-up '
                         'then cosine from --lr at that iteration to 0 at '
                         '--iters')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)  # 1: the machine is shared
    torch.manual_seed(a.seed)
    model = CascadeMaskRCNN()
    start = 0
    if a.resume:
        ck = torch.load(a.resume, map_location='cpu')
        model.load_state_dict(ck['state_dict'])
        start = int(ck['meta']['iter'])
    gen = torch.Generator().manual_seed(a.seed * 1000003 + start)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() > 1]
    no_decay = [p for p in params if p.dim() <= 1]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 1e-4},
                             {'params': no_decay, 'weight_decay': 0.0}],
                            lr=a.lr)
    budget = a.minutes * 60.0
    t0 = time.time()
    warm = 100 if start == 0 else 20
    it = start
    avg = {}
    while it < a.iters and not (a.stop_at and it >= a.stop_at):
        el = time.time() - t0
        if el > budget:
            break
        frac = (it - start) / float(a.iters - start)
        # linear warm-up, then cosine decay over --iters
        lr = a.lr * min(1.0, (it - start + 1) / warm) * \
            (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g['lr'] = lr
        opt.zero_grad()
        total = 0.0
        for b in range(a.batch):
            img, inst = scenes.make_scene([a.seed, it, b])
            losses = train_step(model, img, inst, gen)
            loss = sum(losses.values()) / a.batch
            loss.backward()
            total += float(loss)
            for k, v in losses.items():
                avg[k] = 0.95 * avg.get(k, float(v)) + 0.05 * float(v)
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        opt.step()
        it += 1
        if it % 20 == 0 or it == 1:
            print('it %d  %.0f s  lr %.2e  loss %.3f  %s' % (
                it, time.time() - t0, lr, total,
                ' '.join('%s %.3f' % kv for kv in avg.items())), flush=True)
        if it % a.save_every == 0:
            torch.save(checkpoint(model, a.seed, it), a.out)
    torch.save(checkpoint(model, a.seed, it), a.out)
    print('done: %d iterations in %.0f s -> %s' % (it, time.time() - t0,
                                                   a.out), flush=True)


if __name__ == '__main__':
    main()
