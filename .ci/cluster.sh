#!/usr/bin/env bash
# A single-node Kubernetes for CI from the real components: kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet, kube-proxy and CoreDNS built from .ci/engines; etcd, containerd, the CNI
# bridge plugins and a local registry (Tilt pushes to it, the node pulls from it) from Debian;
# kube-router's firewall enforces NetworkPolicy. Linux, root, no systemd. Never touches ~/.kube/config.
# It is CI's: it runs privileged pods for whoever holds its admin key, so it starts only on a machine
# it owns (CI=true, or `up --owns-machine`), and its state is readable by root only.
#   up         start (idempotent); the last line printed is the kubeconfig's path
#   down       stop everything and remove the cluster's state
#   tools      print the directory holding tilt, helm, kubectl, ...
#   tilt-args  print the arguments `tilt ci` / `tilt up` need on this cluster (none)
#   env [doks] print the exports a shell needs to use the cluster: eval "$(.ci/cluster.sh env)";
#              with doks, as the DOKS stand-in (.ci/cluster/doks.sh): its context, registry login
#   doks CMD   run CMD as a developer of the DOKS stand-in: env doks, and registry.digitalocean.com
#              resolving to it (for the docker CLI's own registry calls: docker manifest)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${ASTRID_CLUSTER_DIR:-/var/lib/astrid-cluster}
engines=${ASTRID_ENGINES:-/var/cache/astrid-engines}
bin=$engines/bin
# The context is named as kind names its clusters, so the Tiltfile (and Tilt) take it for a laptop one.
node=astrid-ci cluster=kind-astrid-ci node_ip=10.244.0.1 service_ip=10.96.0.1
sock=/run/astrid-containerd/containerd.sock
kubeconfig=$state/pki/admin.kubeconfig
export PATH="$bin:$PATH"

kubectl() { command kubectl --kubeconfig "$kubeconfig" "$@"; }
log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }

start() { # name command...  (runs in the background, logs to $state/logs/name.log)
  local name=$1; shift
  if [ -f "$state/run/$name.pid" ] && kill -0 "$(cat "$state/run/$name.pid")" 2>/dev/null; then return; fi
  nohup "$@" >"$state/logs/$name.log" 2>&1 &
  echo $! >"$state/run/$name.pid"
}

wait_for() { # what seconds command...
  local what=$1 limit=$2; shift 2
  for _ in $(seq "$limit"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  die "$what not ready after ${limit}s; logs in $state/logs/"
}

source "$here/cluster/doks.sh"

render() { sed -e "s|@STATE@|$state|g" -e "s|@COREDNS_IMAGE@|$coredns_image|g" "$here/cluster/$1"; }

up() {
  [ "${CI:-}" = true ] || [ "${1:-}" = --owns-machine ] ||
    die "CI's cluster starts only on a machine it owns (CI=true, or: $0 up --owns-machine). For your own loop use the laptop cluster: make cluster"
  [ "$(id -u)" = 0 ] || die "needs root (it runs containerd, the kubelet and kube-proxy)"
  for tool in containerd etcd docker-registry iptables ipset openssl docker htpasswd curl; do
    command -v "$tool" >/dev/null || die "$tool is missing: apt-get install containerd etcd-server docker-registry containernetworking-plugins iptables ipset openssl docker.io busybox-static apache2-utils curl"
  done
  [ -x /usr/lib/cni/bridge ] || die "CNI plugins missing: apt-get install containernetworking-plugins"
  bash "$here/engines/build.sh" >/dev/null
  coredns_image=astrid.local/coredns:$(go -C "$here/engines/coredns" list -m -f '{{.Version}}' github.com/coredns/coredns)
  mkdir -p "$state"/{logs,run,cni,etcd,registry} /run/astrid-containerd
  chmod 700 "$state" /run/astrid-containerd
  bash "$here/cluster/pki.sh" "$state/pki" "$node" "$node_ip" "$service_ip" "$cluster"
  for f in containerd.toml kubelet.yaml kube-proxy.yaml registry.yml authorization.yaml; do render "$f" >"$state/$f"; done
  render cni.conflist >"$state/cni/10-astrid.conflist"
  doks_prepare
  bash "$here/dockerd.sh" start "$doks/hosts.laptop" "$doks/ca-bundle.crt" >&2
  # The pod bridge exists before the kubelet starts: its gateway is the node's address.
  if ! ip link show astrid0 >/dev/null 2>&1; then
    ip link add astrid0 type bridge && ip addr add "$node_ip/24" dev astrid0 && ip link set astrid0 up
  fi
  modprobe br_netfilter 2>/dev/null || true
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.ipv4.ip_forward=1

  start registry docker-registry serve "$state/registry.yml"
  # The kubelet's mounts (volumes) reach containerd, which runs in a mount namespace of its own (doks.sh).
  mkdir -p "$state/kubelet"
  mountpoint -q "$state/kubelet" || mount --bind "$state/kubelet" "$state/kubelet"
  mount --make-rshared "$state/kubelet"
  start containerd "${with_hosts[@]}" "$doks/hosts.node" env SSL_CERT_FILE="$doks/ca-bundle.crt" \
    containerd --config "$state/containerd.toml"
  local pki=$state/pki
  # Clients and peers need a certificate from the cluster's CA: no local user reaches etcd unasked.
  start etcd etcd --name astrid-ci --data-dir "$state/etcd" \
    --listen-client-urls https://127.0.0.1:2379 --advertise-client-urls https://127.0.0.1:2379 \
    --cert-file "$pki/etcd.crt" --key-file "$pki/etcd.key" --trusted-ca-file "$pki/ca.crt" --client-cert-auth \
    --listen-peer-urls https://127.0.0.1:2380 --initial-advertise-peer-urls https://127.0.0.1:2380 \
    --initial-cluster astrid-ci=https://127.0.0.1:2380 --peer-cert-file "$pki/etcd.crt" \
    --peer-key-file "$pki/etcd.key" --peer-trusted-ca-file "$pki/ca.crt" --peer-client-cert-auth
  wait_for containerd 30 ctr --address "$sock" version
  bash "$here/cluster/images.sh" "$sock" "$bin" "$coredns_image"
  start kube-apiserver kube-apiserver --etcd-servers https://127.0.0.1:2379 --etcd-cafile "$pki/ca.crt" \
    --etcd-certfile "$pki/admin.crt" --etcd-keyfile "$pki/admin.key" --secure-port 6443 \
    --advertise-address "$node_ip" --service-cluster-ip-range 10.96.0.0/16 \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" --client-ca-file "$pki/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --authorization-config "$state/authorization.yaml" --enable-admission-plugins NodeRestriction \
    --kubelet-client-certificate "$pki/admin.crt" --kubelet-client-key "$pki/admin.key" \
    --kubelet-preferred-address-types InternalIP --profiling=false
  wait_for kube-apiserver 90 kubectl get --raw /readyz
  start kube-controller-manager kube-controller-manager --kubeconfig "$kubeconfig" --leader-elect=false \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --use-service-account-credentials --profiling=false
  start kube-scheduler kube-scheduler --kubeconfig "$kubeconfig" --leader-elect=false --profiling=false
  start kubelet kubelet --config "$state/kubelet.yaml" --kubeconfig "$pki/kubelet.kubeconfig" \
    --root-dir "$state/kubelet" --cert-dir "$state/kubelet/pki" --hostname-override "$node" --node-ip "$node_ip"
  start kube-proxy kube-proxy --config "$state/kube-proxy.yaml"
  wait_for "node $node" 120 kubectl wait --for condition=Ready "node/$node" --timeout 1s
  # NetworkPolicy enforcement (the CNI bridge has none): kube-router's firewall only, as a host process.
  start kube-router kube-router --kubeconfig "$kubeconfig" --run-firewall=true --run-router=false \
    --run-service-proxy=false --enable-cni=false --hostname-override "$node" --health-port 0
  wait_for kube-router 60 iptables -S KUBE-ROUTER-FORWARD
  render addons.yaml | kubectl apply -f - >/dev/null
  wait_for coredns 120 kubectl -n kube-system rollout status deployment/coredns --timeout 1s
  kubectl wait --for jsonpath='{.metadata.name}' -n default serviceaccount/default --timeout 60s >/dev/null
  # Tilt loads ext://helm_resource from XDG_DATA_HOME (see `env`): CI's stand-in, as GitHub is out of reach.
  bash "$here/helm_resource/install.sh" "$state/xdg"
  doks_up
  log "ready: $(kubectl get node "$node" -o jsonpath='{.status.nodeInfo.kubeletVersion}') on containerd, registry localhost:5005; DOKS stand-in $doks_context"
  echo "$kubeconfig"
}

stop() { # name...
  local name pid
  for name in "$@"; do
    pid=$(cat "$state/run/$name.pid" 2>/dev/null) || continue
    kill "$pid" 2>/dev/null && for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$state/run/$name.pid"
  done
}

down() {
  stop kubelet
  [ -S "$sock" ] && crictl --runtime-endpoint "unix://$sock" rmp --all --force >/dev/null 2>&1 || true
  stop registry-integration toxiproxy doks-registry kube-router kube-proxy kube-scheduler kube-controller-manager kube-apiserver etcd containerd registry
  pkill -f "containerd-shim.* -address $sock" 2>/dev/null || true
  [ -x "$bin/kube-proxy" ] && kube-proxy --cleanup >/dev/null 2>&1 || true
  # The CNI firewall plugin's chains (it removes only its per-pod rules).
  iptables -S FORWARD | grep -- "-j CNI-FORWARD" | sed 's/^-A/-D/' | xargs -r -L1 iptables 2>/dev/null || true
  for chain in CNI-FORWARD CNI-ADMIN; do iptables -F "$chain" 2>/dev/null && iptables -X "$chain" || true; done
  # kube-router's (its --cleanup-config panics without IPVS): its jumps, chains and ipsets.
  for chain in INPUT FORWARD OUTPUT; do
    iptables -S "$chain" | grep -- "kube-router netpol" | sed 's/^-A/-D/' | xargs -r -L1 iptables 2>/dev/null || true
  done
  chains=$(iptables -S | awk '$1 == "-N" && $2 ~ /^KUBE-(ROUTER|NWPLCY|POD-FW)-/ {print $2}')
  for chain in $chains; do iptables -F "$chain"; done
  for chain in $chains; do iptables -X "$chain" || true; done
  command -v ipset >/dev/null && ipset list -n | grep -E '^(inet6:)?KUBE-(DST|SRC)-' | xargs -r -n1 ipset destroy 2>/dev/null || true
  # The kubelet's volumes and containerd's snapshots are mounts: unmount before removing.
  findmnt -rn -o TARGET | grep -E "^($state|/run/astrid-containerd)" | sort -r | xargs -r umount -l
  ip link del astrid0 2>/dev/null || true
  # up started it with this state's names and CA (doks.sh); a docker daemon it did not start stays.
  bash "$here/dockerd.sh" stop
  rm -rf "$state" /run/astrid-containerd
  log "down: state removed"
}

case "${1:-}" in
  up) up "${2:-}" ;;
  down) down ;;
  tools) echo "$bin" ;;
  doks) shift; doks_run "$@" ;;
  tilt-args) ;; # none: Tilt finds the registry in kube-public/local-registry-hosting (docs/development.md)
  env) if [ "${2:-}" = doks ]; then doks_env; else
         printf 'export KUBECONFIG=%q PATH=%q XDG_DATA_HOME=%q ASTRID_LOOP_CONTEXT=%q\n' \
           "$kubeconfig" "$bin:$PATH" "$state/xdg" "$cluster"; fi ;;
  *) echo "usage: $0 up|down|tools|tilt-args|env [doks]|doks CMD..." >&2; exit 2 ;;
esac
