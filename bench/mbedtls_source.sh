#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/mbedtls_source.sh DIR: the Mbed TLS sources Debian 12 builds its
# libmbedtls from (libmbedtls-dev ships headers and libraries only), for
# cross-building the reference signature port (port/mbedtls/) for
# Cortex-M4. Fetches exactly that source package with apt-get source from
# the Debian archive the machine already uses, adding a deb-src line for
# bookworm main if there is none; nothing else. The sources are unpacked
# to DIR/mbedtls (kept: a second run fetches nothing). Prints the path, or
# fails with the reason.
set -euo pipefail
dir=$1
mkdir -p "$dir"
if [ -f "$dir/mbedtls/library/ecdsa.c" ]; then
  echo "$dir/mbedtls"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
list=/etc/apt/sources.list.d/cfota-deb-src.sources
if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # The same archive and key as the machine's own bookworm lines.
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "${uri:-http://deb.debian.org/debian}" | $sudo tee "$list" >/dev/null
  $sudo apt-get update -qq >&2
fi
(cd "$dir" && apt-get source -qq --download-only mbedtls >&2)
tarball=$(ls "$dir"/mbedtls_*.orig.tar.* | head -1)
mkdir -p "$dir/mbedtls"
tar -xf "$tarball" -C "$dir/mbedtls" --strip-components=1
echo "$dir/mbedtls"
