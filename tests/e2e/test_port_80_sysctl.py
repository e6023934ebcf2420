"""The chart's own sysctl is what lets the non-root api bind port 80.

Docker and containerd 2.x lower `ip_unprivileged_port_start` for every container, which
would hide a missing sysctl; containerd 1.x leaves the kernel default, 1024. Here the
rendered pod runs on a runtime with that default, with and without the chart's sysctl.
"""

import subprocess
import time

import pytest

from tests.support.chart import image_values, pod_spec
from tests.support.engines import free_port, wait_for
from tests.support.pod_to_docker import run_pod

pytestmark = pytest.mark.slow
CONTAINERD_1 = ("--sysctl", "net.ipv4.ip_unprivileged_port_start=1024")


def test_the_pod_serves_port_80_on_a_runtime_that_keeps_the_kernel_default(api_image):
    spec = pod_spec(image_values(api_image))
    assert {"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"} in spec["securityContext"]["sysctls"]
    port = free_port()
    pod = run_pod(spec, api_image, 80, port, runtime=CONTAINERD_1)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/health", timeout=60).startswith(b'{"status": "ok"')
    finally:
        pod.remove()


def test_without_the_sysctl_the_non_root_api_cannot_bind_port_80(api_image):
    spec = pod_spec(image_values(api_image))
    del spec["securityContext"]["sysctls"]
    pod = run_pod(spec, api_image, 80, free_port(), runtime=CONTAINERD_1)
    try:
        deadline, logs = time.monotonic() + 30, ""
        while time.monotonic() < deadline and "permission denied" not in logs:
            done = subprocess.run(["docker", "logs", pod.container], capture_output=True, text=True)
            logs = (done.stdout + done.stderr).lower()
            time.sleep(0.2)
    finally:
        pod.remove()
    assert "error while attempting to bind on address ('0.0.0.0', 80): permission denied" in logs
