"""`helm lint --strict` is clean for production and dev values."""

import helm_python
import kubernetes_validate
import pytest

from tests.support.chart import CHART_DIR, dev_values

KUBE_VERSION = f"v{kubernetes_validate.latest_version()}"
WARNING = 2  # lint severities: 1 info, 2 warning, 3 error


def lint(values):
    return helm_python.lint(CHART_DIR, values, strict=True, kube_version=KUBE_VERSION)


@pytest.mark.parametrize("with_dev", [False, True], ids=["prod", "dev"])
def test_strict_lint_has_no_errors_or_warnings(with_dev):
    report = lint(dev_values() if with_dev else None)
    assert report["total_charts_linted"] == 1
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= WARNING] == []


def test_lint_does_see_the_values():
    report = lint({"api": {"replicaCount": "2"}})
    assert any("/api/replicaCount" in e for e in report["errors"])
