"""The api in the check's loop (scripts/doks_check.py): Tilt's first build, the rollout through the pull
secret, /health through Tilt's forward, one live update. Each returns its detail or raises Failed."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from datetime import datetime

from doks_check_loop import Failed, Loop

HEALTH = {"status": "ok", "service": "astrid-api"}
ROUTE = '\n\n@app.get("/doks-check")\nasync def doks_check() -> dict:\n    return {"check": "%s"}\n'
# Tilt's log of each build step: "astrid-api │      Step 2 - 0.54s (Pushing registry…)"
STEPS = re.compile(r"astrid-api │\s+Step \d+ - ([\d.]+)s \((Building|Pushing|Deploying)")
PODS = ("get", "pods", "-l", "app.kubernetes.io/component=api", "-o", "json")


def get(url: str) -> object:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (Tilt's forward on loopback)
            return json.loads(resp.read())
    except (OSError, ValueError):
        return None


def seconds(start: str, end: str) -> float:
    """Between two of Tilt's timestamps (Python 3.9's fromisoformat takes no Z)."""
    start_at, end_at = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in (start, end))
    return (end_at - start_at).total_seconds()


def pods(loop: Loop) -> list[dict]:
    code, out, _ = loop.kubectl(*PODS, "-n", loop.namespace)
    return json.loads(out)["items"] if code == 0 else []


def build(loop: Loop) -> tuple[float, str]:
    """Tilt's first build of astrid-api: image build, push, helm upgrade --install (Tilt's own times)."""
    fix = f"see the astrid-api build in Tilt's log, {loop.log}"

    def finished() -> dict | None:
        history = loop.tilt_get("uiresource", "astrid-api").get("buildHistory") or [{}]
        return history[-1] if history[-1].get("finishTime") else None

    first = loop.wait("first build of astrid-api", finished, 1200, fix)
    if first.get("error"):
        raise Failed(f"Tilt's build: {first['error'][:300]}", fix)
    image = loop.tilt_get("imagemap", "astrid-api").get("image", "?")
    steps: dict[str, str] = {}
    for took, what in STEPS.findall(loop.log.read_text(errors="replace")):
        steps.setdefault(what, took)  # the first build's
    said = ", ".join(f"{what.lower()} {took} s" for what, took in steps.items())
    return seconds(first["startTime"], first["finishTime"]), image + (f" (Tilt: {said})" if said else "")


def rollout(loop: Loop, secret: str, fix: str) -> tuple[str, str]:
    """(pod, detail): the api pod, which names `secret` to pull with, Ready; a pull refused a minute
    after the secret appeared fails."""

    def ready() -> tuple[str, str] | None:
        for pod in pods(loop):
            status, name = pod.get("status", {}), pod["metadata"]["name"]
            if secret not in [s.get("name") for s in pod["spec"].get("imagePullSecrets") or []]:
                raise Failed(
                    f"{name} does not pull with {secret}", f"the chart's api.imagePullSecrets; {loop.see}"
                )
            if any(c["type"] == "Ready" and c["status"] == "True" for c in status.get("conditions", [])):
                return name, status["containerStatuses"][0]["imageID"]
            for container in status.get("containerStatuses", []):
                said = (container.get("state", {}).get("waiting") or {}).get("message", "")
                refused = "401" in said or "unauthorized" in said.lower()
                if refused and time.monotonic() - loop.secret_seen > 60:
                    raise Failed(f"{name} cannot pull its image with the pull secret: {said[:200]}", fix)
        return None

    describe = f"kubectl describe pods -n {loop.namespace} --context {loop.context}; {loop.see}"
    pod, image = loop.wait("Ready api pod", ready, 600, describe)
    return pod, f"{pod} pulled {image.rsplit('/', 1)[-1][:40]}… with {secret}, Ready"


def forward(loop: Loop) -> str:
    url = f"http://localhost:{loop.api_port}/health"
    loop.wait(f"{json.dumps(HEALTH)} from {url}", lambda: get(url) == HEALTH, 180, loop.see, poll=0.2)
    return f"{url} answered {json.dumps(HEALTH)}"


def live_update(loop: Loop, pod: str, token: str) -> tuple[float, str]:
    """A route appended to the copy's src/api/main.py, served by the same container: no build, no restart."""
    image = loop.tilt_get("imagemap", "astrid-api").get("image")
    before = [
        (p["metadata"]["name"], p["status"]["containerStatuses"][0]["restartCount"]) for p in pods(loop)
    ]
    main = loop.copy / "src" / "api" / "main.py"
    main.write_text(main.read_text() + ROUTE % token)
    saved, url = time.monotonic(), f"http://localhost:{loop.api_port}/doks-check"
    fix = f"see the astrid-api live update in Tilt's log, {loop.log} (docs/troubleshooting.md)"
    loop.wait(f"saved route at {url}", lambda: get(url) == {"check": token}, 120, fix, poll=0.05)
    took = time.monotonic() - saved
    after = [(p["metadata"]["name"], p["status"]["containerStatuses"][0]["restartCount"]) for p in pods(loop)]
    rebuilt = loop.tilt_get("imagemap", "astrid-api").get("image") != image
    if after != before or [name for name, _ in before] != [pod] or rebuilt:
        detail = f"pods {before} -> {after}, image {'rebuilt' if rebuilt else 'kept'}: not a live update"
        raise Failed(detail, fix)
    return took, f"src/api/main.py saved -> served by the same pod {pod}, no rebuild, no restart"
