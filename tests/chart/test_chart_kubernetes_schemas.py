"""Every rendered object, test hook included, is valid for the newest Kubernetes known here."""

import kubernetes_validate
import pytest
from kubernetes_validate.utils import major_minor

from tests.support.chart import render

KUBE_VERSION = kubernetes_validate.latest_version()


def errors(rendered):
    found = []
    for obj in rendered.objects + rendered.hooks:
        try:
            validated = kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)
            assert validated == major_minor(KUBE_VERSION)
        except kubernetes_validate.ValidationError as e:
            where = ".".join(map(str, e.path))
            found.append(f"{obj['kind']}/{obj['metadata']['name']} {where}: {e.message}")
    return found


def test_validating_against_the_newest_version():
    assert tuple(int(p) for p in KUBE_VERSION.split(".")[:2]) >= (1, 37)


@pytest.mark.parametrize("with_dev", [False, True], ids=["prod", "dev"])
def test_every_object_validates_strictly(with_dev):
    rendered = render(dev=with_dev)
    assert len(rendered.objects) == 2
    assert len(rendered.hooks) == 1
    assert errors(rendered) == []


def test_strict_validation_catches_an_unknown_field(prod):
    prod.service["spec"]["targetPort"] = "http"  # belongs under ports[], not spec
    assert errors(prod) == [
        "Service/astrid-api-service spec: Additional properties are not allowed ('targetPort' was unexpected)"
    ]
