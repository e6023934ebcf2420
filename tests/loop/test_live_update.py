"""Live update through the real Tilt, as Tilt's own integration tests prove it: with `tilt up` running,
saves in src/api are served through the forwarded port by the same pod, with no image build; each save
is served fresh, as after a restart (a module main.py imports, a changed Pydantic model, module-level
state, a removed route); a syntax error then a fixed save recovers by itself; a restarted container
serves the saved code again; a deleted pod's replacement serves the live-updated code (Tilt syncs the
changed files into it, as its live_update_after_crash_rebuild test checks); a change to
requirements.txt rebuilds the image."""

import json
import time
import urllib.error
import urllib.request

import pytest

from tests.loop.conftest import run, tilt_up
from tests.support.engines import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

PROBE = (
    '\n\n@app.get("/live-update-probe")\nasync def live_update_probe() -> dict:\n    return {"save": %d}\n'
)


# Module-level state, a Pydantic model and a module of its own (src/api/extra.py), read by one route.
EXTRA = """

from src.api.extra import ANSWER

CALLS = []


class Item(BaseModel):
    name: str%s


@app.get("/live-update-extra")
async def live_update_extra() -> dict:
    CALLS.append(1)
    return {"answer": ANSWER, "calls": len(CALLS), "item": Item(name="n"%s).model_dump()}
"""


def answer(url: str):
    """The JSON `url` answers, its error status (404: the route is gone), or None."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 (Tilt's forward on loopback)
            return json.loads(resp.read())
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, ValueError):
        return None


def probe(url: str) -> int | None:
    """The save number the probe route answers, or None."""
    got = answer(url)
    return got.get("save") if isinstance(got, dict) else None


def test_live_update_crash_rebuild_and_rebuild(loop, project, tmp_path):
    env, ns, url = loop.env, ["-n", loop.namespace], loop.url("/live-update-probe")
    main = project / "src" / "api" / "main.py"
    original = main.read_text()

    def tilt_get(kind, name, path):
        return run(env, "tilt", "get", kind, name, "-o", f"jsonpath={path}").stdout

    def pod():
        return tilt_get("uiresource", "astrid-api", "{.status.k8sResourceInfo.podName}")

    def save(n: int, text: str | None = None) -> float:
        main.write_text(text if text is not None else original + PROBE % n)
        saved = time.monotonic()
        wait_until(f"save {n} served", lambda: probe(url) == n, timeout=60, poll=0.05)
        return time.monotonic() - saved

    with tilt_up(env, project, loop.settings, tmp_path / "tilt-up.log"):
        first_pod = pod()
        # helm_resource came from the tilt-extensions commit the Tiltfile pins, checked out.
        ref, checked_out = tilt_get("extensionrepo", "default", "{.spec.ref} {.status.checkoutRef}").split()
        assert len(ref) == 40 and checked_out == ref, (ref, checked_out)
        # The rest of the fast suite is a manual resource: one trigger runs it.
        run(env, "tilt", "trigger", "pytest-all")
        wait_until(
            "pytest-all passes",
            lambda: tilt_get("uiresource", "pytest-all", "{.status.updateStatus}") == "ok",
            timeout=180,
        )
        image = tilt_get("imagemap", "astrid-api", "{.status.image}")

        synced = []
        for n in (1, 2, 3):
            print(f"save {n} served after {save(n):.2f} s")
            synced.append(
                tilt_get("liveupdate", "astrid-api:astrid-api", "{.status.containers[0].lastFileTimeSynced}")
            )
            assert pod() == first_pod, "a live update must not replace the pod"
            assert tilt_get("imagemap", "astrid-api", "{.status.image}") == image, "no image build"
        assert len(set(synced)) == 3, synced

        # Each save is served fresh: a module main.py imports, module-level state, a Pydantic model.
        extra, extra_url = project / "src" / "api" / "extra.py", loop.url("/live-update-extra")
        extra.write_text("ANSWER = 41\n")
        main.write_text(original + EXTRA % ("", ""))
        first = {"answer": 41, "calls": 1, "item": {"name": "n"}}
        wait_until("the new module and route", lambda: answer(extra_url) == first, timeout=60, poll=0.05)
        assert answer(extra_url)["calls"] == 2
        extra.write_text("ANSWER = 42\n")
        again = {"answer": 42, "calls": 1, "item": {"name": "n"}}
        wait_until(
            "the imported module's change, state fresh", lambda: answer(extra_url) == again, timeout=60
        )
        main.write_text(original + EXTRA % ("\n    size: int = 3", ", size=4"))
        sized = {"answer": 42, "calls": 1, "item": {"name": "n", "size": 4}}
        wait_until("the changed model", lambda: answer(extra_url) == sized, timeout=60, poll=0.05)
        main.write_text(original)
        wait_until("the removed route is gone", lambda: answer(extra_url) == 404, timeout=60, poll=0.05)
        assert pod() == first_pod

        # A syntax error stops the app (uvicorn keeps watching); the fixed save brings it back.
        main.write_text(original + "\ndef broken(:\n")
        wait_until("the broken save stops the app", lambda: probe(url) is None, timeout=30)
        save(4)
        assert pod() == first_pod

        # A container restart starts from the image's files; Tilt copies the saved ones back in.
        stop = "import os, signal; os.kill(1, signal.SIGTERM)"
        # (check=False: PID 1's exit may kill this exec before it exits; the restart count says.)
        run(env, "kubectl", "exec", *ns, first_pod, "-c", "api", "--", "python", "-c", stop, check=False)
        restarts = "{.status.containerStatuses[0].restartCount}"
        wait_until(
            "the container restarted",
            lambda: (
                run(env, "kubectl", "get", *ns, "pod", first_pod, "-o", f"jsonpath={restarts}").stdout
                not in ("", "0")
            ),
        )
        wait_until("the restarted container serves the last save", lambda: probe(url) == 4, timeout=120)
        assert pod() == first_pod

        # A deleted pod is replaced by one that serves the live-updated code, not the image's:
        # Tilt copies the files changed since the image was built into the new container.
        run(env, "kubectl", "delete", *ns, "pod", first_pod, "--wait=true", timeout=120)
        wait_until("a replacement pod", lambda: pod() not in ("", first_pod), timeout=180)
        wait_until("the replacement serves the last save", lambda: probe(url) == 4, timeout=300)
        synced_into = "{.status.containers[0].podName}"
        assert tilt_get("liveupdate", "astrid-api:astrid-api", synced_into) == pod()
        assert tilt_get("imagemap", "astrid-api", "{.status.image}") == image, "no image build"

        # requirements.txt is outside live update: Tilt falls back to an image build.
        (project / "requirements.txt").write_text((project / "requirements.txt").read_text() + "# rebuild\n")
        wait_until(
            "a new image", lambda: tilt_get("imagemap", "astrid-api", "{.status.image}") != image, timeout=600
        )
        wait_until("the rebuilt pod serves", lambda: probe(url) == 4, timeout=300)
