"""`make doks-check`: the loop, once, end to end against a real DOKS cluster and its registry (DOCR), timed.
Usage: python3 scripts/doks_check.py [-- TILTFILE SETTINGS], e.g. `-- --allow-context do-nyc1-astrid`.

Steps, one line each (ok/FAIL, name, seconds, detail); the first failure prints its fix and stops:
  context      what Tilt plans on the current context with these settings (`tilt alpha tiltfile-result`);
               a laptop context (no registry of Tilt's own) is refused at once, exit 2. The check's
               namespace is `<your loop namespace>-check`; one that exists already is refused (the
               check deletes only a namespace it created)
  login        `docker login <registry>` with Docker's stored credentials (fix: doctl registry login)
  tilt-up      `tilt up` started and its Tiltfile loaded (the first run downloads helm_resource)
  namespace    created by Tilt (the Tiltfile's Namespace object): seconds since tilt up started
  pull-secret  registry-<registry> copied into it by DOKS's registry integration
  build+push   Tilt's first build of astrid-api (build, push, helm install) by its buildHistory, with
               the build steps' own times from Tilt's log
  rollout      the api pod pulled its image through that secret and is Ready
  forward      GET /health through Tilt's port-forward answers exactly {"status": "ok", ...}
  live-update  a route appended to src/api/main.py is served by the same pod: no build, no restart
  cleanup      stop tilt up, then `tilt down --delete-namespaces` until the namespace is gone; runs
               whenever tilt up has started, after a failure and on Ctrl-C (or SIGTERM) too
The real Tilt runs in a temporary copy of the project (what git tracks or would track, and
tilt_config.json), so the checkout is never changed; `tilt up` gets free ports of its own (its UI's,
`--api-port`). The tests' resources (venv, health, pytest) are not what is checked: disabled once the
Tiltfile loads. Only the settings after `--` are used (tilt up's own flags are the check's);
namespace, create-namespace and api-port are the check's own. After a failure Tilt's log is kept.
Exit 0 all passed, 1 a step failed, 2 not a DOKS context (make exits 2 on any failure, saying the
script's code: `Error 1`). Standard library only; Python 3.9 or newer."""

from __future__ import annotations

import re
import shutil
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

import doks_check_app as app
from doctor_access import unanswered
from doctor_cluster import line, plan_of, registry_check, run, tilt_result
from doks_check_loop import Failed, Loop

REFUSED = (
    "doks-check: {0} is a laptop cluster (Tilt pushes to its own registry); make doks-check checks a DOKS"
    " context: kubectl config use-context do-<region>-<cluster>, then"
    " make doks-check ARGS='-- --allow-context do-<region>-<cluster>'"
)


def step(name: str, do) -> None:
    """Runs `do` (its detail, or (seconds, detail)); prints the step's line; a failure raises Failed."""
    start = time.monotonic()
    try:
        done = do()
    except (Failed, KeyboardInterrupt) as failed:
        why, fix = (failed.detail, failed.fix) if isinstance(failed, Failed) else ("interrupted", "")
        print(line("FAIL", name, f"{time.monotonic() - start:6.1f} s  {why}", fix), flush=True)
        raise
    took, detail = done if isinstance(done, tuple) else (time.monotonic() - start, done)
    print(line("ok", name, f"{took:6.1f} s  {detail}"), flush=True)


def plan(args: list[str], found: dict) -> str:
    """What Tilt plans on the current context; refuses a laptop one; the check's namespace."""
    context = run("kubectl", "config", "current-context", timeout=10)[1]
    code, result = tilt_result(args, context) if context else (0, {})
    if code:
        raise Failed(
            f"Tilt stops on {context}: {result}", "make doctor ARGS='-- <settings>' says what to fix"
        )
    planned = plan_of(result)
    if not planned["registry"]:
        print(REFUSED.format(context or "no context"), file=sys.stderr)
        sys.exit(2)
    env = planned["helm"].get("env") or []
    yours = next((e[10:] for e in env if e.startswith("NAMESPACE=")), "") or "astrid"
    name = yours[:57].rstrip("-") + "-check"
    code, _, err = run("kubectl", "--context", context, "get", "namespace", name, "--request-timeout=10s")
    if code == 0:
        fix = f"if a past check left it: kubectl delete namespace {name} --context {context}"
        raise Failed(f"{name}, the check's namespace, exists already (it deletes only its own)", fix)
    if "(NotFound)" not in err:
        raise Failed(*unanswered(context, err, True)[2:])
    found.update(context=context, registry=planned["registry"], namespace=name)
    return (
        f"{context}, Tilt pushes to {planned['registry']}; namespace {name} (yours, {yours}, stays as it is)"
    )


def login(host: str) -> str:
    status, _, detail, fix = registry_check(host)
    if status != "ok":
        raise Failed(detail, fix)
    return detail


def check(args: list[str]) -> None:
    found: dict = {}
    step("context", lambda: plan(args, found))
    step("login", lambda: login(found["registry"]))
    doks = re.fullmatch(r"do-[a-z0-9]+-(.+)", found["context"])
    secret = f"registry-{found['registry'].rsplit('/', 1)[-1]}"  # DOKS names it after the registry
    integrate = f"run: doctl kubernetes cluster registry add {doks[1] if doks else '<cluster>'}"
    integrate += f" (its secret is named after the registry: {secret})"
    tmp = Path(tempfile.mkdtemp(prefix="doks-check-"))  # the project copy and Tilt's log
    loop, pod, passed = Loop(tmp, found["context"], found["namespace"], args), [], False
    try:
        loop.start()
        step("tilt-up", loop.loaded)
        step("namespace", loop.namespace_created)
        step("pull-secret", lambda: loop.pull_secret(secret, integrate))
        step("build+push", lambda: app.build(loop))
        step("rollout", lambda: pod.append(app.rollout(loop, secret, integrate)) or pod[0][1])
        step("forward", lambda: app.forward(loop))
        step("live-update", lambda: app.live_update(loop, pod[0][0], uuid.uuid4().hex[:8]))
        passed = True
    finally:
        try:
            if loop.tilt:
                step("cleanup", loop.cleanup)
        finally:  # after a failure, Tilt's log is kept
            kept = not passed and loop.log.exists()
            shutil.rmtree(loop.copy if kept else tmp, ignore_errors=True)
            if kept:
                print(f"doks-check: Tilt's log is kept: {loop.log}")


def interrupt(*_: object) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up as Ctrl-C does


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 9):  # noqa: UP036 -- laptops run this with their system Python
        print(f"doks-check: needs Python 3.9 or newer; this python3 is {sys.version.split()[0]}")
        return 1
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    signal.signal(signal.SIGTERM, interrupt)
    start = time.monotonic()
    try:
        check(argv[argv.index("--") + 1 :] if "--" in argv else [])
    except (Failed, KeyboardInterrupt) as stopped:
        said = "interrupted" if isinstance(stopped, KeyboardInterrupt) else "FAILED; the fix is above"
        print(f"doks-check: {said}, after {time.monotonic() - start:.0f} s")
        return 130 if isinstance(stopped, KeyboardInterrupt) else 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    print(f"doks-check: every step passed in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
