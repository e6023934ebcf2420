"""Debugging the api in the pod through the real Tilt (`tilt up -- --debug --debug-port N`), as VS Code
does it, with a Debug Adapter Protocol client (tests/support/dap.py) on Tilt's forward of the debug
port: it attaches to debugpy's adapter (the dev server, the parent), answers each debugpyAttach event
(a subprocess: the worker the warm reloader forks, or uvicorn's own reloader spawns, and with the
latter multiprocessing's resource tracker) by attaching to it on a new connection with the breakpoint
in the /health handler; GET /health stops there (the local file, the right line), an
expression is evaluated in that frame, and the continued request answers 200 with the exact JSON.
After a save, the new worker is reported the same way and the same breakpoint, sent once more to its
session as VS Code re-sends it, stops in the new code. The pod runs in a namespace where PodSecurity
admits only "restricted" pods; debugpy listens on the pod's loopback only, so a pod in the same
namespace that reaches the api's port is refused on the debug port."""

import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.loop.conftest import RESTRICTED, api_pod, run
from tests.loop.test_network_policy import fetch, start_client
from tests.support.dap import DapError, attach
from tests.support.engines import free_port, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

HEALTH = b'{"status":"ok","service":"astrid-api"}'
# One bounded TCP connection from inside the client pod: "connected", or the error's name.
CONNECT = """
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()
    print("connected")
except Exception as e:
    print("ERROR", type(e).__name__, e)
"""


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=90) as resp:  # noqa: S310 (Tilt's forward on loopback)
        return resp.status, resp.read()


class Debugger:
    """What VS Code does with an attach configuration: a session on the parent, and one more for each
    subprocess debugpy reports (debugpyAttach), each sent the same breakpoints."""

    def __init__(self, port: int, config: dict, breakpoints: dict[str, list[int]]):
        self.port, self.breakpoints = port, breakpoints
        self.parent, _ = wait_until(
            "debugpy answers through the forward", lambda: attach("127.0.0.1", port, config, {}), timeout=60
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
            answer = pool.submit(get, url)
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


@pytest.mark.parametrize("reloader", ["warm", "uvicorn"])
def test_breakpoints_hit_in_the_pod_before_and_after_a_save(env, target, loop, project, tmp_path, reloader):
    env, ns = loop.env, loop.namespace
    # The loop's namespace, made before Tilt deploys into it, admits only "restricted" pods.
    run(env, "kubectl", "create", "namespace", ns)
    run(env, "kubectl", "label", "namespace", ns, *RESTRICTED)
    if not target.local:  # DOKS's registry integration copies the pull secret in, a moment late
        secret = ["kubectl", "get", "secret", "-n", ns, target.pull_secret]
        wait_until(f"{target.pull_secret} in {ns}", lambda: run(env, *secret, check=False).returncode == 0)

    debug_port = free_port()
    main = project / "src" / "api" / "main.py"
    original = main.read_text()
    line = 1 + original.splitlines().index('    return Health(status="ok", service=SERVICE_NAME)')
    log = (tmp_path / "tilt-up.log").open("w")
    settings = (*loop.settings, "--reloader", reloader, "--debug", "--debug-port", str(debug_port))
    up = ["tilt", "up", "--stream", "--", *settings]
    tilt = subprocess.Popen(up, cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    debugger = None
    try:
        wait_until(
            "tilt up's API answers", lambda: run(env, "tilt", "get", "session", check=False).returncode == 0
        )
        listed = ["tilt", "get", "uiresource", "astrid-api"]
        wait_until("Tilt lists astrid-api", lambda: run(env, *listed, check=False).returncode == 0)
        ready = ["tilt", "wait", "--for=condition=Ready", "uiresource/astrid-api", "--timeout=600s"]
        run(env, *ready, timeout=620)
        pod = api_pod(env, ns)
        command = run(
            env, "kubectl", "get", "pod", "-n", ns, pod, "-o", "jsonpath={.spec.containers[0].command}"
        )
        assert f'"--listen","127.0.0.1:{debug_port}"' in command.stdout, command.stdout

        # Attach as VS Code's "attach" configuration does, through Tilt's forward.
        config = {
            "connect": {"host": "127.0.0.1", "port": debug_port},
            "pathMappings": [{"localRoot": str(project / "src"), "remoteRoot": "/app/src"}],
            "justMyCode": True,
            "subProcess": True,
        }
        started = time.monotonic()
        debugger = Debugger(debug_port, config, {str(main): [line]})
        first = debugger.follow(30)  # the worker (uvicorn's reloader: and multiprocessing's resource tracker)
        value, served, stops = debugger.stop_and_continue(loop.url("/health"), main, line, "SERVICE_NAME")
        assert value == "'astrid-api'"
        print(
            f"{reloader}: attach to served: {time.monotonic() - started:.2f} s"
            f" (the stopped GET: {served:.2f} s, {stops} stop(s); subprocesses {first})"
        )

        # A save: Tilt copies it in, the reloader starts a new worker, debugpy reports it.
        main.write_text(original + "\nSAVE_MARK = 2\n")
        saved = time.monotonic()
        # The warm reloader kills the old worker even while a request (a probe's) is stopped in it;
        # uvicorn's stops it with SIGTERM and waits, so that one goes on once continued.
        later = debugger.follow(90, resume=reloader == "uvicorn")
        reported = time.monotonic() - saved
        value, served, stops = debugger.stop_and_continue(loop.url("/health"), main, line, "SAVE_MARK")
        assert value == "2", "the breakpoint stopped in the saved code"
        print(
            f"{reloader}: save to new worker {later} attached: {reported:.2f} s; to served through the"
            f" breakpoint: {time.monotonic() - saved:.2f} s ({stops} stop(s))"
        )
        assert api_pod(env, ns) == pod, "a live update, not a new pod"

        # Stop debugging (the breakpoint would stop the requests below), as VS Code's Stop does.
        debugger.close()
        debugger = None
        wait_until("/health served again", lambda: get(loop.url("/health")) == (200, HEALTH), timeout=30)

        # debugpy listens on the pod's loopback only: a pod beside it reaches the api, not the debugger.
        listening = run(
            env, "kubectl", "exec", "-n", ns, pod, "-c", "api", "--", "cat", "/proc/net/tcp"
        ).stdout
        sockets = [row.split()[1] for row in listening.splitlines()[1:] if row.split()[3] == "0A"]
        assert f"0100007F:{debug_port:04X}" in sockets and f"00000000:{debug_port:04X}" not in sockets, (
            sockets
        )
        image = run(env, "tilt", "get", "imagemap", "astrid-api", "-o", "jsonpath={.status.imageFromCluster}")
        repository, tag = image.stdout.strip().rsplit(":", 1)
        start_client(env, ns, (repository, tag), target.pull_secret)
        ip = api_pod(env, ns, "status.podIP")
        assert fetch(env, ns, f"http://{ip}:80/health") == HEALTH.decode()
        tried = run(
            env, "kubectl", "exec", "-n", ns, "client", "--", "python", "-c", CONNECT, ip, str(debug_port)
        )
        assert tried.stdout.startswith("ERROR ConnectionRefusedError"), tried.stdout
    finally:
        if debugger:
            debugger.close()
        tilt.terminate()
        tilt.wait(30)
        log.close()
        run(env, "tilt", "down", "--", *settings, cwd=project, check=False, timeout=300)
