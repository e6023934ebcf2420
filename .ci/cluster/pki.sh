#!/usr/bin/env bash
# Certificates and kubeconfigs for the CI cluster: one CA, the API server's serving certificate,
# etcd's (it answers only clients with a certificate from this CA), a cluster-admin client (kubectl,
# controllers, kube-proxy, the API server's calls to the kubelet and to etcd) and the kubelet's node
# identity. Each key and certificate is made once (the kubeconfigs are rewritten on every call);
# everything is readable by root only.
# Usage: pki.sh DIR NODE_NAME NODE_IP SERVICE_IP CLUSTER_NAME
set -euo pipefail
dir=$1 node=$2 node_ip=$3 service_ip=$4 cluster=$5
umask 077
mkdir -p "$dir" && chmod 700 "$dir" && cd "$dir"
key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1.key"; }
cert() { # name subject [extensions]
  [ -f "$1.crt" ] && return 0
  key "$1"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -sha256 \
    -extfile <(printf '%s\n' "${3:-extendedKeyUsage=clientAuth}") -out "$1.crt" 2>/dev/null
  rm "$1.csr"
}
[ -f ca.crt ] || { key ca && openssl req -x509 -new -key ca.key -subj /CN=astrid-ci-ca -days 30 -sha256 -out ca.crt; }
cert apiserver /CN=kube-apiserver "$(printf '%s\n' extendedKeyUsage=serverAuth \
  "subjectAltName=IP:127.0.0.1,IP:$node_ip,IP:$service_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local")"
# etcd serves clients and its (single) peer with one certificate.
cert etcd /CN=etcd "$(printf '%s\n' extendedKeyUsage=serverAuth,clientAuth subjectAltName=IP:127.0.0.1,DNS:localhost)"
cert admin "/O=system:masters/CN=astrid-ci-admin"
# The DOKS stand-in's (doks.sh): its user, cluster-admin by RBAC (not system:masters, so that the
# authorizer can hide kube-public from it), and its registry's name.
cert doks-admin /CN=do-ams3-astrid-ci-admin
cert registry /CN=registry.digitalocean.com "$(printf '%s\n' extendedKeyUsage=serverAuth subjectAltName=DNS:registry.digitalocean.com)"
cert kubelet "/O=system:nodes/CN=system:node:$node"
[ -f sa.key ] || { key sa && openssl ec -in sa.key -pubout -out sa.pub 2>/dev/null; }

kubeconfig() { # file user
  cat >"$1" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: $cluster
  cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: $(base64 -w0 ca.crt)}
users:
- name: $2
  user: {client-certificate-data: $(base64 -w0 "$2.crt"), client-key-data: $(base64 -w0 "$2.key")}
contexts:
- name: $cluster
  context: {cluster: $cluster, user: $2}
current-context: $cluster
YAML
}
kubeconfig admin.kubeconfig admin
kubeconfig kubelet.kubeconfig kubelet
