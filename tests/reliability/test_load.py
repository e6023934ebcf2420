"""Load against the real server: a fixed number of requests, loopback only."""

import pytest

from tests.support.load import ab

pytestmark = pytest.mark.slow


def test_20000_requests_at_64_connections_all_succeed(server, ab_installed):
    proc, url = server
    result = ab(f"{url}/health", requests=20_000, connections=64)
    assert result == {"complete": 20_000, "failed": 0, "non2xx": 0, "exceptions": 0}
    assert proc.poll() is None  # still serving
