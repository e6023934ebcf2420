"""A sandbox for scripts/doctor.py and scripts/dev.sh: a copy of the files they read, stub tools on a
PATH built from scratch (answers set by STUB_* variables, every call logged) and a private HOME. The
stub `tilt alpha tiltfile-result` prints what `plan()`/`refuse()` wrote, in the real Tilt's shape
(test_doctor_tilt.py checks the doctor against the real one)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.dev.real_engines import with_real_tilt
from tests.support.engines import free_port

COPIED = [
    "Tiltfile",
    "Dockerfile.api",
    "scripts/doctor.py",
    "scripts/doctor_cluster.py",
    "scripts/doctor_access.py",
    "scripts/dev.sh",
    "kind-cluster.yaml",
]
STUBS = {
    "docker": """case "$1" in
  info) [ -z "${STUB_DOCKER_DOWN:-}" ] || { echo "Cannot connect to the Docker daemon" >&2; exit 1; }
    echo 27.3.1;;
  login) [ -z "${STUB_DOCKER_LOGIN_EXPIRED:-}" ] || { echo "Error response from daemon: denied" >&2; exit 1; }
    echo "Login Succeeded";; esac""",
    "kubectl": """case "$1 $2" in
  "version --client") echo "Client Version: v1.31.2"; echo "Kustomize Version: v5.4.2";;
  "config current-context") [ -n "${STUB_CONTEXT:-}" ] || { echo "error: no current-context" >&2; exit 1; }
    echo "$STUB_CONTEXT";;
  "config view") echo "${STUB_CONTEXT_NAMESPACE:-}";;
  "get namespace") [ -z "${STUB_CLUSTER_DOWN:-}" ] || { echo "E1126 memcache.go" >&2
      echo "Unable to connect to the server: dial tcp 127.0.0.1:6443: connection refused" >&2; exit 1; }
    [[ " ${STUB_NAMESPACES-default} " == *" $3 "* ]] ||
      { echo "Error from server (NotFound): namespaces \\"$3\\" not found" >&2; exit 1; };;
  "get secret") [[ " ${STUB_SECRETS:-} " == *" $3 "* ]] || { echo "(NotFound) secret" >&2; exit 1; };;
esac""",
    "helm": 'echo "${STUB_HELM_VERSION:-v3.16.3+gcfd0749}"',
    "tilt": """case "$1" in
  version) echo "${STUB_TILT_VERSION:-v0.33.21, built 2024-11-18}";;
  alpha) while [ $# -gt 1 ] && [ "$1" != --context ]; do shift; done
    [ ! -f "$STUB_TILT/$2.err" ] || { echo "Loading Tiltfile" >&2; echo "$(<$STUB_TILT/$2.err)" >&2; exit 5; }
    [ -f "$STUB_TILT/$2.json" ] && echo "$(<$STUB_TILT/$2.json)";;
esac""",
    "ctlptl": "",
    "kind": "",
}


def tilt_json(registry: str, helm_args: list[str], namespace: str, port: int) -> dict:
    """The parts of `tilt alpha tiltfile-result`'s JSON the doctor reads, as Tilt v0.37 prints them."""
    apply = {"args": ["python3", "apply.py", "--values", "helm/astrid/values-dev.yaml", *helm_args]}
    apply["env"] = ["CHART=helm/astrid", f"NAMESPACE={namespace}", "RELEASE_NAME=astrid"]
    forwards = [{"localPort": port, "containerPort": 80, "host": "localhost"}]
    target = {"applyCmd": apply, "portForwardTemplateSpec": {"forwards": forwards}}
    health = {"Name": "health", "DeployTarget": {"UpdateCmdSpec": {"args": [".venv/bin/python"]}}}
    manifests = [{"Name": "astrid-api", "DeployTarget": target}, health]
    return {"Manifests": manifests, "DefaultRegistry": {"host": registry} if registry else None}


class Sandbox:
    def __init__(self, tmp: Path, root: Path) -> None:
        self.root, self.bin, self.home, self.log = tmp / "repo", tmp / "bin", tmp / "home", tmp / "calls.log"
        for name in COPIED:
            (self.root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(root / name, self.root / name)
        self.bin.mkdir()
        for name, body in STUBS.items():
            (self.bin / name).write_text(f'#!/bin/bash\necho "{name} $*" >> "$STUB_LOG"\n{body}\n')
            (self.bin / name).chmod(0o755)
        (self.bin / "python3").symlink_to(sys.executable)
        (self.bin / "dirname").symlink_to(shutil.which("dirname"))
        (tmp / "tilt").mkdir()
        self.home.mkdir()
        self.port = free_port()
        self.env = {
            "PATH": str(self.bin),
            "HOME": str(self.home),
            "STUB_LOG": str(self.log),
            "STUB_TILT": str(tmp / "tilt"),
            "STUB_CONTEXT": "kind-astrid",
            "TILT_PORT": str(free_port()),  # Tilt's own variable for its UI port: a real Tilt may run here
        }
        self.plan("kind-astrid")

    def plan(self, context: str, registry: str = "", helm_args=(), namespace: str = "") -> None:
        """What Tilt says it would do on `context`: push to `registry`, run helm with `helm_args`."""
        plan = tilt_json(registry, list(helm_args), namespace, self.port)
        (Path(self.env["STUB_TILT"]) / f"{context}.json").write_text(json.dumps(plan))

    def refuse(self, context: str, error: str) -> None:
        """Tilt stops on `context` with `error` on stderr (exit 5)."""
        (Path(self.env["STUB_TILT"]) / f"{context}.err").write_text(error + "\n")

    def remote(self, context: str = "do-nyc1-astrid", registry: str = "astrid") -> None:
        """The current context is a DOKS cluster Tilt deploys to; it answers and holds the pull secret."""
        helm = ["--set", f"api.imagePullSecrets[0].name=registry-{registry}"]
        self.plan(context, f"registry.digitalocean.com/{registry}", helm)
        self.env.update(STUB_CONTEXT=context, STUB_SECRETS=f"registry-{registry}")

    def remove(self, tool: str) -> None:
        (self.bin / tool).unlink()

    def _run(self, cmd: list[str]) -> subprocess.CompletedProcess:
        done = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=120, check=False)
        done.output = done.stdout + done.stderr
        return done

    def doctor(self, *args: str, python: str = sys.executable) -> subprocess.CompletedProcess:
        return self._run([python, str(self.root / "scripts" / "doctor.py"), *args])

    def ready(self, *args: str) -> set[str]:
        """The doctor's `ok` lines (without the status column), once it exited 0."""
        done = self.doctor(*args)
        assert done.returncode == 0 and done.stdout.endswith("doctor: ready for `tilt up`\n"), done.output
        return {line[6:] for line in done.stdout.splitlines() if line.startswith("ok    ")}

    def dev(self, *args: str) -> subprocess.CompletedProcess:
        return self._run([shutil.which("bash"), str(self.root / "scripts" / "dev.sh"), *args])

    def calls(self, *prefixes: str) -> list[str]:
        """The logged calls starting with `prefixes` (default: what dev.sh does: ctlptl and `tilt up`)."""
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return [line for line in lines if line.startswith(prefixes or ("ctlptl", "tilt up"))]


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path, ROOT)


@pytest.fixture
def tilt(sandbox, tmp_path: Path):
    """The sandbox with the real tilt; tilt(context, user=None) makes `context` current (real_engines.py)."""
    return with_real_tilt(sandbox, tmp_path)
