"""A sandbox for scripts/doctor.py and scripts/dev.sh: a copy of the files they read, a PATH of stub
tools (answers driven by STUB_* variables, every call appended to a log), and a private HOME.

Nothing from the developer's machine leaks in: the environment is built from scratch, so a real
kubectl, ~/.docker/config.json, tilt_config.json or ASTRID_* variable cannot change an answer.
"""

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

COPIED = [
    "Tiltfile",
    "scripts/doctor.py",
    "scripts/doctor_checks.py",
    "scripts/doctor_settings.py",
    "scripts/dev.sh",
    "deploy/kind-cluster.yaml",
]
STUBS = {
    "docker": """case "$1" in info)
  [ -z "${STUB_DOCKER_DOWN:-}" ] || { echo "Cannot connect to the Docker daemon" >&2; exit 1; }
  echo 27.3.1;; esac""",
    "kubectl": """case "$1 $2" in
  "version --client") echo "Client Version: v1.31.2"; echo "Kustomize Version: v5.4.2";;
  "config current-context") [ -n "${STUB_CONTEXT:-}" ] || { echo "error: no current-context" >&2; exit 1; }
    echo "$STUB_CONTEXT";;
  "config view") echo "${STUB_CONTEXT_NAMESPACE:-}";;
  "get namespace") [ -z "${STUB_CLUSTER_DOWN:-}" ] || { echo "Unable to connect to the server" >&2; exit 1; }
    [[ " ${STUB_NAMESPACES-default} " == *" $3 "* ]] || { echo "(NotFound) namespace" >&2; exit 1; };;
  "get secret") [[ " ${STUB_SECRETS:-} " == *" $3 "* ]] || { echo "(NotFound) secret" >&2; exit 1; };;
esac""",
    "helm": 'echo "${STUB_HELM_VERSION:-v3.16.3+gcfd0749}"',
    "tilt": 'if [ "$1" = version ]; then echo "${STUB_TILT_VERSION:-v0.33.21, built 2024-11-18}"; fi',
    "ctlptl": "",
    "kind": "",
}
DOCR_LOGIN = {"auths": {"registry.digitalocean.com": {"auth": "dG9rZW46dG9rZW4="}}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
        (self.home / ".docker").mkdir(parents=True)
        self.env = {
            "PATH": str(self.bin),
            "HOME": str(self.home),
            "STUB_LOG": str(self.log),
            "STUB_CONTEXT": "kind-astrid",
            "ASTRID_PORT": str(free_port()),
        }

    def remove(self, tool: str) -> None:
        (self.bin / tool).unlink()

    def remote(self, context: str = "do-nyc1-astrid", login: dict | None = None) -> None:
        """An allowed DOKS context whose cluster answers and holds the pull secret."""
        self.env.update(STUB_CONTEXT=context, ASTRID_ALLOW_CONTEXT=context, STUB_SECRETS="registry-astrid")
        self.docker_config(DOCR_LOGIN if login is None else login)

    def docker_config(self, config: dict) -> None:
        (self.home / ".docker" / "config.json").write_text(json.dumps(config))

    def tilt_config(self, text: str) -> None:
        (self.root / "tilt_config.json").write_text(text)

    def _run(self, cmd: list[str]) -> subprocess.CompletedProcess:
        done = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=60, check=False)
        done.output = done.stdout + done.stderr
        return done

    def doctor(self, *args: str) -> subprocess.CompletedProcess:
        return self._run([sys.executable, str(self.root / "scripts" / "doctor.py"), *args])

    def dev(self, *args: str) -> subprocess.CompletedProcess:
        return self._run([shutil.which("bash"), str(self.root / "scripts" / "dev.sh"), *args])

    def calls(self) -> list[str]:
        """What dev.sh did (not what the doctor asked): ctlptl and `tilt up` calls, in order."""
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return [line for line in lines if line.startswith(("ctlptl", "tilt up"))]


@pytest.fixture
def sandbox(tmp_path: Path, root: Path) -> Sandbox:
    return Sandbox(tmp_path, root)
