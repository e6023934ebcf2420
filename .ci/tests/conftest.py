"""CI's own machinery, tested on CI's machine (.ci/run runs these after `make test`): the cluster's
environment comes from `.ci/cluster.sh env`."""

import os
import shlex
import subprocess
from pathlib import Path

import pytest

# The loop suite's fixtures, on CI's laptop-like context (the `env` below replaces the suite's own).
from tests.loop.conftest import namespace, pushed_image, restricted, target  # noqa: F401

CI = Path(__file__).resolve().parents[1]
CLUSTER = CI / "cluster.sh"


@pytest.fixture(scope="session")
def env() -> dict[str, str]:
    """The environment `.ci/cluster.sh env` prints (KUBECONFIG, PATH with the engines, XDG_DATA_HOME);
    the cluster must answer."""
    out = subprocess.run(["bash", str(CLUSTER), "env"], capture_output=True, text=True, check=True).stdout
    env = dict(os.environ)
    for word in shlex.split(out.removeprefix("export ")):
        key, _, value = word.partition("=")
        env[key] = value
    ready = subprocess.run(["kubectl", "get", "--raw", "/readyz"], env=env, capture_output=True, text=True)
    if ready.returncode != 0:
        pytest.fail(f"CI's cluster does not answer (.ci/run starts it): {ready.stderr.strip()[:200]}")
    return env
