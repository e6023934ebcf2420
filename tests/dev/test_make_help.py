"""`make help` says what `make dev` and `make down` do, as scripts/dev.sh and the real Tilt do it."""

import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # the real tilt


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


def test_make_down_asks_only_for_what_tilt_down_takes(sandbox, tilt):
    down = help_line("down")
    assert "same ARGS as make dev" not in down
    assert "ARGS: the settings after --, as for make dev" in down
    assert "not tilt up's flags such as --stream" in down
    # What the help says is what the real `tilt down` does: it refuses `tilt up`'s --stream ...
    tilt_down = ["tilt", "down", "-f", str(sandbox.root / "Tiltfile")]
    done = subprocess.run([*tilt_down, "--stream"], env=sandbox.env, capture_output=True, text=True)
    assert done.returncode != 0 and "unknown flag: --stream" in done.stderr
    # ... and parses the settings after `--` (it then reads the Tiltfile with them).
    done = subprocess.run(
        [*tilt_down, "--", "--api-port", "9"], env=sandbox.env, capture_output=True, text=True
    )
    assert "unknown flag" not in done.stderr, done.stderr
    assert "Loading Tiltfile" in done.stdout + done.stderr
