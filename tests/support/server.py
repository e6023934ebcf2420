"""The real uvicorn server, started as the image starts it with the chart's settings, on loopback."""

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.chart import render
from tests.support.engines import ROOT, free_port, remove, sh, wait_for

# Dockerfile.api's CMD (tests/image/test_image.py pins the two together).
IMAGE_CMD = [
    "uvicorn",
    "src.api.main:app",
    "--host",
    "0.0.0.0",
    "--no-server-header",
    "--http",
    "h11",
    "--h11-max-incomplete-event-size",
    "16384",
]


@contextmanager
def uvicorn(app: str | None = None, values: dict | None = None) -> Iterator[tuple[subprocess.Popen, str]]:
    """uvicorn from this venv with the image's arguments (another app path optional) bound to
    127.0.0.1 and the chart's UVICORN_* environment (its port replaced); output discarded.
    Yields (process, base URL) once /health answers."""
    port = free_port()
    cmd = [
        str(Path(sys.executable).with_name("uvicorn")),
        app or IMAGE_CMD[1],
        "--host",
        "127.0.0.1",
        *IMAGE_CMD[4:],
    ]
    chart_env = {e["name"]: e["value"] for e in render(values).api["env"]}
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **chart_env, "UVICORN_PORT": str(port)}
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
def container(
    image: str, *, dev: bool = False, chart_env: bool = True, options: tuple[str, ...] = ()
) -> Iterator[tuple[str, str]]:
    """The built image run by Docker as the chart runs it: the chart's environment and command
    (values-dev.yaml's with dev=True; the image's own CMD unless the chart sets one; with
    chart_env=False: the image as built), the container port published on 127.0.0.1 only, `options`
    added to `docker run`. Yields (container name, base URL) once /health answers; removes it."""
    api = render(dev=dev).api
    port, name = free_port(), f"astrid-test-{uuid.uuid4().hex[:8]}"
    env = [f"--env={e['name']}={e['value']}" for e in api["env"]] if chart_env else []
    command = api.get("command", []) if chart_env else []
    entrypoint = ["--entrypoint", command[0]] if command else []
    published = f"127.0.0.1:{port}:{api['ports'][0]['containerPort']}"
    try:
        run = ["docker", "run", "-d", "--name", name, "-p", published, *env, *entrypoint, *options]
        sh(*run, image, *command[1:], timeout=120)
        wait_for(f"http://127.0.0.1:{port}/health", timeout=30)
        yield name, f"http://127.0.0.1:{port}"
    finally:
        remove(name)
