"""The dev reloader (src/devserver.py) as values-dev.yaml runs it, on loopback in a copy of src/: while
saves replace the worker, no connection is refused; a request in flight at a save finishes with the
code it started on; and once the new code has answered, a new connection does not reach the old
code (before the old worker closed its listener at once, 4 of 150 saves got an old answer right
after a new one)."""

import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ROOT
from tests.support.chart import render
from tests.support.engines import free_port, get, wait_for

pytestmark = pytest.mark.slow

SAVES = 40
ROUTES = """

import asyncio


@app.get("/save")
async def save() -> dict:
    return {"save": %d}


@app.get("/slow")
async def slow() -> dict:
    await asyncio.sleep(1.0)
    return {"save": %d}
"""


@pytest.fixture
def devserver(tmp_path):
    """(main.py, base URL) of `python -m src.devserver` with the dev values' command and environment."""
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    main = tmp_path / "src" / "api" / "main.py"
    original = main.read_text()
    main.write_text(original + ROUTES % (0, 0))
    api, port = render(dev=True).api, free_port()
    command = [sys.executable, *api["command"][1:]]
    command[command.index("--host") + 1] = "127.0.0.1"
    env = {**os.environ, **{e["name"]: e["value"] for e in api["env"]}, "UVICORN_PORT": str(port)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/save", timeout=30)
        yield main, original, f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def answer(url: str) -> int | str:
    """The save number `url` answers with, or what went wrong."""
    try:
        return json.loads(get(url, timeout=10)[1])["save"]
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (OSError, ValueError, http.client.HTTPException) as error:
        return repr(error)


def test_saves_replace_the_worker_without_losing_or_going_back(devserver):
    main, original, url = devserver
    errors, stop = [], threading.Event()

    def hammer():  # a client polling throughout, recording every request that failed
        while not stop.is_set():
            if not isinstance(got := answer(f"{url}/save"), int):
                errors.append(got)

    stale = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        polling = pool.submit(hammer)
        in_flight = pool.submit(answer, f"{url}/slow")
        time.sleep(0.2)  # /slow has started on save 0's worker
        for n in range(1, SAVES + 1):
            main.write_text(original + ROUTES % (n, n))
            deadline = time.monotonic() + 30
            while answer(f"{url}/save") != n:
                assert time.monotonic() < deadline, f"save {n} was not served within 30 s"
                time.sleep(0.005)
            stale += [(n, got) for got in [answer(f"{url}/save") for _ in range(5)] if got != n]
        stop.set()
        polling.result(timeout=30)
        assert in_flight.result(timeout=30) == 0, "the request in flight at the save finishes on its code"
    assert not [e for e in errors if "ConnectionRefused" in e], errors[:5]
    # A rare reset remains, reported here, not yet traced: 0 to 3 in 40 saves at this pace in our runs
    # on a 2-core machine (3 to 5 or more before the old worker closed its listener at once).
    print(f"\n{SAVES} saves while polling: {len(errors)} failed request(s): {errors[:3]}")
    assert stale == [], f"the old code answered after the new one had: {stale[:5]}"
