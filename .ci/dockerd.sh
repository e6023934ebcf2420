#!/usr/bin/env bash
# Start or stop a Docker daemon for tests on a machine without systemd (CI).
set -euo pipefail
pidfile=/var/run/astrid-ci-dockerd.pid
case "${1:-}" in
  start)
    if docker info >/dev/null 2>&1; then echo "dockerd: already running"; exit 0; fi
    command -v dockerd >/dev/null || { echo "dockerd: not installed (apt-get install docker.io iptables)" >&2; exit 1; }
    nohup dockerd --pidfile "$pidfile" >/var/log/astrid-ci-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && { echo "dockerd: ready"; exit 0; }
      sleep 1
    done
    echo "dockerd: did not start in 60 s; last log lines:" >&2
    tail -20 /var/log/astrid-ci-dockerd.log >&2
    exit 1 ;;
  stop)
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
