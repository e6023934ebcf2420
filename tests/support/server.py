"""The real uvicorn server, started as the image starts it with the chart's settings, on loopback."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.chart import render
from tests.support.engines import ROOT, free_port, wait_for

# Dockerfile.api's CMD (tests/image/test_image.py pins the two together).
IMAGE_CMD = ["uvicorn", "src.api.main:app", "--host", "0.0.0.0", "--no-server-header"]


def chart_container(values: dict | None = None) -> dict:
    return render(values).api


def chart_args(port: int, app: str | None = None, values: dict | None = None) -> tuple[list[str], dict]:
    """The image's uvicorn arguments (another app path optional) bound to 127.0.0.1, and the chart's
    UVICORN_* environment with its port replaced by `port`."""
    args = [app or IMAGE_CMD[1], "--host", "127.0.0.1", *IMAGE_CMD[4:]]
    env = {e["name"]: e["value"] for e in chart_container(values)["env"]}
    return args, {**env, "UVICORN_PORT": str(port)}


@contextmanager
def serve(args: list[str], port: int, env: dict | None = None) -> Iterator[tuple[subprocess.Popen, str]]:
    """uvicorn from this venv with `args` and `env` (bound to 127.0.0.1:port), output discarded;
    yields (process, base URL) once /health answers."""
    cmd = [str(Path(sys.executable).with_name("uvicorn")), *args]
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    """The real server as the image and the chart start it (another app path optional)."""
    port = free_port()
    args, env = chart_args(port, app, values)
    with serve(args, port, env) as running:
        yield running
