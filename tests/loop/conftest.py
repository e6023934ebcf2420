"""The real loop: real Tilt, Helm and kubectl against CI's cluster (.ci/run starts it). Without it
running, these tests fail in CI and are skipped elsewhere, naming what starts it."""

import os
import shlex
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT, engines_required
from tests.support.engines import sh

CLUSTER = ROOT / ".ci" / "cluster.sh"


def cluster_env() -> dict[str, str]:
    """The environment `.ci/cluster.sh env` prints: KUBECONFIG, PATH with the engines, XDG_DATA_HOME."""
    out = subprocess.run(["bash", str(CLUSTER), "env"], capture_output=True, text=True, check=True).stdout
    env = dict(os.environ)
    for word in shlex.split(out.removeprefix("export ")):
        key, _, value = word.partition("=")
        env[key] = value
    return env


def run(env, *argv, timeout=300, **kw) -> subprocess.CompletedProcess:
    """`tests.support.engines.sh` (captured text output; a non-zero exit raises with it, unless
    check=False) with the cluster's environment `env`."""
    return sh(*argv, env=env, timeout=timeout, **kw)


@pytest.fixture(scope="session")
def env() -> dict[str, str]:
    env = cluster_env()
    probe = subprocess.run(["kubectl", "get", "--raw", "/readyz"], env=env, capture_output=True, text=True)
    if probe.returncode != 0:
        error = probe.stderr.strip()[:200]
        reason = f"CI's cluster is not running (.ci/run starts it; docs/development.md): {error}"
        if engines_required():
            pytest.fail(reason)
        pytest.skip(reason)
    return env


@pytest.fixture(scope="session")
def tilt_args(env) -> list[str]:
    """What `.ci/cluster.sh tilt-args` says `tilt ci` / `tilt up` need on this cluster (today: nothing)."""
    return shlex.split(run(env, "bash", str(CLUSTER), "tilt-args").stdout)


def helm(env, verb, image, *flags, wait=True) -> subprocess.CompletedProcess:
    """`helm install|upgrade astrid ./helm/astrid`, pointed at the pushed image, plus `flags`."""
    repository, tag = image
    pointed = ["--set", f"api.image.repository={repository}", "--set", f"api.image.tag={tag}"]
    waiting = ["--wait", "--timeout", "3m"] if wait else []
    argv = ["helm", verb, "astrid", "./helm/astrid", *pointed, *flags, *waiting]
    return run(env, *argv, cwd=ROOT, timeout=240)


@pytest.fixture(scope="session")
def pushed_image(env) -> tuple[str, str]:
    """The image built from Dockerfile.api, pushed to the cluster's registry: (repository, tag)."""
    from tests.support.engines import build_image

    tag = f"test-{uuid.uuid4().hex[:8]}"
    local = build_image(tag)
    repository = "localhost:5005/astrid-api"
    run(env, "docker", "tag", local, f"{repository}:{tag}")
    run(env, "docker", "push", f"{repository}:{tag}", timeout=300)
    return repository, tag


def api_pod(env, namespace, field: str = "metadata.name") -> str:
    """A field of the release's api pod in `namespace` (its name by default)."""
    selector = "app.kubernetes.io/component=api"
    jsonpath = f"jsonpath={{.items[0].{field}}}"
    return run(env, "kubectl", "get", "pods", "-n", namespace, "-l", selector, "-o", jsonpath).stdout.strip()


@pytest.fixture(scope="session")
def registry_base(env) -> str:
    """The Dockerfile's base served by CI's registry, where `make release` (docker build --pull)
    fetches it afresh: no other registry is reachable from CI."""
    base = run(env, "bash", str(ROOT / "scripts" / "base-image.sh"), timeout=1200).stdout.split()[-1]
    ref = "localhost:5005/library/python:3.11-slim"
    run(env, "docker", "tag", base, ref)
    run(env, "docker", "push", ref, timeout=300)
    return ref


RESTRICTED = [
    "pod-security.kubernetes.io/enforce=restricted",
    "pod-security.kubernetes.io/enforce-version=latest",
]


def new_namespace(env, restricted: bool = False) -> str:
    """A new namespace; `restricted`: PodSecurity admits only "restricted" pods (production's profile)."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    run(env, "kubectl", "create", "namespace", name)
    if restricted:
        run(env, "kubectl", "label", "namespace", name, *RESTRICTED)
    return name


@pytest.fixture
def namespace(env, request):
    """A namespace of this test's own, deleted afterwards."""
    name = new_namespace(env)
    yield name
    run(env, "kubectl", "delete", "namespace", name, "--wait=false", check=False)


@pytest.fixture
def restricted(env, namespace):
    """This test's namespace, admitting only "restricted" pods."""
    run(env, "kubectl", "label", "namespace", namespace, *RESTRICTED)
    return namespace


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project (what git tracks or would track) to run Tilt in and edit, sharing .venv:
    a git work tree with those files added, as a developer's checkout is (tests/docs reads git)."""
    files = sh("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).stdout.split(
        "\0"
    )
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    sh("git", "init", "-q", cwd=tmp_path)
    sh("git", "add", "-A", cwd=tmp_path)
    return tmp_path
