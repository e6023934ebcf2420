"""The real uvicorn server, started with the args the chart renders, on loopback."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from tests.support.engines import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


def chart_container(values: dict | None = None) -> dict:
    import helm_python as helm

    with helm.Chart.load(ROOT / "helm" / "astrid") as chart:
        out = chart.render(values or {}, name="astrid")
    return yaml.safe_load(out["astrid/templates/api-deployment.yaml"])["spec"]["template"]["spec"][
        "containers"
    ][0]


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
def uvicorn(app: str | None = None, values: dict | None = None) -> Iterator[tuple[subprocess.Popen, str]]:
    """Run uvicorn from this venv with the chart's settings; yields (process, base URL)."""
    port = free_port()
    cmd = [str(Path(sys.executable).with_name("uvicorn")), *chart_args(port, app, values)]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", timeout=30)
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGCONT)
            proc.kill()
        proc.wait(timeout=30)
