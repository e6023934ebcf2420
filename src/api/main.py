"""The astrid-api application: ``uvicorn src.api.main:app``."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from fastapi import FastAPI
from pydantic import BaseModel

from src.api.limits import HeaderLimitMiddleware
from src.api.probe_logs import HEALTH_PATH, quiet_health_checks

SERVICE_NAME = "astrid-api"


class Health(BaseModel):
    status: Literal["ok"]
    service: Literal["astrid-api"]


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    quiet_health_checks()
    yield


app = FastAPI(title=SERVICE_NAME, version="0.1.0", lifespan=lifespan)
app.add_middleware(HeaderLimitMiddleware)


@app.get(HEALTH_PATH, tags=["ops"])
async def health() -> Health:
    """Liveness and readiness: the process is up and serving. No dependencies are checked."""
    return Health(status="ok", service=SERVICE_NAME)
