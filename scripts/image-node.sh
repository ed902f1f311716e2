#!/usr/bin/env bash
# Prints the path of the Node binary the image ships, installing it first when
# missing: the version is the Dockerfile's runtime stage's, the binary the
# official build from the npm registry's node-linux-<arch> package (npm checks
# the tarball against the registry's integrity), unpacked once into .tools/.
# Used by .ci/run (the suite on the image's Node) and by the bench (lfcs on
# the image's Node beside the machine's).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^FROM node:\([0-9.]*\)-bookworm-slim AS runtime$/\1/p' Dockerfile)
[ -n "$version" ] || { echo "image-node.sh: no 'FROM node:<version>-bookworm-slim AS runtime' in the Dockerfile" >&2; exit 1; }
dir=.tools/node-$version
if [ ! -x "$dir/bin/node" ]; then
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) echo "image-node.sh: no Node build for $(uname -m)" >&2; exit 1 ;; esac
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$version" >/dev/null)
  mkdir -p "$dir"
  tar -xzf "$tmp"/node-linux-*.tgz -C "$dir" --strip-components=1 package/bin/node
fi
[ "$("$dir/bin/node" --version)" = "v$version" ] || { echo "image-node.sh: $dir/bin/node is not v$version" >&2; exit 1; }
echo "$PWD/$dir/bin/node"
