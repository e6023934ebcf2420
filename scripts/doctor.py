"""Preflight for `tilt up` (`make doctor`): one line per check, and a fix for every failure.

Usage: python3 scripts/doctor.py [--preflight] [TILT UP ARGUMENTS]

TILT UP ARGUMENTS are those you would give `tilt up`; the Tiltfile settings after `--` count here as
they do for Tilt, e.g. `python3 scripts/doctor.py -- --allow-context do-nyc1-astrid`.
--preflight skips what needs the cluster to exist (namespace, pull secret): scripts/dev.sh runs
it before it creates the laptop cluster.
Exit status: 0 ready (warnings included), 1 something blocks `tilt up`, 2 a setting Tilt would reject.
Standard library only, Python >= 3.11: it runs before any virtualenv exists.
"""

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from doctor_checks import (
    FIXES,
    Result,
    check_cluster,
    check_docker,
    check_docr_credentials,
    check_port,
    check_tool,
    fail,
    ok,
    run,
    warn,
)
from doctor_settings import BadInput, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent  # where the Tiltfile and tilt_config.json live


def context_checks(settings: Settings, preflight: bool) -> Iterator[Result]:
    """Which cluster `tilt up` would deploy to, and whether it may and can."""
    if not shutil.which("kubectl"):
        yield warn("context", "not checked: kubectl is missing")
        return
    code, context, _ = run("kubectl", "config", "current-context", timeout=10)
    if code or not context:
        yield warn("context", "no current kube context", FIXES["no-context"])
        return
    local = settings.is_local(context)
    if not local and context not in settings.allowed:
        detail = f'kube context "{context}" is not a laptop cluster and is not allowed'
        yield fail("context", detail, FIXES["context"].format(context))
        return
    yield ok("context", f"{context} ({'laptop cluster' if local else 'remote, allowed'})")
    if not local:  # laptop clusters bring their own registry; DOCR needs Docker to be logged in
        yield check_docr_credentials(Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker"))
    if not preflight:
        yield from check_cluster(context, settings)


def checks(settings: Settings, preflight: bool) -> Iterator[Result]:
    yield check_docker()
    yield check_tool("kubectl", ["kubectl", "version", "--client"])
    yield check_tool("helm", ["helm", "version", "--short"], minimum=(3,))
    yield check_tool("tilt", ["tilt", "version"], minimum=settings.min_tilt)
    yield from context_checks(settings, preflight)
    yield check_port(settings.port)


def main(argv: list[str]) -> int:
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    preflight = argv[:1] == ["--preflight"]
    rest = argv[1:] if preflight else argv
    tiltfile_args = rest[rest.index("--") + 1 :] if "--" in rest else []
    try:
        settings = load_settings(ROOT, tiltfile_args, dict(os.environ))
    except BadInput as exc:
        print(f"doctor: {exc}", file=sys.stderr)
        return 2
    blocking = 0
    for result in checks(settings, preflight):
        print(f"{result.status:<5} {result.name:<12} {result.detail}", flush=True)
        if result.fix:
            print(f"{'':18}fix: {result.fix}", flush=True)
        blocking += result.status == "FAIL"
    if blocking:
        print(
            f"doctor: {blocking} problem(s) block `tilt up`; apply the fixes above and re-run `make doctor`"
        )
        return 1
    print("doctor: ready for `tilt up`")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
