"""The running service, reached the way a developer reaches it (Tilt's port-forward).

Tilt's pytest resource sets ASTRID_SMOKE_URL to the forwarded /health URL. Without it this test is
deselected (tests/conftest.py); tests/loop checks that it ran and passed inside `tilt ci`.
"""

import json
import os
import urllib.request

import pytest

pytestmark = pytest.mark.smoke


def test_forwarded_health_answers_the_contract():
    url = os.environ["ASTRID_SMOKE_URL"]
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 (developer's forwarded URL)
        assert resp.status == 200
        assert resp.headers["content-type"] == "application/json"
        assert json.loads(resp.read()) == {"status": "ok", "service": "astrid-api"}
