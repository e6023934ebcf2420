"""What `tilt up` needs (`make doctor`; `make dev` runs it first): one line per check, a fix per failure.
Usage: python3 scripts/doctor.py [TILT UP ARGUMENTS], e.g. `-- --allow-context do-nyc1-astrid`.
Tilt itself reads the settings (tilt_config.json, the arguments after `--`) and says what it would do
(scripts/doctor_cluster.py, scripts/doctor_access.py). Exit 0 ready (warnings included), 1 something
blocks `tilt up` (a failed first download of Tilt's helm_resource extension included), 2 Tilt stops on
any cluster (a bad setting: Tilt's exit 5). Standard library only; Python 3.9 or newer."""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
from collections.abc import Iterator

from doctor_access import NO_CONTEXT, USE_LAPTOP
from doctor_cluster import cluster, line, plan_of, registry_login, run, tilt_result

UI_PORT = os.environ.get("TILT_PORT", "").strip()  # Tilt's own variable for its web UI's port
TILT_UI = int(UI_PORT) if UI_PORT.isdigit() else 10350
INSTALL = {
    "docker": "install Docker: https://docs.docker.com/get-docker/",
    "kubectl": "install kubectl: https://kubernetes.io/docs/tasks/tools/",
    "helm": "install Helm 3.10 or newer: https://helm.sh/docs/intro/install/",
    "tilt": "install Tilt: https://docs.tilt.dev/install.html",
}
START_DOCKER = "start Docker (Docker Desktop, or: sudo systemctl start docker)"
FIX_SETTING = "correct that setting in tilt_config.json or after `--` (docs/development.md)"
RUNNING = f"use it at http://localhost:{TILT_UI}, or stop it (Ctrl-C where `tilt up` runs), then re-run"
EXTENSIONS = "https://github.com/tilt-dev/tilt-extensions"  # ext://helm_resource's repository
EXTENSION_FAILED = "loading extension repo"  # Tilt's words when that download fails (tiltextension/plugin.go)
BUSY = "stop what listens there (lsof -iTCP:{0} -sTCP:LISTEN), or forward another port (docs/development.md)"


def tool(name: str, *version_cmd: str, minimum: tuple = (), broken: str = "") -> str:
    if not shutil.which(name):
        return line("FAIL", name, "not found on PATH", INSTALL[name])
    code, out, err = run(name, *version_cmd)
    found = re.search(r"(\d+)\.(\d+)\.(\d+)", out if code == 0 else "")
    if found is None:
        detail = f"`{name} {' '.join(version_cmd)}` failed: {(err or out)[:160]}"
        return line("FAIL", name, detail, broken or INSTALL[name])
    if tuple(int(n) for n in found.groups()) < minimum:
        detail = f"v{found[0]} is too old (needs >= {'.'.join(map(str, minimum))})"
        return line("FAIL", name, detail, INSTALL[name])
    return line("ok", name, f"v{found[0]}")


def download_fix() -> str:
    """Tilt clones the extensions once, with git, into github.com/adrg/xdg's data home (macOS: Library)."""
    data = "~/Library/Application Support" if sys.platform == "darwin" else "~/.local/share"
    data = os.environ.get("XDG_DATA_HOME") or os.path.expanduser(data)
    modules = os.path.join(data, "tilt-dev", "tilt_modules")
    return (
        f"Tilt's first run clones {EXTENSIONS} with git into {modules}: check network access to GitHub"
        f" (git ls-remote {EXTENSIONS}) and your proxy (HTTPS_PROXY) if you need one, then re-run"
    )


def ports(numbers: set[int]) -> Iterator[str]:
    """Busy means something answers on 127.0.0.1, where Tilt listens; a busy UI port means Tilt runs."""
    for name, number in [("tilt-ui", TILT_UI)] + [("port", n) for n in sorted(numbers)]:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            busy = sock.connect_ex(("127.0.0.1", number)) == 0
        if busy and name == "tilt-ui":
            yield line("FAIL", name, f"Tilt is already running (port {TILT_UI})", RUNNING)
            return  # the forwarded ports are most likely that Tilt's
        busy_line = line("FAIL", name, f"127.0.0.1:{number} is in use", BUSY.format(number))
        yield busy_line if busy else line("ok", name, f"127.0.0.1:{number} is free")


def checks(args: list[str]) -> Iterator[str]:
    yield tool("docker", "info", "--format", "{{.ServerVersion}}", broken=START_DOCKER)
    yield tool("kubectl", "version", "--client")
    yield tool("helm", "version", "--short", minimum=(3, 10))  # for --set-json
    yield tool("tilt", "version")
    if not shutil.which("tilt"):
        return  # everything below comes from Tilt
    context = run("kubectl", "config", "current-context", timeout=10)[1] if shutil.which("kubectl") else ""
    code, result = tilt_result(args, context) if context else (1, "")
    if code == 0:
        plan = plan_of(result)
        pushes = plan["registry"] or "the cluster's own registry"
        yield line("ok", "context", f"{context} (Tilt pushes to {pushes})")
        if plan["registry"]:
            yield registry_login(plan["registry"])
        yield from cluster(context, plan)
        yield from ports(plan["ports"])
        return
    # Stops on the laptop cluster too: the settings; only on `context`: the context.
    laptop_code, laptop = (code, result) if EXTENSION_FAILED in result else tilt_result(args)
    if EXTENSION_FAILED in laptop:  # Tilt's exit 5 too, but no setting is wrong: the download failed
        fail = f"Tilt could not download ext://helm_resource: {laptop}"
        yield line("FAIL", "extension", fail, download_fix())
        return
    if laptop_code == 5:
        print(f"doctor: Tilt stops, on any cluster:\n{laptop}\nfix: {FIX_SETTING}", file=sys.stderr)
        sys.exit(2)
    if laptop_code:
        fix = "see Tilt's message; its first run downloads the helm_resource extension from GitHub"
        yield line("FAIL", "tilt", f"tilt alpha tiltfile-result failed: {laptop}", fix)
        return
    fix = f"{USE_LAPTOP}; to deploy to {context} after all, do what Tilt says"
    refused = line("FAIL", "context", f"Tilt stops on {context}: {result}", fix)
    yield refused if context else line("warn", "context", "no current kube context", NO_CONTEXT)
    yield from ports(plan_of(laptop)["ports"])


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 9):  # noqa: UP036 -- laptops run this with their system Python
        print(f"doctor: needs Python 3.9 or newer; this python3 is {sys.version.split()[0]}")
        return 1
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    blocking = 0
    for result in checks(argv[argv.index("--") + 1 :] if "--" in argv else []):
        print(result, flush=True)
        blocking += result.startswith("FAIL")
    blocked = f"doctor: {blocking} problem(s) block `tilt up`; apply the fixes above, then re-run"
    print(blocked if blocking else "doctor: ready for `tilt up`")
    return 1 if blocking else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
