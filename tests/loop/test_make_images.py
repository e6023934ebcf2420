"""`make push` and `make deploy` against CI's registry and cluster: tags are never overwritten, and a
deploy runs the digest it pushed (`make release` is tested with the README's commands)."""

import json
import urllib.request
import uuid

import pytest

from tests.conftest import ROOT
from tests.loop.conftest import run

pytestmark = [pytest.mark.slow, pytest.mark.cluster]
REGISTRY = "localhost:5005/astrid"


def registry_digest(repository: str, tag: str) -> str:
    """The digest CI's registry serves for repository:tag (its Docker-Content-Digest header)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:5005/v2/{repository}/manifests/{tag}",
        method="HEAD",
        headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (CI's loopback registry)
        return response.headers["Docker-Content-Digest"]


@pytest.fixture
def make(env):
    def make(*args, check=True):
        return run({**env, "REGISTRY": REGISTRY}, "make", *args, cwd=ROOT, check=check, timeout=600)

    return make


def test_make_push_refuses_a_tag_that_exists(make):
    tag = f"push-{uuid.uuid4().hex[:8]}"
    make("push", f"TAG={tag}")
    pushed = registry_digest("astrid/astrid-api", tag)
    again = make("push", f"TAG={tag}", check=False)
    assert again.returncode != 0
    assert f"push: {REGISTRY}/astrid-api:{tag} already exists; tags are immutable" in again.stderr
    assert registry_digest("astrid/astrid-api", tag) == pushed  # untouched


def test_make_deploy_runs_the_digest_it_pushed(env, make, namespace):
    tag = f"deploy-{uuid.uuid4().hex[:8]}"
    make("deploy", f"TAG={tag}", f"NAMESPACE={namespace}")
    digest = registry_digest("astrid/astrid-api", tag)
    kubectl = ["kubectl", "-n", namespace, "get", "-o", "json"]
    deployment = json.loads(run(env, *kubectl, "deployment/astrid-api").stdout)
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"{REGISTRY}/astrid-api@{digest}"
    pods = json.loads(run(env, *kubectl, "pods").stdout)["items"]
    assert {p["status"]["containerStatuses"][0]["imageID"].rsplit("@", 1)[1] for p in pods} == {digest}
    run(env, "helm", "uninstall", "astrid", "-n", namespace, "--wait")
