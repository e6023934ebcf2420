"""The chart's liveness probe, as configured, against the real server.

The probe's timeoutSeconds and failureThreshold come from the rendered chart; the
period is shortened so the test stays bounded (it only spaces the attempts).
"""

import os
import signal
import threading

import pytest

from tests.support.load import ab
from tests.support.probe import failures_until_restart
from tests.support.server import chart_container, uvicorn

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def liveness() -> dict:
    probe = chart_container()["livenessProbe"]
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
