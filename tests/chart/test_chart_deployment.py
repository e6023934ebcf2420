"""The api Deployment: replicas, selectors, port, probes, uvicorn settings, rollout, shutdown, labels."""

import helm_python
import pytest

from tests.support.chart import render

PROBES = ("startupProbe", "readinessProbe", "livenessProbe")


def env(container) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("env", [])}


def test_one_replica_by_default(prod):
    assert prod.deployment["spec"]["replicas"] == 1


@pytest.mark.parametrize("count", [0, 3])
def test_replica_count_override(count):
    assert render({"api": {"replicaCount": count}}).deployment["spec"]["replicas"] == count


def test_selector_matches_the_pod_template_and_pins_the_release(prod):
    match = prod.deployment["spec"]["selector"]["matchLabels"]
    assert match
    assert match.items() <= prod.pod_labels.items()
    assert match["app.kubernetes.io/instance"] == "astrid"
    assert match["app.kubernetes.io/component"] == "api"


def test_service_selects_the_api_pods_but_not_the_test_pod(prod):
    selector = prod.service["spec"]["selector"]
    assert selector
    assert selector.items() <= prod.pod_labels.items()
    assert not selector.items() <= prod.test_pod["metadata"]["labels"].items()


def test_container_port_80_is_named_http_and_the_service_targets_it(prod):
    ports = prod.api["ports"]
    assert ports == [{"name": "http", "containerPort": 80, "protocol": "TCP"}]
    target = prod.service["spec"]["ports"][0]["targetPort"]
    assert target in {p["name"] for p in ports}


@pytest.mark.parametrize("probe", PROBES)
def test_probes_get_health_on_the_http_port(prod, probe):
    assert prod.api[probe]["httpGet"] == {"path": "/health", "port": "http"}
    assert prod.api[probe]["httpGet"]["port"] in {p["name"] for p in prod.api["ports"]}


def test_probe_path_is_configurable_for_all_probes():
    api = render({"api": {"probes": {"path": "/healthz"}}}).api
    assert [api[p]["httpGet"]["path"] for p in PROBES] == ["/healthz"] * 3


def test_the_image_starts_uvicorn_and_the_chart_sets_only_its_settings(prod):
    assert "command" not in prod.api and "args" not in prod.api  # the image's CMD
    assert env(prod.api) == {
        "UVICORN_PORT": "80",
        "UVICORN_LOG_LEVEL": "info",
        "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN": "20",
        "ASTRID_API_DOCS": "false",  # the app's own setting: no /docs in production
    }


def test_container_port_override_moves_both_the_port_and_the_bind():
    rendered = render({"api": {"containerPort": 8080}})
    assert rendered.api["ports"][0]["containerPort"] == 8080
    assert env(rendered.api)["UVICORN_PORT"] == "8080"
    assert rendered.service["spec"]["ports"][0]["port"] == 80
    assert rendered.service["spec"]["ports"][0]["targetPort"] == "http"


def test_rolling_update_never_drops_a_ready_pod(prod):
    strategy = prod.deployment["spec"]["strategy"]
    assert strategy["type"] == "RollingUpdate"
    assert strategy["rollingUpdate"]["maxUnavailable"] == 0
    assert strategy["rollingUpdate"]["maxSurge"] >= 1


def test_grace_period_outlasts_pre_stop_sleep_plus_graceful_shutdown(prod):
    pre_stop = prod.api["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    sleep = int(pre_stop[1])
    graceful = int(env(prod.api)["UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"])
    assert sleep > 0
    assert graceful > 0
    assert prod.pod_spec["terminationGracePeriodSeconds"] > sleep + graceful


def test_shutdown_values_reach_the_pod():
    api = {
        "preStopSleepSeconds": 7,
        "server": {"gracefulShutdownSeconds": 40},
        "terminationGracePeriodSeconds": 60,
    }
    rendered = render({"api": api})
    assert rendered.api["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", "7"]
    assert env(rendered.api)["UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"] == "40"
    assert rendered.pod_spec["terminationGracePeriodSeconds"] == 60


@pytest.mark.parametrize("where", ["deployment", "pod template", "service"])
def test_recommended_labels(prod, chart, where):
    labels = {
        "deployment": prod.deployment["metadata"]["labels"],
        "pod template": prod.pod_labels,
        "service": prod.service["metadata"]["labels"],
    }[where]
    meta = chart.metadata
    assert labels["app.kubernetes.io/name"] == "astrid"
    assert labels["app.kubernetes.io/instance"] == "astrid"
    assert labels["app.kubernetes.io/version"] == meta["appVersion"]
    assert labels["app.kubernetes.io/managed-by"] == "Helm"
    assert labels["app.kubernetes.io/component"] == "api"
    assert labels["helm.sh/chart"] == f"{meta['name']}-{meta['version']}"


def test_pod_labels_and_annotations_extend_the_template_without_breaking_selectors():
    rendered = render({"api": {"podLabels": {"team": "data"}, "podAnnotations": {"example.com/x": "1"}}})
    assert rendered.pod_labels["team"] == "data"
    assert rendered.deployment["spec"]["template"]["metadata"]["annotations"] == {"example.com/x": "1"}
    assert rendered.deployment["spec"]["selector"]["matchLabels"].items() <= rendered.pod_labels.items()
    assert "team" not in rendered.service["spec"]["selector"]


@pytest.mark.parametrize(("grace", "ok"), [(25, False), (26, True)])
def test_grace_period_must_outlast_prestop_plus_uvicorn_shutdown(grace, ok):
    """Defaults: preStop 5 s + uvicorn 20 s; a grace period of 25 s or less is refused."""
    values = {"api": {"terminationGracePeriodSeconds": grace}}
    if ok:
        render(values)
    else:
        with pytest.raises(helm_python.HelmRenderError, match="terminationGracePeriodSeconds must exceed"):
            render(values)
