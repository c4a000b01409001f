#!/usr/bin/env python3
"""The public engine API as a linker version script: every function that
opencl/include/cascade.h declares is exported by libcascade-engine, nothing
else (the engine's internals and common/ stay local).

  public-symbols.py cascade.h OUT.map      write the version script
  public-symbols.py --list cascade.h       print the names, one a line"""
import re
import sys


def names(header):
    text = open(header).read()
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    # a declaration: "type name (args);" at the start of a statement
    found = re.findall(r'\b(cascade_[a-z0-9_]+)\s*\([^;{]*\)\s*;', text)
    return sorted(set(found))


def main(argv):
    if argv[1] == '--list':
        print('\n'.join(names(argv[2])))
        return 0
    syms = names(argv[1])
    with open(argv[2], 'w') as f:
        f.write('{\n  global:\n')
        for s in syms:
            f.write('    %s;\n' % s)
        f.write('  local:\n    *;\n};\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
