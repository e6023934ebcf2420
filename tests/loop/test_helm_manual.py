"""The PRD's manual flow, command for command, on the suite's cluster: `helm install astrid ./helm/astrid`
(plus only the flags that point it at the pushed image), kubectl get, port-forward, curl, `helm test`,
`helm uninstall`; run as a reader whose context's namespace is their own (a private kubeconfig whose
context namespace is this test's), forwarding a free port instead of 8080."""

import json
import subprocess

import pytest

from tests.loop.conftest import helm, run
from tests.support.engines import free_port, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

EXPECTED = {"status": "ok", "service": "astrid-api"}


@pytest.fixture
def reader(env, namespace, tmp_path) -> dict:
    """The environment of a reader whose current context's namespace is this test's."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(run(env, "kubectl", "config", "view", "--raw", "--flatten").stdout)
    private = {**env, "KUBECONFIG": str(kubeconfig)}
    run(private, "kubectl", "config", "set-context", "--current", "--namespace", namespace)
    return private


def test_prd_manual_flow(reader, pushed_image):
    env, port = reader, free_port()
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
            ["kubectl", "port-forward", "svc/astrid-api-service", f"{port}:80"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            body = wait_until(
                f"curl localhost:{port}/health",
                lambda: run(env, "curl", "-sf", f"localhost:{port}/health", check=False, timeout=10).stdout,
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
