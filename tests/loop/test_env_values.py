"""api.env and api.envFrom on CI's cluster: values referenced from a Secret and a ConfigMap (never inline)
arrive in the running api process, next to the chart's own settings."""

import json

import pytest

from tests.loop.conftest import helm, run

pytestmark = [pytest.mark.slow, pytest.mark.cluster, pytest.mark.usefixtures("restricted")]

ENV = [
    {"name": "GREETING", "value": "hello"},
    {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "astrid-test-secret", "key": "password"}}},
    {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "astrid-test-config", "key": "mode"}}},
    {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
]
ENV_FROM = [
    {"secretRef": {"name": "astrid-test-secret"}},
    {"configMapRef": {"name": "astrid-test-config"}, "prefix": "CFG_"},
]


def test_env_from_a_secret_and_a_configmap_reaches_the_process(env, pushed_image, namespace):
    ns = ["-n", namespace]
    secret = ["--from-literal=password=s3cret", "--from-literal=TOKEN=t0ken"]
    run(env, "kubectl", "create", "secret", "generic", "astrid-test-secret", *ns, *secret)
    config = ["--from-literal=mode=blue", "--from-literal=COLOR=green"]
    run(env, "kubectl", "create", "configmap", "astrid-test-config", *ns, *config)
    helm(
        env,
        "install",
        pushed_image,
        *ns,
        "--set-json",
        f"api.env={json.dumps(ENV)}",
        "--set-json",
        f"api.envFrom={json.dumps(ENV_FROM)}",
    )

    names = ["GREETING", "DB_PASSWORD", "MODE", "POD_NAMESPACE", "TOKEN", "password", "CFG_COLOR", "CFG_mode"]
    script = (
        f"import json, os; print(json.dumps({{k: os.environ.get(k) for k in {names + ['UVICORN_PORT']!r}}}))"
    )
    exec_ = ["kubectl", "exec", *ns, "deploy/astrid-api", "-c", "api", "--", "python", "-c", script]
    seen = json.loads(run(env, *exec_).stdout)
    assert seen == {
        "GREETING": "hello",
        "DB_PASSWORD": "s3cret",
        "MODE": "blue",
        "POD_NAMESPACE": namespace,
        "TOKEN": "t0ken",
        "password": "s3cret",
        "CFG_COLOR": "green",
        "CFG_mode": "blue",
        "UVICORN_PORT": "80",
    }
