"""Security on a real API server and kubelet: the real PodSecurity admission ("restricted") admits the
chart's production and dev pods and its test pod; the api binds port 80 as UID 10001 through the chart's
sysctl (CI shows on its own node that containerd 1.x needs it)."""

import pytest

from tests.loop.conftest import api_pod, helm, run

pytestmark = [pytest.mark.slow, pytest.mark.cluster, pytest.mark.usefixtures("restricted")]


def install(env, namespace, image, *flags, wait=True):
    helm(env, "install", image, "-n", namespace, *flags, wait=wait)


@pytest.mark.parametrize(
    "values", [[], ["--values", "helm/astrid/values-dev.yaml"]], ids=["production", "dev"]
)
def test_restricted_admits_the_pod_which_binds_80_as_10001(env, pushed_image, namespace, values):
    install(env, namespace, pushed_image, *values)
    pod = api_pod(env, namespace)

    def inside(*cmd):
        return run(env, "kubectl", "exec", "-n", namespace, pod, "-c", "api", "--", *cmd).stdout

    status = dict(
        line.split(":\t", 1) for line in inside("cat", "/proc/1/status").splitlines() if ":\t" in line
    )
    assert status["Uid"].split()[:2] == ["10001", "10001"]
    assert status["CapEff"] == "0000000000000000"
    assert status["NoNewPrivs"].strip() == "1"
    assert inside("cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start").strip() == "0"
    listening = [
        line.split()[1] for line in inside("cat", "/proc/net/tcp").splitlines()[1:] if line.split()[3] == "0A"
    ]
    assert "00000000:0050" in listening
    # The chart's test pod is admitted too, and reaches the api by the Service's name.
    run(env, "helm", "test", "astrid", "-n", namespace, "--timeout", "2m", timeout=180)


def test_restricted_refuses_a_pod_without_a_security_context(env, namespace):
    result = run(env, "kubectl", "run", "bare", "-n", namespace, "--image=astrid.local/pause:1", check=False)
    assert result.returncode != 0
    assert 'violates PodSecurity "restricted:latest"' in result.stderr
