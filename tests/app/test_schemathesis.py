"""Property-based requests generated from the app's own OpenAPI schema: no server errors."""

import schemathesis
from hypothesis import HealthCheck, settings

from src.api.main import app

schema = schemathesis.openapi.from_dict(app.openapi())  # production serves no /openapi.json
schema.app = app  # cases are sent to the app in process, as from_asgi does


@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    response = case.call()
    assert response.status_code < 500
    case.validate_response(response)
