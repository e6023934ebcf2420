"""scripts/doctor.py with the real Tilt: what `tilt alpha tiltfile-result` says about the real Tiltfile
is what the doctor checks. kubectl and docker stay stubs; the kubeconfig's servers answer nothing."""

import json
import re
import shutil
import socket
import subprocess

import pytest

from tests.conftest import ROOT, engines_required

pytestmark = pytest.mark.slow
CONTEXTS = ["kind-astrid", "do-nyc1-astrid", "do-fra1-prod"]


def real_tilt() -> str:
    """tilt on PATH, or among CI's engines (`bash .ci/cluster.sh env`); skipped (in CI: failed) without."""
    env = subprocess.run(["bash", str(ROOT / ".ci" / "cluster.sh"), "env"], capture_output=True, text=True)
    engines = re.search(r"PATH=(\S+)", env.stdout)
    found = shutil.which("tilt") or (engines and shutil.which("tilt", path=engines[1]))
    if not found:
        (pytest.fail if engines_required() else pytest.skip)("tilt is not installed")
    return found


@pytest.fixture
def tilt(sandbox, tmp_path):
    """The sandbox with the real tilt, Tilt's helm_resource extension (CI's stand-in) and a kubeconfig;
    tilt(context) makes `context` current for Tilt and the kubectl stub alike."""
    sandbox.remove("tilt")
    (sandbox.bin / "tilt").symlink_to(real_tilt())
    (sandbox.bin / "git").symlink_to(shutil.which("git"))  # Tilt checks the extension's repository
    (sandbox.bin / "sh").symlink_to(shutil.which("sh"))  # Tilt's local() runs commands with sh
    extensions = (
        tmp_path / "xdg" / "tilt-dev" / "tilt_modules" / "github.com" / "tilt-dev" / "tilt-extensions"
    )
    shutil.copytree(ROOT / ".ci" / "helm_resource", extensions / "helm_resource")
    git = ["git", "-C", str(extensions), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "stand-in"], check=True)
    sandbox.env.update(XDG_DATA_HOME=str(tmp_path / "xdg"), KUBECONFIG=str(tmp_path / "kubeconfig"))

    def use(context: str) -> None:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": context,
            "clusters": [{"name": c, "cluster": {"server": "https://127.0.0.1:9"}} for c in CONTEXTS],
            "users": [{"name": "u", "user": {"token": "none"}}],
            "contexts": [{"name": c, "context": {"cluster": c, "user": "u"}} for c in CONTEXTS],
        }
        (tmp_path / "kubeconfig").write_text(json.dumps(config))
        sandbox.env["STUB_CONTEXT"] = context

    use("kind-astrid")
    return use


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
