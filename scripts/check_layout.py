#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""scripts/check_layout.py: the include rules of docs/architecture.md, checked.

Reads every #include "..." of the C sources and headers under the source
folders, resolves it to the one file of the tree it names (next to the
includer first, then by path suffix, as the build's include folders do),
and checks that the includer's folder may include the folder it lands in.
Also checks that no two headers share a name (one name, one file: an
include can never mean two things) and that every quoted include names a
file of the tree.

Usage: check_layout.py [ROOT]   (exit 0: all rules hold; 1: each broken
rule printed as FILE:LINE: what and why). Run by CTest as check_layout.
"""
import os
import re
import sys

# The folders, most specific first: a file belongs to the first that
# starts its path.
FOLDERS = [
    "include/cfota/", "controller/include/", "controller/", "modem/core/", "modem/posix/",
    "lib/", "encoder/", "sim/", "util/", "port/", "fwgen/", "cli/", "server/", "tests/", "bench/",
    "examples/", "fuzz/",
]

# The public face of the module core: what its adapters and the tools may
# include (the rest of modem/core/ is the core's own business).
MODEM_FACE = {"modem/core/modem.h", "modem/core/modem_http.h", "modem/core/ota_state.h"}
# lib/'s model headers, shared by the decoder and the encoder.
LIB_MODEL = {"lib/prob.h", "lib/hist.h", "lib/symbols.inc", "lib/operand.h", "lib/le.h"}
# The operand-prediction plug-in interface: the recognisers' unit tests
# drive it directly (a fake table and regions), white-box.
LIB_PLUGIN = {"lib/operand.h"}

# Folder -> the folders its files may include (besides their own).
# A value "modem/core/face" means only MODEM_FACE; "lib/model" only LIB_MODEL;
# "lib/plugin" only LIB_PLUGIN.
RULES = {
    "include/cfota/": [],
    "lib/": ["include/cfota/"],
    "controller/include/": ["include/cfota/"],
    # The MCU's self-update flow (ctl_self.c) drives the device library.
    "controller/": ["controller/include/", "include/cfota/"],
    "util/": ["include/cfota/", "port/"],
    "port/": ["include/cfota/"],
    "examples/": ["include/cfota/"],
    "sim/": ["include/cfota/"],
    "fwgen/": ["util/"],
    "encoder/": ["include/cfota/", "util/", "port/", "lib/model"],
    "modem/core/": ["include/cfota/", "util/"],
    "modem/posix/": ["modem/core/face", "include/cfota/", "sim/", "util/", "port/"],
    "server/": ["include/cfota/", "encoder/", "util/", "port/"],
    "cli/": ["include/cfota/", "controller/include/", "encoder/", "sim/", "util/", "port/", "server/",
             "modem/posix/", "modem/core/face"],
    "bench/": ["include/cfota/", "controller/include/", "encoder/", "sim/", "util/", "fwgen/", "port/"],
    # Fuzz targets drive the public entry points of every part.
    "fuzz/": ["include/cfota/", "controller/include/", "encoder/", "sim/", "util/", "port/", "fwgen/",
              "server/", "modem/posix/", "modem/core/"],
    # Tests may look inside the core (white-box) but not at lib/'s privates,
    # except the operand plug-in interface.
    "tests/": ["include/cfota/", "controller/include/", "encoder/", "sim/", "util/", "port/", "fwgen/",
               "server/", "examples/", "lib/plugin",
               "modem/posix/", "modem/core/", "cli/"],
}

# Headers the build generates (CMake configure_file) from a template of
# the tree: where they belong, and the template.
GENERATED = {"include/cfota/version.h": "cmake/version.h.in"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def folder_of(path):
    for f in FOLDERS:
        if path.startswith(f):
            return f
    return None


def sources(root):
    out = []
    for top in sorted({f.split("/")[0] for f in FOLDERS}):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.endswith((".c", ".h", ".inc")):
                    out.append(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/"))
    return out


def allowed(src_folder, target):
    tgt_folder = folder_of(target)
    if tgt_folder == src_folder:
        return True
    for rule in RULES.get(src_folder, []):
        if rule == "modem/core/face" and target in MODEM_FACE:
            return True
        if rule == "lib/model" and target in LIB_MODEL:
            return True
        if rule == "lib/plugin" and target in LIB_PLUGIN:
            return True
        if rule == tgt_folder:
            return True
    return False


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    files = sources(root)
    for gen, template in GENERATED.items():
        if os.path.exists(os.path.join(root, template)):
            files.append(gen)  # not read below: the template has no includes
    known = set(files)
    errors = []

    by_name = {}
    for f in files:
        if f.endswith(".h"):
            by_name.setdefault(os.path.basename(f), []).append(f)
    for name, paths in sorted(by_name.items()):
        if len(paths) > 1:
            errors.append("%s: header name %s is used %d times (%s): one name, one file"
                          % (paths[0], name, len(paths), ", ".join(paths)))

    for f in files:
        src = folder_of(f)
        if f in GENERATED:
            continue
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                inc = m.group(1)
                local = os.path.normpath(os.path.join(os.path.dirname(f), inc)).replace(os.sep, "/")
                if local in known:
                    target = local
                else:
                    found = [g for g in files if g.endswith("/" + inc)]
                    if len(found) != 1:
                        errors.append('%s:%d: #include "%s" names %s' % (
                            f, lineno, inc, "no file of the tree" if not found else "several: " + ", ".join(found)))
                        continue
                    target = found[0]
                if src not in RULES:
                    errors.append("%s:%d: %s is in no folder of the map (docs/architecture.md)" % (f, lineno, f))
                elif not allowed(src, target):
                    errors.append('%s:%d: #include "%s": %s may not include %s (docs/architecture.md)'
                                  % (f, lineno, inc, src, target))
    for e in errors:
        print(e)
    print("check_layout: %d files, %s" % (len(files), "%d broken rules" % len(errors) if errors else "all rules hold"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
