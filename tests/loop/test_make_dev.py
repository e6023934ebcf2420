"""The README's first command on CI's cluster: `make dev` runs the doctor (all checks pass: the cluster
announces its registry, so the loop treats it like a laptop cluster and creates nothing), then
`tilt up`; the api answers through localhost:8080; Ctrl-C stops Tilt; `make down` removes the release."""

import os
import signal
import subprocess

import pytest

from tests.loop.conftest import run, wait_until
from tests.support.engines import get

pytestmark = [pytest.mark.slow, pytest.mark.cluster]


def test_make_dev_checks_then_runs_the_loop_and_make_down_removes_it(env, project, tmp_path):
    log = tmp_path / "make-dev.log"
    with log.open("w") as out:
        dev = subprocess.Popen(
            ["make", "dev", "ARGS=--stream"],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        answers = lambda: dev.poll() is None and get("http://localhost:8080/health")[0] == 200  # noqa: E731
        wait_until("the api answers through make dev's forward", answers, timeout=600, poll=1)
    finally:
        os.killpg(dev.pid, signal.SIGINT)  # Ctrl-C in the terminal running it
        dev.wait(timeout=60)
    text = log.read_text()
    assert "doctor: ready for `tilt up`" in text, text[-3000:]
    assert "Tilt started on http://localhost:10350/" in text and "astrid-api │ Initial Build" in text
    assert "helm', 'upgrade', '--install'" in text  # the release that answered is this run's
    assert "ctlptl" not in text, "make dev creates no cluster behind an existing context"
    assert "astrid" in run(env, "helm", "list", "-q").stdout.split()
    run(env, "make", "down", cwd=project, timeout=300)
    wait_until("the release is gone", lambda: run(env, "helm", "list", "-q").stdout.strip() == "", timeout=90)
