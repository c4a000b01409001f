#!/usr/bin/env python3
"""examples/cascade-rtsp against real RTSP servers that end, die and freeze.

  test_rtsp_recovery.py --app CASCADE_RTSP --server RTSP_TEST_SERVER
                        --model MODEL --work-dir DIR

Two servers (tests/live/rtsp-test-server, each on a free port of 127.0.0.1)
feed one cascade-rtsp with two cameras.  Camera 0's first server ends its
stream after a few seconds (the client gets an EOS), then it is killed
(SIGKILL) and restarted on the same port, then frozen (SIGSTOP) for longer
than the stall timeout and thawed (SIGCONT).  Camera 0's JSON lines must
resume after each (at the restarted server's new picture size); camera 1's must go on throughout.  At the end SIGINT
must stop the application with status 0, every file ending on a complete,
parseable line.

Bounds (seconds, from the test's own clock).  They are generous because
the machine may be shared by several builds on two cores; a healthy run
stays far below them (the measured times are printed):
  START_S    first lines of both cameras: model load, OpenCL program builds
             and per-shape tuning on a cold cache come first.
  RESUME_S   lines of camera 0 again after its server is back: one back-off
             (at most BACKOFF_MAX) plus an RTSP handshake and a first frame
             through the tiny model, times a margin for a loaded machine.
  STALL_S    cascade-rtsp reports camera 0 stalled after SIGSTOP: the stall
             timeout (STALL) plus the application's 0.2 s tick, with margin.
  STOP_S     exit after SIGINT: the EOS through both branches (the
             application itself gives up after 30 s).
  EOS_S      camera 0 streaming again after its stream's end: the end comes
             EOS_FRAMES / 25 s after the start, then one initial back-off
             and a handshake.
Camera 1 must add at least OTHER_MIN lines during each outage of camera 0,
which lasts several seconds at 25 frames/s.

Nothing is asserted about detections: the test picture need not contain
anything the fixture model finds; a line per analysed frame is what counts.
All child processes die with the test (PR_SET_PDEATHSIG) and are killed in
a finally clause; everything is on 127.0.0.1."""
import argparse
import ctypes
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

STALL = 4.0            # --stall-timeout of the application
CONNECT = 8.0          # --connect-timeout
BACKOFF_INITIAL = 0.5
BACKOFF_MAX = 2.0
OUTAGE = 3.0           # seconds the killed server stays down
FREEZE = 10.0          # seconds the server stays stopped: > 2 x STALL
EOS_FRAMES = 100       # camera 0's first server ends its streams after 4 s

START_S = 180.0
RESUME_S = 45.0
STALL_S = STALL + 16.0
STOP_S = 45.0
EOS_S = 45.0
NEW_LINES = 5          # "lines resumed": this many after the server is back
                       # (more than the 2 queued + 1 analysed frames that
                       # may still be in flight from before the outage)
OTHER_MIN = 3
# the sum of the bounds above, with the servers' start-up waits, stays
# under meson's timeout for this test (480 s), so that a failure is
# reported here, with the application's log; nothing outlives the test
SERVER_MAX_SECONDS = 470
APP_MAX_SECONDS = 470

_libc = ctypes.CDLL('libc.so.6', use_errno=True)
PR_SET_PDEATHSIG = 1


def die_with_parent():
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Fail(Exception):
    pass


def now():
    return time.monotonic()


def wait_for(what, bound, cond, step=0.1):
    """Polls cond() until true; returns the seconds it took."""
    t0 = now()
    while True:
        if cond():
            return now() - t0
        if now() - t0 > bound:
            raise Fail('%s: not within %.0f s' % (what, bound))
        time.sleep(step)


class Server:
    def __init__(self, exe, log_path, env):
        self.exe, self.log_path, self.env = exe, log_path, env
        self.proc, self.port = None, 0

    def start(self, port=0, extra=()):
        """Starts it on port (0: any); retries while the port is busy
        (bounded): the killed server's port may take a moment to free."""
        for _ in range(20):
            log = open(self.log_path, 'ab')
            self.proc = subprocess.Popen(
                [self.exe, '--port', str(port),
                 '--max-seconds', str(SERVER_MAX_SECONDS)] + list(extra),
                stdout=subprocess.PIPE, stderr=log, env=self.env,
                preexec_fn=die_with_parent)
            log.close()
            line = self._read_line(60.0)
            m = re.match(rb'PORT (\d+)', line or b'')
            if m:
                self.port = int(m.group(1))
                return
            self.proc.wait(10)
            if port == 0:
                raise Fail('the RTSP server did not start (%s)' % self.log_path)
            time.sleep(0.5)
        raise Fail('the RTSP server cannot listen on port %d again' % port)

    def _read_line(self, bound):
        buf = b''
        t0 = now()
        while now() - t0 < bound and not buf.endswith(b'\n'):
            r, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if r:
                c = os.read(self.proc.stdout.fileno(), 1)
                if not c:
                    break
                buf += c
        return buf

    def url(self):
        return 'rtsp://127.0.0.1:%d/cam' % self.port

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        """SIGTERM: its clean exit (and, in a sanitizer build, its leak
        check); returns the exit status."""
        self.proc.send_signal(signal.SIGCONT)
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(15)
        except subprocess.TimeoutExpired:
            raise Fail('the RTSP server ignores SIGTERM')

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
            self.proc.wait(10)


def count_lines(path):
    try:
        with open(path, 'rb') as f:
            return f.read().count(b'\n')
    except FileNotFoundError:
        return 0


def read_log(path):
    with open(path, 'r', errors='replace') as f:
        return f.read()


def streaming_after(app_log, log_len, back_wall):
    """Seconds from back_wall (time.time() when the server came back) to
    the first "camera 0 streaming" line past offset log_len of the
    application's log (stamped with the local time of day)."""
    text = read_log(app_log)[log_len:]
    m = re.search(r'^(\d\d):(\d\d):(\d\d\.\d+) cascade-rtsp: camera 0 '
                  r'streaming', text, re.M)
    if not m:
        raise Fail('no "camera 0 streaming" after the server came back')
    t_stream = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + \
        float(m.group(3))
    lt = time.localtime(back_wall)
    t_back = lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec + back_wall % 1.0
    return (t_stream - t_back) % 86400.0


def streamed_since(app_log, log_len):
    """Whether the application's log has a "camera 0 streaming" line past
    offset log_len."""
    return re.search(r'^\S+ cascade-rtsp: camera 0 streaming',
                     read_log(app_log)[log_len:], re.M) is not None


def last_line(path):
    with open(path, 'rb') as f:
        lines = f.read().split(b'\n')
    return json.loads(lines[-2] if len(lines) > 1 else b'{}')


def check_json_file(path):
    with open(path, 'rb') as f:
        data = f.read()
    if not data:
        raise Fail('%s is empty' % path)
    if not data.endswith(b'\n'):
        raise Fail('%s does not end on a complete line' % path)
    lines = data.split(b'\n')[:-1]
    for i, line in enumerate(lines):
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise Fail('%s line %d is not JSON (%s): %r' % (path, i + 1, e,
                                                             line[:200]))
        if 'objects' not in obj or 'frame' not in obj:
            raise Fail('%s line %d lacks frame/objects' % (path, i + 1))
    return len(lines)


def run(args):
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    out_dir = os.path.join(work, 'json')
    app_log = os.path.join(work, 'cascade-rtsp.log')
    files = [os.path.join(out_dir, 'cam%d.jsonl' % i) for i in range(2)]

    env = dict(os.environ)
    server_env = dict(env)
    # a registry file per process kind: they scan different plugins
    server_env['GST_REGISTRY_1_0'] = env.get(
        'GST_REGISTRY_1_0', os.path.join(work, 'registry.bin')) + '.server'

    servers = [Server(args.server, os.path.join(work, 'server%d.log' % i),
                      server_env) for i in range(2)]
    app = None
    times = {}
    try:
        # camera 0's first server ends each session's stream after
        # EOS_FRAMES frames: rtspsrc gets an RTCP BYE and ends in EOS
        servers[0].start(extra=['--frames', str(EOS_FRAMES)])
        servers[1].start()
        print('servers on ports %d and %d' % (servers[0].port,
                                                servers[1].port))
        with open(app_log, 'wb') as log:
            app = subprocess.Popen(
                [args.app, '--model', args.model, '--output-dir', out_dir,
                 '--stall-timeout', str(STALL),
                 '--connect-timeout', str(CONNECT),
                 '--backoff-initial', str(BACKOFF_INITIAL),
                 '--backoff-max', str(BACKOFF_MAX),
                 '--duration', str(APP_MAX_SECONDS),
                 # fewer objects and no masks: more frames per second
                 '--detect-props', 'masks=false max-detections=10',
                 # RTP inside the RTSP connection to 127.0.0.1: no UDP
                 # port opened on any interface
                 '--rtsp-props', 'protocols=tcp',
                 servers[0].url(), servers[1].url()],
                stdout=log, stderr=subprocess.STDOUT, env=env,
                preexec_fn=die_with_parent)

        def alive():
            if app.poll() is not None:
                raise Fail('cascade-rtsp exited early with %d' % app.returncode)
            return True

        times['start'] = wait_for(
            'first lines of both cameras', START_S,
            lambda: alive() and all(count_lines(f) >= 3 for f in files))

        # 1. the end of camera 0's stream (EOS) is a failure too: the
        # application reconnects and the next session streams again
        times['eos_streaming'] = wait_for(
            'camera 0 streaming again after its end of stream', EOS_S,
            lambda: alive() and re.search(
                r'camera 0 stalled: end of stream.*\n(.*\n)*.*camera 0 '
                r'streaming', read_log(app_log)) is not None)

        # 2. kill and restart camera 0's server (without --frames), at
        # another picture size: the new source negotiates new caps with the
        # branch that stayed
        servers[0].signal(signal.SIGKILL)
        servers[0].proc.wait(10)
        other0 = count_lines(files[1])
        t_kill = now()
        time.sleep(OUTAGE)
        log_len = len(read_log(app_log))
        servers[0].start(servers[0].port, ['--width', '320', '--height',
                                           '240'])
        back_wall = time.time()
        # first the new session, then its lines: lines the JSON file had
        # not flushed before the kill must not count as resumed
        wait_for('camera 0 streaming after its server restarted', RESUME_S,
                 lambda: alive() and streamed_since(app_log, log_len))
        base = count_lines(files[0])
        times['kill_resume'] = wait_for(
            'camera 0 lines after its server restarted', RESUME_S,
            lambda: alive() and count_lines(files[0]) >= base + NEW_LINES)
        times['kill_streaming'] = streaming_after(app_log, log_len, back_wall)
        last = last_line(files[0])
        if (last.get('width'), last.get('height')) != (320, 240):
            raise Fail('camera 0 after the restart: %sx%s, not 320x240'
                       % (last.get('width'), last.get('height')))
        other = count_lines(files[1]) - other0
        print('camera 1 wrote %d lines during camera 0\'s %.1f s outage'
              % (other, now() - t_kill))
        if other < OTHER_MIN:
            raise Fail('camera 1 stopped during camera 0\'s outage')
        if 'camera 0 reconnecting' not in read_log(app_log):
            raise Fail('no "camera 0 reconnecting" in the log')

        # 3. freeze camera 0's server longer than the stall timeout
        other0 = count_lines(files[1])
        log_len = len(read_log(app_log))
        servers[0].signal(signal.SIGSTOP)
        t_stop = now()
        times['stall_detect'] = wait_for(
            'camera 0 reported stalled', STALL_S,
            lambda: alive() and 'camera 0 stalled' in
            read_log(app_log)[log_len:])
        time.sleep(max(0.0, FREEZE - (now() - t_stop)))
        log_len = len(read_log(app_log))
        servers[0].signal(signal.SIGCONT)
        back_wall = time.time()
        wait_for('camera 0 streaming after its server thawed', RESUME_S,
                 lambda: alive() and streamed_since(app_log, log_len))
        base = count_lines(files[0])
        times['freeze_resume'] = wait_for(
            'camera 0 lines after its server thawed', RESUME_S,
            lambda: alive() and count_lines(files[0]) >= base + NEW_LINES)
        times['freeze_streaming'] = streaming_after(app_log, log_len, back_wall)
        other = count_lines(files[1]) - other0
        print('camera 1 wrote %d lines during camera 0\'s %.1f s freeze'
              % (other, now() - t_stop))
        if other < OTHER_MIN:
            raise Fail('camera 1 stopped during camera 0\'s freeze')

        # 4. a clean stop
        app.send_signal(signal.SIGINT)
        t0 = now()
        try:
            rc = app.wait(STOP_S)
        except subprocess.TimeoutExpired:
            raise Fail('cascade-rtsp still running %.0f s after SIGINT'
                       % STOP_S)
        times['stop'] = now() - t0
        if rc != 0:
            raise Fail('cascade-rtsp exited with %d after SIGINT' % rc)
        for f in files:
            print('%s: %d lines, all JSON' % (os.path.basename(f),
                                              check_json_file(f)))
        for i, s in enumerate(servers):
            rc = s.stop()
            if rc != 0:
                raise Fail('RTSP server %d exited with %d (%s)'
                           % (i, rc, s.log_path))
        for k in ('start', 'eos_streaming', 'kill_streaming', 'kill_resume', 'stall_detect',
                  'freeze_streaming', 'freeze_resume', 'stop'):
            print('%-16s %6.1f s' % (k, times[k]))
        return 0
    except Fail as e:
        print('FAIL: %s' % e)
        print('---- cascade-rtsp log (last 80 lines) ----')
        if os.path.exists(app_log):
            print('\n'.join(read_log(app_log).splitlines()[-80:]))
        return 1
    finally:
        if app and app.poll() is None:
            app.kill()
            app.wait(10)
        for s in servers:
            s.kill()


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--app', required=True)
    p.add_argument('--server', required=True)
    p.add_argument('--model', required=True)
    p.add_argument('--work-dir', required=True)
    return run(p.parse_args())


if __name__ == '__main__':
    sys.exit(main())
