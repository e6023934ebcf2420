"""Which image every container runs, including the one Tilt injects with `--set`."""

import helm_python
import pytest

from tests.support.chart import render

DOCR_REPOSITORY = "registry.digitalocean.com/astrid/astrid-api"


def containers(rendered):
    """Every container, init containers included: the Deployment's and the helm test pod's."""
    specs = [rendered.pod_spec, rendered.test_pod["spec"]]
    return [c for spec in specs for c in [*spec.get("initContainers", []), *spec["containers"]]]


def images(rendered):
    return {c["name"]: c["image"] for c in containers(rendered)}


def tilt_set(repository, tag):
    """What helm_resource's image_keys pass: `--set api.image.repository=... --set api.image.tag=...`."""
    return helm_python.parse_set_string(f"api.image.repository={repository},api.image.tag={tag}")


def test_default_image_is_docr_at_the_chart_app_version(prod, chart):
    expected = f"{DOCR_REPOSITORY}:{chart.metadata['appVersion']}"
    assert images(prod) == {"api": expected, "check-health": expected}


@pytest.mark.parametrize(
    ("repository", "tag"),
    [
        (DOCR_REPOSITORY, "tilt-0123456789abcdef"),  # Tilt with default_registry(DOCR)
        ("localhost:5005/astrid-api", "tilt-fedcba9876543210"),  # Tilt with a local registry
        (DOCR_REPOSITORY, "3f2c1ab"),  # CI: an immutable git SHA
    ],
)
@pytest.mark.parametrize("with_dev", [False, True], ids=["prod", "dev"])
def test_repository_and_tag_overrides_are_used_exactly(repository, tag, with_dev):
    rendered = render(tilt_set(repository, tag), dev=with_dev)
    found = images(rendered)
    assert set(found) == {"api", "check-health"}
    assert set(found.values()) == {f"{repository}:{tag}"}


def test_pull_policy_applies_to_every_container():
    rendered = render({"api": {"image": {"pullPolicy": "Always"}}}, dev=True)
    assert {c["imagePullPolicy"] for c in containers(rendered)} == {"Always"}


DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize("with_dev", [False, True], ids=["prod", "dev"])
def test_a_digest_pins_every_container_and_the_tag_is_ignored(with_dev):
    values = {"api": {"image": {"repository": DOCR_REPOSITORY, "tag": "3f2c1ab", "digest": DIGEST}}}
    assert set(images(render(values, dev=with_dev)).values()) == {f"{DOCR_REPOSITORY}@{DIGEST}"}


@pytest.mark.parametrize("digest", ["0123abcd", "sha256:" + "0" * 63, "sha512:" + "0" * 64, DIGEST.upper()])
def test_a_malformed_digest_is_rejected(digest):
    with pytest.raises(helm_python.HelmValuesError, match="/api/image/digest"):
        render({"api": {"image": {"digest": digest}}})


def test_latest_tag_is_rejected():
    with pytest.raises(helm_python.HelmValuesError, match="/api/image/tag"):
        render(tilt_set(DOCR_REPOSITORY, "latest"))


def test_pull_secret_for_the_docr_registry(prod):
    expected = [{"name": "registry-astrid"}]
    assert prod.pod_spec["imagePullSecrets"] == expected
    assert prod.test_pod["spec"]["imagePullSecrets"] == expected
