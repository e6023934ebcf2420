"""A plain FastAPI app as most templates ship it: a sync `def` handler returning a dict."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict:
    return {"status": "ok", "service": "astrid-api"}
