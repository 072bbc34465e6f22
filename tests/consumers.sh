#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/consumers.sh MODE SOURCE BUILD: cfota as another project uses it.
#
#   install        `cmake --install BUILD` into a temporary prefix; build
#                  tests/consumer/consumer.c against it with pkg-config and
#                  with find_package(cfota), run both
#   subdirectory   a parent project that does add_subdirectory(SOURCE)
#                  (the whole tree configured), build and run its program
#   cross          a device-only build for Cortex-M4 with
#                  cmake/arm-none-eabi.cmake: both libraries, ARM objects,
#                  no host library looked for
#
# The program must print the right CRC-32 and MD5 of "123456789" and the
# project's version, so a consumer that links but calls nothing would fail.
set -euo pipefail
mode=$1 src=$(cd "$2" && pwd) build=$(cd "$3" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's/^project(cfota VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || { echo "no version in $src/CMakeLists.txt" >&2; exit 1; }

fail() { echo "consumers.sh $mode: $*" >&2; exit 1; }

# A build with the sanitizers (./run sanitize) installs instrumented
# libraries: their consumers must link the sanitizer runtime too.
san=()
if grep -q "^CFOTA_SANITIZE:BOOL=ON" "$build/CMakeCache.txt" 2>/dev/null; then
  san=(-fsanitize=address,undefined)
fi

check_output() { # check_output PROGRAM
  local out
  out=$("$1") || fail "$1 exited $?"
  grep -qx "version $version" <<<"$out" || fail "$1: wrong version: $out"
  grep -qx "crc32 cbf43926" <<<"$out" || fail "$1: wrong CRC-32: $out"
  grep -qx "md5 25f9e794323b453885f5181f1b624d0b" <<<"$out" || fail "$1: wrong MD5: $out"
  grep -qx "status ok" <<<"$out" || fail "$1: wrong status name: $out"
  grep -qx "result ok" <<<"$out" || fail "$1: wrong controller result name: $out"
}

configure() { # configure SRC BUILD TARGET [args...]: quiet unless it fails
  local s=$1 b=$2 t=$3; shift 3
  cmake -S "$s" -B "$b" "$@" >"$b.log" 2>&1 || { cat "$b.log" >&2; fail "configure of $s failed"; }
  cmake --build "$b" -j2 --target "$t" >>"$b.log" 2>&1 || { cat "$b.log" >&2; fail "build in $b failed"; }
}

case $mode in
  install)
    prefix=$work/prefix
    cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log" >&2; fail "install failed"; }
    for f in include/cfota/update.h include/cfota/version.h include/cfota_ctl/fota_ctl.h \
             lib/libcfota.a lib/libcfota-ctl.a lib/pkgconfig/cfota.pc lib/pkgconfig/cfota-ctl.pc \
             lib/cmake/cfota/cfotaConfig.cmake bin/cfota bin/cfota-modem bin/cfota-server bin/cfota-admin \
             share/doc/cfota/README.md share/doc/cfota/CHANGELOG.md share/doc/cfota/LICENSE \
             share/doc/cfota/docs/porting.md; do
      [ -e "$prefix/$f" ] || fail "not installed: $f"
    done
    grep -q "CFOTA_VERSION \"$version\"" "$prefix/include/cfota/version.h" || fail "version.h is not $version"
    [ "$("$prefix/bin/cfota" --version)" = "cfota $version" ] || fail "installed cfota --version"
    # The installed tree is moved: everything must find itself relative to
    # where it is, not where it was installed.
    mv "$prefix" "$work/moved"
    prefix=$work/moved
    export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
    [ "$(pkg-config --modversion cfota)" = "$version" ] || fail "pkg-config --modversion cfota"
    [ "$(pkg-config --modversion cfota-ctl)" = "$version" ] || fail "pkg-config --modversion cfota-ctl"
    # shellcheck disable=SC2046
    cc -std=c99 -Wall -Werror "${san[@]}" -o "$work/by-pkg-config" "$src/tests/consumer/consumer.c" \
       $(pkg-config --cflags --libs cfota-ctl cfota) || fail "cc with pkg-config failed"
    check_output "$work/by-pkg-config"
    configure "$src/tests/consumer" "$work/by-find-package" consumer -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_C_FLAGS="${san[*]}"
    check_output "$work/by-find-package/consumer"
    ;;
  subdirectory)
    # The whole tree is configured (every CMakeLists.txt must work below a
    # parent); only what the program needs is built.
    configure "$src/tests/consumer" "$work/parent" consumer -DCFOTA_SOURCE="$src"
    check_output "$work/parent/consumer"
    ;;
  cross)
    command -v arm-none-eabi-gcc >/dev/null || fail "arm-none-eabi-gcc is not installed (./run deps installs it)"
    # PKG_CONFIG pointed nowhere: a device-only configure must not look for
    # any host library.
    PKG_CONFIG=/nonexistent configure "$src" "$work/m4" all -DCMAKE_TOOLCHAIN_FILE="$src/cmake/arm-none-eabi.cmake" \
      -DCMAKE_BUILD_TYPE=MinSizeRel
    for lib in libcfota.a libcfota-ctl.a; do
      f=$(find "$work/m4" -name "$lib" -print -quit)
      [ -n "$f" ] || fail "$lib was not built"
      # Whole outputs first: grep -q ending a pipe early would fail it
      # (SIGPIPE under pipefail).
      elf=$(arm-none-eabi-readelf -h -A "$f")
      grep -q "Machine: *ARM" <<<"$elf" || fail "$lib is not ARM code"
      grep -q "Tag_CPU_name: \"7E-M\"\|Tag_CPU_arch: v7E-M" <<<"$elf" || fail "$lib is not for a Cortex-M4"
    done
    grep -qi "mbed\|divsufsort\|curl\|microhttpd\|sqlite\|cmocka" "$work/m4/CMakeCache.txt" &&
      fail "the device-only configure looked for a host library"
    cmake --install "$work/m4" --prefix "$work/m4-prefix" >/dev/null || fail "device-only install failed"
    [ -e "$work/m4-prefix/lib/libcfota.a" ] && [ ! -e "$work/m4-prefix/bin/cfota" ] || fail "device-only install content"
    ;;
  *) fail "unknown mode" ;;
esac
echo "consumers.sh $mode: ok"
