#!/usr/bin/python3
"""tools/cascade-tune: measures every GEMM and convolution shape of a model
on the device and stores the choices in the device's tuning file
(opencl/blas/tuning.h); bad arguments and a missing model fail cleanly.

  test_cascade_tune.py --tune build/tools/cascade-tune --model M.safetensors
"""
import argparse
import configparser
import glob
import os
import shutil
import subprocess
import sys
import tempfile

CANDIDATES = {'conv': {'im2col', 'shift', 'winograd'}, 'gemm': {'cpu', 'clblast'}}


def run(cmd, env):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tune', required=True)
    ap.add_argument('--model', required=True)
    a = ap.parse_args()
    cache = tempfile.mkdtemp(prefix='cascade-tune-test-')
    env = dict(os.environ, CASCADE_CACHE_DIR=cache)
    env.pop('CASCADE_GEMM', None)
    env.pop('CASCADE_CONV', None)
    try:
        rc, out, err = run([a.tune, a.model, '-s', '160x96', '-s', '96x64'],
                           env)
        assert rc == 0, (rc, out, err)
        assert out.count('tuned ') == 2, out
        files = glob.glob(os.path.join(cache, 'tuning', '*.ini'))
        assert len(files) == 1, files
        ini = configparser.ConfigParser(delimiters=('=',))
        ini.optionxform = str
        ini.read(files[0])
        for op, names in CANDIDATES.items():
            assert ini.has_section(op), (op, ini.sections())
            assert len(ini[op]) > 0, op
            for key, value in ini[op].items():
                fields = value.split()
                assert fields[0] in names, (op, key, value)
                times = dict(f.split('=') for f in fields[1:])
                assert fields[0] in times, (op, key, value)
                # the stored choice is the fastest measured
                assert float(times[fields[0]]) == min(
                    float(t) for t in times.values()), (op, key, value)
        # both sizes left their own conv shapes
        convs = list(ini['conv'])
        assert any('-h96-w160' in k for k in convs), convs
        assert any('-h64-w96' in k for k in convs), convs

        # the cache off: it still tunes, and says nothing was stored
        rc, out, err = run([a.tune, a.model, '-s', '96x64'],
                           dict(env, CASCADE_CACHE_DIR='off'))
        assert rc == 0 and 'nothing was stored' in out, (rc, out, err)

        rc, out, err = run([a.tune, '--bogus', a.model], env)
        assert rc == 2, (rc, out, err)
        rc, out, err = run([a.tune, a.model, '-s', 'wide'], env)
        assert rc == 1 and 'bad --input-size' in err, (rc, out, err)
        rc, out, err = run([a.tune, os.path.join(cache, 'missing.st')], env)
        assert rc == 1 and 'missing.st' in err, (rc, out, err)
    finally:
        shutil.rmtree(cache)
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
