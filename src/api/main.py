"""The astrid-api application: ``uvicorn src.api.main:app``."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from fastapi import FastAPI, Response
from pydantic import BaseModel

from src.api.limits import HeaderLimitMiddleware
from src.api.probe_logs import HEALTH_PATH, quiet_health_checks

SERVICE_NAME = "astrid-api"


class Health(BaseModel):
    status: Literal["ok"]
    service: Literal["astrid-api"]


# Built once: the probe handler does no per-request work beyond sending these bytes.
HEALTH_BODY = json.dumps({"status": "ok", "service": SERVICE_NAME}).encode()


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    quiet_health_checks()
    yield


app = FastAPI(title=SERVICE_NAME, version="0.1.0", lifespan=lifespan)
app.add_middleware(HeaderLimitMiddleware)


async def health() -> Response:
    """Liveness and readiness: the process is up and serving. No dependencies are checked."""
    return Response(content=HEALTH_BODY, media_type="application/json")


# One route serves GET and HEAD (so a 405 lists both in Allow); FastAPI would give
# its two methods one duplicate operationId, so the schema documents GET separately.
app.add_api_route(HEALTH_PATH, health, methods=["GET", "HEAD"], include_in_schema=False)
app.add_api_route(HEALTH_PATH, health, methods=["GET"], response_model=Health, tags=["ops"])
