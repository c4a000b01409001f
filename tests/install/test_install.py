#!/usr/bin/env python3
"""A clean install (issue 15): `meson install` into a temporary DESTDIR,
then, with no LD_LIBRARY_PATH and nothing of the build tree:

* the plugin exports its plugin symbols only, and carries an RPATH that
  finds libgstcascademeta in any prefix;
* `gst-launch-1.0 videotestsrc num-buffers=3 ! cascadedetect ! fakesink`
  runs from the installed plugin, whose default model (`demo`) is found in
  the installed data dir of that prefix;
* libcascade-engine exports exactly the functions of the installed
  cascade.h, and a program built against it through its pkg-config file
  loads the installed demo model;
* the tools are on <bindir> under the project's names (cascade-run,
  cascade-model-info, cascade-tune, cascade-convert, cascade-model) and run.

  test_install.py --build-dir DIR --meson MESON --system-plugins DIR
                  [--sanitize]   (ASan build: the runtime is preloaded into
                                  the uninstrumented gst-launch-1.0)
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

FAILS = []
HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN_SYMBOLS = {'gst_plugin_cascade_get_desc', 'gst_plugin_cascade_register',
                  'gst_plugin_desc'}
TOOLS = ['cascade-run', 'cascade-model-info', 'cascade-tune',
         'cascade-convert', 'cascade-model']

ENGINE_PROGRAM = r'''
#include <cascade.h>
#include <stdio.h>
int main (int argc, char **argv)
{
  GError *error = NULL;
  CascadeEngine *e = cascade_engine_new (NULL, argv[1], &error);
  if (!e) { fprintf (stderr, "%s\n", error->message); return 1; }
  printf ("classes %u masks %d\n", cascade_engine_num_classes (e),
      cascade_engine_has_masks (e));
  cascade_engine_free (e);
  return 0;
}
'''


def check(cond, msg):
    print(('ok   ' if cond else 'FAIL ') + msg)
    if not cond:
        FAILS.append(msg)
    return cond


def clean_env(args, tmp):
    env = dict(os.environ)
    for k in ('LD_LIBRARY_PATH', 'GST_PLUGIN_PATH', 'GST_PLUGIN_PATH_1_0',
              'CASCADE_MODEL_PATH', 'CASCADE_DEVICE'):
        env.pop(k, None)
    env['XDG_DATA_HOME'] = os.path.join(tmp, 'empty-data-home')
    env['GST_REGISTRY_1_0'] = os.path.join(tmp, 'registry.bin')
    env['GST_PLUGIN_SYSTEM_PATH_1_0'] = args.system_plugins
    if args.sanitize:
        lib = subprocess.run(['gcc', '-print-file-name=libasan.so'],
                             capture_output=True, text=True).stdout.strip()
        env['LD_PRELOAD'] = lib
        env['ASAN_OPTIONS'] = 'detect_leaks=0'
    return env


def defined_dynamic(lib):
    out = subprocess.run(['nm', '-D', '--defined-only', lib],
                         capture_output=True, text=True, check=True).stdout
    return {l.split()[-1].split('@')[0] for l in out.splitlines() if l.strip()}


def header_functions(header):
    out = subprocess.run([sys.executable, os.path.join(HERE, '..', '..',
                          'opencl', 'public-symbols.py'), '--list', header],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def check_plugin(plugin):
    syms = defined_dynamic(plugin)
    check('gst_plugin_cascade_get_desc' in syms and syms <= PLUGIN_SYMBOLS,
          'plugin exports only its plugin symbols (%d exported%s)' % (
              len(syms), '' if syms <= PLUGIN_SYMBOLS else ': ' +
              ', '.join(sorted(syms - PLUGIN_SYMBOLS)[:8])))
    dyn = subprocess.run(['readelf', '-d', plugin], capture_output=True,
                         text=True, check=True).stdout
    check(re.search(r'R(UN)?PATH.*\$ORIGIN', dyn) is not None,
          'plugin has an $ORIGIN RPATH')


def check_pipeline(plugin, prefix, env):
    env = dict(env, GST_PLUGIN_PATH=os.path.dirname(plugin),
               GST_DEBUG='cascadedetect:4', GST_DEBUG_NO_COLOR='1')
    r = subprocess.run(['gst-launch-1.0', '-q', 'videotestsrc',
                        'num-buffers=3', '!', 'cascadedetect', '!',
                        'fakesink'], env=env, capture_output=True,
                       text=True, timeout=300)
    check(r.returncode == 0, 'gst-launch-1.0 ... ! cascadedetect ! fakesink '
          'from the install (rc %d)' % r.returncode)
    if r.returncode:
        print(r.stdout[-3000:] + r.stderr[-3000:])
    want = os.path.join(prefix, 'share', 'gst-cascade', 'models',
                        'demo.safetensors')
    check(('model "demo": ' + want) in r.stderr,
          'the default model is the install\'s own, %s' % want)


def check_engine(destdir, libdir, incdir, prefix, args, env, tmp):
    libs = glob.glob(os.path.join(libdir, 'libcascade-engine.so.*.*'))
    if not check(len(libs) == 1, 'libcascade-engine installed'):
        return
    header = os.path.join(incdir, 'gst-cascade', 'cascade.h')
    if not check(os.path.exists(header), 'cascade.h installed'):
        return
    want = header_functions(header)
    got = defined_dynamic(libs[0])
    check(len(want) > 10 and got == want, 'libcascade-engine exports cascade.h '
          '(%d functions) only: extra %s, missing %s' % (
              len(want), sorted(got - want)[:8], sorted(want - got)[:8]))
    src = os.path.join(tmp, 'app.c')
    with open(src, 'w') as f:
        f.write(ENGINE_PROGRAM)
    # the .pc file names the configured prefix: moved to the DESTDIR's
    pc_dir = os.path.join(tmp, 'pkgconfig')
    os.makedirs(pc_dir)
    with open(os.path.join(libdir, 'pkgconfig', 'cascade-engine.pc')) as f:
        pc = f.read()
    with open(os.path.join(pc_dir, 'cascade-engine.pc'), 'w') as f:
        f.write(re.sub(r'^prefix=', 'prefix=' + destdir, pc, flags=re.M))
    pc_env = dict(env, PKG_CONFIG_PATH=pc_dir)
    pc_env.pop('LD_PRELOAD', None)
    flags = subprocess.run(['pkg-config', '--cflags', '--libs',
                            'cascade-engine'], env=pc_env,
                           capture_output=True, text=True)
    if not check(flags.returncode == 0 and destdir in flags.stdout,
                 'pkg-config cascade-engine (%s)' % flags.stdout.strip()):
        return
    exe = os.path.join(tmp, 'app')
    cmd = ['cc', src, '-o', exe, '-Wl,-rpath,' + libdir] + \
        flags.stdout.split()
    if args.sanitize:
        cmd.append('-fsanitize=address,undefined')
    r = subprocess.run(cmd, capture_output=True, text=True)
    if not check(r.returncode == 0, 'an application builds against the '
                 'installed engine'):
        print(r.stderr)
        return
    model = os.path.join(prefix, 'share', 'gst-cascade', 'models',
                         'demo.safetensors')
    run_env = dict(env)
    run_env.pop('LD_PRELOAD', None)
    r = subprocess.run([exe, model], env=run_env, capture_output=True,
                       text=True, timeout=300)
    check(r.returncode == 0 and 'classes 5 masks 1' in r.stdout,
          'it loads the installed demo model (%s%s)' % (
              r.stdout.strip(), r.stderr.strip()[-300:]))


def check_tools(bindir, env):
    for t in TOOLS:
        path = os.path.join(bindir, t)
        if not check(os.access(path, os.X_OK), '%s on <bindir>' % t):
            continue
        run_env = dict(env)
        run_env.pop('LD_PRELOAD', None)
        r = subprocess.run([path, '--help'], env=run_env,
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 0 and 'usage' in (r.stdout + r.stderr).lower(),
              '%s --help runs (rc %d)' % (t, r.returncode))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build-dir', required=True)
    ap.add_argument('--meson', required=True)
    ap.add_argument('--system-plugins', required=True)
    ap.add_argument('--sanitize', action='store_true')
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix='cascade-install-')
    try:
        destdir = os.path.join(tmp, 'dest')
        r = subprocess.run([args.meson, 'install', '-C', args.build_dir,
                            '--destdir', destdir, '--no-rebuild', '--quiet'],
                           capture_output=True, text=True, timeout=600)
        if not check(r.returncode == 0, 'meson install --destdir'):
            print(r.stdout[-2000:] + r.stderr[-2000:])
            return 1
        plugins = glob.glob(os.path.join(destdir, '**', 'gstreamer-1.0',
                                         'libgstcascade.so'), recursive=True)
        if not check(len(plugins) == 1, 'the plugin is installed'):
            return 1
        plugin = plugins[0]
        libdir = os.path.dirname(os.path.dirname(plugin))
        # <prefix>/<libdir>: libdir is lib or lib/<triplet>
        prefix = libdir
        while os.path.basename(prefix) != 'lib':
            prefix = os.path.dirname(prefix)
        prefix = os.path.dirname(prefix)
        env = clean_env(args, tmp)
        check_plugin(plugin)
        check_pipeline(plugin, prefix, env)
        check_engine(destdir, libdir, os.path.join(prefix, 'include'),
                     prefix, args, env, tmp)
        check_tools(os.path.join(prefix, 'bin'), env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d failed' % len(FAILS))
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
