#!/bin/bash
# Fresh Debian 12, as root: install build dependencies, build silo, run a busybox container.
set -euo pipefail
cd "$(dirname "$0")/.."
contrib/install-deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j2

bundle=$(mktemp -d /tmp/silo-quickstart-bundle.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/"
for tool in sh echo cat ls hostname id; do ln -s busybox "$bundle/rootfs/bin/$tool"; done
./silo spec -b "$bundle"
# no terminal, so that this works without one; a one-shot command instead of a shell
jq '.process.terminal = false | .process.args = ["sh", "-c", "echo hello from $(hostname): pid $$"]' \
   "$bundle/config.json" > "$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"
./silo run -b "$bundle" "quickstart-$$"
