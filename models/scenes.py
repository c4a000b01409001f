#!/usr/bin/python3
"""Synthetic scenes of coloured shapes for gst-cascade's demo model.

numpy only; everything is deterministic from a seed (numpy's PCG64 through
np.random.default_rng).

A scene: an RGB image (H, W, 3) uint8 of varied size (sides 240..480 px)
on a textured background (gradients, noise, stripes, clutter), with 1..12
objects of 5 classes (circle, square, triangle, star, ring), random colours,
sizes from ~12 px to half the frame, rotations, partial occlusions (later
objects are drawn over earlier ones: each instance mask is the visible
part) and truncation at the image border.  The box of an instance is the
tight box of its visible mask.

COCO-style annotations: `coco_dataset(seed, n)` returns (images, dict) with
'images', 'annotations' (bbox [x, y, w, h], segmentation as compressed
COCO RLE, category_id 1..5, area, iscrowd 0) and 'categories'.

`render_sequence(seed, n_frames, width, height)` renders moving shapes on a
fixed background (frames for the sample clip).

`render_track_clip(name, seed, n_frames)` renders scripted clips for the
tracker (crossing, occlusion, entering/leaving objects) with MOT16-style
ground truth; `line_crossings` counts the crossings of a vertical line.

CLI:
  scenes.py --seed 1 -n 200 --out DIR     writes DIR/NNNNNN.ppm + DIR/annotations.json
  scenes.py --track-clip DIR --scene crossing|occlusion|enter-leave
      [--seed 1] [--frames 40]
      writes DIR/frames.rgb (480x320 RGB, 10 fps), DIR/gt/gt.txt (MOT16:
      frame,id,left,top,width,height,considered,class,visibility),
      DIR/seqinfo.ini and DIR/crossings.json
  scenes.py --clip OUT.webm [--seed 3] [--frames 40]
      the sample clip: 480x320 moving shapes at 10 fps, VP8 in WebM,
      encoded by gst-launch-1.0 (rawvideoparse ! videoconvert ! vp8enc !
      webmmux)
"""
import argparse
import json
import math
import os
import subprocess
import tempfile

import numpy as np

CLASSES = ('circle', 'square', 'triangle', 'star', 'ring')

MIN_VISIBLE_PX = 40         # instances with fewer visible pixels are dropped
MIN_VISIBLE_FRAC = 0.2      # ... or with less than this part of their
                            # in-frame pixels visible


# --------------------------------------------------------------------------
# COCO RLE (column-major; compressed string form of pycocotools)
# --------------------------------------------------------------------------
def rle_encode(mask):
    """bool/uint8 (H, W) -> {'size': [H, W], 'counts': str}."""
    mask = np.asarray(mask)
    h, w = mask.shape
    flat = mask.astype(bool).flatten(order='F')
    if flat.size == 0:
        counts = [0]
    else:
        change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
        bounds = np.concatenate([[0], change, [flat.size]])
        counts = np.diff(bounds).tolist()
        if flat[0]:
            counts = [0] + counts
    out = []
    for i, c in enumerate(counts):
        x = int(c)
        if i > 2:
            x -= int(counts[i - 2])
        while True:
            ch = x & 0x1f
            x >>= 5
            more = (x != -1) if (ch & 0x10) else (x != 0)
            if more:
                ch |= 0x20
            out.append(chr(ch + 48))
            if not more:
                break
    return {'size': [int(h), int(w)], 'counts': ''.join(out)}


def rle_decode(rle):
    """Compressed (string) or uncompressed (list) COCO RLE -> uint8 (H, W)."""
    h, w = rle['size']
    counts = rle['counts']
    if isinstance(counts, str):
        s = counts
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
# shapes
# --------------------------------------------------------------------------
def _polygon(kind, r, theta):
    """Vertices (N, 2) of a polygon shape centred at 0, circumradius r."""
    if kind == 'square':
        a = theta + np.pi / 4 + np.arange(4) * np.pi / 2
        rr = np.full(4, r)
    elif kind == 'triangle':
        a = theta - np.pi / 2 + np.arange(3) * 2 * np.pi / 3
        rr = np.full(3, r)
    elif kind == 'star':
        a = theta - np.pi / 2 + np.arange(10) * np.pi / 5
        rr = np.where(np.arange(10) % 2 == 0, r, 0.45 * r)
    else:
        raise ValueError(kind)
    return np.stack([rr * np.cos(a), rr * np.sin(a)], axis=1)


def _inside_polygon(px, py, poly):
    """Even-odd point-in-polygon test on arrays of pixel centres."""
    inside = np.zeros(px.shape, dtype=bool)
    n = len(poly)
    for i in range(n):
        x0, y0 = poly[i]
        x1, y1 = poly[(i + 1) % n]
        if y0 == y1:
            continue
        cond = (y0 > py) != (y1 > py)
        xi = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
        inside ^= cond & (px < xi)
    return inside


def shape_mask(kind, cx, cy, r, theta, h, w):
    """Full (unoccluded, border-truncated) bool mask (h, w) of a shape:
    pixel (x, y) belongs to it when its centre (x + 0.5, y + 0.5) is inside."""
    m = np.zeros((h, w), dtype=bool)
    x0 = max(int(math.floor(cx - r)) - 1, 0)
    x1 = min(int(math.ceil(cx + r)) + 2, w)
    y0 = max(int(math.floor(cy - r)) - 1, 0)
    y1 = min(int(math.ceil(cy + r)) + 2, h)
    if x0 >= x1 or y0 >= y1:
        return m
    ys, xs = np.mgrid[y0:y1, x0:x1]
    px = xs + 0.5 - cx
    py = ys + 0.5 - cy
    if kind == 'circle':
        inside = px * px + py * py <= r * r
    elif kind == 'ring':
        d2 = px * px + py * py
        inside = (d2 <= r * r) & (d2 >= (0.55 * r) ** 2)
    else:
        inside = _inside_polygon(px, py, _polygon(kind, r, theta))
    m[y0:y1, x0:x1] = inside
    return m


# --------------------------------------------------------------------------
# backgrounds
# --------------------------------------------------------------------------
def _smooth_noise(rng, h, w, cell):
    gh, gw = h // cell + 2, w // cell + 2
    g = rng.random((gh, gw, 3))
    ys = np.arange(h) / cell
    xs = np.arange(w) / cell
    y0 = ys.astype(int)
    x0 = xs.astype(int)
    fy = (ys - y0)[:, None, None]
    fx = (xs - x0)[None, :, None]
    a = g[y0][:, x0]
    b = g[y0][:, x0 + 1]
    c = g[y0 + 1][:, x0]
    d = g[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def background(rng, h, w):
    """Float (h, w, 3) in [0, 255]."""
    kind = rng.integers(0, 4)
    c0 = rng.uniform(0, 255, 3)
    c1 = rng.uniform(0, 255, 3)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    if kind == 0:       # linear gradient
        a = rng.uniform(0, 2 * np.pi)
        t = xs * math.cos(a) + ys * math.sin(a)
        t = (t - t.min()) / max(t.max() - t.min(), 1.0)
        img = c0 + (c1 - c0) * t[..., None]
    elif kind == 1:     # smooth noise
        img = c0 + (c1 - c0) * _smooth_noise(rng, h, w,
                                             int(rng.integers(16, 80)))
    elif kind == 2:     # stripes
        a = rng.uniform(0, np.pi)
        period = rng.uniform(6, 40)
        t = xs * math.cos(a) + ys * math.sin(a)
        s = (np.sin(2 * np.pi * t / period) > 0).astype(np.float64)
        img = c0 + (c1 - c0) * (0.3 + 0.4 * s)[..., None]
    else:               # flat with a radial gradient
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        t = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2) / math.hypot(w, h)
        img = c0 + (c1 - c0) * t[..., None]
    # clutter: thin lines and small blobs that are no objects
    for _ in range(int(rng.integers(0, 12))):
        col = rng.uniform(0, 255, 3)
        if rng.random() < 0.6:
            x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
            a = rng.uniform(0, np.pi)
            ln = rng.uniform(10, max(w, h) / 2)
            th = rng.uniform(0.7, 2.5)
            dx, dy = math.cos(a), math.sin(a)
            px, py = xs + 0.5 - x0, ys + 0.5 - y0
            along = px * dx + py * dy
            across = np.abs(-px * dy + py * dx)
            sel = (along >= 0) & (along <= ln) & (across <= th)
        else:
            cx, cy = rng.uniform(0, w), rng.uniform(0, h)
            rx, ry = rng.uniform(2, 6), rng.uniform(2, 6)
            sel = ((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2 <= 1
        img[sel] = col
    img += rng.normal(0, rng.uniform(0, 12), (h, w, 3))
    return img


# --------------------------------------------------------------------------
# scenes
# --------------------------------------------------------------------------
def _random_object(rng, h, w, kind=None):
    k = CLASSES[int(rng.integers(0, len(CLASSES)))]
    kind = kind or k
    dmin, dmax = 12.0, min(h, w) / 2.0
    d = math.exp(rng.uniform(math.log(dmin), math.log(dmax)))
    r = d / 2.0
    # centres may lie a little outside the frame: truncated objects
    cx = rng.uniform(-0.3 * r, w + 0.3 * r)
    cy = rng.uniform(-0.3 * r, h + 0.3 * r)
    theta = rng.uniform(0, 2 * np.pi)
    colour = rng.uniform(0, 255, 3)
    return {'kind': kind, 'cx': cx, 'cy': cy, 'r': r, 'theta': theta,
            'colour': colour, 'shade': rng.uniform(-30, 30, 3)}


def compose(bg, objects, rng):
    """Draws objects in order over bg (float (h, w, 3)); returns
    (uint8 RGB image, list of (class index, visible bool mask))."""
    h, w = bg.shape[:2]
    img = bg.copy()
    full = []
    for o in objects:
        m = shape_mask(o['kind'], o['cx'], o['cy'], o['r'], o['theta'], h, w)
        # fill: flat colour plus a gentle shading gradient
        ys, xs = np.nonzero(m)
        if len(ys):
            t = ((xs - o['cx']) + (ys - o['cy'])) / (2.0 * o['r'] + 1e-6)
            img[ys, xs] = o['colour'][None] + t[:, None] * o['shade'][None]
        full.append(m)
    noise = rng.normal(0, 3.0, img.shape)
    img = np.clip(np.rint(img + noise), 0, 255).astype(np.uint8)
    inst = []
    covered = np.zeros((h, w), dtype=bool)
    for o, m in zip(reversed(objects), reversed(full)):
        vis = m & ~covered
        covered |= m
        n = int(vis.sum())
        if n >= MIN_VISIBLE_PX and n >= MIN_VISIBLE_FRAC * float(m.sum()):
            inst.append((CLASSES.index(o['kind']), vis))
    inst.reverse()
    return img, inst


def make_scene(seed, width=None, height=None):
    """-> (uint8 RGB (H, W, 3), list of (class index 0..4, bool mask))."""
    rng = np.random.default_rng(seed)
    w = int(width) if width else int(rng.integers(240, 481))
    h = int(height) if height else int(rng.integers(240, 481))
    bg = background(rng, h, w)
    n = int(rng.integers(1, 13))
    objects = [_random_object(rng, h, w) for _ in range(n)]
    return compose(bg, objects, rng)


def tight_box(mask):
    """[x0, y0, x1, y1] (pixel edges) of a bool mask."""
    ys = np.flatnonzero(mask.any(axis=1))
    xs = np.flatnonzero(mask.any(axis=0))
    return [float(xs[0]), float(ys[0]), float(xs[-1] + 1), float(ys[-1] + 1)]


def coco_dataset(seed, n, first_id=1):
    """n scenes from seeds (seed, i) -> (list of images, COCO dict)."""
    images, coco_imgs, anns = [], [], []
    aid = 1
    for i in range(n):
        img, inst = make_scene([seed, i])
        images.append(img)
        iid = first_id + i
        coco_imgs.append({'id': iid, 'width': img.shape[1],
                          'height': img.shape[0],
                          'file_name': '%06d.ppm' % iid})
        for c, m in inst:
            x0, y0, x1, y1 = tight_box(m)
            anns.append({'id': aid, 'image_id': iid, 'category_id': c + 1,
                         'bbox': [x0, y0, x1 - x0, y1 - y0],
                         'area': int(m.sum()), 'iscrowd': 0,
                         'segmentation': rle_encode(m)})
            aid += 1
    cats = [{'id': i + 1, 'name': n_} for i, n_ in enumerate(CLASSES)]
    return images, {'images': coco_imgs, 'annotations': anns,
                    'categories': cats}


def render_sequence(seed, n_frames, width=480, height=320, n_objects=7):
    """Moving shapes (constant velocity, spin, bouncing at the borders) on
    a fixed background, classes in turn (all five when n_objects >= 5).
    -> list of (uint8 RGB frame, instances)."""
    rng = np.random.default_rng(seed)
    bg = background(rng, height, width)
    objs = []
    kinds = [CLASSES[i % len(CLASSES)] for i in range(n_objects)]
    rng.shuffle(kinds)          # every class present (n_objects >= 5)
    for kind in kinds:
        o = _random_object(rng, height, width, kind)
        o['r'] = min(o['r'] * 1.5, min(width, height) / 4.0)
        o['r'] = max(o['r'], 12.0)
        o['cx'] = rng.uniform(o['r'], width - o['r'])
        o['cy'] = rng.uniform(o['r'], height - o['r'])
        o['vx'], o['vy'] = rng.uniform(-8, 8, 2)
        o['w'] = rng.uniform(-0.15, 0.15)
        objs.append(o)
    frames = []
    for f in range(n_frames):
        frames.append(compose(bg, objs, np.random.default_rng([seed, f])))
        for o in objs:
            o['cx'] += o['vx']
            o['cy'] += o['vy']
            o['theta'] += o['w']
            if o['cx'] < 0 or o['cx'] > width:
                o['vx'] = -o['vx']
            if o['cy'] < 0 or o['cy'] > height:
                o['vy'] = -o['vy']
    return frames


def write_ppm(path, rgb):
    h, w = rgb.shape[:2]
    with open(path, 'wb') as f:
        f.write(b'P6\n%d %d\n255\n' % (w, h))
        f.write(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes())


def write_clip(path, seed=3, n_frames=40, width=480, height=320, fps=10):
    """Encodes render_sequence() frames as VP8/WebM with gst-launch-1.0."""
    frames = render_sequence(seed, n_frames, width, height)
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, 'frames.rgb')
        with open(raw, 'wb') as f:
            for img, _ in frames:
                f.write(np.ascontiguousarray(img).tobytes())
        subprocess.run(
            ['gst-launch-1.0', '-q', 'filesrc', 'location=' + raw, '!',
             'rawvideoparse', 'format=rgb', 'width=%d' % width,
             'height=%d' % height, 'framerate=%d/1' % fps, '!',
             'videoconvert', '!', 'video/x-raw,format=I420', '!',
             'vp8enc', 'deadline=0', 'cpu-used=0', 'target-bitrate=1500000',
             'keyframe-max-dist=20', '!', 'webmmux', '!',
             'filesink', 'location=' + path], check=True)


# --------------------------------------------------------------------------
# tracking clips with MOT-style ground truth
# --------------------------------------------------------------------------
TRACK_SCENES = ('crossing', 'occlusion', 'enter-leave')
GT_MIN_VISIBLE_FRAC = 0.25  # less visible: "ignore" (MOT16's conf 0)


def _mover(rng, kind, r, x, y, vx, vy, start=0):
    return {'kind': kind, 'cx': x, 'cy': y, 'r': r, 'vx': vx, 'vy': vy,
            'theta': rng.uniform(0, 2 * np.pi), 'w': rng.uniform(-0.1, 0.1),
            'colour': rng.uniform(0, 255, 3), 'shade': rng.uniform(-30, 30, 3),
            'start': start}


def _kinds(rng, n):
    return [CLASSES[int(k)] for k in rng.integers(0, len(CLASSES), n)]


def track_scene(name, seed, width=480, height=320):
    """The scripted objects of a tracking clip: constant velocities, drawn
    in list order (later ones cover earlier ones), each present from its
    'start' frame.
    crossing: pairs meeting head-on on nearly the same row (one passes
      behind the other), and a vertical mover through them;
    occlusion: small shapes passing behind a large slow one in the middle,
      one passing in front;
    enter-leave: a counting scene on a plain background: shapes entering
      at the borders at staggered times, crossing the frame and leaving,
      on separate rows; every horizontal mover crosses the vertical mid
      line once, away from the others (two vertical movers do not)."""
    rng = np.random.default_rng([seed, TRACK_SCENES.index(name)])
    objs = []
    if name == 'crossing':
        ks = _kinds(rng, 7)
        for i, y in enumerate((70, 160, 250)):
            v = rng.uniform(4, 6)
            r = rng.uniform(20, 28)
            objs.append(_mover(rng, ks[2 * i], r, 30, y, v, 0))
            objs.append(_mover(rng, ks[2 * i + 1], r, width - 30,
                               y + rng.uniform(-8, 8), -v, 0))
        objs.append(_mover(rng, ks[6], 22, 330, 20, 0, 3))
    elif name == 'occlusion':
        ks = _kinds(rng, 6)
        for i in range(4):
            y = 100 + 40 * i
            vx = rng.uniform(4, 6) * (1 if i % 2 == 0 else -1)
            x = 20 if vx > 0 else width - 20
            objs.append(_mover(rng, ks[i], rng.uniform(18, 24), x, y, vx,
                               rng.uniform(-0.5, 0.5), start=12 * i))
        objs.append(_mover(rng, ks[4], 70, width / 2 - 30, height / 2, 0.4,
                           0))
        objs.append(_mover(rng, ks[5], 20, 20, 60, 5, 1.2, start=20))
    elif name == 'enter-leave':
        ks = _kinds(rng, 7)
        rows = rng.permutation(np.linspace(50, height - 50, 5))
        for i in range(5):
            vx = rng.uniform(5, 7) * (1 if i % 2 == 0 else -1)
            r = rng.uniform(20, 26)
            x = -r + 2 if vx > 0 else width + r - 2
            objs.append(_mover(rng, ks[i], r, x, rows[i], vx, 0,
                               start=int(6 + 14 * i)))
        for i, x in enumerate((90, 400)):
            r = 22
            objs.append(_mover(rng, ks[5 + i], r, x, -r + 2, 0, 4.5,
                               start=20 + 40 * i))
    else:
        raise ValueError(name)
    return objs


def _position(o, f):
    t = f - o['start']
    return o['cx'] + o['vx'] * t, o['cy'] + o['vy'] * t, o['theta'] + o['w'] * t


def render_track_clip(name, seed, n_frames, width=480, height=320):
    """-> (background, frames, gt) for a tracking clip: gt is a list of
    MOT16 rows (frame 1-based, id, left, top, width, height, considered,
    class 1-based, visibility), the box being the tight box of the whole
    in-frame shape (occluded parts included), visibility its visible
    fraction; an object less than GT_MIN_VISIBLE_FRAC or MIN_VISIBLE_PX
    visible is not considered (MOT16: neither a miss nor a false positive
    when found)."""
    objs = track_scene(name, seed, width, height)
    rng = np.random.default_rng([seed, 99])
    if name == 'enter-leave':
        # a counting scene: a plain floor (a gradient, sensor noise), so
        # that what is measured is the counting, not detection in clutter
        c0, c1 = rng.uniform(40, 215, 3), rng.uniform(40, 215, 3)
        t = np.linspace(0, 1, width)[None, :, None]
        bg = c0 + (c1 - c0) * t + rng.normal(0, 3, (height, width, 3))
    else:
        bg = background(rng, height, width)
    frames, gt = [], []
    for f in range(n_frames):
        live = []
        for i, o in enumerate(objs):
            if f < o['start']:
                continue
            cx, cy, th = _position(o, f)
            live.append((i, dict(o, cx=cx, cy=cy, theta=th)))
        img, _ = compose(bg, [o for _, o in live], np.random.default_rng(
            [seed, f]))
        frames.append(img)
        covered = np.zeros((height, width), dtype=bool)
        rows = []
        for i, o in reversed(live):
            m = shape_mask(o['kind'], o['cx'], o['cy'], o['r'], o['theta'],
                           height, width)
            n = int(m.sum())
            vis = int((m & ~covered).sum())
            covered |= m
            if n == 0:
                continue
            x0, y0, x1, y1 = tight_box(m)
            frac = vis / float(n)
            ok = vis >= MIN_VISIBLE_PX and frac >= GT_MIN_VISIBLE_FRAC
            rows.append((f + 1, i + 1, x0, y0, x1 - x0, y1 - y0, int(ok),
                         CLASSES.index(o['kind']) + 1, round(frac, 4)))
        gt.extend(sorted(rows, key=lambda r: r[1]))
    return bg, frames, gt


def line_crossings(name, seed, n_frames, x_line, width=480, height=320):
    """Crossings of the vertical line x = x_line by the objects' centres
    while inside the frame: {'forward': n (left to right), 'backward': n}."""
    out = {'forward': 0, 'backward': 0}
    for o in track_scene(name, seed, width, height):
        for f in range(max(o['start'], 0) + 1, n_frames):
            x0 = _position(o, f - 1)[0]
            x1, y1, _ = _position(o, f)
            if 0 <= y1 <= height and (x0 - x_line) * (x1 - x_line) < 0:
                out['forward' if x1 > x0 else 'backward'] += 1
    return out


def write_track_clip(out, name, seed, n_frames, fps=10, width=480,
                     height=320):
    """DIR/frames.rgb (raw RGB), DIR/gt/gt.txt (MOT16), DIR/seqinfo.ini
    and DIR/crossings.json (the mid line's crossings)."""
    _, frames, gt = render_track_clip(name, seed, n_frames, width, height)
    os.makedirs(os.path.join(out, 'gt'), exist_ok=True)
    with open(os.path.join(out, 'frames.rgb'), 'wb') as f:
        for img in frames:
            f.write(np.ascontiguousarray(img).tobytes())
    with open(os.path.join(out, 'gt', 'gt.txt'), 'w') as f:
        for r in gt:
            f.write('%d,%d,%.1f,%.1f,%.1f,%.1f,%d,%d,%.4f\n' % r)
    with open(os.path.join(out, 'seqinfo.ini'), 'w') as f:
        f.write('[Sequence]\nname=%s\nframeRate=%d\nseqLength=%d\n'
                'imWidth=%d\nimHeight=%d\n' % (name, fps, n_frames, width,
                                                  height))
    with open(os.path.join(out, 'crossings.json'), 'w') as f:
        json.dump({'line': [[0.5, 0.0], [0.5, 1.0]], 'direction': [1, 0],
                   'crossings': line_crossings(name, seed, n_frames,
                                               width / 2.0, width, height)},
                  f)
    return len(gt)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('-n', type=int, default=200)
    ap.add_argument('--out')
    ap.add_argument('--clip', metavar='OUT.webm')
    ap.add_argument('--frames', type=int, default=40)
    ap.add_argument('--track-clip', metavar='DIR', help='a tracking clip with '
                    'MOT16 ground truth (see write_track_clip)')
    ap.add_argument('--scene', choices=TRACK_SCENES, default='crossing')
    a = ap.parse_args()
    if a.track_clip:
        n = write_track_clip(a.track_clip, a.scene,
                             1 if a.seed is None else a.seed, a.frames)
        print('%s: %d frames, %d ground-truth boxes -> %s' % (
            a.scene, a.frames, n, a.track_clip))
        return
    if a.clip:
        write_clip(a.clip, 3 if a.seed is None else a.seed, a.frames)
        print('%d frames -> %s' % (a.frames, a.clip))
        return
    if not a.out:
        ap.error('--out or --clip is required')
    a.seed = 1 if a.seed is None else a.seed
    os.makedirs(a.out, exist_ok=True)
    images, coco = coco_dataset(a.seed, a.n)
    for img, info in zip(images, coco['images']):
        write_ppm(os.path.join(a.out, info['file_name']), img)
    with open(os.path.join(a.out, 'annotations.json'), 'w') as f:
        json.dump(coco, f)
    print('%d images, %d instances -> %s' % (len(images),
                                             len(coco['annotations']), a.out))


if __name__ == '__main__':
    main()
