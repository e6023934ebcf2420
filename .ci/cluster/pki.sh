#!/usr/bin/env bash
# Certificates and kubeconfigs for the CI cluster: one CA, the API server's serving certificate,
# a cluster-admin client (kubectl, controllers, kube-proxy, the API server's calls to the kubelet)
# and the kubelet's node identity. Usage: pki.sh DIR NODE_NAME NODE_IP SERVICE_IP
set -euo pipefail
dir=$1 node=$2 node_ip=$3 service_ip=$4
[ -f "$dir/ca.crt" ] && exit 0
mkdir -p "$dir" && cd "$dir"
key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1.key"; }
cert() { # name subject [extensions]
  key "$1"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -sha256 \
    -extfile <(printf '%s\n' "${3:-extendedKeyUsage=clientAuth}") -out "$1.crt" 2>/dev/null
  rm "$1.csr"
}
key ca
openssl req -x509 -new -key ca.key -subj /CN=astrid-ci-ca -days 30 -sha256 -out ca.crt
cert apiserver /CN=kube-apiserver "$(printf '%s\n' extendedKeyUsage=serverAuth \
  "subjectAltName=IP:127.0.0.1,IP:$node_ip,IP:$service_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local")"
cert admin "/O=system:masters/CN=astrid-ci-admin"
cert kubelet "/O=system:nodes/CN=system:node:$node"
key sa && openssl ec -in sa.key -pubout -out sa.pub 2>/dev/null

kubeconfig() { # file user
  cat >"$1" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: astrid-ci
  cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: $(base64 -w0 ca.crt)}
users:
- name: $2
  user: {client-certificate-data: $(base64 -w0 "$2.crt"), client-key-data: $(base64 -w0 "$2.key")}
contexts:
- name: astrid-ci
  context: {cluster: astrid-ci, user: $2}
current-context: astrid-ci
YAML
}
kubeconfig admin.kubeconfig admin
kubeconfig kubelet.kubeconfig kubelet
