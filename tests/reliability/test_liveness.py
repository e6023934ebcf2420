"""The chart's liveness probe, as configured, against the real server.

The probe's timeoutSeconds and failureThreshold come from the rendered chart; the
period is shortened so the test stays bounded (it only spaces the attempts).
"""

import os
import signal
import threading
import time
import urllib.error

import pytest

from tests.support.chart import render
from tests.support.engines import get
from tests.support.load import ab
from tests.support.server import uvicorn

pytestmark = pytest.mark.slow


def http_probe(url: str, timeout_seconds: float) -> bool:
    """As the kubelet judges an httpGet probe: a status in 200..399 within timeoutSeconds."""
    try:
        status, _ = get(url, timeout_seconds)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        return False
    return 200 <= status < 400


def failures_until_restart(url: str, probe: dict, period: float, max_rounds: int) -> int | None:
    """Probe every `period` s; the round at which failureThreshold consecutive failures would make
    the kubelet restart the container, or None if it never would in max_rounds."""
    consecutive = 0
    for round_ in range(1, max_rounds + 1):
        consecutive = 0 if http_probe(url, probe["timeoutSeconds"]) else consecutive + 1
        if consecutive >= probe["failureThreshold"]:
            return round_
        time.sleep(period)
    return None


@pytest.fixture(scope="module")
def liveness() -> dict:
    probe = render().api["livenessProbe"]
    assert probe["httpGet"]["path"] == "/health"
    return probe


def test_a_wedged_process_fails_liveness_and_would_be_restarted(liveness):
    with uvicorn() as (proc, url):
        os.kill(proc.pid, signal.SIGSTOP)  # wedged: the socket accepts, nothing answers
        try:
            restart_at = failures_until_restart(f"{url}/health", liveness, period=0.1, max_rounds=10)
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        assert restart_at == liveness["failureThreshold"]
        assert failures_until_restart(f"{url}/health", liveness, period=0.1, max_rounds=5) is None


def test_a_healthy_process_never_fails_liveness_under_load(liveness, ab_installed):
    with uvicorn() as (_, url):
        load = threading.Thread(target=ab, args=(f"{url}/health", 15_000, 64))
        load.start()
        try:
            consecutive_failures = failures_until_restart(
                f"{url}/health", {**liveness, "failureThreshold": 1}, period=0.2, max_rounds=20
            )
        finally:
            load.join(timeout=120)
        assert consecutive_failures is None  # not even one failed probe
