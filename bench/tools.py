"""The benchmark's few helpers: run a command, inspect with docker, run a container, poll a URL."""

import http.client
import json
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.report import BenchError

ROOT = Path(__file__).resolve().parents[1]


def run(*argv: str, timeout: float = 900, **kw) -> str:
    """argv's stdout; BenchError with the end of its output when it exits non-zero."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False, **kw)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(argv)} exited {done.returncode}: {(done.stdout + done.stderr)[-2000:]}")
    return done.stdout


def inspect(ref: str) -> dict:
    """`docker inspect` of one image or container."""
    return json.loads(run("docker", "inspect", ref))[0]


def loopback_ports(n: int) -> list[int]:
    """n distinct TCP ports free on 127.0.0.1 (all held open until all are chosen)."""
    held = [socket.create_server(("127.0.0.1", 0)) for _ in range(n)]
    ports = [s.getsockname()[1] for s in held]
    for s in held:
        s.close()
    return ports


@contextmanager
def container(options: list[str], image: str, *command: str) -> Iterator[str]:
    """`docker run -d [options] image [command]`; yields the container's name, removes it on exit."""
    name = f"astrid-bench-{uuid.uuid4().hex[:12]}"
    try:
        run("docker", "run", "-d", "--name", name, *options, image, *command, timeout=120)
        yield name
    finally:
        subprocess.run(["docker", "rm", "-f", "-v", name], capture_output=True, check=False)


def poll(url: str, bound: float, accept: Callable[[bytes], bool] = lambda _: True) -> float:
    """Seconds until `url` answers 2xx with a body `accept`s, tried every 10 ms for up to `bound` s."""
    assert url.startswith(("http://127.0.0.1:", "http://localhost:")), "loopback only"
    start = time.perf_counter()
    while time.perf_counter() - start < bound:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (loopback, asserted above)
                if accept(resp.read()):
                    return time.perf_counter() - start
        except (OSError, ValueError, http.client.HTTPException):
            pass  # not up yet, or reloading
        time.sleep(0.01)
    raise BenchError(f"{url} gave no accepted answer within {bound:.0f} s")


def namespace_gone(namespace: str) -> None:
    """If `namespace` is being deleted (an earlier `tilt down --delete-namespaces`), wait up to 5 min
    until it is gone: until then Kubernetes refuses to create anything in it."""
    phase = ["kubectl", "get", "namespace", namespace, "-o", "jsonpath={.status.phase}"]
    if subprocess.run(phase, capture_output=True, text=True, check=False, timeout=60).stdout != "Terminating":
        return
    wait = ["kubectl", "wait", "--for=delete", f"namespace/{namespace}", "--timeout=300s"]
    subprocess.run(wait, capture_output=True, check=False, timeout=320)


def tear_down(project: Path, settings: list[str], namespace: str) -> None:
    """`tilt down --delete-namespaces` of the bench's own namespace, and wait until it is gone."""
    down = ["tilt", "down", "--delete-namespaces", "--", *settings]
    subprocess.run(down, cwd=project, capture_output=True, check=False, timeout=600)
    namespace_gone(namespace)
