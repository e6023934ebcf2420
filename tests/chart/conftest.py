"""Chart fixtures: the chart loaded once; `prod` renders values.yaml; `dev` adds values-dev.yaml (Tilt)."""

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
    return render_chart()


@pytest.fixture
def dev() -> Rendered:
    return render_chart(dev=True)
