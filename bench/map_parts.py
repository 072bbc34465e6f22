#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench/map_parts.py [--strings-apart] MAP KINDS LABEL=REGEX...: the flash
a GNU ld link map says each part of a firmware takes.

Every input section the linker kept (the map's "Linker script and memory
map" part; before it are the discarded ones) whose name is one of KINDS
(comma-separated, e.g. "text,rodata,data": .text, .text.*, ...) counts for
the first part whose REGEX matches the path of its object; a section that
matches none is not counted. With --strings-apart, merged string
sections (.rodata.str1.1 and the like) are left out of every part: the map
shows them before the linker merges equal strings across objects, so they
would count more than the firmware holds; the caller states them as the
rest of the total. Prints
one line per part, in the order given: LABEL, a tab, its bytes.
bench/mcu_size.sh uses it for the MCU firmware's split and for the code of
the signature check.
"""
import re
import sys


def main():
    args = sys.argv[1:]
    strings_apart = args[0] == "--strings-apart"
    if strings_apart:
        args = args[1:]
    path, kinds = args[0], args[1].split(",")
    parts = [arg.split("=", 1) for arg in args[2:]]
    totals = [0] * len(parts)
    name = r"(\.(?:%s)(?:\.\S*)?)" % "|".join(map(re.escape, kinds))
    alone = re.compile(r"^ %s\s*$" % name)  # a long name: the numbers follow on the next line
    entry = re.compile(r"^ %s?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$" % name)
    pending, kept = None, False
    for line in open(path):
        if line.startswith("Linker script and memory map"):
            kept = True
        if not kept:
            continue
        m = alone.match(line)
        if m:
            pending = m.group(1)
            continue
        m = entry.match(line)
        merged = strings_apart and re.search(r"\.str\d", m.group(1) or pending or "") if m else False
        if m and (m.group(1) or pending) and not merged:
            for i, (_, regex) in enumerate(parts):
                if re.search(regex, m.group(3)):
                    totals[i] += int(m.group(2), 16)
                    break
        pending = None
    for (label, _), total in zip(parts, totals):
        print("%s\t%d" % (label, total))


main()
