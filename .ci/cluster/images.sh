#!/usr/bin/env bash
# The images the CI cluster runs, built here because none can be pulled: the pod sandbox
# ("pause", Debian's static busybox sleeping) and CoreDNS (the binary built from .ci/engines),
# imported into the cluster's containerd; and, in CI only, the Dockerfile's base, which Tilt's
# build finds in Docker's store under its real name (scripts/base-image.sh builds the stand-in).
# Outside CI the stand-in never takes python:3.11-slim's name: a later release could ship it.
# Usage: images.sh CTR_ADDRESS ENGINES_BIN COREDNS_IMAGE
set -euo pipefail
address=$1 bin=$2 coredns_image=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
ctr() { command ctr --address "$address" -n k8s.io "$@"; }

build() { # image dockerfile-text file...
  local image=$1 dockerfile=$2 ctx; shift 2
  ctr images ls -q | grep -qxF "$image" && return 0
  ctx=$(mktemp -d) && cp "$@" "$ctx/"
  printf '%s\n' "$dockerfile" | docker build -q -t "$image" -f - "$ctx" >/dev/null
  rm -rf "$ctx"
  docker save "$image" | ctr images import - >/dev/null
}

build astrid.local/pause:1 $'FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT ["/bin/busybox", "sleep", "2147483647"]' \
  /bin/busybox
build "$coredns_image" $'FROM scratch\nCOPY coredns /coredns\nENTRYPOINT ["/coredns"]' "$bin/coredns"

[ "${CI:-}" = true ] || exit 0
base=$(bash "$root/scripts/base-image.sh")
[ "$base" = python:3.11-slim ] || docker tag "$base" python:3.11-slim
