# CI's DOKS stand-in, sourced by cluster.sh: the same cluster seen the way a developer sees DOKS + DOCR.
# - A second context, do-ams3-astrid-ci (doctl's naming), whose API server is reached through a proxy.
# - A registry answering as registry.digitalocean.com over TLS with basic auth (distribution, with an
#   htpasswd token), and Docker's credential for it written as `doctl registry login` writes it.
# - The pull secret registry-astrid in every namespace, new ones included, as DOKS's registry
#   integration provides it.
# - The "laptop" side (Docker, and kubectl/Tilt/helm through the do- context) reaches the API server and
#   the registry through toxiproxy (127.0.0.2, the API server on its port 16443; toxiproxy's API on 127.0.0.1:8474, no toxics unless a benchmark
#   adds them); the node pulls from the registry directly (127.0.0.3).
# - A DOKS cluster has no local registry: the authorizer (authorization.yaml) hides kube-public, where the
#   laptop registry's announcement is, from the do- context's user, so Tilt pushes to default_registry.
# The name registry.digitalocean.com is given to dockerd and containerd only: each runs in a mount
# namespace of its own whose /etc/hosts says where it is. The host's /etc/hosts is never touched.
doks_context=do-ams3-astrid-ci doks_registry=astrid
doks=$state/doks

# `start NAME "${with_hosts[@]}" HOSTS-FILE command...`: command sees HOSTS-FILE as /etc/hosts.
with_hosts=(unshare -m --propagation slave -- sh -c 'mount --bind "$0" /etc/hosts && exec "$@"')

doks_prepare() { # before dockerd and containerd start: names, trust, credentials
  mkdir -p "$doks"/{docker,registry}
  local pki=$state/pki
  { cat /etc/hosts; echo "127.0.0.2 registry.digitalocean.com"; } >"$doks/hosts.laptop"
  { cat /etc/hosts; echo "127.0.0.3 registry.digitalocean.com"; } >"$doks/hosts.node"
  cat /etc/ssl/certs/ca-certificates.crt "$pki/ca.crt" >"$doks/ca-bundle.crt"
  if [ ! -f "$doks/token" ]; then
    echo "dop_v1_$(openssl rand -hex 32)" >"$doks/token"
    htpasswd -Bbn "$(cat "$doks/token")" "$(cat "$doks/token")" >"$doks/htpasswd"
  fi
  local auth; auth=$(printf '%s:%s' "$(cat "$doks/token")" "$(cat "$doks/token")" | base64 -w0)
  # What `doctl registry login` leaves in Docker's config, and what the registry integration's secret holds.
  printf '{"auths": {"registry.digitalocean.com": {"auth": "%s"}}}\n' "$auth" >"$doks/docker/config.json"
  cp "$doks/docker/config.json" "$doks/dockerconfig.json"
  render doks-registry.yml >"$doks/registry.yml"
  # The authorizer's webhook (authorization.yaml): an address where nothing listens.
  printf '%s\n' 'apiVersion: v1' 'kind: Config' 'clusters: [{name: nobody, cluster: {server: "https://127.0.0.1:9"}}]' \
    'users: [{name: nobody, user: {}}]' 'contexts: [{name: nobody, context: {cluster: nobody, user: nobody}}]' \
    'current-context: nobody' >"$doks/nobody.kubeconfig"
  render toxiproxy.json >"$doks/toxiproxy.json"
}

doks_up() { # after the API server answers
  local pki=$state/pki
  start doks-registry docker-registry serve "$doks/registry.yml"
  start toxiproxy toxiproxy-server -host 127.0.0.1 -port 8474 -config "$doks/toxiproxy.json"
  wait_for toxiproxy 30 toxiproxy-cli inspect apiserver
  cat >"$doks/kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: $doks_context
  cluster: {server: "https://127.0.0.2:16443", tls-server-name: kubernetes, certificate-authority-data: $(base64 -w0 "$pki/ca.crt")}
users:
- name: $doks_context-admin
  user: {client-certificate-data: $(base64 -w0 "$pki/doks-admin.crt"), client-key-data: $(base64 -w0 "$pki/doks-admin.key")}
contexts:
- name: $doks_context
  context: {cluster: $doks_context, user: $doks_context-admin}
current-context: $doks_context
YAML
  chmod 600 "$doks/kubeconfig"
  kubectl create clusterrolebinding "$doks_context-admin" --clusterrole cluster-admin --user "$doks_context-admin" \
    --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  # The registry integration: registry-<registry> in every namespace, and in each new one as it appears.
  start registry-integration bash -c 'while :; do
      kubectl --kubeconfig "$0" get namespaces --watch -o name | while read -r ns; do
        kubectl --kubeconfig "$0" -n "${ns#namespace/}" create secret generic "$1" \
          --type kubernetes.io/dockerconfigjson --from-file .dockerconfigjson="$2" >/dev/null 2>&1 || true
      done; sleep 1; done' "$kubeconfig" "registry-$doks_registry" "$doks/dockerconfig.json"
  wait_for "registry integration" 30 kubectl -n default get secret "registry-$doks_registry"
  wait_for "DOCR stand-in" 30 curl -sf --cacert "$pki/ca.crt" --resolve registry.digitalocean.com:443:127.0.0.3 \
    -u "$(cat "$doks/token"):$(cat "$doks/token")" https://registry.digitalocean.com/v2/
}

doks_env() {
  printf 'export KUBECONFIG=%q DOCKER_CONFIG=%q PATH=%q XDG_DATA_HOME=%q ASTRID_LOOP_CONTEXT=%q SSL_CERT_FILE=%q\n' \
    "$doks/kubeconfig" "$doks/docker" "$bin:$PATH" "$state/xdg" "$doks_context" "$doks/ca-bundle.crt"
}

doks_run() { # command...: as a developer of the stand-in: its environment, and the registry's name
  eval "$(doks_env)"
  exec "${with_hosts[@]}" "$doks/hosts.laptop" "$@"
}
