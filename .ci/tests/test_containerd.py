"""What makes the chart's net.ipv4.ip_unprivileged_port_start sysctl necessary, on CI's node: containerd
1.x leaves a pod the kernel's default of 1024, so without the sysctl the api (UID 10001) cannot bind 80."""

import pytest

from tests.loop.conftest import helm, run
from tests.support.engines import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster, pytest.mark.usefixtures("restricted")]


def test_the_node_runs_containerd_1(env):
    runtime = run(
        env, "kubectl", "get", "nodes", "-o", "jsonpath={.items[0].status.nodeInfo.containerRuntimeVersion}"
    )
    assert runtime.stdout.startswith("containerd://1."), runtime.stdout


def test_without_the_chart_sysctl_port_80_is_refused(env, pushed_image, namespace):
    helm(
        env,
        "install",
        pushed_image,
        "-n",
        namespace,
        "--set-json",
        "api.podSecurityContext.sysctls=[]",
        wait=False,
    )

    def logs():  # the container crash-loops: read the current and the previous run
        cmd = ["kubectl", "logs", "-n", namespace, "deploy/astrid-api", "-c", "api"]
        return run(env, *cmd, check=False).stdout + run(env, *cmd, "--previous", check=False).stdout

    refused = "error while attempting to bind on address ('0.0.0.0', 80): permission denied"
    wait_until("uvicorn reports it cannot bind port 80", lambda: refused in logs(), timeout=120)
