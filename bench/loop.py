"""Live update, emulated exactly as Tilt does it: save -> tar exec -> reload -> new code served."""

import json
import sys
import time
import uuid

from bench.report import BenchError, Figure
from tests.support import live_update
from tests.support.chart import image_values, pod_spec
from tests.support.engines import free_port, wait_for
from tests.support.live_update import SYNC_TARGET, changed_main
from tests.support.pod_to_docker import run_pod

POLL = 0.010  # seconds between polls
BOUND = 30.0  # seconds a round may take before the benchmark gives up
ROUTE = "/bench-lu"


def served_after(url: str, token: str, start: float) -> float:
    """Seconds from `start` until `url` serves the new code (its route answers {"token": token})."""
    body = json.dumps({"token": token}, separators=(",", ":")).encode()  # FastAPI's JSON
    try:
        wait_for(url, timeout=BOUND, expect=body, poll=POLL)
    except TimeoutError as exc:
        raise BenchError(f"live update: the new code was not served within {BOUND:.0f} s ({exc})") from None
    return time.perf_counter() - start


def live_update_figures(image: str, rounds: int) -> list[Figure]:
    spec = pod_spec(image_values(image, pull_policy="Never"), dev=True)
    port = free_port()
    pod = run_pod(spec, image, spec["containers"][0]["ports"][0]["containerPort"], port)
    served: list[float] = []
    tar: list[float] = []
    try:
        wait_for(f"http://127.0.0.1:{port}/health", timeout=60)
        for i in range(rounds):
            token = uuid.uuid4().hex
            payload = live_update.archive({f"{SYNC_TARGET}/main.py": changed_main(ROUTE, token)})
            start = time.perf_counter()
            done = live_update.sync(pod.container, payload)
            tar.append(time.perf_counter() - start)
            if done.returncode != 0:
                raise BenchError(f"live update: tar exited {done.returncode}: {done.stderr.decode().strip()}")
            served.append(served_after(f"http://127.0.0.1:{port}{ROUTE}", token, start))
            print(
                f"  live update {i + 1}/{rounds}: served {served[-1]:.3f} s, tar {tar[-1]:.3f} s",
                file=sys.stderr,
            )
            time.sleep(0.5)  # let the reloaded server settle before the next save
    finally:
        pod.remove()
    note = f"dev-values pod under Docker; poll every {POLL * 1000:.0f} ms"
    return [
        Figure("1 save → new code served (live update)", "s", served, ("<=", 1.0), note),
        Figure("  tar exec alone (docker exec tar -x)", "s", tar),
    ]
