#!/usr/bin/env bash
# Builds the repository's Dockerfile, unchanged, with buildah (no Docker daemon):
#   buildah bud --isolation chroot --format docker --layers
# with the version (package.json) and revision (git commit) labels.
#
# When docker.io/library/node:<version>-bookworm-slim (the Dockerfile's pinned
# Node 24 LTS) is not in local storage it first
# makes the offline stand-in (scripts/offline-base.sh), because no registry can be
# reached here. With a registry, plain `docker build .` is all you need.
#
# Usage: scripts/build-image.sh [IMAGE]   (default localhost/lakeformation-credential-sidecar:<version>)
# Env:   LFCS_IMAGE (same as IMAGE), LFCS_IIDFILE (write the image ID there)
# npm run image runs this.
set -euo pipefail
cd "$(dirname "$0")/.."

version="$(node -p 'require("./package.json").version')"
image="${1:-${LFCS_IMAGE:-localhost/lakeformation-credential-sidecar:$version}}"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
if [ "$revision" != unknown ] && [ -n "$(git status --porcelain -- Dockerfile .dockerignore package.json package-lock.json tsconfig.json tsconfig.build.json src 2>/dev/null)" ]; then
  revision="$revision-dirty"
fi

command -v buildah >/dev/null || { echo "build-image: buildah is not installed (apt-get install buildah)" >&2; exit 1; }

base="$(sed -n 's/^FROM[[:space:]]\{1,\}\([^[:space:]]\{1,\}\).*/\1/p' Dockerfile | sort -u)"
standin="node:$(sed -n 's/^NODE_VERSION=//p' scripts/offline-base.sh)-bookworm-slim"
[ "$base" = "$standin" ] || { echo "build-image: the Dockerfile's base is '$base', the offline stand-in is '$standin'; pin the same Node in both" >&2; exit 1; }
bash scripts/offline-base.sh

# A TLS-intercepting proxy between this machine and the npm registry (as here) has
# a CA that the build's npm must trust. It is given to the RUN steps only: a
# read-only bind mount over /usr/local/etc (npm's global config directory, empty in
# the base) holding an npmrc that names a copy of the CA file. The mount target
# already exists, so nothing of it lands in any layer (the image tests check that).
# LFCS_BUILD_CA_FILE, else the host's own NODE_EXTRA_CA_CERTS; neither: no mount.
ca_file="${LFCS_BUILD_CA_FILE:-${NODE_EXTRA_CA_CERTS:-}}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
ca_mounts=()
if [ -n "$ca_file" ]; then
  [ -r "$ca_file" ] || { echo "build-image: CA file $ca_file is not readable" >&2; exit 1; }
  mkdir -m 0755 "$tmp/etc"
  install -m 0644 "$ca_file" "$tmp/etc/build-ca.crt"
  printf 'cafile=/usr/local/etc/build-ca.crt\n' >"$tmp/etc/npmrc"
  chmod 0644 "$tmp/etc/npmrc"
  ca_mounts=(-v "$tmp/etc:/usr/local/etc:ro")
  echo "build-image: npm in the build trusts the CAs in $ca_file (build-time mount only)" >&2
fi

iidfile="${LFCS_IIDFILE:-$tmp/iid}"
# --format docker: the OCI format has no HEALTHCHECK, and buildah would drop it.
# --pull=never: the base comes from local storage (the official one, or the stand-in).
# --label as well as --build-arg: buildah 1.28's layer cache reuses a LABEL step whose
# build argument changed (a stale revision label, caught by the image tests; buildah
# issue 5501 is the same for ENV), and a --label is applied to the final image.
buildah bud --isolation chroot --format docker --layers --pull=never --force-rm \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" \
  --label org.opencontainers.image.version="$version" --label org.opencontainers.image.revision="$revision" \
  "${ca_mounts[@]}" --iidfile "$iidfile" -t "$image" -f Dockerfile .
echo "build-image: built $image ($(cat "$iidfile")) version=$version revision=$revision" >&2
