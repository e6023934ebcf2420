"""A small Debug Adapter Protocol client (standard library only), enough to drive debugpy's adapter as
VS Code does: Content-Length framed JSON over TCP, requests and their responses, events, and the
attach sequence (initialize; attach; on `initialized`, the breakpoints, then configurationDone).

debugpy reports each subprocess of the debuggee (here: every worker the dev server forks) to the
client attached to the parent with a `debugpyAttach` event whose body is the configuration to attach
with, on a new connection to the same adapter, when the client did not announce
supportsStartDebuggingRequest (debugpy/adapter/clients.py, notify_of_subprocess). VS Code answers it
by starting a child session and sending that session the breakpoints the developer set."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support.engines import wait_until

HEALTH = b'{"status":"ok","service":"astrid-api"}'

Message = dict[str, Any]


class DapError(RuntimeError):
    pass


class Session:
    """One connection to a debug adapter."""

    def __init__(self, host: str, port: int, timeout: float = 30.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(None)  # the reader thread blocks; every wait below is bounded
        self._seq = 0
        self._lock = threading.Lock()
        self._arrived = threading.Condition()
        self._messages: list[Message] = []
        self.closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # Framing: "Content-Length: N\r\n\r\n" then N bytes of UTF-8 JSON.
    def _read(self) -> None:
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                head, buf = buf.split(b"\r\n\r\n", 1)
                headers = dict(line.split(b":", 1) for line in head.split(b"\r\n") if b":" in line)
                length = int(headers[b"Content-Length"].strip())
                while len(buf) < length:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                body, buf = buf[:length], buf[length:]
                with self._arrived:
                    self._messages.append(json.loads(body))
                    self._arrived.notify_all()
        except OSError:
            return
        finally:
            with self._arrived:
                self.closed = True
                self._arrived.notify_all()

    def send(self, command: str, arguments: dict | None = None) -> int:
        with self._lock:
            self._seq += 1
            message = {"seq": self._seq, "type": "request", "command": command}
            if arguments is not None:
                message["arguments"] = arguments
            body = json.dumps(message).encode()
            self.sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            return self._seq

    def wait(self, what: str, match, timeout: float = 30.0) -> Message:
        """The first message (kept or still to come) for which `match` is true; it is consumed."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for i, message in enumerate(self._messages):
                    if match(message):
                        return self._messages.pop(i)
                left = deadline - time.monotonic()
                if self.closed or left <= 0:
                    seen = [m.get("event") or m.get("command") for m in self._messages]
                    state = "the adapter closed the connection" if self.closed else f"not after {timeout} s"
                    raise DapError(f"{what}: {state}; unconsumed: {seen}")
                self._arrived.wait(left)

    def response(self, seq: int, timeout: float = 30.0) -> dict:
        message = self.wait(
            f"response to request {seq}",
            lambda m: m.get("type") == "response" and m.get("request_seq") == seq,
            timeout,
        )
        if not message.get("success"):
            raise DapError(f"{message.get('command')} failed: {message.get('message')} {message.get('body')}")
        return message.get("body") or {}

    def request(self, command: str, arguments: dict | None = None, timeout: float = 30.0) -> dict:
        return self.response(self.send(command, arguments), timeout)

    def event(self, name: str, match=lambda body: True, timeout: float = 30.0) -> dict:
        return (
            self.wait(
                f"event {name}",
                lambda m: m.get("type") == "event" and m.get("event") == name and match(m.get("body") or {}),
                timeout,
            ).get("body")
            or {}
        )

    def disconnect(self) -> None:
        """Ends the session as a client's Stop does on an attached one: the adapter removes this
        client's breakpoints and resumes the debuggee, which keeps running."""
        try:
            self.request("disconnect", {"terminateDebuggee": False}, timeout=10)
        except (DapError, OSError):
            pass
        self.close()

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self._reader.join(5)


def attach(host: str, port: int, config: dict, breakpoints: dict[str, list[int]], timeout: float = 30.0):
    """A session started with `config` (a launch.json configuration, its `request` attach by default,
    or the body of a debugpyAttach event), `breakpoints` ({local path: [lines]}) set before
    configurationDone.
    Returns (session, {path: the adapter's breakpoints})."""
    session = Session(host, port, timeout)
    try:
        session.request(
            "initialize",
            {
                "clientID": "astrid-tests",
                "adapterID": "debugpy",
                "pathFormat": "path",
                "linesStartAt1": True,
                "columnsStartAt1": True,
                "supportsRunInTerminalRequest": False,
                # So the adapter reports subprocesses with debugpyAttach events.
                "supportsStartDebuggingRequest": False,
            },
            timeout,
        )
        attached = session.send(config.get("request", "attach"), config)
        session.event("initialized", timeout=timeout)
        set_ = {}
        for path, lines in breakpoints.items():
            body = session.request(
                "setBreakpoints",
                {"source": {"path": path}, "breakpoints": [{"line": n} for n in lines]},
                timeout,
            )
            set_[path] = body["breakpoints"]
        session.request("configurationDone", timeout=timeout)
        session.response(attached, timeout)
        return session, set_
    except BaseException:
        session.close()
        raise


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=90) as resp:  # noqa: S310 (loopback: a forward or make run)
        return resp.status, resp.read()


class Debugger:
    """What VS Code does with a launch.json configuration and subProcess: a session on the parent
    (launched or attached to), and one more for each subprocess debugpy reports (debugpyAttach), each
    sent the same breakpoints."""

    def __init__(self, port: int, config: dict, breakpoints: dict[str, list[int]]):
        self.port, self.breakpoints = port, breakpoints
        self.parent, _ = wait_until(
            "debugpy's adapter answers", lambda: attach("127.0.0.1", port, config, {}), timeout=60
        )
        self.children: dict[int, object] = {}
        self.current: list = []

    def follow(self, timeout: float, resume: bool = False) -> list[int]:
        """Attaches to each subprocess reported within `timeout` s after the first new one (at least
        one must come); returns their pids. `resume`: meanwhile, continue what stops in the current
        sessions, as a developer presses Continue (uvicorn's reloader waits for its stopped worker)."""
        new, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            for session in self.current if resume and not new else []:
                try:
                    session.request(
                        "continue", {"threadId": session.event("stopped", timeout=0.05)["threadId"]}
                    )
                except DapError:
                    pass
            try:
                body = self.parent.event("debugpyAttach", timeout=0.2)
            except DapError:
                continue
            session, set_ = attach("127.0.0.1", self.port, body, self.breakpoints)
            assert all(bp["verified"] for bps in set_.values() for bp in bps), set_
            self.children[body["subProcessId"]] = session
            new.append(body["subProcessId"])
            deadline = min(deadline, time.monotonic() + 1)  # its siblings come with it
        assert new, f"no subprocess reported in {timeout} s"
        # The sessions a request can stop in now: the old worker is gone (killed before the new one
        # starts), and a stop it reported before it died is stale.
        self.current = [self.children[pid] for pid in new]
        return new

    def close(self) -> None:
        for session in [*self.children.values(), self.parent]:
            session.disconnect()

    def stop_and_continue(self, url: str, main, line: int, expression: str) -> tuple[str, float, int]:
        """GET `url` while the breakpoint is set: each stop (the kubelet's readiness probe may stop
        there too) is checked to be `main`:`line`, `expression` is evaluated there, and the request is
        let go. Returns (the first evaluation, seconds from the GET to its exact answer, stops seen)."""
        started, deadline = time.monotonic(), time.monotonic() + 90
        values = []
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(_get, url)
            while not (values and answer.done()):
                assert time.monotonic() < deadline, f"GET {url}: no answer after {len(values)} stop(s)"
                for session in self.current:
                    try:
                        stopped = session.event("stopped", timeout=0.05)
                    except DapError:
                        continue  # none yet: our request is stopped next, or answered
                    assert stopped["reason"] == "breakpoint", stopped
                    assert values or not answer.done(), "answered before it stopped"
                    thread = stopped["threadId"]
                    (top, *_) = session.request("stackTrace", {"threadId": thread, "levels": 1})[
                        "stackFrames"
                    ]
                    assert (top["source"]["path"], top["line"]) == (str(main), line), top
                    evaluate = {"expression": expression, "frameId": top["id"], "context": "repl"}
                    values.append(session.request("evaluate", evaluate)["result"])
                    session.request("continue", {"threadId": thread})
            assert answer.result() == (200, HEALTH)
        return values[0], time.monotonic() - started, len(values)
