"""The API docs in the built image: off with the production chart's environment, on with the dev values'."""

import urllib.error

import pytest

from tests.support.engines import get
from tests.support.server import container

pytestmark = pytest.mark.slow
HEALTH = b'{"status":"ok","service":"astrid-api"}'


def status(url: str) -> int:
    try:
        return get(url)[0]
    except urllib.error.HTTPError as exc:
        return exc.code


def test_production_serves_health_and_no_docs(api_image):
    with container(api_image) as (_, url):
        assert get(f"{url}/health") == (200, HEALTH)
        assert [status(f"{url}{path}") for path in ("/docs", "/redoc", "/openapi.json")] == [404, 404, 404]


def test_the_dev_values_serve_the_docs(api_image):
    with container(api_image, dev=True) as (_, url):
        assert [status(f"{url}{path}") for path in ("/docs", "/redoc", "/openapi.json")] == [200, 200, 200]
        assert get(f"{url}/health") == (200, HEALTH)
