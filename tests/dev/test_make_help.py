"""`make help` says what `make dev` and `make down` do, as scripts/dev.sh and the Makefile do it."""

import subprocess

from tests.conftest import ROOT


def help_line(target: str) -> str:
    done = subprocess.run(["make", "-s", "-C", str(ROOT), "help"], capture_output=True, text=True, check=True)
    return next(line for line in done.stdout.splitlines() if line.split()[:2] == ["make", target])


def test_make_dev_says_which_contexts_get_the_laptop_cluster(sandbox):
    dev = help_line("dev")
    assert "creates or starts kind-astrid only when there is no context or it is kind-astrid" in dev
    assert "any other context is used as it is" in dev
    # ... as dev.sh does (test_dev_sh.py has the rest): another laptop context gets no ctlptl.
    sandbox.env["STUB_CONTEXT"] = "docker-desktop"
    sandbox.plan("docker-desktop")
    assert sandbox.dev().returncode == 0
    assert sandbox.calls() == ["tilt up"]


def test_make_down_takes_make_devs_args_and_offers_the_namespace():
    # What it does, with the real Tilt on CI's cluster: tests/loop/test_tilt_ci.py.
    down = help_line("down")
    assert "same ARGS as make dev" in down
    assert "DELETE_NAMESPACE=yes also deletes the namespace the loop may create, with all in it" in down
    for value, deletes in [("yes", True), ("no", False), ("1", False), ("", False)]:
        planned = subprocess.run(
            ["make", "-snC", str(ROOT), "down", f"DELETE_NAMESPACE={value}", "ARGS=--stream -- --x"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert ("tilt down --delete-namespaces" in planned) is deletes, (value, planned)


def test_make_deploy_installs_into_the_contexts_namespace_unless_one_is_named():
    def helm_line(*args: str) -> str:
        planned = subprocess.run(
            ["make", "-snC", str(ROOT), "deploy", "TAG=t", *args], capture_output=True, text=True, check=True
        ).stdout
        return next(line for line in planned.splitlines() if "helm upgrade --install" in line)

    assert "--namespace" not in helm_line()  # the context's own, as plain helm uses it
    assert "--namespace team-a --create-namespace" in helm_line("NAMESPACE=team-a")
