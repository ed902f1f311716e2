#!/usr/bin/env bash
# Prints the size of an image in buildah's local storage and of each of its
# layers, uncompressed (as stored) and gzip-compressed (as a registry stores and
# a node pulls it: measured by writing the image to a temporary OCI layout).
#
# Usage: scripts/image-sizes.sh [IMAGE]   (default localhost/lakeformation-credential-sidecar:<version>)
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(node -p 'require("./package.json").version')"
image="${1:-localhost/lakeformation-credential-sidecar:$version}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
buildah inspect --type image "$image" >"$tmp/inspect.json"
buildah push --quiet "$image" "oci:$tmp/oci:image" >/dev/null
node - "$tmp" "$image" <<'EOF'
const fs = require('node:fs');
const [dir, image] = process.argv.slice(2);
const inspect = JSON.parse(fs.readFileSync(`${dir}/inspect.json`, 'utf8'));
const stored = JSON.parse(inspect.Manifest).layers.map((l) => l.size);
const index = JSON.parse(fs.readFileSync(`${dir}/oci/index.json`, 'utf8'));
const blob = (d) => fs.readFileSync(`${dir}/oci/blobs/sha256/${d.split(':')[1]}`, 'utf8');
const gz = JSON.parse(blob(index.manifests[0].digest)).layers.map((l) => l.size);
const steps = inspect.Docker.history.filter((h) => !h.empty_layer);
const mb = (n) => (n / 1e6).toFixed(n < 1e6 ? 2 : 1);
const what = (h) => (h.comment?.startsWith('FROM ') && h === steps[0] ? 'base image' : (h.created_by ?? '').replace(/^.*?\/bin\/sh -c (#\(nop\) )?/, '').replace(/\b(multi|dir|file):[0-9a-f]{64}/, '…').replace(/\s+/g, ' ').trim().slice(0, 90));
console.log(`${image}\n`);
console.log('| layer | uncompressed MB | gzip MB |');
console.log('|---|---:|---:|');
steps.forEach((h, i) => console.log(`| ${i === 0 ? 'base image' : '`' + what(h) + '`'} | ${mb(stored[i])} | ${mb(gz[i])} |`));
const sum = (a) => a.reduce((x, y) => x + y, 0);
console.log(`| **total** | **${mb(sum(stored))}** | **${mb(sum(gz))}** |`);
EOF
