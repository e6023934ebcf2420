"""`helm test astrid` runs a pod that requests the Service's /health with the app image."""

import re

import pytest

from tests.support.chart import render

URL_LINE = re.compile(r'^url = "(?P<url>[^"]+)"$', re.MULTILINE)


def script(rendered):
    (container,) = rendered.test_pod["spec"]["containers"]
    assert container["command"] == ["python", "-c"]
    (body,) = container["args"]
    return body


def requested_url(rendered):
    (match,) = URL_LINE.finditer(script(rendered))
    return match["url"]


def expected_url(rendered):
    service = rendered.service
    port = service["spec"]["ports"][0]["port"]
    path = rendered.api["readinessProbe"]["httpGet"]["path"]
    return f"http://{service['metadata']['name']}:{port}{path}"


def test_is_a_helm_test_hook_that_runs_once(prod):
    pod = prod.test_pod
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert pod["spec"]["restartPolicy"] == "Never"
    assert (
        0 < pod["spec"]["activeDeadlineSeconds"] <= 300
    )  # a hung check fails `helm test`, not waits forever


def test_uses_the_app_image(prod):
    (container,) = prod.test_pod["spec"]["containers"]
    assert container["image"] == prod.api["image"]
    assert container["imagePullPolicy"] == prod.api["imagePullPolicy"]


def test_requests_the_service_health_endpoint(prod):
    assert requested_url(prod) == "http://astrid-api-service:80/health"
    assert requested_url(prod) == expected_url(prod)


@pytest.mark.parametrize(
    ("values", "release"),
    [
        ({}, "demo"),
        ({"api": {"service": {"port": 8081}}}, "astrid"),
        ({"api": {"probes": {"path": "/healthz"}}}, "astrid"),
        ({"fullnameOverride": "edge"}, "astrid"),
    ],
)
def test_url_follows_service_name_port_and_probe_path(values, release):
    rendered = render(values, release=release)
    assert requested_url(rendered) == expected_url(rendered)


def test_script_is_valid_python_checking_the_health_contract(prod):
    body = script(prod)
    compile(body, "test-health", "exec")
    assert 'assert body == {"status": "ok", "service": "astrid-api"}' in body
