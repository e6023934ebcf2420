"""The real uvicorn server, started with the args the chart renders, on loopback."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.chart import pod_spec
from tests.support.engines import ROOT, free_port, wait_for


def chart_container(values: dict | None = None) -> dict:
    return pod_spec(values)["containers"][0]


def chart_args(port: int, app: str | None = None, values: dict | None = None) -> list[str]:
    """The chart's uvicorn args, bound to 127.0.0.1:port (and optionally another app path)."""
    args = []
    for arg in chart_container(values)["args"]:
        if arg.startswith("--host="):
            arg = "--host=127.0.0.1"
        elif arg.startswith("--port="):
            arg = f"--port={port}"
        elif app and not arg.startswith("--"):
            arg = app
        args.append(arg)
    return args


@contextmanager
def serve(args: list[str], port: int) -> Iterator[tuple[subprocess.Popen, str]]:
    """uvicorn from this venv with `args` (bound to 127.0.0.1:port), output discarded;
    yields (process, base URL) once /health answers."""
    cmd = [str(Path(sys.executable).with_name("uvicorn")), *args]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", timeout=30)
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGCONT)  # a test may have stopped it
            proc.kill()
        proc.wait(timeout=30)


@contextmanager
def uvicorn(app: str | None = None, values: dict | None = None) -> Iterator[tuple[subprocess.Popen, str]]:
    """The real server with the chart's settings (another app path optional)."""
    port = free_port()
    with serve(chart_args(port, app, values), port) as running:
        yield running
