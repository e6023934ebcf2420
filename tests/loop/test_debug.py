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

import time
import urllib.request

import pytest

from tests.loop.conftest import RESTRICTED, api_pod, run, tilt_up
from tests.loop.test_network_policy import fetch, start_client
from tests.support.dap import Debugger
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
    settings = (*loop.settings, "--reloader", reloader, "--debug", "--debug-port", str(debug_port))
    debugger = None
    with tilt_up(env, project, settings, tmp_path / "tilt-up.log"):
        try:
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
            first = debugger.follow(
                30
            )  # the worker (uvicorn's reloader: and multiprocessing's resource tracker)
            value, served, stops = debugger.stop_and_continue(loop.url("/health"), main, line, "SERVICE_NAME")
            assert value == "'astrid-api'"
            print(
                f"{reloader}: attach to served: {time.monotonic() - started:.2f} s"
                f" (the stopped GET: {served:.2f} s, {stops} stop(s); subprocesses {first})"
            )

            # A save: Tilt copies it in, the reloader starts a new worker, debugpy reports it.
            main.write_text(original + "\nSAVE_MARK = 2\n")
            saved = time.monotonic()
            # The warm reloader starts the new worker even while a request (a probe's) is stopped in the
            # old one; uvicorn's waits for the old one to stop, so that request goes on once continued.
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
            image = run(
                env, "tilt", "get", "imagemap", "astrid-api", "-o", "jsonpath={.status.imageFromCluster}"
            )
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
