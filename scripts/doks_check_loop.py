"""The loop scripts/doks_check.py drives: the real `tilt up` in a copy of the project, with the check's own
namespace and ports; its start, its namespace and pull secret, and its cleanup. Each step returns its
detail (or (seconds, detail)) or raises Failed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from doctor_cluster import ROOT, run

RESERVED = ("namespace", "api-port", "create-namespace", "port")  # settings the check sets itself
UNCHECKED = ("venv", "health", "pytest", "pytest-all")  # the tests' resources: not what is checked


class Failed(Exception):
    def __init__(self, detail: str, fix: str) -> None:
        super().__init__(detail)
        self.detail, self.fix = detail, fix


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings(args: list[str]) -> list[str]:
    """The Tiltfile settings given, without those the check sets itself (and their values)."""
    kept, words = [], iter(args)
    for arg in words:
        name = arg[2:].split("=", 1)[0] if arg.startswith("--") else ""
        if name not in RESERVED:
            kept.append(arg)
        elif "=" not in arg and name != "create-namespace":
            next(words, None)
    return kept


class Loop:
    def __init__(self, tmp: Path, context: str, namespace: str, args: list[str]) -> None:
        self.tmp, self.copy, self.log = tmp, tmp / "project", tmp / "tilt-up.log"
        self.context, self.namespace, self.port, self.api_port = context, namespace, free_port(), free_port()
        self.args = [*settings(args), "--namespace", namespace, "--create-namespace"]
        self.args += ["--api-port", str(self.api_port)]
        self.tilt: subprocess.Popen | None = None
        self.started = self.secret_seen = 0.0
        self.see = f"see Tilt's log, {self.log}"

    def kubectl(self, *args: str) -> tuple[int, str, str]:
        return run("kubectl", "--context", self.context, "--request-timeout=10s", *args, timeout=30)

    def tilt_get(self, kind: str, name: str) -> dict:
        code, out, _ = run("tilt", "get", kind, name, "--port", str(self.port), "-o", "json", timeout=30)
        return json.loads(out).get("status", {}) if code == 0 and out.startswith("{") else {}

    def wait(self, what: str, probe, timeout: float, fix: str, poll: float = 0.5):
        """`probe()`'s first true answer; Failed when tilt up exits or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        while True:
            if self.tilt and self.tilt.poll() is not None:
                last = (self.log.read_text(errors="replace").strip().splitlines() or [""])[-1][:200]
                raise Failed(f"tilt up exited {self.tilt.returncode} before {what}: {last}", self.see)
            found = probe()
            if found:
                return found
            if time.monotonic() > deadline:
                raise Failed(f"no {what} after {timeout:.0f} s", fix)
            time.sleep(poll)

    def start(self) -> None:
        """Copy what git tracks or would track (and tilt_config.json, minus RESERVED), then `tilt up`."""
        code, out, err = run("git", "-C", str(ROOT), "ls-files", "-z", "-co", "--exclude-standard")
        if code:
            raise Failed(f"git ls-files: {err[:160]}", "run make doks-check in a git checkout of the project")
        for name in filter(None, out.split("\0")):
            if (ROOT / name).is_file():
                (self.copy / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, self.copy / name)
        config = ROOT / "tilt_config.json"
        if config.is_file():
            kept = {k: v for k, v in json.loads(config.read_text()).items() if k not in RESERVED}
            (self.copy / config.name).write_text(json.dumps(kept))
        run("git", "init", "-q", str(self.copy))
        tilt = ["tilt", "up", "--stream", "--port", str(self.port), "--context", self.context]
        # PYTHON=false: the venv resource (scripts/venv.sh) stops at once rather than create a .venv here.
        with self.log.open("w") as log:
            self.tilt = subprocess.Popen(
                [*tilt, "--", *self.args],
                cwd=self.copy,
                env={**os.environ, "PYTHON": "false"},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started = time.monotonic()

    def loaded(self) -> str:
        """The Tiltfile loaded (its first run downloads helm_resource); the tests' resources disabled."""

        def done() -> bool:
            state = self.tilt_get("tiltfile", "(Tiltfile)").get("terminated") or {}
            if state.get("error"):
                raise Failed(f"Tilt could not load the Tiltfile: {state['error'][:300]}", self.see)
            return bool(state)

        self.wait("loaded Tiltfile", done, 600, self.see)
        run("tilt", "disable", "--port", str(self.port), *UNCHECKED)
        return f"tilt up on port {self.port}, Tiltfile loaded; {', '.join(UNCHECKED)} disabled"

    def namespace_created(self) -> tuple[float, str]:
        created = lambda: self.kubectl("get", "namespace", self.namespace)[0] == 0  # noqa: E731
        self.wait(f"namespace {self.namespace}", created, 300, self.see)
        return time.monotonic() - self.started, "created by Tilt (the time: since tilt up started)"

    def pull_secret(self, secret: str, fix: str) -> str:
        found = lambda: self.kubectl("get", "secret", secret, "-n", self.namespace)[0] == 0  # noqa: E731
        self.wait(f"pull secret {secret} in {self.namespace}", found, 90, fix)
        self.secret_seen = time.monotonic()
        return f"{secret} copied in by DOKS's registry integration"

    def cleanup(self) -> str:
        """Stop tilt up, `tilt down --delete-namespaces`, and wait until the namespace is gone."""
        fix = f"kubectl delete namespace {self.namespace} --context {self.context}"
        try:
            if self.tilt.poll() is None:
                self.tilt.send_signal(signal.SIGINT)
                try:
                    self.tilt.wait(60)
                except subprocess.TimeoutExpired:
                    self.tilt.kill()
            self.tilt = None
            down = ["tilt", "down", "-f", str(self.copy / "Tiltfile"), "--context", self.context]
            down += ["--delete-namespaces", "--", *self.args]
            code, _, err = run(*down, timeout=600)
            gone = lambda: self.kubectl("get", "namespace", self.namespace)[0] != 0  # noqa: E731
            if not gone():  # the check's own (it refuses one that exists): deleted even if Tilt did not
                self.kubectl("delete", "namespace", self.namespace, "--wait=false")
            self.wait(f"namespace {self.namespace} deleted", gone, 600, fix)
        except KeyboardInterrupt:
            raise Failed("interrupted", fix) from None
        said = "" if code == 0 else f" (tilt down failed: {(err.splitlines() or [''])[-1][:120]})"
        return f"tilt up stopped, tilt down --delete-namespaces: the namespace is gone{said}"
