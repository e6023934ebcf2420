#!/usr/bin/env bash
# Start or stop a Docker daemon for tests on a machine without systemd (CI).
#   start [HOSTS CA_BUNDLE]  with these, dockerd runs in a mount namespace of its own where HOSTS is its
#                            /etc/hosts and it trusts CA_BUNDLE (CI's DOKS stand-in: .ci/cluster/doks.sh)
set -euo pipefail
pidfile=/var/run/astrid-ci-dockerd.pid
case "${1:-}" in
  start)
    hosts=${2:-} bundle=${3:-}
    if docker info >/dev/null 2>&1; then
      pid=$(cat "$pidfile" 2>/dev/null || pidof dockerd || true)
      if [ -n "$hosts" ] && ! cmp -s "$hosts" "/proc/${pid:-0}/root/etc/hosts"; then
        echo "dockerd: a Docker daemon runs without CI's names ($hosts); stop it first: bash $0 stop" >&2; exit 1
      fi
      echo "dockerd: already running"; exit 0
    fi
    command -v dockerd >/dev/null || { echo "dockerd: not installed (apt-get install docker.io iptables)" >&2; exit 1; }
    if [ -n "$hosts" ]; then
      nohup unshare -m --propagation slave -- sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$hosts" \
        env SSL_CERT_FILE="$bundle" dockerd --pidfile "$pidfile" >/var/log/astrid-ci-dockerd.log 2>&1 &
    else
      nohup dockerd --pidfile "$pidfile" >/var/log/astrid-ci-dockerd.log 2>&1 &
    fi
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && { echo "dockerd: ready"; exit 0; }
      sleep 1
    done
    echo "dockerd: did not start in 60 s; last log lines:" >&2
    tail -20 /var/log/astrid-ci-dockerd.log >&2
    exit 1 ;;
  stop)
    pid=$(cat "$pidfile" 2>/dev/null) || exit 0
    kill "$pid" 2>/dev/null && for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    rm -f "$pidfile" ;;
  *) echo "usage: $0 start [HOSTS CA_BUNDLE]|stop" >&2; exit 2 ;;
esac
