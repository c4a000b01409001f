#!/usr/bin/env python3
"""The layout's rules (issue 11), checked on the tree and the built engine:

* no cycle among the engine's modules (a .c and its .h are one module):
  not in includes (opencl/, common/ sources), not in calls (the symbols
  each object file of the engine library defines and uses, read with nm);
* gst/ includes nothing of the engine but its public header
  (opencl/include/cascade.h), besides common/'s and the meta library's;
* no C file over 600 lines and no function over 120 lines in opencl/,
  common/, gst/, tools/ and examples/ (generated ORC fallbacks excepted).

  test_layout.py SOURCE_ROOT ENGINE_LIB.a [COMMON_LIB.a]
Exit status 0 when every rule holds, 1 otherwise (each breach printed)."""
import glob
import os
import re
import subprocess
import sys

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 120
FAILS = []


def fail(msg):
    print('FAIL ' + msg)
    FAILS.append(msg)


def cycles(graph):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def include_graph(root):
    graph = {}
    srcs = glob.glob(os.path.join(root, 'opencl', '**', '*.[ch]'),
                     recursive=True) + \
        glob.glob(os.path.join(root, 'common', '*.[ch]'))
    for f in srcs:
        mod = os.path.relpath(os.path.splitext(f)[0], root)
        graph.setdefault(mod, set())
        for inc in re.findall(r'#include "([^"]+)"', open(f).read()):
            for base in ('opencl', 'opencl/include', 'common',
                         os.path.dirname(os.path.relpath(f, root))):
                cand = os.path.join(root, base, inc)
                if os.path.exists(cand):
                    target = os.path.relpath(os.path.splitext(cand)[0], root)
                    if target != mod:
                        graph[mod].add(target)
                    break
    return graph


def call_graph(libs):
    defs, uses = {}, {}
    for lib in libs:
        member = None
        out = subprocess.check_output(['nm', lib], text=True)
        for line in out.splitlines():
            if line.endswith(':') and line.strip().endswith('.o:'):
                member = line.strip()[:-1]
                uses.setdefault(member, set())
                continue
            parts = line.split()
            if member is None:
                continue
            if len(parts) == 3 and parts[1] in 'TDBR':
                defs[parts[2]] = member
            elif len(parts) == 2 and parts[0] == 'U':
                uses[member].add(parts[1])
    graph = {m: {defs[u] for u in us if u in defs and defs[u] != m}
             for m, us in uses.items()}
    return graph


def check_gst_includes(root):
    allowed_outside = {'cascade.h', 'gstcascademeta.h', 'rle.h',
                       'mask-paste.h'}
    gst = os.path.join(root, 'gst')
    for f in glob.glob(os.path.join(gst, '**', '*.[ch]'), recursive=True):
        if f.endswith(('-dist.c', '-dist.h')):  # orcc's output
            continue
        for inc in re.findall(r'#include "([^"]+)"', open(f).read()):
            here = os.path.join(os.path.dirname(f), inc)
            if os.path.exists(here) or inc in allowed_outside or \
                    inc in ('cascadeoverlay-orc.h',):
                continue
            fail('%s includes "%s" (gst/ sees only the public engine header)'
                 % (os.path.relpath(f, root), inc))


def check_sizes(root):
    for d in ('opencl', 'common', 'gst', 'tools', 'examples'):
        for f in glob.glob(os.path.join(root, d, '**', '*.c'),
                           recursive=True):
            if f.endswith('-dist.c'):
                continue
            rel = os.path.relpath(f, root)
            text = open(f).read()
            lines = text.split('\n')
            # wc -l's count: the newline that ends the last line does not
            # start another
            n_lines = len(text.splitlines())
            if n_lines > MAX_FILE_LINES:
                fail('%s: %d lines (> %d)' % (rel, n_lines, MAX_FILE_LINES))
            start = None
            for i, line in enumerate(lines):
                if line == '{':
                    start = i
                elif line == '}' and start is not None:
                    n = i - start + 1
                    if n > MAX_FUNCTION_LINES:
                        fail('%s:%d: function of %d lines (> %d)' % (
                            rel, start, n, MAX_FUNCTION_LINES))
                    start = None


def main(argv):
    root, libs = argv[1], argv[2:]
    g = include_graph(root)
    c = cycles(g)
    print('includes: %d modules, %d cycles' % (len(g), len(c)))
    for comp in c:
        fail('include cycle: ' + ' -> '.join(comp))
    g = call_graph(libs)
    c = cycles(g)
    print('calls: %d object files, %d cycles' % (len(g), len(c)))
    if len(g) < 40:
        fail('calls: only %d object files read from %s' % (len(g), libs))
    for comp in c:
        fail('call cycle: ' + ' -> '.join(comp))
    check_gst_includes(root)
    check_sizes(root)
    print('%d failure(s)' % len(FAILS))
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
