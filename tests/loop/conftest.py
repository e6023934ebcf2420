"""The real loop: real Tilt, Helm and kubectl against the cluster of the current kube context, which the
environment names: KUBECONFIG (or ~/.kube/config) and ASTRID_LOOP_CONTEXT, which must equal its current
context (the suite creates namespaces, pushes images and installs releases there, so it never runs
against a context by accident). A laptop cluster (kind-astrid: `ASTRID_LOOP_CONTEXT=kind-astrid make
test`) or a DOKS one, whose registry Docker is logged in to; Tilt, Helm, kubectl and Docker on PATH.
Without a target the tests are skipped, and in CI they fail. Every test runs in namespaces and on ports
of its own: a developer's own loop beside it is left alone."""

import functools
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, engines_required
from tests.support.engines import free_port, sh, wait_until

DOCR = "registry.digitalocean.com"


@functools.cache
def announced_registry() -> str:
    """The registry the current context's cluster announces as its own (KEP-1755's
    kube-public/local-registry-hosting, which Tilt reads): a laptop cluster's, or "" (DOKS announces
    none). Read once, at collection too, to select the ```sh doks / ```sh laptop blocks and the tests
    marked doks or laptop, so that the selection and the `target` fixture always agree."""
    get = [
        "kubectl",
        "get",
        "configmap",
        "-n",
        "kube-public",
        "local-registry-hosting",
        "--request-timeout=5s",
    ]
    try:
        done = subprocess.run(
            [*get, "-o", r"jsonpath={.data.localRegistryHosting\.v1}"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""  # no target at all: the env fixture says why
    hosts = [ln.split(":", 1)[1].strip(' "') for ln in done.stdout.splitlines() if ln.startswith("host:")]
    return hosts[0] if done.returncode == 0 and hosts else ""


def pytest_collection_modifyitems(config, items):
    """Tests marked `doks` run on a DOKS cluster, `laptop` on a laptop one: the other kind's are
    deselected (never skipped; CI runs the suite on both)."""
    if not any(item.get_closest_marker(kind) for item in items for kind in ("doks", "laptop")):
        return
    other = "doks" if announced_registry() else "laptop"
    elsewhere = [item for item in items if item.get_closest_marker(other)]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if not item.get_closest_marker(other)]


def run(env, *argv, timeout=300, **kw) -> subprocess.CompletedProcess:
    """`tests.support.engines.sh` (captured text output; a non-zero exit raises with it, unless
    check=False) with the target's environment `env`."""
    return sh(*argv, env=env, timeout=timeout, **kw)


def tilt_ready(env, resource: str = "astrid-api", timeout: int = 600) -> None:
    """Block until a `tilt up` just started answers, lists `resource` and reports it Ready. Tilt's API
    answers before the Tiltfile's resources exist, and `tilt wait --for=condition` fails at once on
    one that does not exist yet, so `--for=create` comes first."""
    answers = lambda: run(env, "tilt", "get", "session", check=False).returncode == 0  # noqa: E731
    wait_until("tilt up's API answers", answers)
    run(env, "tilt", "wait", "--for=create", f"uiresource/{resource}", "--timeout=120s", timeout=140)
    ready = ["tilt", "wait", "--for=condition=Ready", f"uiresource/{resource}", f"--timeout={timeout}s"]
    run(env, *ready, timeout=timeout + 20)


@contextmanager
def tilt_up(env, project: Path, settings, log: Path) -> Iterator[subprocess.Popen]:
    """`tilt up --stream -- settings` in `project` (its output in `log`) for the block, which starts once
    astrid-api is Ready; afterwards tilt up is stopped and `tilt down` run with the same settings."""
    with log.open("w") as out:
        up = ["tilt", "up", "--stream", "--", *settings]
        tilt = subprocess.Popen(up, cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            tilt_ready(env)
            yield tilt
        finally:
            tilt.terminate()
            tilt.wait(30)
            run(env, "tilt", "down", "--", *settings, cwd=project, check=False, timeout=300)


@pytest.fixture(scope="session")
def env() -> dict[str, str]:
    """The process environment, once it names an answering target (see above)."""
    env = dict(os.environ)
    named = env.get("ASTRID_LOOP_CONTEXT", "")
    probe = subprocess.run(["kubectl", "config", "current-context"], env=env, capture_output=True, text=True)
    current = probe.stdout.strip() if probe.returncode == 0 else ""
    if not named or named != current:
        reason = (
            f"the loop suite runs against the current kube context only when ASTRID_LOOP_CONTEXT names it"
            f" (current: {current or 'none'}; ASTRID_LOOP_CONTEXT: {named or 'unset'}); e.g."
            f" ASTRID_LOOP_CONTEXT=kind-astrid make test (CI sets it)"
        )
    else:
        readyz = subprocess.run(
            ["kubectl", "get", "--raw", "/readyz"], env=env, capture_output=True, text=True
        )
        reason = "" if readyz.returncode == 0 else f"{current} does not answer: {readyz.stderr.strip()[:200]}"
    if reason:
        (pytest.fail if engines_required() else pytest.skip)(reason)
    return env


@dataclass(frozen=True)
class Target:
    context: str
    registry: str  # where the suite pushes: the laptop cluster's own, or DOCR's <registry>
    local: bool  # the cluster announces a registry of its own (KEP-1755), as laptop clusters do
    allow: tuple[str, ...]  # the Tiltfile settings a remote context needs
    # DOKS's registry integration copies registry-<registry> into every namespace (the chart's default
    # names registry-astrid); a laptop cluster needs none, and a pod naming a missing one still runs.
    pull_secret: str = "registry-astrid"  # noqa: S105 (a Secret's name)


@pytest.fixture(scope="session")
def target(env) -> Target:
    context = run(env, "kubectl", "config", "current-context").stdout.strip()
    if host := announced_registry():
        return Target(context, host, True, ())
    registry = env.get("ASTRID_REGISTRY", "astrid")  # the Tiltfile's `registry` setting (its default)
    allow = ("--allow-context", context, "--registry", registry)
    return Target(context, f"{DOCR}/{registry}", False, allow, f"registry-{registry}")


@dataclass(frozen=True)
class Loop:
    """One test's Tilt loop: Tilt's own port (TILT_PORT in `env`, so every tilt command finds it), the
    api's forwarded port, the namespace, and the Tiltfile settings that say so."""

    env: dict
    port: int
    namespace: str
    settings: tuple[str, ...]

    def url(self, path: str) -> str:
        return f"http://localhost:{self.port}{path}"

    @classmethod
    def of(cls, env, target: Target, project: Path) -> "Loop":
        """A laptop cluster: `--namespace t-<id> --create-namespace`. A DOKS one: no namespace setting, so
        the Tiltfile gives the project's git user.email (<id>@example.com) its astrid-<email> namespace
        and creates it, as it does for each developer."""
        port, email = free_port(), sh("git", "config", "user.email", cwd=project).stdout.strip()
        ident = email.split("@")[0]
        if target.local:
            namespace, settings = ident, ("--namespace", ident, "--create-namespace")
        else:
            namespace, settings = f"astrid-{ident}-example-com", target.allow
        tilt = {**env, "TILT_PORT": str(free_port())}
        return cls(tilt, port, namespace, (*settings, "--api-port", str(port)))


@pytest.fixture
def loop(env, target, project):
    """This test's loop in `project`; its namespace is deleted afterwards, with all in it."""
    loop = Loop.of(env, target, project)
    yield loop
    run(
        env,
        "kubectl",
        "delete",
        "namespace",
        loop.namespace,
        "--wait=false",
        "--ignore-not-found",
        check=False,
    )


def helm(env, verb, image, *flags, wait=True) -> subprocess.CompletedProcess:
    """`helm install|upgrade astrid ./helm/astrid`, pointed at the pushed image, plus `flags`."""
    repository, tag = image
    pointed = ["--set", f"api.image.repository={repository}", "--set", f"api.image.tag={tag}"]
    waiting = ["--wait", "--timeout", "3m"] if wait else []
    argv = ["helm", verb, "astrid", "./helm/astrid", *pointed, *flags, *waiting]
    return run(env, *argv, cwd=ROOT, timeout=240)


@pytest.fixture(scope="session")
def pushed_image(env, target) -> tuple[str, str]:
    """The image built from Dockerfile.api, pushed to the target's registry: (repository, tag)."""
    from tests.support.engines import build_image

    tag = f"test-{uuid.uuid4().hex[:8]}"
    local = build_image(tag)
    repository = f"{target.registry}/astrid-api"
    run(env, "docker", "tag", local, f"{repository}:{tag}")
    run(env, "docker", "push", f"{repository}:{tag}", timeout=600)
    return repository, tag


def api_pod(env, namespace, field: str = "metadata.name") -> str:
    """A field of the release's api pod in `namespace` (its name by default)."""
    selector = "app.kubernetes.io/component=api"
    jsonpath = f"jsonpath={{.items[0].{field}}}"
    return run(env, "kubectl", "get", "pods", "-n", namespace, "-l", selector, "-o", jsonpath).stdout.strip()


RESTRICTED = [
    "pod-security.kubernetes.io/enforce=restricted",
    "pod-security.kubernetes.io/enforce-version=latest",
]


def new_namespace(env, target: Target, restricted: bool = False) -> str:
    """A new namespace; `restricted`: PodSecurity admits only "restricted" pods (production's profile).
    On DOKS, returned once the registry integration has copied its pull secret there (a moment late)."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    run(env, "kubectl", "create", "namespace", name)
    if restricted:
        run(env, "kubectl", "label", "namespace", name, *RESTRICTED)
    if not target.local:
        secret = ["kubectl", "get", "secret", "-n", name, target.pull_secret]
        wait_until(f"{target.pull_secret} in {name}", lambda: run(env, *secret, check=False).returncode == 0)
    return name


@pytest.fixture
def namespace(env, target):
    """A namespace of this test's own, deleted afterwards."""
    name = new_namespace(env, target)
    yield name
    run(env, "kubectl", "delete", "namespace", name, "--wait=false", check=False)


@pytest.fixture
def restricted(env, namespace):
    """This test's namespace, admitting only "restricted" pods."""
    run(env, "kubectl", "label", "namespace", namespace, *RESTRICTED)
    return namespace


def copy_project(into: Path, email: str) -> Path:
    """A copy of the project (what git tracks or would track) to run Tilt in and edit, sharing .venv:
    a git work tree with those files added, as a developer's checkout is (tests/docs reads git), whose
    git user.email is `email`."""
    files = sh("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).stdout
    for name in filter(None, files.split("\0")):
        if (ROOT / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, into / name)
    (into / ".venv").symlink_to(ROOT / ".venv")
    sh("git", "init", "-q", cwd=into)
    sh("git", "config", "user.email", email, cwd=into)
    sh("git", "add", "-A", cwd=into)
    return into


@pytest.fixture
def project(tmp_path) -> Path:
    """copy_project in this test's directory, its git user.email t-<id>@example.com."""
    return copy_project(tmp_path, f"t-{uuid.uuid4().hex[:8]}@example.com")
