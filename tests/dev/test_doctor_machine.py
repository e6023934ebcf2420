"""scripts/doctor.py: the machine-side checks (tools, Docker, ports), settings Tilt rejects, Python."""

import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from tests.conftest import engines_required


def test_all_good_on_the_laptop_cluster(sandbox):
    # Exactly these: no pull-secret line (a laptop cluster's own registry needs none), no warning.
    assert sandbox.ready() == {
        "docker       v27.3.1",
        "kubectl      v1.31.2",
        "helm         v3.16.3",
        "tilt         v0.33.21",
        "context      kind-astrid (Tilt pushes to the cluster's own registry)",
        "namespace    default exists",
        f"tilt-ui      127.0.0.1:{sandbox.env['TILT_PORT']} is free",
        f"port         127.0.0.1:{sandbox.port} is free",
    }


@pytest.mark.parametrize(
    ("tool", "fix"),
    [
        ("docker", "fix: install Docker: https://docs.docker.com/get-docker/"),
        ("kubectl", "fix: install kubectl: https://kubernetes.io/docs/tasks/tools/"),
        ("helm", "fix: install Helm 3.10 or newer: https://helm.sh/docs/intro/install/"),
        ("tilt", "fix: install Tilt: https://docs.tilt.dev/install.html"),
    ],
)
def test_a_missing_tool_blocks_with_its_install_fix(sandbox, tool, fix):
    sandbox.remove(tool)
    done = sandbox.doctor()
    assert done.returncode == 1
    assert f"FAIL  {tool:<12} not found on PATH\n{'':18}{fix}\n" in done.stdout
    assert "Traceback" not in done.output


@pytest.mark.parametrize(
    ("env", "line", "fix"),
    [
        (
            {"STUB_DOCKER_DOWN": "1"},
            "FAIL  docker       `docker info --format {{.ServerVersion}}` failed: Cannot connect",
            "start Docker",
        ),
        (
            {"STUB_HELM_VERSION": "v3.9.4+gdbc6d8e"},
            "FAIL  helm         v3.9.4 is too old (needs >= 3.10)",
            "install Helm 3.10 or newer",
        ),
    ],
)
def test_a_stopped_daemon_or_an_old_helm_blocks(sandbox, env, line, fix):
    sandbox.env.update(env)
    done = sandbox.doctor()
    assert done.returncode == 1
    assert line in done.stdout
    assert f"fix: {fix}" in done.stdout


def listening():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener


def test_a_busy_forwarded_port_blocks_with_the_port_fix(sandbox):
    with listening() as listener:
        sandbox.port = listener.getsockname()[1]
        sandbox.plan("kind-astrid")  # the port Tilt says it forwards
        done = sandbox.doctor()
    assert done.returncode == 1
    assert f"FAIL  port         127.0.0.1:{sandbox.port} is in use" in done.stdout
    assert f"fix: stop what listens there (lsof -iTCP:{sandbox.port} -sTCP:LISTEN)" in done.stdout


def test_a_busy_tilt_ui_port_says_tilt_is_already_running(sandbox):
    with listening() as tilt, listening() as forward:
        sandbox.env["TILT_PORT"] = str(tilt.getsockname()[1])
        sandbox.port = forward.getsockname()[1]
        sandbox.plan("kind-astrid")
        done = sandbox.doctor()
    assert done.returncode == 1
    assert f"FAIL  tilt-ui      Tilt is already running (port {sandbox.env['TILT_PORT']})" in done.stdout
    assert f"fix: use it at http://localhost:{sandbox.env['TILT_PORT']}, or stop it" in done.stdout
    assert f"127.0.0.1:{sandbox.port}" not in done.stdout, "its forwarded ports are not reported as well"


def test_settings_tilt_rejects_on_any_cluster_exit_2_with_tilts_own_message(sandbox):
    error = (
        "Error in config.parse: invalid Tiltfile config args: unknown flag: --colour\nUsage:\n  --registry"
    )
    sandbox.refuse("kind-astrid", error)
    done = sandbox.doctor("--", "--colour")
    assert done.returncode == 2
    assert done.stderr.startswith(f"doctor: Tilt stops, on any cluster:\n{error}\nfix: correct that setting")
    assert "Loading Tiltfile" not in done.stderr, "only Tilt's error, not its progress lines"
    assert "FAIL" not in done.stdout
    assert "Traceback" not in done.output


def interpreter(version: str) -> str:
    """A working python3.X: on PATH, or one pyenv installed (its shims need pyenv's own setup); or skip
    (in CI: fail, as for any missing engine)."""
    found = [shutil.which(f"python{version}") or ""]
    found += sorted(str(p) for p in Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))
    for candidate in filter(None, found):
        if subprocess.run([candidate, "-c", ""], capture_output=True, check=False).returncode == 0:
            return candidate
    (pytest.fail if engines_required() else pytest.skip)(f"no working python{version} here")


def test_the_doctor_runs_on_python_3_9_a_laptops_system_python(sandbox):
    done = sandbox.doctor(python=interpreter("3.9"))
    assert done.returncode == 0, done.output
    assert done.stdout.endswith("doctor: ready for `tilt up`\n")


def test_an_older_python_is_refused_in_one_line(sandbox):
    done = sandbox.doctor(python=interpreter("3.8"))
    assert done.returncode == 1
    assert done.output.startswith("doctor: needs Python 3.9 or newer; this python3 is 3.8.")
    assert done.output.count("\n") == 1
