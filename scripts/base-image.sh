#!/usr/bin/env bash
# Make the Dockerfile's base image available and print its reference.
#
# Tries the real base (python:3.11-slim, or $BASE_IMAGE) first. Where no registry
# is reachable, builds a local stand-in of the same Python from Debian bookworm
# packages, with this machine's CA bundle so pip works inside image builds.
set -euo pipefail

base="${BASE_IMAGE:-python:3.11-slim}"
standin="localhost/astrid-python-standin:3.11-bookworm"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
ca_bundle="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"

docker info >/dev/null 2>&1 || { echo "base-image: the Docker daemon is not reachable: start Docker" >&2; exit 1; }
if docker image inspect "$base" >/dev/null 2>&1 || docker pull -q "$base" >/dev/null 2>&1; then
  echo "$base"; exit 0
fi
if docker image inspect "$standin" >/dev/null 2>&1; then
  echo "$standin"; exit 0
fi

command -v debootstrap >/dev/null || { echo "base-image: cannot pull $base and debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
echo "base-image: cannot pull $base; building $standin from Debian bookworm" >&2
rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase --include=python3.11,python3-pip,ca-certificates \
  bookworm "$rootfs" "$mirror" >&2
# Match python:3.11-slim: `python` on PATH, pip allowed to install system-wide.
ln -sf /usr/bin/python3.11 "$rootfs/usr/local/bin/python"
ln -sf /usr/bin/python3.11 "$rootfs/usr/local/bin/python3"
rm -f "$rootfs"/usr/lib/python3.11/EXTERNALLY-MANAGED
cp "$ca_bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["python3"]' - "$standin" >/dev/null
echo "$standin"
