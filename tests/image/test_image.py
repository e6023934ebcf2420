"""The image, built and run by the real Docker engine."""

import subprocess
import tarfile
import urllib.error

import pytest

from tests.support.chart import app_version
from tests.support.engines import get, image_inspect, python_in, sh, wait_for
from tests.support.server import IMAGE_CMD, container

pytestmark = pytest.mark.slow
EXPECTED = b'{"status":"ok","service":"astrid-api"}'
UID = "10001"


@pytest.fixture(scope="module")
def served(api_image):
    """The image run as built (its own CMD, USER and ENV: port 80), published on loopback: (name, URL)."""
    with container(api_image, chart_env=False) as running:
        yield running


def test_runs_as_numeric_non_root_user(api_image, served):
    assert image_inspect(api_image)["Config"]["User"] == f"{UID}:{UID}"
    name, _ = served
    assert sh("docker", "exec", name, "id", "-u").stdout.strip() == UID
    assert sh("docker", "exec", name, "id", "-g").stdout.strip() == UID


def test_serves_health_on_container_port_80(served):
    _, url = served
    assert wait_for(f"{url}/health") == EXPECTED


def test_exposes_port_80_and_runs_uvicorn_on_it(api_image):
    config = image_inspect(api_image)["Config"]
    assert list(config["ExposedPorts"]) == ["80/tcp"]
    assert config["Cmd"] == IMAGE_CMD  # the tests start uvicorn the same way
    env = dict(e.split("=", 1) for e in config["Env"])
    assert env["UVICORN_PORT"] == "80" and int(env["UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"]) > 0


def test_source_directory_is_owned_and_writable_by_the_image_user(served):
    name, _ = served
    owners = sh(
        "docker", "exec", name, "stat", "-c", "%u:%g %n", "/app/src", "/app/src/api", "/app/src/api/main.py"
    ).stdout.split("\n")
    assert all(line.startswith(f"{UID}:{UID} ") for line in owners if line), owners
    sh("docker", "exec", name, "sh", "-c", "touch /app/src/api/.probe && rm /app/src/api/.probe")


def test_oci_labels_and_python_env(api_image):
    config = image_inspect(api_image)["Config"]
    labels = config["Labels"]
    for key in ("source", "revision"):
        assert labels[f"org.opencontainers.image.{key}"], key
    assert labels["org.opencontainers.image.version"] == app_version()  # the Dockerfile's default
    env = dict(e.split("=", 1) for e in config["Env"])
    assert env["PYTHONDONTWRITEBYTECODE"] == "1" and env["PYTHONUNBUFFERED"] == "1"


def test_health_is_not_access_logged_but_other_requests_are(served):
    name, url = served
    wait_for(f"{url}/health")
    with pytest.raises(urllib.error.HTTPError, match="404"):
        get(f"{url}/access-log-marker")
    done = subprocess.run(["docker", "logs", name], capture_output=True, text=True)
    logs = done.stdout + done.stderr
    assert '"GET /access-log-marker HTTP/1.1" 404' in logs
    assert "GET /health" not in logs


def test_no_credentials_or_vcs_data_in_any_layer(api_image, tmp_path):
    archive = tmp_path / "image.tar"
    sh("docker", "save", "-o", str(archive), api_image)
    forbidden = (
        ".git/",
        ".env",
        "id_rsa",
        ".netrc",
        ".pypirc",
        ".dockercfg",
        ".docker/config.json",
        "tilt_config.json",
        ".venv/",
        "tests/",
    )
    found, app_files = [], set()
    with tarfile.open(archive) as outer:
        for member in outer.getmembers():
            if not member.name.endswith(("layer.tar", ".tar")) and "blobs/" not in member.name:
                continue
            try:
                layer = tarfile.open(fileobj=outer.extractfile(member))
            except tarfile.ReadError:
                continue
            for name in layer.getnames():
                if name.startswith("app/"):
                    app_files.add(name)
                if any(f"/{bad}" in f"/{name}" for bad in forbidden) and name.startswith("app/"):
                    found.append(name)
    assert "app/src/api/main.py" in app_files  # the scan really read the application layer
    assert found == []
    top_level = {name.split("/")[1] for name in app_files if name.count("/") >= 1} - {""}
    assert top_level == {"src", "requirements.txt"}, sorted(app_files)  # .dockerignore keeps the rest out


def test_dependencies_are_installed_from_hashes(api_image):
    code = "import fastapi, uvicorn, h11, watchfiles; print(fastapi.__version__, uvicorn.__version__)"
    out = python_in(api_image, code)
    pins = {
        line.split("==")[0]: line.split("==")[1].split()[0]
        for line in open("requirements.txt")
        if "==" in line
    }
    assert out.stdout.split() == [pins["fastapi"], pins["uvicorn"]]
