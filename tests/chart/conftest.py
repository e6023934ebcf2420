"""Fixtures for the chart tests: the chart loaded once, and renders (tests/support/chart.py)."""

from collections.abc import Iterator
from pathlib import Path

import helm_python
import pytest

from tests.support.chart import CHART_DIR, Rendered
from tests.support.chart import render as render_chart


@pytest.fixture(scope="session")
def chart() -> Iterator[helm_python.Chart]:
    with helm_python.Chart.load(CHART_DIR) as loaded:
        yield loaded


@pytest.fixture(scope="session")
def dev_values() -> dict:
    return helm_python.values_from_yaml((CHART_DIR / "values-dev.yaml").read_text())


@pytest.fixture(scope="session")
def chart_dir() -> Path:
    return CHART_DIR


@pytest.fixture(scope="session")
def render():
    """`render(values=None, *, dev=False, release="astrid")`: fresh objects on every call."""
    return render_chart


@pytest.fixture
def prod() -> Rendered:
    """Production: the chart's own values.yaml only."""
    return render_chart()


@pytest.fixture
def dev() -> Rendered:
    """Development: values.yaml + values-dev.yaml, as the Tiltfile installs it."""
    return render_chart(dev=True)
