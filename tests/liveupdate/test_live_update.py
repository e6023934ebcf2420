"""Live update, emulated as Tilt does it, into a container started from the chart's dev values."""

import uuid

import pytest

from tests.support import live_update
from tests.support.chart import image_values, pod_spec
from tests.support.engines import free_port, sh, wait_for
from tests.support.live_update import SYNC_TARGET, changed_main
from tests.support.pod_to_docker import run_pod

pytestmark = pytest.mark.slow


@pytest.fixture
def dev_pod(api_image):
    spec = pod_spec(image_values(api_image, pull_policy="Never"), dev=True)
    port = free_port()
    pod = run_pod(spec, api_image, spec["containers"][0]["ports"][0]["containerPort"], port)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", timeout=60)
        yield pod.container, port
    finally:
        pod.remove()


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
