"""On DOKS, the two first-day failures end in one message that names the fix, before Tilt starts
(`make dev` runs the doctor first): no registry login (Docker holds no credential for DOCR: the
registry refuses the push), and no pull secret (the registry integration is off or the secret was
removed: the node's pull is refused with 401)."""

import json
import uuid

import pytest

from tests.loop.conftest import helm, run
from tests.support.engines import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster, pytest.mark.doks]


def make_dev(loop, project, env, *settings):
    """`make dev` with these Tiltfile settings; returns (exit code, output, the FAIL lines)."""
    args = f"ARGS=--stream -- {' '.join(settings or loop.settings)}"
    done = run(env, "make", "dev", args, cwd=project, check=False, timeout=300)
    out = done.stdout + done.stderr
    return done.returncode, out, [ln for ln in out.splitlines() if ln.startswith("FAIL")]


def test_without_a_registry_login_the_push_is_refused_and_make_dev_says_doctl_registry_login(
    loop, project, target, pushed_image, tmp_path
):
    logged_out = {**loop.env, "DOCKER_CONFIG": str(tmp_path / "docker")}
    (tmp_path / "docker").mkdir()
    ref = f"{target.registry}/astrid-api:nologin-{uuid.uuid4().hex[:6]}"
    run(loop.env, "docker", "tag", ":".join(pushed_image), ref)
    refused = run(logged_out, "docker", "push", ref, check=False, timeout=120)
    assert refused.returncode != 0 and "no basic auth credentials" in refused.stderr, refused.stderr

    code, out, failed = make_dev(loop, project, logged_out)
    assert code != 0, out[-3000:]
    assert len(failed) == 1 and failed[0].startswith(
        "FAIL  registry     Docker's login to registry.digitalocean.com is missing or expired"
    ), out[-3000:]
    assert "fix: run: doctl registry login" in out
    assert "Tilt started" not in out
    namespace = run(loop.env, "kubectl", "get", "namespace", loop.namespace, check=False)
    assert namespace.returncode != 0, "nothing was deployed"


def test_without_the_pull_secret_the_pull_is_refused_and_make_dev_names_the_registry_integration(
    loop, project, target, namespace, pushed_image
):
    run(loop.env, "kubectl", "delete", "secret", "-n", namespace, target.pull_secret)
    code, out, failed = make_dev(
        loop, project, loop.env, *target.allow, "--namespace", namespace, "--api-port", str(loop.port)
    )
    assert code != 0, out[-3000:]
    assert failed == [f"FAIL  pull-secret  {target.pull_secret} missing in {namespace}"], out[-3000:]
    cluster = target.context.split("-", 2)[2]  # doctl's do-<region>-<cluster>
    assert f"fix: run: doctl kubernetes cluster registry add {cluster}" in out
    assert "Tilt started" not in out

    # What the doctor spares: the node's pull without the secret is refused.
    helm(loop.env, "install", pushed_image, "-n", namespace, wait=False)
    events = ["kubectl", "get", "events", "-n", namespace, "-o", "json"]

    def refused() -> bool:
        messages = [e.get("message", "") for e in json.loads(run(loop.env, *events).stdout)["items"]]
        return any("401 Unauthorized" in m for m in messages)

    wait_until("the node's pull is refused with 401", refused, timeout=120)


def test_with_the_registry_integration_off_a_new_namespace_is_refused_too(loop, project, target):
    """The integration puts its secret in every namespace, default too: none there, none to come."""
    secret = ["kubectl", "get", "secret", "-n", "default", target.pull_secret, "-o", "json"]
    saved = json.loads(run(loop.env, *secret).stdout)
    run(loop.env, "kubectl", "delete", "secret", "-n", "default", target.pull_secret)
    try:
        code, out, failed = make_dev(loop, project, loop.env)
        assert code != 0, out[-3000:]
        assert failed == [f"FAIL  pull-secret  {target.pull_secret} missing in default"], out[-3000:]
        assert f"{loop.namespace} will be created (helm --create-namespace)" in out
    finally:
        restored = {k: saved[k] for k in ("apiVersion", "kind", "type", "data")}
        restored["metadata"] = {"name": target.pull_secret, "namespace": "default"}
        run(loop.env, "kubectl", "apply", "-f", "-", input=json.dumps(restored))
