#!/usr/bin/python3
"""One summary line over meson test runs, from meson's own logs.

  scripts/test-summary.py BUILD_DIR...

Prints every failed or skipped test (a skip counts as a failure: a feature
the suite did not check), then "N passed, N failed".  A build directory
without a test log counts as one failure (its build failed).  Exits 1 when
anything failed."""
import json
import os
import sys

passed = failed = 0
for d in sys.argv[1:]:
    log = os.path.join(d, 'meson-logs', 'testlog.json')
    if not os.path.exists(log):
        failed += 1
        print('%s: no test log (build failed?)' % d)
        continue
    for line in open(log):
        t = json.loads(line)
        r = t.get('result')
        if r == 'OK':
            passed += 1
        elif r == 'SKIP':
            failed += 1
            print('SKIPPED (counts as failed): %s %s' % (d, t.get('name')))
        else:
            failed += 1
            print('FAILED: %s %s (%s)' % (d, t.get('name'), r))
print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
