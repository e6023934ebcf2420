import pytest

from tests.conftest import require_engine
from tests.support.server import uvicorn


@pytest.fixture
def ab_installed() -> None:
    require_engine("ab", ["ab", "-V"])


@pytest.fixture(scope="module")
def server():
    """The real app on uvicorn with the chart's production args, on loopback."""
    with uvicorn() as running:
        yield running
