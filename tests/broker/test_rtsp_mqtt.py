#!/usr/bin/env python3
"""examples/cascade-rtsp --mqtt against a real broker that restarts.

  test_rtsp_mqtt.py --app CASCADE_RTSP --server RTSP_TEST_SERVER
                    --model MODEL --mosquitto MOSQUITTO --sub MOSQUITTO_SUB
                    --work-dir DIR

One RTSP test server (tests/live/rtsp-test-server) and one mosquitto, each
on a free port of 127.0.0.1, the broker with persistence in DIR.  A
mosquitto_sub with a persistent session (-c -i, QoS 1) records what comes
on cascade/#.  cascade-rtsp runs one camera with --mqtt; after its first
lines the broker is stopped (SIGTERM) and started again on its port, and
once more lines came the application gets SIGINT.  Every line of the
camera's JSON-lines file must have reached the subscriber, on
cascade/cam0/detections, in the file's order (QoS 1 allows a message
twice: the first arrivals are compared), and the application
must exit 0.  All children die with the test and are killed at the end."""
import argparse
import ctypes
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time

RESTART_AT = 3.0       # seconds after the first line: the broker restarts
DOWN = 1.0             # seconds it stays down
NEW_LINES = 5          # lines after the restart before SIGINT
FIRST_LINE_S = 180.0   # model load, program builds on a cold cache
LINES_S = 60.0         # NEW_LINES more lines (a loaded machine, ASan)
STOP_S = 45.0          # exit after SIGINT (the application's own bound: 30)
DELIVERY_S = 30.0

_libc = ctypes.CDLL('libc.so.6', use_errno=True)


def die_with_parent():
    _libc.prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG


class Fail(Exception):
    pass


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def port_open(port):
    s = socket.socket()
    try:
        s.connect(('127.0.0.1', port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def wait_for(what, bound, cond):
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > bound:
            raise Fail('%s: not within %.0f s' % (what, bound))
        time.sleep(0.05)


def start_broker(exe, conf, log):
    proc = subprocess.Popen([exe, '-c', conf], stdout=log, stderr=log,
                            preexec_fn=die_with_parent)
    return proc


def read_port_line(proc, bound):
    buf = b''
    t0 = time.monotonic()
    while time.monotonic() - t0 < bound and not buf.endswith(b'\n'):
        r, _, _ = select.select([proc.stdout], [], [], 0.5)
        if r:
            c = os.read(proc.stdout.fileno(), 1)
            if not c:
                break
            buf += c
    m = re.match(rb'PORT (\d+)', buf)
    if not m:
        raise Fail('the RTSP server did not start')
    return int(m.group(1))


def count_lines(path):
    try:
        with open(path, 'rb') as f:
            return f.read().count(b'\n')
    except FileNotFoundError:
        return 0


def run(args, procs):
    work = args.work_dir
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    port = free_port()
    conf = os.path.join(work, 'mosquitto.conf')
    with open(conf, 'w') as f:
        f.write('listener %d 127.0.0.1\nallow_anonymous true\n'
                'persistence true\npersistence_location %s/\n'
                'max_queued_messages 0\nuser root\n' % (port, work))
    blog = open(os.path.join(work, 'broker.log'), 'ab')
    broker = start_broker(args.mosquitto, conf, blog)
    procs.append(broker)
    wait_for('the broker listening', 10, lambda: port_open(port))

    sub_out = open(os.path.join(work, 'sub.txt'), 'wb')
    sub = subprocess.Popen([args.sub, '-h', '127.0.0.1', '-p', str(port),
                            '-t', 'cascade/#', '-v', '-q', '1', '-c',
                            '-i', 'cascade-rtsp-test-sub'],
                           stdout=sub_out, stderr=subprocess.STDOUT,
                           preexec_fn=die_with_parent)
    procs.append(sub)
    time.sleep(0.5)

    server = subprocess.Popen([args.server, '--port', '0', '--max-seconds',
                               '300'], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL,
                              preexec_fn=die_with_parent)
    procs.append(server)
    rtsp_port = read_port_line(server, 60)

    out_dir = os.path.join(work, 'out')
    alog = open(os.path.join(work, 'app.log'), 'wb')
    app = subprocess.Popen([args.app, '-m', args.model, '-o', out_dir,
                            '--mqtt', '127.0.0.1:%d' % port,
                            '--mqtt-props', 'qos=1 reconnect-delay=100',
                            'rtsp://127.0.0.1:%d/cam' % rtsp_port],
                           stdout=alog, stderr=subprocess.STDOUT,
                           preexec_fn=die_with_parent)
    procs.append(app)
    lines = os.path.join(out_dir, 'cam0.jsonl')
    wait_for('the first line', FIRST_LINE_S, lambda: count_lines(lines) > 0)
    time.sleep(RESTART_AT)
    before = count_lines(lines)
    broker.send_signal(signal.SIGTERM)
    broker.wait(10)
    time.sleep(DOWN)
    broker = start_broker(args.mosquitto, conf, blog)
    procs.append(broker)
    wait_for('the broker listening again', 10, lambda: port_open(port))
    wait_for('%d lines after the restart' % NEW_LINES, LINES_S,
             lambda: count_lines(lines) >= before + NEW_LINES)
    app.send_signal(signal.SIGINT)
    status = app.wait(STOP_S)
    if status != 0:
        raise Fail('cascade-rtsp exited %d (see %s)' % (status, work))

    with open(lines) as f:
        expected = [l.rstrip('\n') for l in f]
    prefix = 'cascade/cam0/detections '

    def firsts():
        with open(os.path.join(work, 'sub.txt')) as f:
            got = [l.rstrip('\n') for l in f]
        seen, out = set(), []
        for l in got:
            if not l.startswith(prefix):
                raise Fail('unexpected subscriber line: %r' % l[:80])
            if l not in seen:
                seen.add(l)
                out.append(l[len(prefix):])
        return out
    wait_for('every line at the subscriber', DELIVERY_S,
             lambda: len(firsts()) >= len(expected))
    got = firsts()
    if got != expected:
        raise Fail('the subscriber has %d lines, the file %d; first '
                   'difference at %d' % (len(got), len(expected),
                                         next((i for i, (a, b) in enumerate(
                                             zip(got, expected)) if a != b),
                                             min(len(got), len(expected)))))
    print('%d lines, %d before the broker restart, all delivered in order'
          % (len(expected), before))
    if before == 0 or len(expected) <= before:
        raise Fail('no lines on both sides of the restart')


def main():
    p = argparse.ArgumentParser()
    for a in ('--app', '--server', '--model', '--mosquitto', '--sub',
              '--work-dir'):
        p.add_argument(a, required=True)
    args = p.parse_args()
    procs = []
    try:
        run(args, procs)
    except Fail as e:
        print('FAIL: %s' % e)
        return 1
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    return 0


if __name__ == '__main__':
    sys.exit(main())
