#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench/map_code.py: code bytes a GNU ld link kept from some objects.

Sums the .text* and .rodata* input sections of the objects whose path
matches REGEX among those the linker kept (--gc-sections dropped the rest;
the map lists the dropped ones before "Linker script and memory map").
It tells what a firmware really pays for a part of it, libc left out.

    map_code.py LINK.map REGEX    prints the byte count
"""
import re
import sys


def kept_code(map_path, objects):
    total, pending, kept = 0, None, False
    with open(map_path) as f:
        for line in f:
            if line.startswith("Linker script and memory map"):
                kept = True  # before it: the discarded input sections
            if not kept:
                continue
            m = re.match(r"^ (\.(?:text|rodata)\S*)\s*$", line)
            if m:  # a long section name: its address and size are on the next line
                pending = m.group(1)
                continue
            m = re.match(r"^ (\.(?:text|rodata)\S*)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+\.o)$", line)
            if m and (m.group(1) or pending) and objects.search(m.group(3)):
                total += int(m.group(2), 16)
            pending = None
    return total


def main(argv):
    if len(argv) != 3:
        raise SystemExit("usage: map_code.py LINK.map REGEX")
    print(kept_code(argv[1], re.compile(argv[2])))


if __name__ == "__main__":
    main(sys.argv)
