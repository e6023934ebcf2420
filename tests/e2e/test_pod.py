"""The chart's rendered Deployment run by `podman kube play`: our stand-in for "pod Running".

podman honours the chart's command, args, user, read-only root, capabilities,
seccomp and no-new-privileges. It ignores pod sysctls, so /etc/containers/containers.conf
sets the same one by default (ci/containers.conf); test_port_80_sysctl.py proves the chart's own.
"""

import os
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ROOT, require_engine
from tests.support.chart import image_values, render
from tests.support.engines import free_port, sh, wait_for

pytestmark = pytest.mark.slow
EXPECTED = b'{"status": "ok", "service": "astrid-api"}'


@pytest.fixture(scope="module")
def pod(api_image, tmp_path_factory):
    require_engine("podman", ["podman", "info"])
    sh("bash", "-c", f"docker save {api_image} | podman load -q", timeout=300)
    deployment = render(image_values(f"localhost/{api_image}"))["api-deployment.yaml"]
    # Test harness only: reach the pod from this machine, on loopback.
    port = free_port()
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["ports"][0].update(hostPort=port, hostIP="127.0.0.1")
    manifest = tmp_path_factory.mktemp("kube") / "deployment.yaml"
    manifest.write_text(yaml.safe_dump(deployment))
    sh("podman", "kube", "play", str(manifest), timeout=120)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", timeout=60)
        yield f"{deployment['metadata']['name']}-pod-0-{container['name']}", port, container
    finally:
        subprocess.run(["podman", "kube", "down", str(manifest)], capture_output=True, timeout=120)


def test_pod_serves_health_on_the_published_port(pod):
    _, port, _ = pod
    assert wait_for(f"http://127.0.0.1:{port}/health") == EXPECTED


def test_pod_runs_the_charts_command_as_the_charts_user(pod):
    name, _, container = pod
    cmdline = sh("podman", "exec", name, "cat", "/proc/1/cmdline").stdout.split("\0")
    assert "uvicorn" in cmdline[1] and cmdline[2:-1] == container["args"]
    uid = container["securityContext"]["runAsUser"]
    assert sh("podman", "exec", name, "id", "-u").stdout.strip() == str(uid) != "0"


def test_pod_has_the_restricted_security_context(pod):
    name, _, _ = pod
    status = dict(
        line.split(":\t", 1)
        for line in sh("podman", "exec", name, "cat", "/proc/1/status").stdout.splitlines()
        if ":\t" in line
    )
    assert status["CapEff"].strip() == "0" * 16 and status["CapBnd"].strip() == "0" * 16
    assert status["NoNewPrivs"].strip() == "1"
    assert status["Seccomp"].strip() == "2"  # filter mode: the runtime's default profile
    write = subprocess.run(["podman", "exec", name, "touch", "/app/probe"], capture_output=True, text=True)
    assert write.returncode != 0 and "Read-only file system" in write.stderr
    sh("podman", "exec", name, "sh", "-c", "touch /tmp/probe && rm /tmp/probe")  # the emptyDir /tmp


def test_smoke_suite_passes_against_the_pod(pod):
    _, port, _ = pod
    env = {**os.environ, "ASTRID_SMOKE_URL": f"http://127.0.0.1:{port}/health"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "smoke")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout[-2000:]
