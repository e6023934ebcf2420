"""Refuse request heads above 16 KiB of headers or 100 headers with 431.

uvicorn's h11 parser (the image's CMD) bounds memory: it refuses a head still
incomplete after 16 KiB. But a complete head that arrives in one read (asyncio
reads up to 256 KiB at a time) is parsed whatever its size or header count, so
whether such a head reached the app would depend on how TCP split it. This check
makes the limit the same for every client; an ingress would stop such heads, but
`kubectl port-forward` and in-cluster clients reach the pod directly.
"""

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_HEADER_BYTES = 16 * 1024
MAX_HEADER_COUNT = 100


class HeaderLimitMiddleware:
    """Pure ASGI (no per-request objects unless the request is refused)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope["headers"]
            if len(headers) > MAX_HEADER_COUNT or sum(len(k) + len(v) for k, v in headers) > MAX_HEADER_BYTES:
                refusal = JSONResponse({"detail": "Request Header Fields Too Large"}, status_code=431)
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)
