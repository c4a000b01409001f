#!/usr/bin/python3
"""gst-cascade example: a Python application that reads every frame's
objects, and their masks, from GstCascadeMeta through appsink, with GObject
introspection (the GstCascade-1.0 typelib; Debian: python3-gi,
python3-gst-1.0).

  cascade-appsink.py [-m MODEL] [-d DEVICE] [-n FRAMES] [FILE]

Without FILE it runs on videotestsrc.  From the build tree:

  GI_TYPELIB_PATH=build/gst/meta LD_LIBRARY_PATH=build/gst/meta \\
  GST_PLUGIN_PATH=build/gst examples/cascade-appsink.py -n 3
"""
import argparse
import sys

import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstApp', '1.0')
gi.require_version('GstCascade', '1.0')
from gi.repository import Gst, GstApp, GstCascade  # noqa: E402,F401


def read_frame(sample, masks=True):
    """The objects of one appsink sample: a dict per object (box in frame
    pixels, score, class id, label, the element that found it, the 28x28
    mask probabilities and the frame-sized binary mask as bytes), plus the
    frame's flags and result age."""
    buf = sample.get_buffer()
    meta = GstCascade.buffer_get_cascade_meta(buf)
    if meta is None:
        return None
    w, h = meta.get_width(), meta.get_height()
    frame = {
        'pts': buf.pts, 'width': w, 'height': h,
        'repeated': bool(meta.get_flags() &
                         GstCascade.CascadeMetaFlags.REPEATED),
        'result_age': meta.get_result_age(buf.pts),
        'objects': [],
    }
    for i in range(meta.get_count()):
        ok, x1, y1, x2, y2 = meta.get_box(i)
        o = {'box': [x1, y1, x2, y2], 'score': meta.get_score(i),
             'class_id': meta.get_class_id(i), 'label': meta.get_label(i),
             'source': meta.get_object_source(i), 'probs': None,
             'mask': None}
        if meta.has_mask(i):
            o['probs'] = list(meta.get_mask_probs(i))
            if masks:
                o['mask'] = meta.get_mask_bytes(i, w, h).get_data()
        frame['objects'].append(o)
    return frame


def bus_error(bus):
    msg = bus.pop_filtered(Gst.MessageType.ERROR)
    if msg is None:
        return None
    err, debug = msg.parse_error()
    return 'Error from %s: %s\n%s' % (msg.src.get_name(), err.message,
                                      debug or '')


def pull(pipeline, sink, max_frames=0, on_frame=None):
    """Runs pipeline, calling on_frame(sample) per sample, until EOS, an
    error (returned as a message) or max_frames."""
    bus = pipeline.get_bus()
    if pipeline.set_state(Gst.State.PLAYING) == \
            Gst.StateChangeReturn.FAILURE:
        # the reason is on the bus; the appsink would wait forever
        return bus_error(bus) or 'Could not start the pipeline'
    n = 0
    while True:
        sample = sink.try_pull_sample(100 * Gst.MSECOND)
        if sample is not None:
            on_frame(sample)
            n += 1
            if max_frames and n >= max_frames:
                return None
        elif sink.is_eos():
            return None
        err = bus_error(bus)
        if err:
            return err


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('-m', '--model', help="model file or name (default: "
                    "cascadedetect's)")
    ap.add_argument('-d', '--device', help='OpenCL device')
    ap.add_argument('-n', '--frames', type=int, default=0,
                    help='stop after this many frames (0: all)')
    ap.add_argument('file', nargs='?')
    args = ap.parse_args()
    Gst.init(None)
    if args.file:
        src = 'uridecodebin uri="%s"' % Gst.filename_to_uri(args.file)
    else:
        src = 'videotestsrc num-buffers=30 ! video/x-raw,width=640,height=480'
    pipeline = Gst.parse_launch(
        src + ' ! videoconvert ! cascadedetect name=detect ! '
        'appsink name=sink sync=false max-buffers=4')
    detect = pipeline.get_by_name('detect')
    if args.model:
        detect.set_property('model', args.model)
    if args.device:
        detect.set_property('device', args.device)
    count = [0]

    def show(sample):
        f = read_frame(sample)
        n = len(f['objects']) if f else 0
        print('frame %d pts %s: %d objects%s' % (
            count[0], f and f['pts'], n,
            ' (repeated)' if f and f['repeated'] else ''))
        for o in (f['objects'] if f else []):
            area = sum(o['mask']) if o['mask'] is not None else None
            print('  %-16s %.3f [%7.1f %7.1f %7.1f %7.1f]%s' % (
                o['label'], o['score'], *o['box'],
                '  mask %d px' % area if area is not None else ''))
        count[0] += 1

    err = pull(pipeline, pipeline.get_by_name('sink'), args.frames, show)
    pipeline.set_state(Gst.State.NULL)
    if err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
