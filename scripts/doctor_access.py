"""Why a kube context does not answer, from kubectl's own error: its credential plugin (a DOKS kubeconfig
saved by doctl runs `doctl kubernetes cluster kubeconfig exec-credential` for a token), a stopped laptop
cluster, or the network. Returns (status, check name, detail, fix) for scripts/doctor_cluster.py."""

from __future__ import annotations

import re

LAPTOP = "kind-astrid"  # the laptop cluster `make dev` creates (kind-cluster.yaml)
USE_LAPTOP = f"use the laptop cluster: make cluster (or: kubectl config use-context {LAPTOP})"
NO_CONTEXT = f"make dev creates or starts {LAPTOP} (or: make cluster)"
UNREACHABLE = "check VPN and credentials: kubectl cluster-info"
INSTALL_DOCTL = "install doctl (https://docs.digitalocean.com/reference/doctl/how-to/install/) on PATH"
# client-go's words for a credential plugin that fails (k8s.io/client-go/plugin/pkg/client/auth/exec)
PLUGIN = re.compile(r"getting credentials: exec: executable (\S+) (not found|failed with exit code \d+)")
# doctl's words for a missing token (doit.go) and the API's for a revoked or expired one (HTTP 401)
BAD_TOKEN = ("access token is required", "Unable to authenticate you", ": 401 ")
# How each laptop product starts its cluster, by the context name it writes.
STARTS = {
    "docker-desktop": "start Docker Desktop with Kubernetes enabled (Settings > Kubernetes)",
    "minikube": "minikube start -p {context}",
    "k3d-": "k3d cluster start {name}",
    "kind-": "docker start {name}-control-plane (kind has no start command)",
    "rancher-desktop": "start Rancher Desktop with Kubernetes enabled",
    "colima": "colima start --kubernetes",
    "orbstack": "start OrbStack with Kubernetes enabled",
    "microk8s": "microk8s start",
}


def reason(err: str) -> str:
    """kubectl's line that says why (client-go logs the same error several times before it)."""
    lines = [text.strip() for text in err.splitlines() if text.strip()]
    said = [text for text in lines if text.startswith(("Unable to connect", "Error from server", "error:"))]
    return (said or lines or ["no answer"])[-1][:200]


def doctl_fix(auth: str) -> str:
    return (
        f"doctl auth init --context {auth} (a valid token; this kubeconfig runs doctl with --context={auth}),"
        " or to use another doctl context: doctl auth switch --context <team>,"
        " then doctl kubernetes cluster kubeconfig save <cluster>"
    )


def credentials(context: str, err: str, plugin: str, failure: str, auth: str) -> tuple[str, ...]:
    """A credential plugin that is missing or fails: doctl's case by doctl's own words."""
    if plugin.rsplit("/", 1)[-1] != "doctl":
        detail = f"{context}: kubectl's credential plugin {plugin} {failure}"
        return "FAIL", "credentials", detail, "log in again with the tool that wrote this kubeconfig"
    if failure == "not found":
        detail = f"{context} gets its credentials from doctl, which is not on PATH"
        return "FAIL", "credentials", detail, f"{INSTALL_DOCTL}, then: doctl auth init --context {auth}"
    said = next((t for t in err.splitlines() if t.startswith("Error: ")), f"doctl {failure}")
    detail = f"doctl cannot give {context}'s credentials: {said[:200]}"
    if any(words in said for words in BAD_TOKEN):
        return "FAIL", "credentials", detail, doctl_fix(auth)
    network = "check the network to api.digitalocean.com (VPN, proxy)"
    return "FAIL", "credentials", detail, f"{network}; if it persists: {doctl_fix(auth)}"


def unanswered(context: str, err: str, remote: bool, auth: str = "default") -> tuple[str, ...]:
    """(status, name, detail, fix) for a context whose cluster does not answer; `auth`: doctl's --context."""
    plugin = PLUGIN.search(err)
    if plugin:
        return credentials(context, err, plugin[1], plugin[2], auth)
    detail = f"{context} does not answer: {reason(err)}"
    if remote:
        return "FAIL", "cluster", detail, UNREACHABLE
    if context == LAPTOP:
        return "warn", "cluster", detail, NO_CONTEXT
    prefix = next((p for p in STARTS if context.startswith(p)), "")
    name = context[len(prefix) :] if prefix.endswith("-") else context
    start = STARTS[prefix].format(context=context, name=name) if prefix else "start that cluster"
    start = "minikube start" if context == "minikube" else start  # minikube's default profile
    return "FAIL", "cluster", detail, f"start it: {start}; or {USE_LAPTOP}"
