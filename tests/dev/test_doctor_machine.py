"""scripts/doctor.py: the machine-side checks (tools, Docker, port) and bad settings."""

import socket

import pytest


def test_all_good_on_the_laptop_cluster(sandbox):
    done = sandbox.doctor()
    assert done.returncode == 0, done.output
    for check in [
        "docker       daemon 27.3.1",
        "kubectl      v1.31.2",
        "helm         v3.16.3",
        "tilt         v0.33.21",
        "context      kind-astrid (laptop cluster)",
        "namespace    default exists",
        "port",
    ]:
        assert f"ok    {check}" in done.stdout
    assert done.stdout.endswith("doctor: ready for `tilt up`\n")
    assert "FAIL" not in done.stdout


@pytest.mark.parametrize(
    ("tool", "fix"),
    [
        ("docker", "fix: install Docker: https://docs.docker.com/get-docker/"),
        ("kubectl", "fix: install kubectl: https://kubernetes.io/docs/tasks/tools/"),
        ("helm", "fix: install Helm 3 or newer: https://helm.sh/docs/intro/install/"),
        ("tilt", "fix: install Tilt: https://docs.tilt.dev/install.html"),
    ],
)
def test_a_missing_tool_blocks_with_its_install_fix(sandbox, tool, fix):
    sandbox.remove(tool)
    done = sandbox.doctor()
    assert done.returncode == 1
    assert f"FAIL  {tool:<12} not found on PATH" in done.stdout
    assert fix in done.stdout


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"STUB_DOCKER_DOWN": "1"}, "FAIL  docker       daemon not reachable"),
        ({"STUB_HELM_VERSION": "Client: v2.17.0+ga690bad"}, "FAIL  helm         v2.17.0 is too old"),
        (
            {"STUB_TILT_VERSION": "v0.32.4, built 2023-06-01"},
            "FAIL  tilt         v0.32.4 is too old (needs >= 0.33.0)",
        ),
    ],
)
def test_a_stopped_daemon_or_an_old_tool_blocks(sandbox, env, line):
    sandbox.env.update(env)
    done = sandbox.doctor()
    assert done.returncode == 1
    assert line in done.stdout


def test_a_busy_port_blocks_with_the_port_fix(sandbox):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        sandbox.env["ASTRID_PORT"] = str(listener.getsockname()[1])
        done = sandbox.doctor()
    assert done.returncode == 1
    assert f"FAIL  port         127.0.0.1:{sandbox.env['ASTRID_PORT']} is in use" in done.stdout
    assert "fix: stop what listens there, or run: tilt up -- --port 9090" in done.stdout


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('{"allow-context": ["do-nyc1-astrid"],}', "is not valid JSON"),
        ('["do-nyc1-astrid"]', "must be a JSON object"),
        ('{"allow-context": "do-nyc1-astrid"}', "'allow-context' must be a string list"),
        ('{"allow_context": ["do-nyc1-astrid"]}', "unknown setting 'allow_context'"),
        ('{"port": "http"}', "is not a TCP port"),
    ],
)
def test_bad_settings_get_one_clear_line(sandbox, config, message):
    sandbox.tilt_config(config)
    done = sandbox.doctor()
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
