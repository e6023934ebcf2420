"""The app served by a real uvicorn process over a TCP socket, with the chart's args."""

import json
import urllib.error
import urllib.request

import pytest

from tests.support.server import uvicorn


@pytest.fixture(scope="module")
def base_url():
    with uvicorn() as (_, url):
        yield url


def test_health_over_a_socket(base_url):
    with urllib.request.urlopen(f"{base_url}/health", timeout=5) as resp:  # noqa: S310 (loopback)
        assert resp.status == 200
        assert resp.headers["content-type"] == "application/json"
        assert "server" not in resp.headers  # --no-server-header from the chart
        assert json.loads(resp.read()) == {"status": "ok", "service": "astrid-api"}


def test_unknown_path_over_a_socket(base_url):
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{base_url}/nope", timeout=5)  # noqa: S310 (loopback)
    assert caught.value.code == 404
    assert json.loads(caught.value.read()) == {"detail": "Not Found"}
