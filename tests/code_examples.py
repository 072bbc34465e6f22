#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""tests/code_examples.py SOURCE BUILD CC: compile the C examples of the docs.

Examples a reader copies must compile against the headers they show, so
they are compiled here, every one, with the device library's strictness
(C99, -pedantic, -Werror):

- in the public headers (include/cfota/*.h, controller/include/cfota_ctl/*.h),
  a comment paragraph with "compiled by the tests" on one line introduces the
  example: the indented comment lines that follow it (up to the first
  unindented line) are the code;
- in README.md and docs/*.md, every ```c block.

A snippet with its own #include lines is compiled as a file of its own;
any other is the body of a function, after every public header.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

MARK = "compiled by the tests"


def header_examples(path):
    """The example code of one header: a list of (line number, code)."""
    lines = open(path, encoding="utf-8").read().split("\n")
    found = []
    i = 0
    while i < len(lines):
        if MARK in lines[i]:  # on one line, so that it can be found
            start, code = i + 1, []
            j = i + 1
            # Skip the rest of the introducing paragraph.
            while j < len(lines) and lines[j].strip() not in ("*",) and not lines[j].startswith(" *     "):
                j += 1
            while j < len(lines):
                l = lines[j]
                if l.startswith(" *     "):
                    code.append(l[7:])
                elif l.strip() == "*":
                    code.append("")
                else:
                    break
                j += 1
            while code and not code[-1].strip():
                code.pop()
            if not code:
                sys.exit("%s:%d: '%s' but no indented example follows" % (path, start, MARK))
            found.append((start, "\n".join(code)))
            i = j
        i += 1
    return found


def markdown_examples(path):
    text = open(path, encoding="utf-8").read()
    out = []
    for m in re.finditer(r"^```c\n(.*?)^```", text, re.S | re.M):
        out.append((text[:m.start()].count("\n") + 1, m.group(1)))
    return out


def main():
    src, build, cc = sys.argv[1], sys.argv[2], sys.argv[3]
    incs = [os.path.join(src, "include"), os.path.join(build, "include"),
            os.path.join(src, "controller", "include")]
    headers = sorted(glob.glob(os.path.join(src, "include", "cfota", "*.h")) +
                     glob.glob(os.path.join(build, "include", "cfota", "*.h")) +
                     glob.glob(os.path.join(src, "controller", "include", "cfota_ctl", "*.h")))
    prelude = "".join('#include "%s/%s"\n' % (os.path.basename(os.path.dirname(h)), os.path.basename(h))
                      for h in headers)
    examples = []
    for h in headers:
        examples += [(h, n, c) for n, c in header_examples(h)]
    for md in [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md"))):
        examples += [(md, n, c) for n, c in markdown_examples(md)]
    if not any(h.endswith("update.h") for h, _, _ in examples):
        sys.exit("no example found in cfota/update.h: has the '%s' marker gone?" % MARK)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for k, (where, line, code) in enumerate(examples):
            if "#include" in code:
                unit = code
            else:
                unit = prelude + "\nvoid cfota_example_%d(void);\nvoid cfota_example_%d(void)\n{\n%s\n}\n" % (k, k, code)
            c = os.path.join(tmp, "example%d.c" % k)
            open(c, "w").write(unit)
            cmd = [cc, "-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-Wno-unused-variable",
                   "-Wno-unused-function", "-Wno-unused-parameter", "-Wno-unused-but-set-variable",
                   "-fsyntax-only"] + ["-I" + i for i in incs] + [c]
            r = subprocess.run(cmd, capture_output=True, text=True)
            rel = os.path.relpath(where, src) if where.startswith(src) else where
            if r.returncode != 0:
                failed += 1
                print("%s:%d: the example does not compile:\n%s" % (rel, line, r.stderr), file=sys.stderr)
            else:
                print("%s:%d: ok" % (rel, line))
    if failed:
        sys.exit("%d of %d examples do not compile" % (failed, len(examples)))
    print("%d examples compile" % len(examples))


main()
