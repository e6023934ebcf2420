"""The running service, reached the way a developer reaches it (Tilt's port-forward).

Tilt's `health` resource runs this with ASTRID_SMOKE_URL set to the forwarded /health URL. Without
it this test is deselected (tests/conftest.py); tests/loop checks that it ran and passed in `tilt ci`.
"""

import http.client
import json
import os
import time
import urllib.request

import pytest

pytestmark = pytest.mark.smoke
RETRY_SECONDS = 20  # a reload or rollout may be in progress when a save triggers this


def answer(url: str) -> tuple[int, str, object]:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (developer's forwarded URL)
            return resp.status, resp.headers["content-type"], json.loads(resp.read())
    except (OSError, ValueError, http.client.HTTPException) as exc:  # a reload may cut an answer short
        return 0, "", exc


def test_forwarded_health_answers_the_contract():
    url, deadline = os.environ["ASTRID_SMOKE_URL"], time.monotonic() + RETRY_SECONDS
    got = answer(url)
    while got[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        got = answer(url)
    assert got == (200, "application/json", {"status": "ok", "service": "astrid-api"})
