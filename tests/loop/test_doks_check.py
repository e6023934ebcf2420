"""`make doks-check` (scripts/doks_check.py) on the target. On a DOKS one (CI: the stand-in) every step
passes with its time, in a namespace of the check's own that is gone afterwards, while the developer's
own loop namespace and what is in it stay as they were; with no registry login it stops at the login,
one FAIL naming `doctl registry login`, with nothing created. On a laptop one it refuses (exit 2)."""

import re
import uuid

import pytest

from tests.loop.conftest import run

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

STEPS = ["context", "login", "tilt-up", "namespace", "pull-secret", "build+push", "rollout", "forward"]
STEPS += ["live-update", "cleanup"]


def doks_check(env, project, tmp_path, *settings):
    """`make doks-check ARGS='-- <settings>'` in `project`, its temporary files in a directory of the
    test's own: (the script's exit code, output, that directory). Make exits 2 whatever the failure
    and says the script's code: `make: *** [Makefile:<n>: doks-check] Error <code>`."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    args = f"ARGS=-- {' '.join(settings)}" if settings else "ARGS="
    done = run(
        {**env, "TMPDIR": str(tmp)}, "make", "doks-check", args, cwd=project, check=False, timeout=1800
    )
    out = done.stdout + done.stderr
    said = re.search(r"\] Error (\d+)$", out, re.M)
    assert done.returncode == (2 if said else 0), out
    return int(said[1]) if said else 0, out, tmp


def loop_namespace(env, project) -> str:
    """The namespace the Tiltfile gives the project's git user.email on a remote context."""
    email = run(env, "git", "config", "user.email", cwd=project).stdout.strip()
    return ("astrid-" + re.sub(r"[^a-z0-9]", "-", email.lower()))[:63].strip("-")


def exists(env, *what) -> bool:
    return run(env, "kubectl", "get", *what, check=False).returncode == 0


@pytest.mark.doks
def test_make_doks_check_runs_every_step_timed_and_leaves_the_developers_namespace_alone(
    env, target, project, tmp_path
):
    yours = loop_namespace(env, project)
    marker = ["configmap", "astrid-dev-marker", "-n", yours]
    run(env, "kubectl", "create", "namespace", yours)
    try:
        labels = ["app.kubernetes.io/instance=astrid", "app.kubernetes.io/managed-by=Helm"]
        run(env, "kubectl", "create", *marker, f"--from-literal=token={uuid.uuid4().hex}")
        run(env, "kubectl", "label", *marker, *labels)
        before = run(env, "kubectl", "get", *marker, "-o", "jsonpath={.metadata.uid} {.data.token}").stdout

        code, out, tmp = doks_check(env, project, tmp_path, *target.allow)

        assert code == 0, out
        lines = [ln for ln in out.splitlines() if re.match(r"(ok|FAIL) ", ln)]
        assert [ln.split()[1] for ln in lines] == STEPS, out
        assert all(re.match(r"ok +\S+ +\d+\.\d s  \S", ln) for ln in lines), out
        assert f"{yours}-check" in lines[0] and "Docker is logged in to registry.digitalocean.com" in lines[1]
        assert "registry.digitalocean.com/astrid/astrid-api:tilt-" in lines[5]
        assert 'answered {"status": "ok", "service": "astrid-api"}' in lines[7]
        assert re.search(r"^doks-check: every step passed in \d+ s$", out, re.M), out
        assert not exists(env, "namespace", f"{yours}-check"), "the check's namespace is deleted"
        assert list(tmp.iterdir()) == [], "the project copy and Tilt's log are removed"
        after = run(env, "kubectl", "get", *marker, "-o", "jsonpath={.metadata.uid} {.data.token}").stdout
        assert after == before, "the developer's namespace and what is in it are untouched"
        assert run(env, "helm", "list", "-q", "-n", yours).stdout.strip() == ""
    finally:
        run(env, "kubectl", "delete", "namespace", yours, "--wait=false", check=False)


@pytest.mark.doks
def test_without_a_registry_login_make_doks_check_stops_at_the_login_and_creates_nothing(
    env, target, project, tmp_path
):
    docker = tmp_path / "docker"
    docker.mkdir()
    code, out, tmp = doks_check({**env, "DOCKER_CONFIG": str(docker)}, project, tmp_path, *target.allow)

    assert code == 1, out
    failed = [ln for ln in out.splitlines() if ln.startswith("FAIL")]
    assert len(failed) == 1 and re.match(r"FAIL +login +\d+\.\d s  Docker's login to registry", failed[0]), (
        out
    )
    assert "fix: run: doctl registry login" in out
    assert [ln.split()[1] for ln in out.splitlines() if ln.startswith("ok ")] == ["context"], out
    assert "tilt-up" not in out and "cleanup" not in out, "Tilt never started"
    assert not exists(env, "namespace", f"{loop_namespace(env, project)}-check")
    assert list(tmp.iterdir()) == []


@pytest.mark.laptop
def test_on_a_laptop_cluster_make_doks_check_refuses(env, target, project, tmp_path):
    code, out, tmp = doks_check(env, project, tmp_path)

    assert code == 2, out
    refusal = [ln for ln in out.splitlines() if ln.startswith("doks-check:")]
    assert refusal == [
        f"doks-check: {target.context} is a laptop cluster (Tilt pushes to its own registry); make doks-check"
        " checks a DOKS context: kubectl config use-context do-<region>-<cluster>, then"
        " make doks-check ARGS='-- --allow-context do-<region>-<cluster>'"
    ], out
    assert not re.search(r"^(ok|FAIL) ", out, re.M), "no step ran"
    assert list(tmp.iterdir()) == []
