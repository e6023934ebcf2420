"""The running service, reached the way a developer reaches it (Tilt's port-forward).

Tilt's pytest resource sets ASTRID_SMOKE_URL to the forwarded /health URL; CI sets
it to the pod that podman runs from the rendered chart. Anywhere else this is skipped.
"""

import json
import os
import urllib.request

import pytest

pytestmark = pytest.mark.smoke
URL = os.environ.get("ASTRID_SMOKE_URL", "")


@pytest.fixture
def url() -> str:
    if not URL:
        pytest.skip("ASTRID_SMOKE_URL is not set (it is set by Tilt's pytest resource)")
    return URL


def test_forwarded_health_answers_the_contract(url):
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 (developer's forwarded URL)
        assert resp.status == 200
        assert resp.headers["content-type"] == "application/json"
        assert json.loads(resp.read()) == {"status": "ok", "service": "astrid-api"}
