"""Object names follow helm create's fullname rule and stay valid Kubernetes names."""

import re

import helm_python
import pytest

from tests.support.chart import render

# A Service name must be a DNS-1035 label; Deployment and Pod names also end up as hostnames.
DNS_1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")


def kinds_and_names(objects):
    return sorted((o["kind"], o["metadata"]["name"]) for o in objects)


def test_release_astrid_installs_deployment_and_service_and_one_test_hook(prod):
    assert kinds_and_names(prod.objects) == [("Deployment", "astrid-api"), ("Service", "astrid-api-service")]
    assert kinds_and_names(prod.hooks) == [("Pod", "astrid-api-test-health")]
    assert [h["metadata"]["annotations"]["helm.sh/hook"] for h in prod.hooks] == ["test"]


def test_service_is_cluster_ip_port_80_to_the_named_container_port(prod):
    spec = prod.service["spec"]
    assert spec["type"] == "ClusterIP"
    assert spec["ports"] == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]


@pytest.mark.parametrize(
    ("release", "base"),
    [
        ("astrid", "astrid-api"),  # the release name contains the chart name: used as is
        ("astrid-staging", "astrid-staging-api"),
        ("demo", "demo-astrid-api"),  # otherwise <release>-<chart>
    ],
)
def test_names_follow_the_fullname_rule(release, base):
    rendered = render(release=release)
    assert rendered.deployment["metadata"]["name"] == base
    assert rendered.service["metadata"]["name"] == f"{base}-service"
    assert rendered.test_pod["metadata"]["name"] == f"{base}-test-health"
    assert rendered.deployment["metadata"]["labels"]["app.kubernetes.io/instance"] == release


def test_fullname_override_replaces_release_and_chart():
    rendered = render({"fullnameOverride": "edge"}, release="demo")
    assert rendered.deployment["metadata"]["name"] == "edge-api"
    assert rendered.service["metadata"]["name"] == "edge-api-service"
    assert rendered.test_pod["metadata"]["name"] == "edge-api-test-health"


def test_name_override_replaces_the_chart_name_in_names_and_labels():
    rendered = render({"nameOverride": "web"}, release="demo")
    assert rendered.deployment["metadata"]["name"] == "demo-web-api"
    assert rendered.service["metadata"]["name"] == "demo-web-api-service"
    assert rendered.pod_labels["app.kubernetes.io/name"] == "web"
    assert rendered.service["spec"]["selector"]["app.kubernetes.io/name"] == "web"


def test_the_longest_release_name_helm_accepts_still_gives_valid_names():
    release = "r" * 53
    helm_python.validate_release_name(release)  # Helm's maximum length ...
    with pytest.raises(helm_python.HelmError):
        helm_python.validate_release_name(release + "r")  # ... is 53

    rendered = render(release=release)
    deployment = rendered.deployment["metadata"]["name"]
    service = rendered.service["metadata"]["name"]
    assert DNS_1035_LABEL.match(deployment), deployment
    assert DNS_1035_LABEL.match(service), f"{service!r} ({len(service)} chars) is not a DNS-1035 label"
    assert service.endswith("-service")
    assert service != deployment
    # Everything that refers to the Service uses the same (shortened) name.
    assert f"http://{service}:80/health" in rendered.test_pod["spec"]["containers"][0]["args"][0]
    assert f"svc/{service} " in rendered.notes
