"""The real app plus one slow route, for shutdown tests (tests only, never in the image)."""

import asyncio

from src.api.main import app


@app.get("/slow")
async def slow(seconds: float = 1.0) -> dict:
    await asyncio.sleep(seconds)
    return {"slept": seconds}
