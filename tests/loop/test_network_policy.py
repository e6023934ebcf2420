"""api.networkPolicy enforced on CI's cluster (kube-router's firewall; DOKS enforces it with Cilium): with the
policy on and one other namespace allowed by its name label, a pod there gets /health and a pod in a third
namespace is refused; the release's own namespace (`helm test`) and `kubectl port-forward` keep working.
Switching the policy off lets the refused pod in, so the refusal was the policy's."""

import json
import subprocess

import pytest

from tests.loop.conftest import api_pod, helm, new_namespace, run
from tests.support.engines import free_port, wait_for, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster, pytest.mark.usefixtures("restricted")]

HEALTH = '{"status":"ok","service":"astrid-api"}'
# One bounded attempt from inside a client pod: the body, or the error's name and message.
FETCH = """
import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode())
except Exception as e:
    print("ERROR", type(e).__name__, e)
"""


@pytest.fixture
def two_more_namespaces(env, target):
    names = [new_namespace(env, target, restricted=True) for _ in range(2)]
    yield names
    for name in names:
        run(env, "kubectl", "delete", "namespace", name, "--wait=false", check=False)


def start_client(env, namespace, image, pull_secret) -> None:
    """The app image as a client (no other image exists here), compliant with "restricted"."""
    repository, tag = image
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "client", "namespace": namespace},
        "spec": {
            "automountServiceAccountToken": False,
            "restartPolicy": "Never",
            "imagePullSecrets": [{"name": pull_secret}],
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 10001,
                "runAsGroup": 10001,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [
                {
                    "name": "client",
                    "image": f"{repository}:{tag}",
                    "command": ["sleep", "600"],
                    "securityContext": {
                        "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]},
                    },
                    "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}},
                }
            ],
        },
    }
    run(env, "kubectl", "apply", "-f", "-", input=json.dumps(pod))
    run(env, "kubectl", "wait", "-n", namespace, "--for=condition=Ready", "pod/client", "--timeout=120s")


def fetch(env, namespace, url) -> str:
    return run(
        env, "kubectl", "exec", "-n", namespace, "client", "--", "python", "-c", FETCH, url
    ).stdout.strip()


def refusal(env, namespace, url) -> str | None:
    """The error, if the connection was dropped (a timeout) or rejected (refused); not a DNS failure,
    which would prove nothing about the policy."""
    answer = fetch(env, namespace, url)
    refused = answer.startswith("ERROR") and ("timed out" in answer or "refused" in answer)
    return answer if refused else None


def test_only_the_release_namespace_and_the_named_one_get_in(
    env, target, pushed_image, namespace, two_more_namespaces
):
    allowed, other = two_more_namespaces
    peers = [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": allowed}}}]
    policy = [
        "--set",
        "api.networkPolicy.enabled=true",
        "--set-json",
        f"api.networkPolicy.from={json.dumps(peers)}",
    ]
    helm(env, "install", pushed_image, "-n", namespace, *policy)
    run(env, "kubectl", "get", "networkpolicy", "-n", namespace, "astrid-api")
    for ns in (allowed, other):
        start_client(env, ns, pushed_image, target.pull_secret)

    pod_ip = api_pod(env, namespace, "status.podIP")
    urls = [f"http://astrid-api-service.{namespace}.svc.cluster.local/health", f"http://{pod_ip}:80/health"]

    for url in urls:
        wait_until(f"{other} is refused {url}", lambda u=url: refusal(env, other, u), timeout=60)
        wait_until(f"{allowed} gets {url}", lambda u=url: fetch(env, allowed, u) == HEALTH, timeout=60)

    # The release's own namespace: the chart's test pod, through the Service's name.
    result = run(env, "helm", "test", "astrid", "-n", namespace, "--timeout", "2m", timeout=180)
    assert "Phase:          Succeeded" in result.stdout, result.stdout

    # port-forward does not cross the pod network: still served.
    port = free_port()
    forward = subprocess.Popen(
        ["kubectl", "port-forward", "-n", namespace, "svc/astrid-api-service", f"{port}:80"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/health", timeout=30).decode() == HEALTH
    finally:
        forward.terminate()
        forward.wait(10)

    # The control: without the policy, the same client in the other namespace is served.
    helm(env, "upgrade", pushed_image, "-n", namespace, "--set", "api.networkPolicy.enabled=false")
    assert wait_until(
        f"{other} gets {urls[1]} once the policy is gone", lambda: fetch(env, other, urls[1]) == HEALTH, 60
    )
