"""What the loop measures while `tilt up` runs: save → served, and the forward after a pod is replaced."""

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from bench.report import BenchError
from bench.tools import poll, run

PROBE = '\n\n@app.get("/bench-probe")\nasync def bench_probe() -> dict:\n    return {"save": %d}\n'


@contextmanager
def tilt_up(project: Path, tilt: list[str], settings: list[str]) -> Iterator[None]:
    """`tilt up` in project until the block ends; astrid-api is Ready when the block starts."""
    log = open(project / "tilt-up.log", "a")  # noqa: SIM115 (closed below)
    cmd = [*tilt, "--stream", "--", *settings]
    proc = subprocess.Popen(["tilt", "up", *cmd], cwd=project, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while subprocess.run(["tilt", "get", *tilt, "session"], capture_output=True, check=False).returncode:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise BenchError(f"tilt up's API did not answer within 60 s (see {log.name})")
            time.sleep(0.5)
        # The API answers before the Tiltfile's resources exist: wait for astrid-api to exist first.
        run("tilt", "wait", *tilt, "--for=create", "uiresource/astrid-api", "--timeout=120s", timeout=140)
        wait = ["tilt", "wait", *tilt, "--for=condition=Ready", "uiresource/astrid-api", "--timeout=600s"]
        run(*wait, cwd=project, timeout=660)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def saves(project: Path, api_port: int, rounds: int) -> list[float]:
    """Seconds from writing main.py to the first response carrying the change, for each save."""
    main = project / "src" / "api" / "main.py"
    original = main.read_text()
    times = []
    try:
        for n in range(1, rounds + 1):
            main.write_text(original + PROBE % n)
            url = f"http://localhost:{api_port}/bench-probe"
            times.append(poll(url, 60, lambda body, n=n: json.loads(body).get("save") == n))
            print(f"  save {n}/{rounds}: served after {times[-1]:.3f} s", file=sys.stderr)
            time.sleep(1.0)  # let the pytest and health resources that the save triggered settle
    finally:
        main.write_text(original)
    return times


def forwarded_pod(tilt: list[str]) -> str:
    """The pod Tilt's port-forward points at now."""
    out = run("tilt", "get", *tilt, "portforward", "-o", "jsonpath={.items[*].spec.podName}", timeout=30)
    return out.strip()


def replacements(tilt: list[str], namespace: str, api_port: int, rounds: int) -> list[float]:
    """Seconds from `kubectl delete pod` of the forwarded pod until /health answers 200 again through
    the forward, from the new pod (Tilt's PortForward names it; checked about every 0.1 s)."""
    times = []
    for n in range(1, rounds + 1):
        old = forwarded_pod(tilt)
        start = time.perf_counter()
        run("kubectl", "-n", namespace, "delete", "pod", old, "--wait=false", timeout=120)
        while (new := forwarded_pod(tilt)) in ("", old):
            if time.perf_counter() - start > 300:
                raise BenchError(f"Tilt still forwarded to {old or 'no pod'} 300 s after deleting {old}")
            time.sleep(0.05)
        poll(f"http://localhost:{api_port}/health", 300)
        times.append(time.perf_counter() - start)
        print(
            f"  pod {n}/{rounds}: {old} -> {new}, forward answered after {times[-1]:.2f} s", file=sys.stderr
        )
        time.sleep(2.0)
    return times


def stamp(text: str) -> float:
    """Tilt's RFC 3339 time (microseconds) as seconds since the epoch."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def live_update(tilt: list[str], after: float) -> tuple[float, float]:
    """(start, finish) of astrid-api's first build (the live update) that started after `after`."""
    deadline = time.time() + 30
    while time.time() < deadline:
        history = json.loads(run("tilt", "get", *tilt, "uiresource", "astrid-api", "-o", "json"))
        builds = [b for b in history["status"].get("buildHistory", []) if b.get("finishTime")]
        started = sorted((stamp(b["startTime"]), stamp(b["finishTime"])) for b in builds)
        later = [b for b in started if b[0] > after]
        if later:
            return later[0]
        time.sleep(0.1)
    raise BenchError("Tilt recorded no live update after the save within 30 s")
