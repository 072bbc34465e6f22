#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench/stack_depth.py: worst-case stack per entry point, from GCC's
-fcallgraph-info=su output (.ci files, VCG format).

For each public function (name starting with a prefix, default "cfota_"),
the deepest path through the static call graph: the sum of the frames
(-fstack-usage figures) along it. Calls through function pointers (the
integrator's callbacks) count as 0 here; their own stack comes on top.
Recursion would make the depth unbounded; the library has none, and this
script fails loudly if it finds a cycle.

    stack_depth.py [--prefix cfota_] FILE.ci ...
"""
import re
import sys

NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
FRAME = re.compile(r'\\n(\d+) bytes \(')


def load(paths):
    frame, calls = {}, {}
    for path in paths:
        with open(path) as f:
            for line in f:
                m = NODE.search(line)
                if m:
                    s = FRAME.search(m.group(2))
                    frame.setdefault(m.group(1), 0)
                    if s:
                        frame[m.group(1)] = int(s.group(1))
                    continue
                m = EDGE.search(line)
                if m:
                    calls.setdefault(m.group(1), set()).add(m.group(2))
    # A function defined in another file appears there under its plain name.
    return frame, calls


def depth(fn, frame, calls, memo, active):
    if fn in memo:
        return memo[fn]
    if fn in active:
        raise SystemExit("stack_depth: recursion through %s" % fn)
    active.add(fn)
    best = 0
    for callee in calls.get(fn, ()):
        best = max(best, depth(callee, frame, calls, memo, active))
    active.discard(fn)
    memo[fn] = frame.get(fn, 0) + best
    return memo[fn]


def main(argv):
    prefix = "cfota_"
    if len(argv) > 2 and argv[1] == "--prefix":
        prefix = argv[2]
        argv = argv[2:]
    frame, calls = load(argv[1:])
    memo = {}
    rows = []
    for fn in sorted(frame):
        if fn.startswith(prefix) and ":" not in fn:
            rows.append((fn, depth(fn, frame, calls, memo, set())))
    for fn, d in rows:
        print("%-32s %6d" % (fn, d))


if __name__ == "__main__":
    main(sys.argv)
