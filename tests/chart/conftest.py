"""Fixtures for the chart tests: the chart loaded once, and renders (tests/support/chart.py)."""

from collections.abc import Iterator

import helm_python
import pytest

from tests.support.chart import CHART_DIR, Rendered
from tests.support.chart import render as render_chart


@pytest.fixture(scope="session")
def chart() -> Iterator[helm_python.Chart]:
    with helm_python.Chart.load(CHART_DIR) as loaded:
        yield loaded


@pytest.fixture
def prod() -> Rendered:
    """Production: the chart's own values.yaml only."""
    return render_chart()


@pytest.fixture
def dev() -> Rendered:
    """Development: values.yaml + values-dev.yaml, as the Tiltfile installs it."""
    return render_chart(dev=True)
