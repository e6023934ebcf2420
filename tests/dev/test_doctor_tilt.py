"""scripts/doctor.py with the real Tilt: what `tilt alpha tiltfile-result` says about the real Tiltfile
is what the doctor checks. kubectl and docker stay stubs; the kubeconfig's servers answer nothing
(the `tilt` fixture: tests/dev/real_engines.py)."""

import json
import socket
import subprocess

import pytest

pytestmark = pytest.mark.slow


def tilts_own_error(sandbox, *args: str) -> str:
    """The `Error ...` line the real Tilt prints for these settings on the current context."""
    done = subprocess.run(
        ["tilt", "alpha", "tiltfile-result", "--", *args],
        env=sandbox.env,
        cwd=sandbox.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 5, done.stderr
    return next(line for line in done.stderr.splitlines() if line.startswith("Error"))


def test_a_context_the_tiltfile_refuses_shows_tilts_own_words_and_the_laptop_cluster_first(sandbox, tilt):
    tilt("do-fra1-prod")
    refusal = tilts_own_error(sandbox)
    assert refusal.startswith("Error in fail: ") and "do-fra1-prod" in refusal, "the Tiltfile's own refusal"
    done = sandbox.doctor()
    assert done.returncode == 1, done.output
    assert f"FAIL  context      Tilt stops on do-fra1-prod: {refusal}" in done.stdout.splitlines()
    assert (
        "fix: use the laptop cluster: make cluster (or: kubectl config use-context kind-astrid)"
        in done.stdout
    )


def test_settings_in_tilt_config_json_reach_the_checks_through_tilt(sandbox, tilt):
    tilt("do-nyc1-astrid")
    settings = {"allow-context": ["do-nyc1-astrid"], "registry": "acme", "namespace": "team-a"}
    settings["api-port"] = str(sandbox.port)
    (sandbox.root / "tilt_config.json").write_text(json.dumps(settings))
    sandbox.env.update(STUB_NAMESPACES="team-a", STUB_SECRETS="registry-acme")
    assert sandbox.ready() >= {
        "context      do-nyc1-astrid (Tilt pushes to registry.digitalocean.com/acme)",
        "registry     Docker is logged in to registry.digitalocean.com",
        "namespace    team-a exists",
        "pull-secret  registry-acme in team-a",
        f"port         127.0.0.1:{sandbox.port} is free",
    }
    assert sandbox.calls("docker login") == ["docker login registry.digitalocean.com"]


def test_settings_after_the_double_dash_reach_the_checks_through_tilt(sandbox, tilt):
    tilt("do-nyc1-astrid")
    sandbox.env.update(STUB_NAMESPACES="default", STUB_SECRETS="")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        busy = listener.getsockname()[1]
        args = [
            "--allow-context",
            "do-nyc1-astrid",
            "--namespace",
            "me",
            "--create-namespace",
            "--api-port",
            str(busy),
        ]
        done = sandbox.doctor("--stream", "--", *args)
    assert done.returncode == 1, done.output
    assert "ok    namespace    me will be created (helm --create-namespace)" in done.stdout
    assert f"FAIL  port         127.0.0.1:{busy} is in use" in done.stdout


@pytest.mark.parametrize(
    ("config", "args"), [(None, ["--colour", "blue"]), ('{"allow-context": "do-nyc1-astrid",}', [])]
)
def test_settings_tilt_rejects_exit_2_with_tilts_own_words(sandbox, tilt, config, args):
    if config:
        (sandbox.root / "tilt_config.json").write_text(config)
    error = tilts_own_error(sandbox, *args)
    done = sandbox.doctor("--", *args)
    assert done.returncode == 2, done.output
    assert f"doctor: Tilt stops, on any cluster:\n{error}\n" in done.stderr
    assert "Traceback" not in done.output


def test_with_no_context_yet_tilt_checks_the_settings_on_a_stand_in_laptop_cluster(sandbox, tilt):
    tilt("")
    # The port is the sandbox's own: 8080 may be busy here.
    done = sandbox.doctor("--", "--registry", "acme", "--api-port", str(sandbox.port))
    assert done.returncode == 0, done.output
    assert "warn  context      no current kube context" in done.stdout
    done = sandbox.doctor("--", "--colour")
    assert done.returncode == 2, done.output
    assert "unknown flag: --colour" in done.stderr


@pytest.mark.parametrize("context", ["kind-astrid", ""])
def test_a_failed_extension_download_is_the_network_not_a_setting(sandbox, tilt, tmp_path, context):
    tilt(context)
    sandbox.env["XDG_DATA_HOME"] = str(tmp_path / "fresh")  # a first run: nothing downloaded yet
    error = tilts_own_error(sandbox)  # Tilt's exit 5, as for a bad setting; git's reason comes before it
    assert error.startswith("Error: cannot load ext://helm_resource: loading extension repo default: ")
    done = sandbox.doctor()
    assert done.returncode == 1, done.output
    assert f"FAIL  extension    Tilt could not download ext://helm_resource: {error}\n" in done.stdout
    assert "fatal: unable to access 'http://127.0.0.1:9/tilt-dev/tilt-extensions/'" in done.stdout
    fix = "fix: Tilt's first run clones https://github.com/tilt-dev/tilt-extensions with git into "
    assert fix + f"{tmp_path / 'fresh' / 'tilt-dev' / 'tilt_modules'}: check network access" in done.stdout
    assert "tilt_config.json" not in done.output and "Traceback" not in done.output
