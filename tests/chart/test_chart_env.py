"""api.env and api.envFrom: configuration by values, rendered into the api container after the chart's own
env. The schema's refusals are proven with the real Helm CLI (test_chart_refusals.py)."""

import pytest

from tests.support.chart import render

ENV = [
    {"name": "GREETING", "value": "hello"},
    {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "astrid-db", "key": "password"}}},
    {
        "name": "MODE",
        "valueFrom": {"configMapKeyRef": {"name": "astrid-config", "key": "mode", "optional": True}},
    },
    {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
]
ENV_FROM = [
    {"secretRef": {"name": "astrid-secrets"}},
    {"configMapRef": {"name": "astrid-config"}, "prefix": "CFG_"},
]


def test_by_default_no_env_of_the_users_and_no_env_from(prod):
    assert all(e["name"].startswith(("UVICORN_", "ASTRID_")) for e in prod.api["env"])
    assert "envFrom" not in prod.api


@pytest.mark.parametrize("with_dev", [False, True], ids=["prod", "dev"])
def test_env_comes_after_the_charts_own_unchanged_and_in_order(with_dev):
    own = render(dev=with_dev).api["env"]
    api = render({"api": {"env": ENV, "envFrom": ENV_FROM}}, dev=with_dev).api
    assert api["env"] == own + ENV
    assert api["envFrom"] == ENV_FROM


def test_the_helm_test_pod_gets_none_of_it():
    check = render({"api": {"env": ENV, "envFrom": ENV_FROM}}).test_pod["spec"]["containers"][0]
    assert "env" not in check and "envFrom" not in check
