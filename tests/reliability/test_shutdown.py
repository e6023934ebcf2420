"""SIGTERM with requests in flight, on the real server with the chart's uvicorn settings."""

import http.client
import json
import signal
import time
import urllib.error
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.engines import get, wait_until
from tests.support.server import uvicorn

pytestmark = pytest.mark.slow
SLOW_APP = "tests.support.slow_app:app"


def test_sigterm_lets_every_accepted_request_finish():
    with uvicorn(app=SLOW_APP) as (proc, url), ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(get, f"{url}/slow?seconds=1.5", 10) for _ in range(20)]
        time.sleep(0.5)  # all 20 accepted and sleeping
        proc.send_signal(signal.SIGTERM)

        def refused() -> bool:
            try:
                get(f"{url}/health", 2)
            except urllib.error.URLError:
                return True
            return False

        # No new connections once shutting down (uvicorn closes its listener on its next 0.1 s tick),
        # while the accepted requests still run.
        wait_until("new connections refused", refused, timeout=0.8, poll=0.02)
        assert not any(f.done() for f in futures)
        results = [f.result(timeout=10) for f in futures]
        assert [status for status, _ in results] == [200] * 20
        assert all(json.loads(body) == {"slept": 1.5} for _, body in results)
        assert proc.wait(timeout=10) in (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM once drained


def test_a_request_longer_than_the_grace_does_not_hold_the_process():
    grace = 2
    values = {"api": {"server": {"gracefulShutdownSeconds": grace}}}
    with uvicorn(app=SLOW_APP, values=values) as (proc, url), ThreadPoolExecutor(max_workers=1) as pool:
        stuck = pool.submit(get, f"{url}/slow?seconds=60", 70)
        time.sleep(0.3)
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=grace + 10)
        assert time.monotonic() - start < grace + 2
        with pytest.raises((ConnectionError, urllib.error.URLError, http.client.HTTPException)):
            stuck.result(timeout=10)  # cut off at the grace, not answered
