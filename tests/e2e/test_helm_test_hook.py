"""`helm test`'s hook pod, run as rendered against the running api.

In a cluster the hook reaches the api through the Service's DNS name. Here it joins the
api container's network namespace and that name points at 127.0.0.1 there, so the request
is the hook's own, on loopback, with the hook's command, image and security context.
"""

import re
import uuid

import pytest

from tests.support.chart import image_values, render
from tests.support.engines import free_port, remove, sh, wait_for
from tests.support.pod_to_docker import run_job, run_pod

pytestmark = pytest.mark.slow


def rendered(image: str) -> tuple[dict, dict]:
    """The api's pod spec and the helm test hook pod."""
    out = render(image_values(image))
    return out["api-deployment.yaml"]["spec"]["template"]["spec"], out["tests/test-health.yaml"]


def run_hook(hook: dict, image: str, target: str, tmp_path) -> tuple[int, str]:
    service = re.search(r'url = "http://([a-z0-9.-]+):', hook["spec"]["containers"][0]["args"][0])[1]
    hosts = tmp_path / "hosts"
    hosts.write_text(f"127.0.0.1\tlocalhost {service}\n")
    done = run_job(hook["spec"], image, ["--network", f"container:{target}", "-v", f"{hosts}:/etc/hosts:ro"])
    return done.returncode, done.stdout + done.stderr


def test_the_hook_passes_against_the_running_api(api_image, tmp_path):
    spec, hook = rendered(api_image)
    port = free_port()
    pod = run_pod(spec, api_image, spec["containers"][0]["ports"][0]["containerPort"], port)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", timeout=60)
        code, output = run_hook(hook, api_image, pod.container, tmp_path)
    finally:
        pod.remove()
    assert code == 0, output
    assert "http://astrid-api-service:80/health {'status': 'ok', 'service': 'astrid-api'}" in output


def test_the_hook_fails_when_health_is_wrong(api_image, tmp_path):
    """Something else on port 80 (a plain file server answering 404) must fail the hook."""
    _, hook = rendered(api_image)
    name = f"astrid-test-impostor-{uuid.uuid4().hex[:8]}"
    sh("docker", "run", "-d", "--name", name, "--user", "10001", "--entrypoint", "python",
       api_image, "-m", "http.server", "80", "--directory", "/app")  # fmt: skip
    wait_up = (
        "import socket, time\n"
        "for _ in range(100):\n"
        "    try: socket.create_connection(('127.0.0.1', 80)); break\n"
        "    except OSError: time.sleep(0.1)"
    )
    try:
        sh("docker", "exec", name, "python", "-c", wait_up)
        code, output = run_hook(hook, api_image, name, tmp_path)
    finally:
        remove(name)
    assert code != 0
    assert "HTTP Error 404" in output
