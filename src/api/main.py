"""The astrid-api application: ``uvicorn src.api.main:app``."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from fastapi import FastAPI
from pydantic import BaseModel

from src.api.limits import HeaderLimitMiddleware
from src.api.probe_logs import HEALTH_PATH, quiet_health_checks

SERVICE_NAME = "astrid-api"
# "true" serves the API docs (/docs, /redoc, /openapi.json): the chart's api.docs, on in its dev
# values. Unset or anything else answers 404 there, as production does: the pages load CDN scripts.
DOCS_ENV = "ASTRID_API_DOCS"


class Health(BaseModel):
    status: Literal["ok"]
    service: Literal["astrid-api"]


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    quiet_health_checks()
    yield


async def health() -> Health:
    """Liveness and readiness: the process is up and serving. No dependencies are checked."""
    return Health(status="ok", service=SERVICE_NAME)


def create_app(*, docs: bool) -> FastAPI:
    """The app; `docs` adds FastAPI's docs routes (`app.openapi()` works either way)."""
    app = FastAPI(
        title=SERVICE_NAME,
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.add_middleware(HeaderLimitMiddleware)
    app.add_api_route(HEALTH_PATH, health, methods=["GET"], tags=["ops"])
    return app


app = create_app(docs=os.environ.get(DOCS_ENV) == "true")
