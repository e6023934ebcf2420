"""Every route of the app, in process (httpx over ASGI, lifespan included)."""

import json
import logging
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from src.api.main import DOCS_ENV, app, create_app
from src.api.probe_logs import HealthCheckFilter
from tests.conftest import ROOT
from tests.support.chart import app_version

EXPECTED = {"status": "ok", "service": "astrid-api"}
DOCS_PATHS = ["/docs", "/redoc", "/openapi.json"]


@pytest.fixture(scope="module")
def client():
    with TestClient(app) as c:
        yield c


def test_health_returns_exactly_the_contract(client):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == EXPECTED
    assert r.content == b'{"status":"ok","service":"astrid-api"}'  # FastAPI's compact JSON


@pytest.mark.parametrize("path", ["/", "/healthz", "/health/extra", "/HEALTH"])
def test_unknown_paths_are_json_404(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"detail": "Not Found"}


@pytest.mark.parametrize("method", ["HEAD", "POST", "PUT", "DELETE", "PATCH"])
def test_wrong_methods_are_json_405(client, method):
    r = client.request(method, "/health")
    assert r.status_code == 405
    assert method == "HEAD" or r.json() == {"detail": "Method Not Allowed"}
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"GET"}


def test_openapi_documents_the_health_response():
    schema = app.openapi()  # built whether or not /openapi.json is served
    op = schema["paths"]["/health"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    model = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert model["required"] == ["status", "service"]


def test_openapi_version_is_the_release_version():
    assert app.openapi()["info"]["version"] == app_version()


@pytest.mark.parametrize("path", DOCS_PATHS)
def test_api_docs_are_404_when_off(path):
    with TestClient(create_app(docs=False)) as c:
        r = c.get(path)
        assert r.status_code == 404 and r.json() == {"detail": "Not Found"}
        assert c.get("/health").json() == EXPECTED


def test_api_docs_are_served_when_on():
    with TestClient(create_app(docs=True)) as c:
        docs, redoc, schema = (c.get(path) for path in DOCS_PATHS)
        assert docs.status_code == 200 and "swagger-ui" in docs.text and "/openapi.json" in docs.text
        assert redoc.status_code == 200 and "redoc" in redoc.text and "/openapi.json" in redoc.text
        assert schema.status_code == 200 and schema.json() == app.openapi()  # the same document
        assert c.get("/health").json() == EXPECTED


@pytest.mark.parametrize(("value", "served"), [(None, False), ("false", False), ("1", False), ("true", True)])
def test_the_environment_turns_the_docs_on_only_with_true(value, served):
    """What the image runs: the module's app, built from ASTRID_API_DOCS (unset = off)."""
    env = {k: v for k, v in os.environ.items() if k != DOCS_ENV} | ({DOCS_ENV: value} if value else {})
    urls = "[a.docs_url, a.redoc_url, a.openapi_url]"
    code = f"import json; from src.api.main import app as a; print(json.dumps({urls}))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert json.loads(out.stdout) == (DOCS_PATHS if served else [None, None, None]), out.stderr


def test_health_handler_is_async():
    """async def: served on the event loop, no thread-pool hop per probe."""
    import inspect

    route = next(r for r in app.routes if getattr(r, "path", None) == "/health")
    assert inspect.iscoroutinefunction(route.endpoint)


def _access_record(path: str) -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )


@pytest.mark.parametrize(
    ("path", "level", "kept"),
    [
        ("/health", logging.INFO, False),
        ("/health?probe=1", logging.INFO, False),
        ("/health", logging.DEBUG, True),
        ("/other", logging.INFO, True),
        ("/healthz", logging.INFO, True),
    ],
)
def test_health_is_not_access_logged_at_default_level(path, level, kept):
    logger = logging.getLogger("uvicorn.access")
    old = logger.level
    logger.setLevel(level)
    try:
        assert HealthCheckFilter().filter(_access_record(path)) is kept
    finally:
        logger.setLevel(old)


def test_lifespan_installs_the_filter_once():
    logger = logging.getLogger("uvicorn.access")
    for _ in range(2):
        with TestClient(app):
            pass
    assert sum(isinstance(f, HealthCheckFilter) for f in logger.filters) == 1


def test_oversized_headers_are_refused_with_431(client):
    assert client.get("/health", headers={"x-big": "a" * 20_000}).status_code == 431
    many = {f"x-h{i}": "v" for i in range(120)}
    r = client.get("/health", headers=many)
    assert r.status_code == 431 and r.json() == {"detail": "Request Header Fields Too Large"}
    assert client.get("/health", headers={"x-ok": "a" * 8_000}).status_code == 200
