"""Oversized and stalled request heads against the built image, run as the chart runs it: its
environment and its memory limit. uvicorn's h11 parser refuses a head still incomplete after 16 KiB
(the image's CMD), so nothing is buffered whole: the same process answers, well under the limit."""

import json
import select
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.chart import render
from tests.support.engines import sh
from tests.support.server import container

pytestmark = pytest.mark.slow
MiB = 2**20
PEAK_MAX = 128 * MiB
REFUSED_WITHIN = 2.0  # seconds from connect to the server's refusal
CHUNK = b"a" * (64 * 1024)  # one buffer, sent again and again: 80 MB is never allocated
HOST = b"Host: localhost\r\n"
HEALTH = b'{"status":"ok","service":"astrid-api"}'
QUANTITY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def quantity_bytes(value: str) -> int:
    """A Kubernetes memory quantity in binary units (the chart's `192Mi`) as bytes."""
    suffix = value[-2:]
    return int(value[:-2]) * QUANTITY[suffix] if suffix in QUANTITY else int(value)


def huge_header(size: int) -> Iterator[bytes]:
    yield b"GET /health HTTP/1.1\r\n" + HOST + b"X-Big: "
    for _ in range(size // len(CHUNK)):
        yield CHUNK
    yield b"\r\n\r\n"


def many_headers(count: int) -> Iterator[bytes]:
    """Small headers, 1,000 to a send: a head that no single read (256 KiB) can hold whole."""
    yield b"GET /health HTTP/1.1\r\n" + HOST
    for start in range(0, count, 1000):
        yield b"".join(b"X-%d: v\r\n" % i for i in range(start, start + 1000))
    yield b"\r\n"


def huge_url(size: int) -> Iterator[bytes]:
    yield b"GET /"
    for _ in range(size // len(CHUNK)):
        yield CHUNK
    yield b" HTTP/1.1\r\n" + HOST + b"\r\n"


def refusal(url: str, head: Iterator[bytes]) -> tuple[float, str]:
    """Stream `head` until the server answers or closes; (seconds from connect, what it did).
    Raises AssertionError if the whole head was sent, or nothing happened, within REFUSED_WITHIN."""
    host, port = url.removeprefix("http://").split(":")
    start = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=REFUSED_WITHIN) as sock:
        try:
            for chunk in head:
                sock.sendall(chunk)
                if select.select([sock], [], [], 0)[0]:  # an answer or a close: stop sending
                    break
                assert time.monotonic() - start < REFUSED_WITHIN, "still accepting the head"
            else:
                raise AssertionError("the server took the whole head without refusing it")
            reply = sock.recv(256)
        except (BrokenPipeError, ConnectionResetError):
            return time.monotonic() - start, "reset"
        except TimeoutError:
            raise AssertionError(f"neither refused nor closed within {REFUSED_WITHIN} s") from None
    elapsed = time.monotonic() - start
    if not reply:
        return elapsed, "closed"
    status = reply.split(b"\r\n", 1)[0]
    assert status in (b"HTTP/1.1 400 Bad Request", b"HTTP/1.1 431 Request Header Fields Too Large"), reply
    return elapsed, status.decode()


class Container:
    """The running container's identity and its cgroup v1 memory peak (read on the host, as root)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.first = self.state()
        memory = next(
            (
                line.split(":", 2)[2]
                for line in Path(f"/proc/{self.first['Pid']}/cgroup").read_text().splitlines()
                if line.split(":")[1] == "memory"
            ),
            None,
        )
        assert memory is not None, "no cgroup v1 memory controller (this test reads cgroup v1)"
        self.peak_file = Path(f"/sys/fs/cgroup/memory{memory}/memory.max_usage_in_bytes")

    def state(self) -> dict:
        inspected = json.loads(sh("docker", "inspect", self.name).stdout)[0]
        return {**inspected["State"], "RestartCount": inspected["RestartCount"]}

    def reset_peak(self) -> None:
        self.peak_file.write_text("0")  # cgroup v1: writing resets the maximum to the current usage

    def peak(self) -> int:
        return int(self.peak_file.read_text())

    def assert_same_process(self) -> None:
        now = self.state()
        assert now["Running"] and not now["OOMKilled"] and now["RestartCount"] == 0, now
        assert now["Pid"] == self.first["Pid"] and now["StartedAt"] == self.first["StartedAt"]


@pytest.fixture(scope="module")
def limit() -> int:
    memory = render().api["resources"]["limits"]["memory"]
    assert quantity_bytes(memory) <= 192 * MiB, memory
    return quantity_bytes(memory)


@pytest.fixture(scope="module")
def served(api_image, limit):
    """The image with the production chart's environment and memory limit (no swap), on loopback."""
    options = ("--memory", str(limit), "--memory-swap", str(limit))
    with container(api_image, options=options) as (name, url):
        box = Container(name)
        assert json.loads(sh("docker", "inspect", name).stdout)[0]["HostConfig"]["Memory"] == limit
        yield box, url


def health(url: str, timeout: float) -> tuple[int, bytes, float]:
    host, port = url.removeprefix("http://").split(":")
    start = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body, time.monotonic() - start


CASES = {
    "one 80 MB header": (1, lambda: huge_header(80_000_000)),
    "one 80 MB URL": (1, lambda: huge_url(80_000_000)),
    "four concurrent 25 MB headers": (4, lambda: huge_header(25_000_000)),
    "200,000 small headers (2.5 MB)": (1, lambda: many_headers(200_000)),
}


@pytest.mark.parametrize("case", CASES)
def test_oversized_heads_are_refused_early_by_the_same_process(served, case):
    box, url = served
    clients, head = CASES[case]
    box.reset_peak()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(lambda _: refusal(url, head()), range(clients)))
    peak = box.peak()
    print(f"\n{case}: refused {results}; cgroup peak {peak / MiB:.1f} MiB")
    assert all(seconds < REFUSED_WITHIN for seconds, _ in results), results
    assert peak <= PEAK_MAX, f"{peak / MiB:.1f} MiB"
    box.assert_same_process()
    status, body, _ = health(url, 2)
    assert (status, body) == (200, HEALTH)


def test_health_answers_while_300_clients_stall_mid_head(served):
    box, url = served
    host, port = url.removeprefix("http://").split(":")
    stalled = []
    try:
        for _ in range(300):
            sock = socket.create_connection((host, int(port)), timeout=5)
            sock.sendall(b"GET /health HTTP/1.1\r\n" + HOST + b"X-Stalled: ")  # never finished
            stalled.append(sock)
        time.sleep(0.5)  # every partial head has reached the server
        status, body, seconds = health(url, 1)
        print(f"\n/health with 300 stalled heads: {status} in {seconds * 1000:.1f} ms")
        assert (status, body) == (200, HEALTH)
        assert seconds < 1
        assert all(not select.select([s], [], [], 0)[0] for s in stalled)  # still open, still waiting
    finally:
        for sock in stalled:
            sock.close()
    box.assert_same_process()
