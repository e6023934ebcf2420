"""Refuse oversized request headers with 431.

uvicorn's httptools parser accepts headers of any size; an ingress would stop
them, but `kubectl port-forward` and in-cluster clients reach the pod directly.
The limits match h11's default and are far above what a real client sends.
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
