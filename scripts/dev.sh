#!/usr/bin/env bash
# The one command for the dev loop (`make dev`): the doctor, the laptop cluster if needed, `tilt up`.
# Arguments go to `tilt up` unchanged: bash scripts/dev.sh -- --allow-context do-nyc1-astrid
# Safe to re-run. Never creates or changes a cluster behind any context but the laptop one.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCAL_CLUSTER=kind-astrid # the Cluster name in kind-cluster.yaml

# 1. Everything `tilt up` needs, for the current context: on an existing cluster its namespace and
#    pull secret too. With no context yet, or kind-astrid stopped, the cluster checks only warn (step 2
#    creates or starts it); any other cluster that does not answer stops here with how to start it.
python3 scripts/doctor.py "$@" || exit

# 2. The laptop cluster, only where that can't hurt: no context yet, or ours already (ctlptl apply
#    keeps a matching cluster as it is). Any other context is used as it is.
context=$(kubectl config current-context 2>/dev/null || true)
if [[ -z $context || $context == "$LOCAL_CLUSTER" ]]; then
  if ! command -v ctlptl >/dev/null || ! command -v kind >/dev/null; then
    echo "dev: creating $LOCAL_CLUSTER needs ctlptl and kind:" \
      "https://github.com/tilt-dev/ctlptl/blob/main/INSTALL.md, https://kind.sigs.k8s.io/docs/user/quick-start/" >&2
    exit 1
  fi
  ctlptl apply -f kind-cluster.yaml
fi

# 3. The loop.
exec tilt up "$@"
