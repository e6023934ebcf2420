"""The PRD's manual flow, command for command, on the CI cluster: `helm install astrid ./helm/astrid`
(plus only the flags that point it at the pushed image), kubectl get, port-forward, curl, `helm test`,
`helm uninstall`."""

import json
import subprocess

import pytest

from tests.loop.conftest import helm, run
from tests.support.engines import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

EXPECTED = {"status": "ok", "service": "astrid-api"}


def test_prd_manual_flow(env, pushed_image):
    helm(env, "install", pushed_image)
    try:
        # (a pod of an earlier release may still be Terminating in the listing: it is not ours)
        pods = run(env, "kubectl", "get", "pods").stdout.splitlines()
        running = [p.split() for p in pods if p.startswith("astrid-api-") and "Terminating" not in p]
        assert len(running) == 1 and running[0][1:3] == ["1/1", "Running"], pods

        services = [line.split() for line in run(env, "kubectl", "get", "service").stdout.splitlines()]
        assert ["astrid-api-service", "ClusterIP"] == next(
            s[:2] for s in services if s[0] == "astrid-api-service"
        )

        forward = subprocess.Popen(
            ["kubectl", "port-forward", "svc/astrid-api-service", "8080:80"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            body = wait_until(
                "curl localhost:8080/health",
                lambda: run(env, "curl", "-sf", "localhost:8080/health", check=False, timeout=10).stdout,
                timeout=30,
            )
            assert json.loads(body) == EXPECTED
        finally:
            forward.terminate()
            forward.wait(10)

        # The chart's test pod reaches the api by the Service's DNS name (CoreDNS, kube-proxy).
        result = run(env, "helm", "test", "astrid", "--timeout", "2m", timeout=180)
        assert "Phase:          Succeeded" in result.stdout, result.stdout
    finally:
        run(env, "helm", "uninstall", "astrid", "--wait", "--timeout", "2m", check=False, timeout=180)

    assert run(env, "helm", "list", "-q", "--all").stdout.strip() == ""
    wait_until(
        "no object labelled with the release",
        lambda: (
            run(
                env,
                "kubectl",
                "get",
                "all,configmap,secret,serviceaccount",
                "-l",
                "app.kubernetes.io/instance=astrid",
                "-o",
                "name",
            ).stdout.strip()
            == ""
        ),
        timeout=90,
    )
