"""The README's first command on the suite's cluster: `make dev` runs the doctor (all checks pass; on an
existing context it creates no cluster), then `tilt up`; the api answers through the forwarded port;
Ctrl-C stops Tilt; `make down` with the same ARGS removes the release."""

import os
import signal
import subprocess

import pytest

from tests.loop.conftest import run
from tests.support.engines import get, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster]


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C to its process group, as a terminal sends it; SIGKILL if that is not enough."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def test_make_dev_checks_then_runs_the_loop_and_make_down_removes_it(loop, project, tmp_path):
    env, args = loop.env, f"ARGS=--stream -- {' '.join(loop.settings)}"
    helm_list = ["helm", "list", "-q", "-n", loop.namespace]
    log = tmp_path / "make-dev.log"
    with log.open("w") as out:
        dev = subprocess.Popen(
            ["make", "dev", args],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def answers() -> bool:
        if dev.poll() is not None:
            raise AssertionError(f"make dev exited {dev.returncode}:\n{log.read_text()[-3000:]}")
        return get(loop.url("/health"))[0] == 200

    try:
        wait_until("the api answers through make dev's forward", answers, timeout=600, poll=1)
    finally:
        stop(dev)
        text = log.read_text()
        released = "astrid" in run(env, *helm_list).stdout.split()
        run(env, "make", "down", args, cwd=project, timeout=300, check=False)
    assert "doctor: ready for `tilt up`" in text, text[-3000:]
    assert (
        f"Tilt started on http://localhost:{env['TILT_PORT']}/" in text
        and "astrid-api │ Initial Build" in text
    )
    assert "helm', 'upgrade', '--install'" in text and released  # the release that answered is this run's
    assert "ctlptl" not in text, "make dev creates no cluster behind an existing context"
    wait_until("the release is gone", lambda: run(env, *helm_list).stdout.strip() == "", timeout=90)
