"""Malformed and hostile HTTP on a raw socket: 4xx or a closed connection, never 5xx."""

import socket

import pytest

from tests.support.engines import get

pytestmark = pytest.mark.slow
HOST = "Host: localhost\r\n"

CASES = {
    "garbage": b"GARBAGE\r\n\r\n",
    # Not HTTP/9.9: that one is well-formed (DIGIT "." DIGIT), and h11 answers it as HTTP/1.1.
    "bad-version": b"GET /health HTTP/x.y\r\n" + HOST.encode() + b"\r\n",
    "invalid-method": b"G@T /health HTTP/1.1\r\n" + HOST.encode() + b"\r\n",
    "bad-percent-encoding": b"GET /%ZZ%00 HTTP/1.1\r\n" + HOST.encode() + b"\r\n",
    "raw-high-bytes": b"GET /\xff\xfe HTTP/1.1\r\n" + HOST.encode() + b"\r\n",
    "nul-in-header": b"GET /health HTTP/1.1\r\n" + HOST.encode() + b"X-A: a\x00b\r\n\r\n",
    "oversized-header": b"GET /health HTTP/1.1\r\n"
    + HOST.encode()
    + b"X-Big: "
    + b"a" * 1_000_000
    + b"\r\n\r\n",
    "many-headers": b"GET /health HTTP/1.1\r\n"
    + HOST.encode()
    + b"".join(b"X-%d: v\r\n" % i for i in range(20_000))
    + b"\r\n",
    "long-path": b"GET /" + b"a" * 200_000 + b" HTTP/1.1\r\n" + HOST.encode() + b"\r\n",
    "bad-content-length": b"POST /health HTTP/1.1\r\n" + HOST.encode() + b"Content-Length: -5\r\n\r\n",
    "bad-chunk": b"POST /health HTTP/1.1\r\n" + HOST.encode() + b"Transfer-Encoding: chunked\r\n\r\nZZ\r\n",
    "conflicting-lengths": b"POST /health HTTP/1.1\r\n"
    + HOST.encode()
    + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
}


def exchange(url: str, payload: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may close while we are still sending: that is a refusal
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
    return b"".join(chunks)


@pytest.mark.parametrize("name", CASES)
def test_malformed_requests_get_4xx_or_a_closed_connection(server, name):
    proc, url = server
    reply = exchange(url, CASES[name])
    status = reply.split(b" ", 2)[1] if reply.startswith(b"HTTP/1.1 ") else None
    assert status is None or status.startswith(b"4"), reply[:200]
    assert get(f"{url}/health")[0] == 200 and proc.poll() is None
