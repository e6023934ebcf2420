"""`make push` and `make deploy` against the target's registry and cluster: tags are never overwritten,
and a deploy runs the digest it pushed (`make release` is tested with the README's commands)."""

import json
import uuid

import pytest

from tests.conftest import ROOT
from tests.loop.conftest import run

pytestmark = [pytest.mark.slow, pytest.mark.cluster]


@pytest.fixture(scope="module")
def registry(target) -> str:
    """What REGISTRY is for these targets: on a laptop cluster its registry/astrid, on DOKS DOCR's."""
    return f"{target.registry}/astrid" if target.local else target.registry


def registry_digest(env, target, ref: str) -> str:
    """The digest the registry itself serves for `ref` (the manifest's descriptor, as Docker reads it)."""
    insecure = ["--insecure"] if target.local else []
    return json.loads(run(env, "docker", "manifest", "inspect", "-v", *insecure, ref).stdout)["Descriptor"][
        "digest"
    ]


@pytest.fixture
def make(env, registry):
    def make(*args, check=True):
        return run({**env, "REGISTRY": registry}, "make", *args, cwd=ROOT, check=check, timeout=600)

    return make


def test_make_push_refuses_a_tag_that_exists(env, target, registry, make):
    tag = f"push-{uuid.uuid4().hex[:8]}"
    make("push", f"TAG={tag}")
    pushed = registry_digest(env, target, f"{registry}/astrid-api:{tag}")
    again = make("push", f"TAG={tag}", check=False)
    assert again.returncode != 0
    assert f"push: {registry}/astrid-api:{tag} already exists; tags are immutable" in again.stderr
    assert registry_digest(env, target, f"{registry}/astrid-api:{tag}") == pushed  # untouched


def test_make_deploy_runs_the_digest_it_pushed(env, target, registry, make, namespace):
    tag = f"deploy-{uuid.uuid4().hex[:8]}"
    make("deploy", f"TAG={tag}", f"NAMESPACE={namespace}")
    digest = registry_digest(env, target, f"{registry}/astrid-api:{tag}")
    kubectl = ["kubectl", "-n", namespace, "get", "-o", "json"]
    deployment = json.loads(run(env, *kubectl, "deployment/astrid-api").stdout)
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"{registry}/astrid-api@{digest}"
    pods = json.loads(run(env, *kubectl, "pods").stdout)["items"]
    assert {p["status"]["containerStatuses"][0]["imageID"].rsplit("@", 1)[1] for p in pods} == {digest}
    run(env, "helm", "uninstall", "astrid", "-n", namespace, "--wait")
