"""The running service, reached the way a developer reaches it (Tilt's port-forward).

Tilt's `health` resource runs this with ASTRID_SMOKE_URL set to the forwarded /health URL. Without
it this test is deselected (tests/conftest.py); tests/loop checks that it ran and passed in `tilt ci`.
"""

import json
import os
import urllib.request

import pytest

from tests.support.engines import wait_for

pytestmark = pytest.mark.smoke
RETRY_SECONDS = 20  # a reload or rollout may be in progress when a save triggers this


def test_forwarded_health_answers_the_contract():
    url = os.environ["ASTRID_SMOKE_URL"]
    wait_for(url, timeout=RETRY_SECONDS, poll=0.5)
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 (developer's forwarded URL)
        assert resp.status == 200
        assert resp.headers["content-type"] == "application/json"
        assert json.loads(resp.read()) == {"status": "ok", "service": "astrid-api"}
