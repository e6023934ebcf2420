#!/usr/bin/env bash
# Build the engines CI runs — tilt, helm, kubectl, the Kubernetes components, CoreDNS, crictl,
# kube-router (NetworkPolicy), toxiproxy (distance) —
# from the Go module proxy. Each engine's version (and its hashes) lives in .ci/engines/<engine>/go.mod
# and go.sum, nowhere else. Binaries land in $ASTRID_ENGINES/bin; an engine is rebuilt only when its
# go.mod, go.sum or recipe below changes; Go's own caches (GOCACHE, GOMODCACHE) keep that incremental.
# Usage: build.sh [engine ...]   (default: all)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=${ASTRID_ENGINES:-/var/cache/astrid-engines}
bin=$root/bin
mkdir -p "$bin" "$root/stamps" "$root/src"
command -v go >/dev/null || { echo "engines: go is not installed (Debian: apt-get install golang, or see go.dev/doc/install)" >&2; exit 1; }

version() { go -C "$here/$1" list -m -f '{{.Version}}' "$2"; }

kubernetes() {
  local v; v=$(version kubernetes k8s.io/kubernetes)
  local minor=${v#v1.}; minor=${minor%%.*}
  # Without these, every component reports v0.0.0-master, which kubectl cannot parse.
  local pkg=k8s.io/component-base/version
  go -C "$here/kubernetes" build -trimpath -o "$bin/" -ldflags "-s -w -X $pkg.gitVersion=$v \
    -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean" tool
}

helm() {
  local v; v=$(version helm helm.sh/helm/v3)
  CGO_ENABLED=0 go -C "$here/helm" build -trimpath -o "$bin/" \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$v" tool
}

coredns() {
  # Static: it runs in an image that holds nothing else.
  CGO_ENABLED=0 go -C "$here/coredns" build -trimpath -o "$bin/" -ldflags "-s -w" tool
}

cri-tools() {
  local v; v=$(version cri-tools sigs.k8s.io/cri-tools)
  CGO_ENABLED=0 go -C "$here/cri-tools" build -trimpath -o "$bin/" \
    -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$v" tool
}

kube-router() {
  # CI's NetworkPolicy enforcer (its firewall only; the CNI bridge enforces no policy). CI-only: never
  # shipped to users; DOKS enforces NetworkPolicy with Cilium.
  CGO_ENABLED=0 go -C "$here/kube-router" build -trimpath -o "$bin/" -ldflags "-s -w" tool
}

toxiproxy() {
  # CI's distance: a TCP proxy adding latency and a bandwidth cap between the "laptop" side (Docker,
  # Tilt, kubectl) and the DOKS stand-in's API server and registry (the kernel has no netem).
  local v; v=$(version toxiproxy github.com/Shopify/toxiproxy/v2)
  local pkg=github.com/Shopify/toxiproxy/v2
  for cmd in server cli; do
    CGO_ENABLED=0 go -C "$here/toxiproxy" build -trimpath -o "$bin/toxiproxy-$cmd" \
      -ldflags "-s -w -X $pkg.Version=$v" "$pkg/cmd/$cmd"
  done
}

tilt() {
  # Tilt embeds its web UI from pkg/assets/build at compile time; the module zip has none, and a
  # release build (main.version set) refuses to start without it. So build from a writable copy of
  # the module with a page there: the real UI when $TILT_WEB_BUILD names its built folder, else a
  # one-page note. `tilt ci` and `tilt up` work the same either way.
  local v; v=$(version tilt github.com/tilt-dev/tilt)
  go -C "$here/tilt" mod download github.com/tilt-dev/tilt
  local mod src=$root/src/tilt-$v
  mod=$(go -C "$here/tilt" list -m -f '{{.Dir}}' github.com/tilt-dev/tilt)
  rm -rf "$src" && cp -r "$mod" "$src" && chmod -R u+w "$src"
  if [ -n "${TILT_WEB_BUILD:-}" ]; then
    cp -r "$TILT_WEB_BUILD"/. "$src/pkg/assets/build/"
  else
    printf '<!doctype html><title>Tilt</title><p>Tilt %s built by astrid-api CI without its web UI. Use <code>tilt get uiresources</code>.</p>\n' \
      "$v" >"$src/pkg/assets/build/index.html"
  fi
  cp "$here/tilt/go.mod" "$root/src/tilt.mod" && cp "$here/tilt/go.sum" "$root/src/tilt.sum"
  go -C "$here/tilt" mod edit -modfile="$root/src/tilt.mod" -replace "github.com/tilt-dev/tilt=$src"
  go -C "$here/tilt" build -modfile="$root/src/tilt.mod" -trimpath -o "$bin/tilt" \
    -ldflags "-s -w -X main.version=${v#v} -X main.date=$(date -u +%F)" github.com/tilt-dev/tilt/cmd/tilt
}

[ $# -gt 0 ] || set -- kubernetes helm tilt coredns cri-tools kube-router toxiproxy
for e in "$@"; do
  # Rebuilt when the pins or the recipe above change.
  stamp=$( (cat "$here/$e/go.mod" "$here/$e/go.sum"; declare -f "$e") | sha256sum | cut -c1-16)
  [ "$(cat "$root/stamps/$e" 2>/dev/null)" != "$stamp" ] || continue
  echo "engines: building $e" >&2
  t0=$(date +%s)
  "$e"
  echo "$stamp" >"$root/stamps/$e"
  echo "engines: $e built in $(( $(date +%s) - t0 )) s" >&2
done
echo "$bin"
