"""Live update, emulated as Tilt does it, into a container started from the chart's dev values."""

import uuid

import pytest
import yaml

from tests.conftest import ROOT
from tests.support import live_update
from tests.support.engines import free_port, sh, wait_for
from tests.support.pod_to_docker import run_pod

pytestmark = pytest.mark.slow
SYNC_TARGET = "/app/src/api"  # the Tiltfile's sync() remote path (pinned by tests/contract)


def dev_pod_spec(image: str) -> dict:
    import helm_python as helm

    repository, tag = image.split(":")
    dev = helm.values_from_yaml((ROOT / "helm" / "astrid" / "values-dev.yaml").read_text())
    dev["api"]["image"] = {"repository": repository, "tag": tag, "pullPolicy": "Never"}
    with helm.Chart.load(ROOT / "helm" / "astrid") as chart:
        out = chart.render(dev, name="astrid")
    return yaml.safe_load(out["astrid/templates/api-deployment.yaml"])["spec"]["template"]["spec"]


@pytest.fixture
def dev_pod(api_image):
    spec = dev_pod_spec(api_image)
    port = free_port()
    pod = run_pod(spec, api_image, spec["containers"][0]["ports"][0]["containerPort"], port)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", timeout=60)
        yield pod.container, port
    finally:
        pod.remove()


def changed_main(route: str, token: str) -> bytes:
    source = (ROOT / "src" / "api" / "main.py").read_text()
    return (
        source + f'\n\n@app.get("{route}")\nasync def _probe() -> dict:\n    return {{"token": "{token}"}}\n'
    ).encode()


def test_saved_file_is_served_after_sync(dev_pod):
    container, port = dev_pod
    token = uuid.uuid4().hex
    done = live_update.sync(
        container, live_update.archive({f"{SYNC_TARGET}/main.py": changed_main("/lu", token)})
    )
    assert done.returncode == 0, done.stderr.decode()
    body = wait_for(f"http://127.0.0.1:{port}/lu", timeout=30)
    assert token in body.decode()
    assert wait_for(f"http://127.0.0.1:{port}/health") == b'{"status": "ok", "service": "astrid-api"}'


def test_synced_files_belong_to_the_image_user(dev_pod):
    container, _ = dev_pod
    payload = live_update.archive({f"{SYNC_TARGET}/notes.txt": b"x"})
    assert live_update.sync(container, payload).returncode == 0
    owner = sh("docker", "exec", container, "stat", "-c", "%u", f"{SYNC_TARGET}/notes.txt").stdout.strip()
    assert owner == sh("docker", "exec", container, "id", "-u").stdout.strip() != "0"


def test_whole_directory_sync_with_directory_entries_succeeds(dev_pod):
    """A new package, or a whole-directory sync, carries directory entries (the sync root too)."""
    container, port = dev_pod
    token = uuid.uuid4().hex
    files = {
        f"{SYNC_TARGET}/extra/__init__.py": b"",
        f"{SYNC_TARGET}/extra/value.py": f'TOKEN = "{token}"\n'.encode(),
        f"{SYNC_TARGET}/main.py": changed_main("/lu2", token),
    }
    payload = live_update.archive(files, directories=(SYNC_TARGET, f"{SYNC_TARGET}/extra"))
    done = live_update.sync(container, payload)
    assert done.returncode == 0, done.stderr.decode()
    assert token in wait_for(f"http://127.0.0.1:{port}/lu2", timeout=30).decode()


def test_nothing_outside_the_source_directory_is_writable(dev_pod):
    container, _ = dev_pod
    for target in ("/app/new.txt", "/usr/local/lib/new.txt", "/app/requirements.txt"):
        done = live_update.sync(container, live_update.archive({target: b"x"}))
        assert done.returncode == 2, (target, done.stderr)  # what Tilt reports as permission denied
    unchanged = sh("docker", "exec", container, "head", "-c", "1", "/app/requirements.txt").stdout
    assert unchanged == "#"
