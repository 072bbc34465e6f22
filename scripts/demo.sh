#!/usr/bin/env bash
# The main job, for now: make a package between two real firmware images,
# apply it as a device would (A/B: to a new file), then update an image in
# place through the power-fail-safe engine, with the power cut in the
# middle and the update resumed on the "next boot".
#
#   scripts/demo.sh CFOTA_BINARY CORPUS_DIR
set -euo pipefail
cfota=$1
corpus=$2
pair=esp8266-micropython-1.9.4-1.10
old=$corpus/$pair/old.bin
new=$corpus/$pair/new.bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "Package from $pair (old $(stat -c %s "$old") bytes -> new $(stat -c %s "$new") bytes)"
"$cfota" diff "$old" "$new" -o "$work/update.cfp" --from-version v1.9.4 --to-version v1.10
"$cfota" info "$work/update.cfp"

step "Apply it as a device with two slots would, checking every hash"
"$cfota" apply "$old" "$work/update.cfp" -o "$work/rebuilt.bin"
cmp "$work/rebuilt.bin" "$new" && echo "rebuilt image is identical to new.bin"

step "In place: the target overwrites the running image through 16 KiB of scratch"
"$cfota" diff --in-place "$old" "$new" -o "$work/inplace.cfp" --from-version v1.9.4 --to-version v1.10
cp "$old" "$work/image.bin"
set +e
"$cfota" apply --in-place "$work/image.bin" "$work/inplace.cfp" --state "$work/device" --power-cut-after 400
status=$?
set -e
echo "exit status $status (75: the power went away after 400 flash operations)"
step "Next boot: the engine reads its journal and carries on"
"$cfota" apply --in-place "$work/image.bin" "$work/inplace.cfp" --state "$work/device"
cmp "$work/image.bin" "$new" && echo "image.bin is now exactly new.bin"
