#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/doc_commands.sh SOURCE BUILD IMAGES: run the command examples of
# the docs.
#
# Every line of every ```sh block of README.md and docs/cli.md is run, in
# order, as a user would type it, so that the examples cannot drift from
# the tool. Each document gets a fresh folder holding two firmware images,
# old.bin and new.bin (two releases of the example firmware, from the
# folder IMAGES), and `cfota` is the one just built. The rules:
#
#   - a line must exit 0, or N if its comment says "# exit N";
#   - a line ending in "&" starts a program that keeps running (the
#     emulator, the server): it is started in the background and waited for
#     until it prints its first line (an emulator: until it answers AT);
#     every one is stopped (SIGTERM, then SIGKILL) and reaped at the end,
#     on every path;
#   - /tmp/ in a line means the document's folder (tests run side by side);
#     `cfota server` without --port gets --port 0, and the address it then
#     prints replaces 127.0.0.1:8070 and is exported as CFOTA_SERVER;
#   - ./run lines are not run (they are the suite that runs this).
set -uo pipefail
src=$(cd "$1" && pwd) build=$(cd "$2" && pwd) images=$(cd "$3" && pwd)
export PATH="$build:$PATH"
root=$(mktemp -d)
pids=()

stop_all() {
  local p i
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  pids=()
}
trap 'stop_all; rm -rf "$root"' EXIT

fail() { echo "doc_commands.sh: $*" >&2; exit 1; }

# Two builds of a firmware: releases 1.0.0 and 1.1.0 of the example
# firmware (examples/m4app), as the build made them.
make_images() { # make_images DIR
  cp "$images/m4app-v1.bin" "$1/old.bin" && cp "$images/m4app-v2.bin" "$1/new.bin" ||
    fail "no example firmware in $images (is the m4app target built?)"
}

# The lines of the ```sh blocks of a document, as "LINE<TAB>text".
sh_lines() {
  awk '/^```sh$/ { inside = 1; next } /^```/ { inside = 0 } inside { printf "%d\t%s\n", NR, $0 }' "$1"
}

server_url=""

start_background() { # start_background WHERE COMMAND
  local where=$1 cmd=$2 log i
  if [[ $cmd == "cfota server"* && $cmd != *--port* ]]; then cmd="$cmd --port 0"; fi
  log=$(mktemp -p "$dir" bg.XXXXXX)
  # exec: the pid is the program itself, so stopping it stops it.
  eval "exec $cmd" >"$log" 2>&1 &
  pids+=($!)
  for i in $(seq 400); do
    [ -s "$log" ] && break
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$log" >&2; fail "$where: '$cmd' ended at start"; }
    sleep 0.05
  done
  [ -s "$log" ] || fail "$where: '$cmd' said nothing in 20 s"
  # An emulated module makes its link before it has booted; a user types
  # the next command later than a script does, so wait until it answers.
  if [[ $cmd == "cfota modem"* && $cmd =~ --link\ ([^ ]+) ]]; then
    for i in $(seq 100); do
      cfota at --port "${BASH_REMATCH[1]}" --timeout 300 AT >/dev/null 2>&1 && break
      [ "$i" = 100 ] && fail "$where: the module never answered AT"
    done
  fi
  if [[ $cmd == "cfota server"* ]]; then
    server_url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1)
    [ -n "$server_url" ] || { cat "$log" >&2; fail "$where: the server did not say where it listens"; }
    export CFOTA_SERVER=$server_url
  fi
  echo "$where: started: $cmd"
}

run_document() { # run_document FILE
  local doc=$1 name n text cmd want got out count=0
  name=${doc#"$src"/}
  dir=$root/$(basename "$doc" .md)
  mkdir -p "$dir"
  make_images "$dir"
  server_url=""
  unset CFOTA_SERVER CFOTA_ADMIN_TOKEN
  cd "$dir" || fail "cd $dir"
  while IFS=$'\t' read -r n text; do
    want=0
    if [[ $text =~ \#\ exit\ ([0-9]+) ]]; then want=${BASH_REMATCH[1]}; fi
    cmd=$(sed 's/[[:space:]]\+#.*$//; s/^#.*$//; s/[[:space:]]*$//' <<<"$text")
    [ -z "$cmd" ] && continue
    [[ $cmd == ./run* ]] && continue
    cmd=${cmd//\/tmp\//$dir/}
    [ -n "$server_url" ] && cmd=${cmd//http:\/\/127.0.0.1:8070/$server_url}
    count=$((count + 1))
    if [[ $cmd == *"&" ]]; then
      start_background "$name:$n" "${cmd%&}"
      continue
    fi
    if [[ $cmd == export\ * ]]; then
      eval "$cmd" || fail "$name:$n: '$cmd' failed"
      echo "$name:$n: ok: $cmd"
      continue
    fi
    out=$(eval "timeout 120 $cmd" 2>&1 </dev/null)
    got=$?
    if [ "$got" != "$want" ]; then
      printf '%s\n' "$out" >&2
      fail "$name:$n: '$cmd' exited $got, the document says $want"
    fi
    echo "$name:$n: ok (exit $got): $cmd"
  done < <(sh_lines "$doc")
  [ "$count" -gt 0 ] || fail "$name has no sh example left: nothing checked"
  stop_all
  cd "$root" || fail "cd $root"
}

run_document "$src/README.md"
run_document "$src/docs/cli.md"
echo "doc_commands.sh: every example ran as documented"
