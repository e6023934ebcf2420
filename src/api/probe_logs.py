"""Keep probe traffic out of the access log.

Kubernetes probes hit /health every few seconds; at uvicorn's default log
level those lines would bury real traffic. Set ``api.server.logLevel: debug``
(``UVICORN_LOG_LEVEL=debug``) to see them again.
"""

import logging

HEALTH_PATH = "/health"
ACCESS_LOGGER = "uvicorn.access"


class HealthCheckFilter(logging.Filter):
    """Drop uvicorn access records for the health route unless DEBUG is on."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        # uvicorn.access records carry (client, method, path, http_version, status).
        if not isinstance(args, tuple) or len(args) < 3:
            return True
        path = str(args[2]).split("?", 1)[0]
        if path != HEALTH_PATH:
            return True
        return logging.getLogger(ACCESS_LOGGER).isEnabledFor(logging.DEBUG)


def quiet_health_checks() -> None:
    """Install the filter on uvicorn's access logger (idempotent)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, HealthCheckFilter) for f in logger.filters):
        logger.addFilter(HealthCheckFilter())
