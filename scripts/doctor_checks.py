"""The checks behind scripts/doctor.py, each with a one-line fix (standard library only).

The settings they check against come from doctor_settings.py.
"""

import json
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from doctor_settings import Settings, version

DOCR = "registry.digitalocean.com"
# One actionable line per failure. "context" is the Tiltfile's own refusal, word for word (pinned).
FIXES = {
    "docker": "install Docker: https://docs.docker.com/get-docker/",
    "daemon": "start Docker (Docker Desktop, or: sudo systemctl start docker)",
    "kubectl": "install kubectl: https://kubernetes.io/docs/tasks/tools/",
    "helm": "install Helm 3 or newer: https://helm.sh/docs/intro/install/",
    "tilt": "install Tilt: https://docs.tilt.dev/install.html",
    "no-context": "make dev creates the laptop cluster kind-astrid (or: make cluster)",
    "context": "If you mean to deploy there, run: tilt up -- --allow-context {0} (or add "
    '"allow-context": ["{0}"] to tilt_config.json, or export ASTRID_ALLOW_CONTEXT={0})',
    "login": "run: doctl registry login",
    "cluster": "laptop cluster: make cluster; remote: check VPN and credentials (kubectl cluster-info)",
    "namespace": 'run: kubectl create namespace {0} (or set "create-namespace": true in tilt_config.json)',
    "pull-secret": "run: doctl kubernetes cluster registry add {0}",
    "port": "stop what listens there, or run: tilt up -- --port {0}",
}


@dataclass
class Result:
    status: str  # "ok", "warn" or "FAIL"
    name: str
    detail: str
    fix: str = ""


def ok(name: str, detail: str) -> Result:
    return Result("ok", name, detail)


def warn(name: str, detail: str, fix: str = "") -> Result:
    return Result("warn", name, detail, fix)


def fail(name: str, detail: str, fix: str) -> Result:
    return Result("FAIL", name, detail, fix)


def run(*cmd: str, timeout: float = 20) -> tuple[int, str, str]:
    """(exit code, stdout, stderr); 127 when the command cannot start or does not finish in time."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 127, "", str(exc)
    return done.returncode, done.stdout.strip(), done.stderr.strip()


def check_docker() -> Result:
    if not shutil.which("docker"):
        return fail("docker", "not found on PATH", FIXES["docker"])
    code, out, err = run("docker", "info", "--format", "{{.ServerVersion}}")
    if code:
        return fail("docker", f"daemon not reachable: {err[:120]}", FIXES["daemon"])
    return ok("docker", f"daemon {out}")


def check_tool(name: str, cmd: list[str], minimum: tuple[int, ...] | None = None) -> Result:
    fix = FIXES[name]
    if not shutil.which(name):
        return fail(name, "not found on PATH", fix)
    _, out, err = run(*cmd)
    found = version(out or err)
    if found is None:
        return fail(name, f"`{' '.join(cmd)}` printed no version: {(err or out)[:120]}", fix)
    shown = "v" + ".".join(map(str, found))
    if minimum and found < minimum:
        return fail(name, f"{shown} is too old (needs >= {'.'.join(map(str, minimum))})", fix)
    return ok(name, shown)


def check_docr_credentials(docker_config: Path) -> Result:
    """Tilt pushes with Docker's own credentials: an `auths` key, a credHelpers entry, or maybe credsStore."""
    path = docker_config / "config.json"
    try:
        cfg = json.loads(path.read_text()) if path.exists() else {}
    except (OSError, ValueError) as exc:
        return fail("registry", f"cannot read {path}: {exc}", "repair that file, then " + FIXES["login"])
    cfg = cfg if isinstance(cfg, dict) else {}
    auths, helpers = cfg.get("auths") or {}, cfg.get("credHelpers") or {}
    if DOCR in {str(key).split("://")[-1].split("/")[0] for key in auths}:
        return ok("registry", f"Docker has credentials for {DOCR} ({path})")
    if DOCR in helpers:
        return ok("registry", f"{DOCR} uses docker-credential-{helpers[DOCR]}")
    if cfg.get("credsStore"):
        detail = f"no {DOCR} entry; credsStore {cfg['credsStore']!r} may hold one"
        return warn("registry", detail, "if pushes fail, " + FIXES["login"])
    return fail("registry", f"Docker has no credentials for {DOCR}", FIXES["login"])


def check_cluster(context: str, settings: Settings) -> list[Result]:
    """The namespace and, for a remote context, the pull secret; skipped when the cluster doesn't answer."""
    ns = settings.namespace or run("kubectl", "config", "view", "--minify", "-o", "jsonpath={..namespace}")[1]
    ns = ns or "default"
    code, _, err = run("kubectl", "get", "namespace", ns, "--request-timeout=5s")
    if code and "NotFound" not in err:
        return [warn("cluster", f"{context} does not answer: {err[:120]}", FIXES["cluster"])]
    if code and settings.create_namespace:
        return [ok("namespace", f"{ns} will be created (create-namespace)")]
    if code:
        return [fail("namespace", f"{ns} does not exist", FIXES["namespace"].format(ns))]
    results = [ok("namespace", f"{ns} exists")]
    if not settings.is_local(context):
        secret = f"registry-{settings.registry}"
        code, _, err = run("kubectl", "get", "secret", secret, "-n", ns, "--request-timeout=5s")
        doks = re.fullmatch(r"do-[a-z0-9]+-(.+)", context)
        fix = FIXES["pull-secret"].format(doks[1] if doks else "<cluster>")
        found = ok("pull-secret", f"{secret} in {ns}")
        results.append(found if code == 0 else fail("pull-secret", f"{secret} missing in {ns}", fix))
    return results


def check_port(port: int) -> Result:
    """Free for Tilt's port forward: bindable on 127.0.0.1 (as Go binds it) and nobody answering there."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a TIME_WAIT leftover is not "in use"
        try:
            sock.bind(("127.0.0.1", port))
            busy = False
        except OSError:
            busy = True
    if not busy:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            busy = sock.connect_ex(("127.0.0.1", port)) == 0
    if busy:
        return fail(
            "port", f"127.0.0.1:{port} is in use", FIXES["port"].format(9090 if port != 9090 else 9091)
        )
    return ok("port", f"127.0.0.1:{port} is free")
